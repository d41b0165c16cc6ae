import FormField from '@cloudscape-design/components/form-field';
import Input from '@cloudscape-design/components/input';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useId } from 'react';
import { type DurationParts, type DurationUnit, durationParts, isoDuration } from './duration';

/** A duration as the editor holds it: the amount as typed, and its unit. */
export interface DurationDraft {
  amount: string;
  unit: DurationUnit;
}

export const durationDraft = (iso: string, fallback: DurationParts): DurationDraft => {
  const parts = durationParts(iso) ?? fallback;
  return { amount: String(parts.amount), unit: parts.unit };
};

/** The ISO-8601 duration the API takes, or undefined when the amount is not a whole number above zero. */
export const draftIso = (draft: DurationDraft) =>
  /^\d+$/.test(draft.amount.trim()) ? isoDuration(Number(draft.amount.trim()), draft.unit) : undefined;

const UNIT_LABELS: Record<DurationUnit, string> = { days: 'Days', hours: 'Hours', minutes: 'Minutes', seconds: 'Seconds' };
const OFFERED: DurationUnit[] = ['days', 'hours', 'minutes'];

/** A number and a unit ("4" "Hours"), sent to the API as ISO-8601 (`PT4H`). */
export function DurationField({
  label,
  description,
  errorText,
  value,
  onChange,
}: {
  label: string;
  description?: string;
  errorText?: string;
  value: DurationDraft;
  onChange: (value: DurationDraft) => void;
}) {
  const unitId = useId();
  const unitLabelId = useId();
  // Seconds only where a stored duration needs them.
  const units = value.unit === 'seconds' ? [...OFFERED, 'seconds' as const] : OFFERED;
  const options = units.map((unit) => ({ value: unit, label: UNIT_LABELS[unit] }));
  return (
    <FormField label={label} description={description} errorText={errorText}>
      <SpaceBetween direction="horizontal" size="xs">
        <div className="duration-amount">
          <Input
            type="number"
            inputMode="numeric"
            step={1}
            value={value.amount}
            onChange={(event) => onChange({ ...value, amount: event.detail.value })}
          />
        </div>
        <Select
          controlId={unitId}
          ariaLabelledby={unitLabelId}
          selectedOption={options.find((option) => option.value === value.unit) ?? null}
          options={options}
          onChange={(event) => onChange({ ...value, unit: event.detail.selectedOption.value as DurationUnit })}
        />
      </SpaceBetween>
      {/* The unit has its own id and name: the form field's label and id belong to the amount. */}
      <span hidden id={unitLabelId}>
        {label} unit
      </span>
    </FormField>
  );
}
