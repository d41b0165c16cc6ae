import Button from '@cloudscape-design/components/button';
import Flashbar, { type FlashbarProps } from '@cloudscape-design/components/flashbar';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useState } from 'react';
import type { ApprovalRequest } from '../api';
import { ErrorAlert, messageOf } from '../errors';
import { useCursorPages } from '../paging';
import { RequestTable } from '../RequestTable';
import { useSession } from '../session';
import { BatchDialog, type BatchKind, type BatchOutcome, BatchResults } from './tasks/BatchDecisions';

/** "What do you want to do": pending requests on which the signed-in approver is listed and has not approved. */
export function TasksPage() {
  const { api } = useSession();
  const pages = useCursorPages((cursor) => api.tasks(20, cursor), 'tasks');
  const [selected, setSelected] = useState<ApprovalRequest[]>([]);
  const [deciding, setDeciding] = useState<BatchKind>();
  const [busy, setBusy] = useState(false);
  const [outcomes, setOutcomes] = useState<BatchOutcome[]>();
  const [flash, setFlash] = useState<FlashbarProps.MessageDefinition[]>([]);

  const decideSelected = async (decision: BatchKind, text: string) => {
    setBusy(true);
    const chosen = selected;
    try {
      const items = chosen.map((request) =>
        decision === 'reject'
          ? { requestId: request.id, decision, reason: text }
          : { requestId: request.id, decision, ...(text ? { comment: text } : {}) },
      );
      const { results } = await api.decideMany(items);
      setOutcomes(results.map((result, index) => ({ request: chosen[index] as ApprovalRequest, result })));
      const done = results.filter((result) => result.status === 200).length;
      setFlash([
        {
          type: done === results.length ? 'success' : 'warning',
          content: `${done} of ${results.length} decided. The results below name each request.`,
          dismissible: true,
          dismissLabel: 'Dismiss',
          id: String(Date.now()),
          onDismiss: () => setFlash([]),
        },
      ]);
      setSelected([]);
      pages.reload();
    } catch (error) {
      setFlash([
        {
          type: 'error',
          header: 'Decisions refused',
          content: messageOf(error),
          dismissible: true,
          dismissLabel: 'Dismiss',
          id: 'error',
          onDismiss: () => setFlash([]),
        },
      ]);
    } finally {
      setBusy(false);
      setDeciding(undefined);
    }
  };

  return (
    <SpaceBetween size="m">
      {pages.error ? <ErrorAlert error={pages.error} route="GET /tasks" /> : null}
      <Flashbar items={flash} />
      {outcomes ? <BatchResults outcomes={outcomes} onDismiss={() => setOutcomes(undefined)} /> : null}
      <RequestTable
        pages={pages}
        selection={{ selected, onChange: setSelected }}
        header={
          <Header
            variant="awsui-h1-sticky"
            counter={selected.length ? `(${selected.length} selected)` : undefined}
            description="Requests waiting for your decision: open one to approve, reject or put it on hold, or select several to approve or reject them at once. Those on hold are included and marked; newest first. Requests of approvers who handed over to you while out of office follow, marked Delegated with whom they are for."
            actions={
              <SpaceBetween direction="horizontal" size="xs">
                <Button disabled={selected.length === 0 || busy} onClick={() => setDeciding('reject')}>
                  Reject selected
                </Button>
                <Button variant="primary" disabled={selected.length === 0 || busy} onClick={() => setDeciding('approve')}>
                  Approve selected
                </Button>
              </SpaceBetween>
            }
          >
            What do you want to do
          </Header>
        }
        empty="Nothing waits for you."
      />
      <BatchDialog
        decision={deciding}
        count={selected.length}
        busy={busy}
        onDismiss={() => setDeciding(undefined)}
        onSubmit={(text) => deciding && decideSelected(deciding, text)}
      />
    </SpaceBetween>
  );
}
