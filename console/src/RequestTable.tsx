import Badge from '@cloudscape-design/components/badge';
import Box from '@cloudscape-design/components/box';
import Link from '@cloudscape-design/components/link';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import Table from '@cloudscape-design/components/table';
import type { ReactNode } from 'react';
import { useNavigate } from 'react-router';
import type { ApprovalRequest } from './api';
import { basePath } from './config';
import { formatTime, kindLabel, STATE_INDICATOR, STATE_LABELS, subjectSummary } from './format';
import type { useCursorPages } from './paging';
import { CursorPagination } from './CursorPagination';

/** The list of requests shared by the Requests and Tasks pages. */
export function RequestTable({
  pages,
  header,
  filter,
  empty,
}: {
  pages: ReturnType<typeof useCursorPages<ApprovalRequest>>;
  header: ReactNode;
  filter?: ReactNode;
  empty: ReactNode;
}) {
  const navigate = useNavigate();
  return (
    <Table<ApprovalRequest>
      variant="full-page"
      wrapLines
      header={header}
      filter={filter}
      items={pages.items}
      loading={pages.loading}
      loadingText="Loading requests"
      trackBy="id"
      empty={<Box textAlign="center">{empty}</Box>}
      pagination={<CursorPagination pages={pages} />}
      columnDefinitions={[
        {
          id: 'kind',
          header: 'Kind',
          cell: (request) => (
            <Link
              href={`${basePath}/requests/${request.id}`}
              onFollow={(event) => {
                event.preventDefault();
                navigate(`/requests/${request.id}`);
              }}
            >
              {kindLabel(request.kind)}
            </Link>
          ),
        },
        { id: 'subject', header: 'Subject', cell: (request) => subjectSummary(request) },
        { id: 'requester', header: 'Requester', cell: (request) => request.requester.email },
        {
          id: 'state',
          header: 'State',
          width: 140,
          cell: (request) => (
            <>
              <StatusIndicator type={STATE_INDICATOR[request.state] ?? 'info'} wrapText={false}>
                {STATE_LABELS[request.state] ?? request.state}
              </StatusIndicator>
              {request.onHold ? (
                <>
                  {' '}
                  <Badge color="severity-medium">On hold</Badge>
                </>
              ) : null}
            </>
          ),
        },
        {
          id: 'approvals',
          header: 'Approvals',
          width: 110,
          cell: (request) => `${request.approvals.length} of ${request.requiredApprovals}`,
        },
        {
          id: 'created',
          header: 'Created (UTC)',
          width: 160,
          cell: (request) => <span className="nowrap">{formatTime(request.createdAt, false)}</span>,
        },
        {
          id: 'expires',
          header: 'Expires (UTC)',
          width: 160,
          cell: (request) => <span className="nowrap">{formatTime(request.expiresAt, false)}</span>,
        },
      ]}
    />
  );
}
