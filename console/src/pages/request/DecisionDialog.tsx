import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import DatePicker from '@cloudscape-design/components/date-picker';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Modal from '@cloudscape-design/components/modal';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Textarea from '@cloudscape-design/components/textarea';
import TimeInput from '@cloudscape-design/components/time-input';
import { useEffect, useState } from 'react';
import type { DecisionBody } from '../../../../functions/domain/bodies';
import { localUntil } from '../../time';

export type DecisionKind = DecisionBody['decision'];
/** The decisions confirmed in a dialog (a release is one button). */
export type DialogKind = Exclude<DecisionKind, 'release'>;
/** The API's refusal of what was sent (a 400), per field of the dialog. */
export type FieldErrors = Partial<Record<'comment' | 'reason' | 'until' | 'other', string>>;

/**
 * What each decision asks before it is sent. The API takes `comment` on every decision and requires
 * `reason` to reject; the request's `requireCommentOn` (from its profile) makes the comment required
 * to approve or hold; a hold may end by itself at an `until` time.
 */
const DIALOGS: Record<
  DialogKind,
  { header: string; intro: string; confirm: string; label: string; description: string; field: 'reason' | 'comment'; required: boolean }
> = {
  approve: {
    header: 'Approve request',
    intro: 'Your approval is recorded with your name; the request is approved once enough approvers agree.',
    confirm: 'Approve request',
    label: 'Comment',
    description: 'Optional. Kept in the history; the outcome email carries the comment of the deciding approval.',
    field: 'comment',
    required: false,
  },
  hold: {
    header: 'Put request on hold',
    intro:
      'The request stays pending and can still be approved or rejected; it is marked on hold for everyone. With an end time, reminders and the expiry wait until then, and the approvers are emailed again when it ends.',
    confirm: 'Put on hold',
    label: 'Comment',
    description: 'Optional. Why it waits, such as what you wait for; shown on the request and kept in the history.',
    field: 'comment',
    required: false,
  },
  reject: {
    header: 'Reject request',
    intro: 'The request ends, rejected.',
    confirm: 'Reject request',
    label: 'Reason',
    description: 'Required. The requester receives it by email.',
    field: 'reason',
    required: true,
  },
};

const calendarStrings = {
  todayAriaLabel: 'Today',
  nextMonthAriaLabel: 'Next month',
  previousMonthAriaLabel: 'Previous month',
  openCalendarAriaLabel: () => 'Choose the day the hold ends',
};

/** A decision confirmed in a dialog, with its comment (or, to reject, its required reason), and for a hold an optional end. */
export function DecisionDialog({
  decision,
  intro,
  errors: refusal = {},
  commentRequired = false,
  busy,
  onDismiss,
  onSubmit,
}: {
  /** What the decision does to this request, in place of the general wording. */
  intro?: string;
  /** The API's refusal of what was sent (a 400), shown on its field. */
  errors?: FieldErrors;
  /** The request's profile requires a comment for this decision. */
  commentRequired?: boolean;
  /** The decision being confirmed; no dialog while undefined. */
  decision: DialogKind | undefined;
  busy: boolean;
  onDismiss: () => void;
  onSubmit: (body: DecisionBody) => void;
}) {
  const [text, setText] = useState('');
  const [day, setDay] = useState('');
  const [time, setTime] = useState('');
  const [error, setError] = useState<FieldErrors>({});
  useEffect(() => {
    if (!decision) return;
    setText('');
    setDay('');
    setTime('');
    setError({});
  }, [decision]);
  const base = DIALOGS[decision ?? 'approve'];
  const dialog =
    commentRequired && base.field === 'comment'
      ? { ...base, required: true, description: `Required for this request's profile. ${base.description.replace(/^Optional\. /, '')}` }
      : base;
  const submit = () => {
    if (!decision) return;
    const value = text.trim();
    const problems: FieldErrors = {};
    if (dialog.required && !value) {
      problems[dialog.field] =
        dialog.field === 'reason' ? 'A reason is required to reject a request.' : `A comment is required to ${decision} this request.`;
    }
    const until = decision === 'hold' && (day || time) ? localUntil(day, time || '00:00') : undefined;
    if (decision === 'hold' && (day || time) && !until) problems.until = 'Give a whole date (YYYY/MM/DD) and a time (HH:mm).';
    if (Object.keys(problems).length > 0) {
      setError(problems);
      return;
    }
    onSubmit({ decision, ...(value ? { [dialog.field]: value } : {}), ...(until ? { until } : {}) });
  };
  const untilError = error.until ?? refusal.until;
  return (
    <Modal
      visible={!!decision}
      onDismiss={onDismiss}
      header={dialog.header}
      closeAriaLabel="Close"
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={onDismiss}>
              Cancel
            </Button>
            <Button variant="primary" onClick={submit} loading={busy}>
              {dialog.confirm}
            </Button>
          </SpaceBetween>
        </Box>
      }
    >
      <form
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        <Form>
          <SpaceBetween size="m">
            <Box>{intro ?? dialog.intro}</Box>
            {decision === 'hold' ? (
              <FormField
                label="On hold until"
                description="Optional, in your time zone; at most 30 days ahead. Leave empty for a hold without an end."
                errorText={untilError}
              >
                <SpaceBetween direction="horizontal" size="xs">
                  <DatePicker
                    ariaLabel="Hold end date"
                    placeholder="YYYY/MM/DD"
                    i18nStrings={calendarStrings}
                    value={day}
                    invalid={!!untilError}
                    onChange={(event) => {
                      setDay(event.detail.value);
                      setError(({ until: _until, ...rest }) => rest);
                    }}
                  />
                  <TimeInput
                    ariaLabel="Hold end time"
                    format="hh:mm"
                    placeholder="hh:mm"
                    value={time}
                    invalid={!!untilError}
                    onChange={(event) => {
                      setTime(event.detail.value);
                      setError(({ until: _until, ...rest }) => rest);
                    }}
                  />
                </SpaceBetween>
              </FormField>
            ) : null}
            <FormField
              label={dialog.label}
              description={dialog.description}
              errorText={error[dialog.field] ?? refusal[dialog.field] ?? refusal.other}
            >
              <Textarea
                value={text}
                onChange={(event) => {
                  setText(event.detail.value);
                  if (event.detail.value.trim()) setError(({ [dialog.field]: _field, ...rest }) => rest);
                }}
                ariaRequired={dialog.required}
              />
            </FormField>
          </SpaceBetween>
        </Form>
      </form>
    </Modal>
  );
}
