import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import BreadcrumbGroup from '@cloudscape-design/components/breadcrumb-group';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import Multiselect from '@cloudscape-design/components/multiselect';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Spinner from '@cloudscape-design/components/spinner';
import { useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { KINDS } from '../../../functions/domain/kinds';
import { ApiError, type Kind, type Profile } from '../api';
import { basePath } from '../config';
import { durationsInWords } from '../duration';
import { type DurationDraft, DurationField, draftIso, durationDraft } from '../DurationField';
import { ErrorAlert, messageOf } from '../errors';
import { kindLabel } from '../format';
import { isAdmin } from '../permissions';
import { useSession } from '../session';
import { type CsrPolicyDraft, type CsrPolicyErrors, csrPolicyBody, csrPolicyDraft, csrPolicyErrors } from '../csrPolicy';
import { CsrPolicyFields } from './profile/CsrPolicyFields';
import { FLAT_STAGE_NAME } from '../../../functions/domain/stage-rules';
import {
  emptyStage,
  policyBody,
  type StageDraft,
  type StageErrors,
  StagesEditor,
  stageDrafts,
  stageErrorKey,
} from './profile/StagesEditor';

const FIELDS = ['id', 'name', 'requireApprovalFor', 'remindAfter', 'expireAfter', 'maxReminders', 'requireCommentOn'] as const;
type Field = (typeof FIELDS)[number];

interface Draft {
  id: string;
  name: string;
  requireApprovalFor: Kind[];
  stages: StageDraft[];
  remindAfter: DurationDraft;
  expireAfter: DurationDraft;
  maxReminders: string;
  requireCommentOn: CommentKind[];
  csrPolicy: CsrPolicyDraft;
}

type CommentKind = 'approve' | 'hold';
const commentOptions: Array<{ value: CommentKind; label: string }> = [
  { value: 'approve', label: 'Approve' },
  { value: 'hold', label: 'Put on hold' },
];

const EMPTY: Draft = {
  id: '',
  name: '',
  requireApprovalFor: [],
  stages: [{ ...emptyStage(FLAT_STAGE_NAME) }],
  remindAfter: { amount: '4', unit: 'hours' },
  expireAfter: { amount: '3', unit: 'days' },
  maxReminders: '',
  requireCommentOn: [],
  csrPolicy: csrPolicyDraft(),
};

const draftOf = (profile: Profile & { maxReminders?: number; requireCommentOn?: CommentKind[] }): Draft => ({
  id: profile.id,
  name: profile.name,
  requireApprovalFor: profile.requireApprovalFor,
  stages: stageDrafts(profile),
  remindAfter: durationDraft(profile.remindAfter, { amount: 4, unit: 'hours' }),
  expireAfter: durationDraft(profile.expireAfter, { amount: 3, unit: 'days' }),
  maxReminders: profile.maxReminders === undefined ? '' : String(profile.maxReminders),
  requireCommentOn: profile.requireCommentOn ?? [],
  csrPolicy: csrPolicyDraft(profile.csrPolicy),
});

const WHOLE_NUMBER = 'must be a whole number, 1 or more';

/** A number when the text is one, else the text itself, so the API's own validation speaks. */
const numberOrText = (text: string) => (text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text);

/** Admins create and edit profiles; the API validates, and its messages appear on the fields. */
/** A form field choosing any of `options` (the kinds needing approval, the decisions needing a comment). */
function ChoicesField<Value extends string>(props: {
  label: string;
  description: string;
  errorText?: string;
  placeholder: string;
  options: ReadonlyArray<{ value: Value; label: string }>;
  chosen: readonly Value[];
  onChange: (chosen: Value[]) => void;
}) {
  return (
    <FormField label={props.label} description={props.description} errorText={props.errorText}>
      <Multiselect
        selectedOptions={props.options.filter((option) => props.chosen.includes(option.value))}
        options={props.options}
        placeholder={props.placeholder}
        deselectAriaLabel={(option) => `Remove ${option.label}`}
        onChange={(event) => props.onChange(event.detail.selectedOptions.map((option) => option.value as Value))}
      />
    </FormField>
  );
}

export function ProfileEditPage() {
  const { id } = useParams();
  const { api, who } = useSession();
  const navigate = useNavigate();
  const [draft, setDraft] = useState<Draft | undefined>(id ? undefined : EMPTY);
  const [loadError, setLoadError] = useState<unknown>();
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [stageErrors, setStageErrors] = useState<StageErrors>({});
  const [formError, setFormError] = useState<string>();
  const [csrErrors, setCsrErrors] = useState<CsrPolicyErrors>({});
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (!id) return;
    api.getProfile(id).then((profile) => setDraft(draftOf(profile)), setLoadError);
  }, [api, id]);

  const title = id ? `Edit profile ${id}` : 'Create profile';
  const breadcrumbs = (
    <BreadcrumbGroup
      items={[
        { text: 'Profiles', href: `${basePath}/profiles` },
        { text: title, href: `${basePath}${id ? `/profiles/${id}/edit` : '/profiles/new'}` },
      ]}
      onFollow={(event) => {
        event.preventDefault();
        navigate(event.detail.href.slice(basePath.length));
      }}
    />
  );
  if (!isAdmin(who)) {
    return (
      <SpaceBetween size="m">
        {breadcrumbs}
        <Alert type="info">Only admins create and edit profiles.</Alert>
      </SpaceBetween>
    );
  }
  if (loadError) return <ErrorAlert error={loadError} />;
  if (!draft) return <Spinner size="large" />;

  const set = <K extends keyof Draft>(name: K, value: Draft[K]) => {
    setDraft({ ...draft, [name]: value });
    setErrors((known) => ({ ...known, [name]: undefined }));
  };

  const save = async () => {
    const profileId = draft.id.trim();
    const remindAfter = draftIso(draft.remindAfter);
    const expireAfter = draftIso(draft.expireAfter);
    const local: Partial<Record<Field, string>> = {
      ...(profileId ? {} : { id: 'must not be empty' }),
      ...(remindAfter ? {} : { remindAfter: WHOLE_NUMBER }),
      ...(expireAfter ? {} : { expireAfter: WHOLE_NUMBER }),
    };
    if (!profileId || !remindAfter || !expireAfter) {
      setErrors(local);
      return;
    }
    setSaving(true);
    setFormError(undefined);
    const body = {
      name: draft.name,
      requireApprovalFor: draft.requireApprovalFor,
      ...policyBody(draft.stages),
      remindAfter,
      expireAfter,
      ...(draft.maxReminders.trim() ? { maxReminders: numberOrText(draft.maxReminders) } : {}),
      ...(draft.requireCommentOn.length ? { requireCommentOn: draft.requireCommentOn } : {}),
      ...csrPolicyBody(draft.csrPolicy),
    };
    try {
      await api.putProfile(profileId, body as never);
      navigate('/profiles');
    } catch (error) {
      // Issues under csrPolicy go on its own fields; the rest as before.
      const { errors: csr, rest: issues } = csrPolicyErrors(error instanceof ApiError ? error.fieldIssues : []);
      setCsrErrors(csr);
      const next: Partial<Record<Field, string>> = {};
      const onStages: StageErrors = {};
      const unplaced: string[] = [];
      for (const issue of issues) {
        const field = issue.field.split('.')[0] as Field;
        const stageKey = stageErrorKey(issue.field);
        if (stageKey) onStages[stageKey] ??= durationsInWords(issue.message);
        else if ((FIELDS as readonly string[]).includes(field)) next[field] ??= durationsInWords(issue.message);
        else unplaced.push(`${issue.field} ${issue.message}`);
      }
      setErrors(next);
      setStageErrors(onStages);
      if ((!issues.length && !Object.keys(csr).length) || unplaced.length) setFormError(unplaced.join('; ') || messageOf(error));
    } finally {
      setSaving(false);
    }
  };

  const kindOptions = KINDS.map((kind) => ({ value: kind, label: kindLabel(kind), description: kind }));
  return (
    <SpaceBetween size="m">
      {breadcrumbs}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        <Form
          header={<Header variant="h1">{title}</Header>}
          errorText={formError}
          actions={
            <SpaceBetween direction="horizontal" size="xs">
              <Button formAction="none" variant="link" onClick={() => navigate('/profiles')}>
                Cancel
              </Button>
              <Button variant="primary" loading={saving}>
                Save profile
              </Button>
            </SpaceBetween>
          }
        >
          <Container header={<Header variant="h2">Approval settings</Header>}>
            <SpaceBetween size="l">
              <FormField label="Profile ID" description="Letters, digits, dots, dashes or underscores." errorText={errors.id}>
                <Input value={draft.id} disabled={!!id} onChange={(event) => set('id', event.detail.value)} />
              </FormField>
              <FormField label="Name" errorText={errors.name}>
                <Input value={draft.name} onChange={(event) => set('name', event.detail.value)} />
              </FormField>
              <ChoicesField
                label="Require approval for"
                description="Kinds not listed are approved at once by policy."
                errorText={errors.requireApprovalFor}
                placeholder="Choose kinds"
                options={kindOptions}
                chosen={draft.requireApprovalFor}
                onChange={(kinds) => set('requireApprovalFor', kinds)}
              />
              <DurationField
                label="Remind after"
                description="How long approvers have before a reminder; shorter than Expire after."
                errorText={errors.remindAfter}
                value={draft.remindAfter}
                onChange={(value) => set('remindAfter', value)}
              />
              <DurationField
                label="Expire after"
                description="How long a request waits for approval before it expires; at most 360 days."
                errorText={errors.expireAfter}
                value={draft.expireAfter}
                onChange={(value) => set('expireAfter', value)}
              />
              <FormField label="Maximum reminders" description="Optional, 0 to 20 (default 5)." errorText={errors.maxReminders}>
                <Input
                  type="number"
                  inputMode="numeric"
                  value={draft.maxReminders}
                  onChange={(event) => set('maxReminders', event.detail.value)}
                />
              </FormField>
              <ChoicesField
                label="Comment required to"
                description="Optional. These decisions need a comment; a rejection always needs its reason."
                errorText={errors.requireCommentOn}
                placeholder="Choose decisions"
                options={commentOptions}
                chosen={draft.requireCommentOn}
                onChange={(decisions) => set('requireCommentOn', decisions)}
              />
            </SpaceBetween>
          </Container>
          <Container
            header={
              <Header
                variant="h2"
                description="Stages run in order; each needs its own quorum of distinct people. One stage is the plain form."
              >
                Approval stages
              </Header>
            }
          >
            <StagesEditor
              stages={draft.stages}
              errors={stageErrors}
              onChange={(stages) => {
                set('stages', stages);
                setStageErrors({});
              }}
            />
          </Container>
          <Box margin={{ top: 'l' }}>
            <CsrPolicyFields
              value={draft.csrPolicy}
              errors={csrErrors}
              onChange={(value, field) => {
                set('csrPolicy', value);
                setCsrErrors((known) => ({ ...known, [field]: undefined }));
              }}
            />
          </Box>
        </Form>
      </form>
    </SpaceBetween>
  );
}
