import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Modal from '@cloudscape-design/components/modal';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import Table from '@cloudscape-design/components/table';
import Textarea from '@cloudscape-design/components/textarea';
import { useEffect, useState } from 'react';
import { Link as RouterLink } from 'react-router';
import type { ApprovalRequest, BatchResult } from '../../api';
import { approvalRecordedText, kindShortLabel, subjectSummary } from '../../format';

export type BatchKind = 'approve' | 'reject';

/** One line of the results: what was decided on, and what came of it. */
export interface BatchOutcome {
  request: Pick<ApprovalRequest, 'id' | 'kind' | 'subject'>;
  result: BatchResult;
}

const DIALOGS: Record<BatchKind, { header: (count: number) => string; confirm: string; label: string; description: string }> = {
  approve: {
    header: (count) => `Approve ${count} ${count === 1 ? 'request' : 'requests'}`,
    confirm: 'Approve selected',
    label: 'Comment',
    description: 'Optional, the same for each request; kept in each history.',
  },
  reject: {
    header: (count) => `Reject ${count} ${count === 1 ? 'request' : 'requests'}`,
    confirm: 'Reject selected',
    label: 'Reason',
    description: 'Required, the same for each request. Each requester receives it by email.',
  },
};

/** Asks for the one comment (approve) or reason (reject) of a batch, then sends it. */
export function BatchDialog({
  decision,
  count,
  busy,
  onDismiss,
  onSubmit,
}: {
  decision: BatchKind | undefined;
  count: number;
  busy: boolean;
  onDismiss: () => void;
  onSubmit: (text: string) => void;
}) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  // biome-ignore lint/correctness/useExhaustiveDependencies: each opened dialog starts empty
  useEffect(() => {
    setText('');
    setError(undefined);
  }, [decision]);
  if (!decision) return null;
  const dialog = DIALOGS[decision];
  const submit = () => {
    if (decision === 'reject' && !text.trim()) {
      setError('Enter the reason for rejecting these requests.');
      return;
    }
    onSubmit(text.trim());
  };
  return (
    <Modal
      visible
      onDismiss={onDismiss}
      header={dialog.header(count)}
      closeAriaLabel="Close"
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={onDismiss}>
              Cancel
            </Button>
            <Button variant="primary" loading={busy} onClick={submit}>
              {dialog.confirm}
            </Button>
          </SpaceBetween>
        </Box>
      }
    >
      <SpaceBetween size="m">
        <Box>Each request is decided on its own: one refused leaves the others decided. You see a result per request.</Box>
        <FormField label={dialog.label} description={dialog.description} errorText={error}>
          <Textarea ariaLabel={dialog.label} value={text} onChange={(event) => setText(event.detail.value)} />
        </FormField>
      </SpaceBetween>
    </Modal>
  );
}

const outcomeText = (result: BatchResult) => {
  const request = result.request;
  if (!request) return `${result.status}: ${result.error?.message ?? 'refused'}`;
  if (request.state === 'approved') return 'Approved';
  if (request.state === 'rejected') return 'Rejected';
  return approvalRecordedText(request);
};

/** A result per request of the last batch, refused ones first named with the API's reason. */
export function BatchResults({ outcomes, onDismiss }: { outcomes: BatchOutcome[]; onDismiss: () => void }) {
  const done = outcomes.filter((outcome) => outcome.result.status === 200).length;
  return (
    <Container
      header={
        <Header
          variant="h2"
          description={`${done} of ${outcomes.length} decided.`}
          actions={<Button onClick={onDismiss}>Dismiss results</Button>}
        >
          Results
        </Header>
      }
    >
      <Table<BatchOutcome>
        variant="embedded"
        ariaLabels={{ tableLabel: 'Results of the decisions' }}
        items={outcomes}
        trackBy={(outcome) => outcome.request.id}
        columnDefinitions={[
          {
            id: 'request',
            header: 'Request',
            cell: ({ request }) => (
              <RouterLink to={`/requests/${request.id}`}>{`${kindShortLabel(request.kind)}: ${subjectSummary(request)}`}</RouterLink>
            ),
          },
          {
            id: 'result',
            header: 'Result',
            cell: ({ result }) => (
              <StatusIndicator type={result.status === 200 ? 'success' : 'error'}>{outcomeText(result)}</StatusIndicator>
            ),
          },
        ]}
      />
    </Container>
  );
}
