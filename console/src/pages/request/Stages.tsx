import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import StatusIndicator, { type StatusIndicatorProps } from '@cloudscape-design/components/status-indicator';
import Table from '@cloudscape-design/components/table';
import { awaitingApprovers, currentStageIndex, stageOfApproval, stagesOf } from '../../../../functions/domain/stages';
import type { ApprovalRequest } from '../../api';
import { actingText } from '../../format';

type Row = { index: number; name: string; status: string; type: StatusIndicatorProps.Type; progress: string; who: string; awaited: string };

const STATUS: Record<string, [string, StatusIndicatorProps.Type]> = {
  approved: ['Done', 'success'],
  rejected: ['Rejected', 'error'],
  active: ['Current', 'in-progress'],
  waiting: ['Waiting', 'pending'],
};

/** The request's stages in order: done, current (with who is awaited) and waiting; shown when there is more than one. */
export function Stages({ request }: { request: ApprovalRequest }) {
  const stages = stagesOf(request);
  if (stages.length < 2) return null;
  const current = currentStageIndex(request);
  const awaited = awaitingApprovers(request);
  const rows: Row[] = stages.map((stage, index) => {
    // Once the request ended, a stage that was running shows as it stood (its status says how it ended).
    const [status, type]: [string, StatusIndicatorProps.Type] =
      index === current
        ? ['Current', 'in-progress']
        : stage.status === 'active' && current === null
          ? ['Ended unfinished', 'stopped']
          : (STATUS[stage.status] ?? [stage.status, 'info']);
    const approvals = request.approvals.filter((approval) => stageOfApproval(approval) === index);
    return {
      index,
      name: `Stage ${index + 1} of ${stages.length} · ${stage.name}`,
      status,
      type,
      progress: `${approvals.length} of ${stage.requiredApprovals}${approvals.length ? ` (${approvals.map((approval) => actingText(approval)).join(', ')})` : ''}`,
      who: stage.approvers.join(', ') || 'Nobody',
      awaited: index === current ? awaited.join(', ') || 'Nobody' : '',
    };
  });
  return (
    <Container header={<Header variant="h2">Stages</Header>}>
      <Table
        variant="embedded"
        items={rows}
        trackBy="index"
        ariaLabels={{ tableLabel: 'Stages of this request' }}
        columnDefinitions={[
          { id: 'name', header: 'Stage', cell: (row) => row.name, isRowHeader: true },
          { id: 'status', header: 'Status', cell: (row) => <StatusIndicator type={row.type}>{row.status}</StatusIndicator> },
          { id: 'progress', header: 'Approvals', cell: (row) => row.progress },
          { id: 'approvers', header: 'Approvers', cell: (row) => row.who },
          { id: 'awaited', header: 'Awaited', cell: (row) => row.awaited },
        ]}
      />
    </Container>
  );
}
