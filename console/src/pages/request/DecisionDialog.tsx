import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Modal from '@cloudscape-design/components/modal';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Textarea from '@cloudscape-design/components/textarea';
import { useEffect, useState } from 'react';
import type { DecisionBody } from '../../../../functions/domain/bodies';

export type DecisionKind = DecisionBody['decision'];

/**
 * What each decision asks before it is sent. The API takes `comment` on every decision and requires
 * `reason` to reject; it has no per-profile rule that makes a comment required, nor a hold `until`.
 */
const DIALOGS: Record<
  DecisionKind,
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
    intro: 'The request stays pending and can still be approved or rejected; it is marked on hold for everyone.',
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

/** A decision confirmed in a dialog, with its comment (or, to reject, its required reason). */
export function DecisionDialog({
  decision,
  intro,
  error: refusal,
  busy,
  onDismiss,
  onSubmit,
}: {
  /** What the decision does to this request, in place of the general wording. */
  intro?: string;
  /** The API's refusal of what was sent (a 400), shown on the field. */
  error?: string;
  /** The decision being confirmed; no dialog while undefined. */
  decision: DecisionKind | undefined;
  busy: boolean;
  onDismiss: () => void;
  onSubmit: (body: DecisionBody) => void;
}) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  useEffect(() => {
    if (!decision) return;
    setText('');
    setError(undefined);
  }, [decision]);
  const dialog = DIALOGS[decision ?? 'approve'];
  const submit = () => {
    if (!decision) return;
    const value = text.trim();
    if (dialog.required && !value) {
      setError('A reason is required to reject a request.');
      return;
    }
    onSubmit({ decision, ...(value ? { [dialog.field]: value } : {}) });
  };
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
            <FormField label={dialog.label} description={dialog.description} errorText={error ?? refusal}>
              <Textarea
                value={text}
                onChange={(event) => {
                  setText(event.detail.value);
                  if (event.detail.value.trim()) setError(undefined);
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
