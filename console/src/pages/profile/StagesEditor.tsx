import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Textarea from '@cloudscape-design/components/textarea';
import { FLAT_STAGE_NAME, MAX_STAGES, type StageRule } from '../../../../functions/domain/stage-rules';
import type { Profile } from '../../api';
import { type DurationDraft, DurationField, draftIso, durationDraft } from '../../DurationField';

/** One stage as the editor holds it: texts as typed, the escalation optional (an empty amount: none). */
export interface StageDraft {
  name: string;
  approvers: string;
  requiredApprovals: string;
  escalateAfter: DurationDraft;
  escalateTo: string;
}

const STAGE_FIELDS = ['name', 'approvers', 'requiredApprovals', 'escalateAfter', 'escalateTo'] as const;
/** The API's messages on a stage's fields, by `stages.<index>.<field>`. */
export type StageErrors = Record<string, string | undefined>;

const lines = (text: string) => text.split(/[\s,;]+/).filter(Boolean);
const numberOrText = (text: string) => (text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text);

export const emptyStage = (name = ''): StageDraft => ({
  name,
  approvers: '',
  requiredApprovals: '1',
  escalateAfter: { amount: '', unit: 'days' },
  escalateTo: '',
});

/** A profile's stages as drafts: its `stages`, or its flat approvers and quorum as one stage. */
export function stageDrafts(profile: Profile): StageDraft[] {
  const rules: StageRule[] = profile.stages?.length
    ? profile.stages
    : [{ name: FLAT_STAGE_NAME, approvers: profile.approvers ?? [], requiredApprovals: profile.requiredApprovals ?? 1 }];
  return rules.map((rule) => ({
    name: rule.name,
    approvers: rule.approvers.join('\n'),
    requiredApprovals: String(rule.requiredApprovals),
    escalateAfter: rule.escalateAfter ? durationDraft(rule.escalateAfter, { amount: 1, unit: 'days' }) : { amount: '', unit: 'days' },
    escalateTo: (rule.escalateTo ?? []).join('\n'),
  }));
}

/**
 * The policy part of the profile body: one stage named as the flat form's, without escalation, is
 * sent flat (approvers, requiredApprovals); anything else as `stages`. The API validates.
 */
export function policyBody(stages: StageDraft[]): Record<string, unknown> {
  const [only] = stages;
  const flat = stages.length === 1 && only && only.name === FLAT_STAGE_NAME && !only.escalateAfter.amount.trim() && !only.escalateTo.trim();
  if (flat) return { approvers: lines(only.approvers), requiredApprovals: numberOrText(only.requiredApprovals) };
  return {
    stages: stages.map((stage) => {
      const after = stage.escalateAfter.amount.trim() ? (draftIso(stage.escalateAfter) ?? stage.escalateAfter.amount) : undefined;
      return {
        name: stage.name,
        approvers: lines(stage.approvers),
        requiredApprovals: numberOrText(stage.requiredApprovals),
        ...(after ? { escalateAfter: after } : {}),
        ...(stage.escalateTo.trim() ? { escalateTo: lines(stage.escalateTo) } : {}),
      };
    }),
  };
}

/**
 * Where the API's message on a policy field goes: `stages.<i>.<field>` (deeper paths such as
 * `stages.0.approvers.2` on the list's field), and the flat form's `approvers`/`requiredApprovals`
 * on the first stage. Undefined for any other field.
 */
export function stageErrorKey(field: string): string | undefined {
  const parts = field.split('.');
  if (parts[0] === 'approvers' || parts[0] === 'requiredApprovals') return `stages.0.${parts[0]}`;
  if (parts[0] !== 'stages') return undefined;
  if (parts.length < 3) return 'stages';
  return `stages.${parts[1]}.${parts[2]}`;
}

/** The stages of a profile: each with its approvers (addresses or group:<name>), quorum and optional escalation. */
export function StagesEditor(props: { stages: StageDraft[]; errors: StageErrors; onChange: (stages: StageDraft[]) => void }) {
  const { stages, errors } = props;
  const change = (index: number, patch: Partial<StageDraft>) =>
    props.onChange(stages.map((stage, at) => (at === index ? { ...stage, ...patch } : stage)));
  const error = (index: number, field: (typeof STAGE_FIELDS)[number]) => errors[`stages.${index}.${field}`];
  return (
    <SpaceBetween size="m">
      {errors.stages ? (
        <div className="field-error" role="alert">
          Stages {errors.stages}
        </div>
      ) : null}
      {stages.map((stage, index) => (
        <Container
          // Stages have no id of their own: their position is what the API names.
          // biome-ignore lint/suspicious/noArrayIndexKey: a stage is its position
          key={index}
          header={
            <Header
              variant="h3"
              actions={
                stages.length > 1 ? (
                  <Button formAction="none" onClick={() => props.onChange(stages.filter((_, at) => at !== index))}>
                    Remove stage {index + 1}
                  </Button>
                ) : undefined
              }
            >
              {`Stage ${index + 1} of ${stages.length}`}
            </Header>
          }
        >
          <SpaceBetween size="s">
            <FormField label={`Stage ${index + 1} name`} errorText={error(index, 'name')}>
              <Input value={stage.name} onChange={(event) => change(index, { name: event.detail.value })} />
            </FormField>
            <FormField
              label={`Stage ${index + 1} approvers`}
              description="Email addresses or group:<directory group>, one per line."
              errorText={error(index, 'approvers')}
            >
              <Textarea value={stage.approvers} rows={3} onChange={(event) => change(index, { approvers: event.detail.value })} />
            </FormField>
            <FormField label={`Stage ${index + 1} required approvals`} description="1 to 10." errorText={error(index, 'requiredApprovals')}>
              <Input
                type="number"
                inputMode="numeric"
                value={stage.requiredApprovals}
                onChange={(event) => change(index, { requiredApprovals: event.detail.value })}
              />
            </FormField>
            <DurationField
              label={`Stage ${index + 1} escalate after`}
              description="Optional: without the stage's quorum this long after it started, the people below join it."
              errorText={error(index, 'escalateAfter')}
              value={stage.escalateAfter}
              onChange={(value) => change(index, { escalateAfter: value })}
            />
            <FormField
              label={`Stage ${index + 1} escalate to`}
              description="Email addresses or group:<directory group>, one per line."
              errorText={error(index, 'escalateTo')}
            >
              <Textarea value={stage.escalateTo} rows={2} onChange={(event) => change(index, { escalateTo: event.detail.value })} />
            </FormField>
          </SpaceBetween>
        </Container>
      ))}
      {stages.length < MAX_STAGES ? (
        <Button formAction="none" iconName="add-plus" onClick={() => props.onChange([...stages, emptyStage()])}>
          Add stage
        </Button>
      ) : null}
    </SpaceBetween>
  );
}
