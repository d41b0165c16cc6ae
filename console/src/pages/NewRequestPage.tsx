import BreadcrumbGroup from '@cloudscape-design/components/breadcrumb-group';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import Select, { type SelectProps } from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Textarea from '@cloudscape-design/components/textarea';
import { type ReactNode, useEffect, useMemo, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { CRL_REASON_LABELS, KINDS } from '../../../functions/domain/kinds';
import { ApiError, type Kind } from '../api';
import { basePath } from '../config';
import { messageOf } from '../errors';
import { kindLabel } from '../format';
import {
  buildRequestBody,
  CRL_REASONS,
  type Draft,
  ENROLL_METHODS,
  emptyDraft,
  type FormFieldName,
  idempotencyKeys,
  placeFieldErrors,
  type SubjectFieldName,
  shownFields,
} from '../newRequest';
import { useSession } from '../session';
import { CsrInput } from './request/CsrInput';

const kindOptions: SelectProps.Option[] = KINDS.map((kind) => ({ value: kind, label: kindLabel(kind), description: kind }));
const methodOptions: SelectProps.Option[] = ENROLL_METHODS.map((method) => ({ value: method, label: method }));
const NO_REASON: SelectProps.Option = { value: '', label: 'No reason given' };
const reasonOptions: SelectProps.Option[] = [
  NO_REASON,
  ...CRL_REASONS.map((reason) => ({ value: reason, label: CRL_REASON_LABELS[reason], description: reason })),
];
const pick = (options: SelectProps.Option[], value: string) => options.find((option) => option.value === value) ?? null;

/** The profiles to choose from; undefined while loading, null when the list cannot be read (a text field then). */
function useProfileOptions(): SelectProps.Option[] | null | undefined {
  const { api } = useSession();
  const [options, setOptions] = useState<SelectProps.Option[] | null>();
  useEffect(() => {
    api.listProfiles(100).then(
      (page) => setOptions(page.items.map((profile) => ({ value: profile.id, label: profile.name, description: profile.id }))),
      () => setOptions(null),
    );
  }, [api]);
  return options;
}

/** Any signed-in user creates a request of any kind; the API validates, and its messages appear on the fields. */
export function NewRequestPage() {
  const { api } = useSession();
  const navigate = useNavigate();
  const [draft, setDraft] = useState<Draft>(() => emptyDraft());
  const [errors, setErrors] = useState<Partial<Record<FormFieldName, string>>>({});
  const [formError, setFormError] = useState<string>();
  const [saving, setSaving] = useState(false);
  const keyFor = useMemo(() => idempotencyKeys(), []);
  const sending = useRef(false);
  const profileOptions = useProfileOptions();

  const set = <K extends keyof Draft>(name: K, value: Draft[K]) => {
    setDraft((current) => ({ ...current, [name]: value }));
    const field = (['kind', 'profileId', 'justification'].includes(name) ? name : `subject.${name}`) as FormFieldName;
    // Another kind shows other fields: the previous answer's messages no longer apply.
    setErrors((known) => (name === 'kind' ? {} : { ...known, [field]: undefined }));
    if (name === 'kind') setFormError(undefined);
  };

  const submit = async () => {
    // A second click while the first is on its way sends nothing; a retry after a failure reuses the key.
    if (sending.current) return;
    sending.current = true;
    setSaving(true);
    setFormError(undefined);
    const body = buildRequestBody(draft);
    try {
      const created = await api.createRequest(body, keyFor(body));
      navigate(`/requests/${encodeURIComponent(created.id)}`);
    } catch (error) {
      const issues = error instanceof ApiError ? error.fieldIssues : [];
      const placed = placeFieldErrors(issues, draft);
      setErrors(placed.fields);
      if (!issues.length || placed.unplaced.length) setFormError(placed.unplaced.join('; ') || messageOf(error));
    } finally {
      sending.current = false;
      setSaving(false);
    }
  };

  const text = (field: SubjectFieldName, name: keyof Draft, label: string, description?: string) => (
    <FormField key={field} label={label} description={description} errorText={errors[field]}>
      <Input value={draft[name]} onChange={(event) => set(name, event.detail.value)} />
    </FormField>
  );
  const subjectField: Record<SubjectFieldName, () => ReactNode> = {
    'subject.method': () => (
      <FormField key="method" label="Enrollment method" errorText={errors['subject.method']}>
        <Select
          selectedOption={pick(methodOptions, draft.method)}
          options={methodOptions}
          onChange={(event) => set('method', event.detail.selectedOption.value ?? 'P10')}
        />
      </FormField>
    ),
    'subject.subjectDn': () =>
      text('subject.subjectDn', 'subjectDn', 'Subject DN', 'For a P10, the same subject as the CSR, e.g. CN=host.example.com,O=Example.'),
    'subject.csr': () => <CsrInput key="csr" value={draft.csr} errorText={errors['subject.csr']} onChange={(pem) => set('csr', pem)} />,
    'subject.serialNumber': () => text('subject.serialNumber', 'serialNumber', 'Serial number', 'The certificate serial, in hexadecimal.'),
    'subject.issuerDn': () => text('subject.issuerDn', 'issuerDn', 'Issuer DN'),
    'subject.reasonCode': () => (
      <FormField
        key="reasonCode"
        label="Reason"
        description="Optional, as an RFC 5280 CRL reason."
        errorText={errors['subject.reasonCode']}
      >
        <Select
          selectedOption={pick(reasonOptions, draft.reasonCode) ?? NO_REASON}
          options={reasonOptions}
          onChange={(event) => set('reasonCode', event.detail.selectedOption.value ?? '')}
        />
      </FormField>
    ),
    'subject.holderId': () => text('subject.holderId', 'holderId', 'Holder ID', "The card holder's user id in the directory."),
    'subject.cardProfile': () => text('subject.cardProfile', 'cardProfile', 'Card profile'),
    'subject.count': () => (
      <FormField key="count" label="Number of cards" description="1 to 100." errorText={errors['subject.count']}>
        <Input type="number" inputMode="numeric" value={draft.count} onChange={(event) => set('count', event.detail.value)} />
      </FormField>
    ),
    'subject.cardSerial': () => text('subject.cardSerial', 'cardSerial', 'Card serial'),
  };

  return (
    <SpaceBetween size="m">
      <BreadcrumbGroup
        items={[
          { text: 'Requests', href: `${basePath}/requests` },
          { text: 'New request', href: `${basePath}/requests/new` },
        ]}
        onFollow={(event) => {
          event.preventDefault();
          navigate(event.detail.href.slice(basePath.length));
        }}
      />
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <Form
          header={<Header variant="h1">New request</Header>}
          errorText={formError}
          actions={
            <SpaceBetween direction="horizontal" size="xs">
              <Button formAction="none" variant="link" onClick={() => navigate('/requests')}>
                Cancel
              </Button>
              <Button variant="primary" loading={saving}>
                Create request
              </Button>
            </SpaceBetween>
          }
        >
          <SpaceBetween size="l">
            <Container header={<Header variant="h2">Request</Header>}>
              <SpaceBetween size="l">
                <FormField label="Kind" errorText={errors.kind}>
                  <Select
                    selectedOption={pick(kindOptions, draft.kind)}
                    options={kindOptions}
                    onChange={(event) => set('kind', event.detail.selectedOption.value as Kind)}
                  />
                </FormField>
                <FormField label="Profile" description="The profile whose approval settings apply." errorText={errors.profileId}>
                  {profileOptions === null ? (
                    <Input
                      value={draft.profileId}
                      placeholder="Profile id"
                      onChange={(event) => set('profileId', event.detail.value.trim())}
                    />
                  ) : (
                    <Select
                      selectedOption={pick(profileOptions ?? [], draft.profileId)}
                      options={profileOptions ?? []}
                      statusType={profileOptions ? 'finished' : 'loading'}
                      loadingText="Loading profiles"
                      placeholder="Choose a profile"
                      empty="No profiles yet"
                      onChange={(event) => set('profileId', event.detail.selectedOption.value ?? '')}
                    />
                  )}
                </FormField>
                <FormField label="Justification" description="Optional: why, for the approvers." errorText={errors.justification}>
                  <Textarea value={draft.justification} rows={3} onChange={(event) => set('justification', event.detail.value)} />
                </FormField>
              </SpaceBetween>
            </Container>
            <Container header={<Header variant="h2">{draft.kind.startsWith('card.') ? 'Card' : 'Certificate'}</Header>}>
              <SpaceBetween size="l">{shownFields(draft).map((field) => subjectField[field]())}</SpaceBetween>
            </Container>
          </SpaceBetween>
        </Form>
      </form>
    </SpaceBetween>
  );
}
