import { stageProgress } from '../../functions/domain/stages';
import Badge from '@cloudscape-design/components/badge';
import Box from '@cloudscape-design/components/box';
import Link from '@cloudscape-design/components/link';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import Table from '@cloudscape-design/components/table';
import type { ReactNode } from 'react';
import { useNavigate } from 'react-router';
import type { ApprovalRequest, Task } from './api';
import { basePath } from './config';
import { approvedByPolicy, kindShortLabel, STATE_INDICATOR, stateText, subjectSummary } from './format';
import type { useCursorPages } from './paging';
import { Breakable } from './Breakable';
import { CursorPagination } from './CursorPagination';
import { EndOf, Time } from './Time';

/** A delegated task opens its request deciding for the approver it is for (out of office). */
const forQuery = (request: ApprovalRequest) => {
  const delegator = (request as Task).delegatedFor?.email;
  return delegator ? `?for=${encodeURIComponent(delegator)}` : '';
};

/** The list of requests shared by the Requests and Tasks pages. */
export function RequestTable({
  pages,
  header,
  filter,
  empty,
  selection,
}: {
  pages: ReturnType<typeof useCursorPages<ApprovalRequest>>;
  header: ReactNode;
  filter?: ReactNode;
  empty: ReactNode;
  /** With it, requests can be selected (check boxes, named for screen readers). */
  selection?: { selected: ApprovalRequest[]; onChange: (selected: ApprovalRequest[]) => void };
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
      {...(selection
        ? {
            selectionType: 'multi' as const,
            selectedItems: selection.selected,
            onSelectionChange: (event: { detail: { selectedItems: ApprovalRequest[] } }) => selection.onChange(event.detail.selectedItems),
            ariaLabels: {
              selectionGroupLabel: 'Select requests',
              allItemsSelectionLabel: () => 'Select every request on this page',
              itemSelectionLabel: (_: unknown, request: ApprovalRequest) =>
                `Select ${kindShortLabel(request.kind)}: ${subjectSummary(request)}, by ${request.requester.email}`,
            },
          }
        : {})}
      empty={<Box textAlign="center">{empty}</Box>}
      pagination={<CursorPagination pages={pages} />}
      columnDefinitions={[
        {
          id: 'kind',
          header: 'Kind',
          cell: (request) => (
            <Link
              href={`${basePath}/requests/${request.id}${forQuery(request)}`}
              onFollow={(event) => {
                event.preventDefault();
                navigate(`/requests/${request.id}${forQuery(request)}`);
              }}
            >
              <span className="nowrap">{kindShortLabel(request.kind)}</span>
            </Link>
          ),
        },
        { id: 'subject', header: 'Subject', cell: (request) => <Breakable text={subjectSummary(request)} /> },
        { id: 'requester', header: 'Requester', cell: (request) => <Breakable text={request.requester.email} /> },
        {
          id: 'state',
          header: 'State',
          cell: (request) => (
            <>
              <StatusIndicator type={STATE_INDICATOR[request.state] ?? 'info'} wrapText={false}>
                {stateText(request)}
              </StatusIndicator>
              {request.onHold ? (
                <>
                  {' '}
                  <Badge color="severity-medium">On hold</Badge>
                </>
              ) : null}
              {(request as Task).delegatedFor ? (
                <>
                  {' '}
                  <Badge color="blue">{`Delegated: for ${(request as Task).delegatedFor?.email}`}</Badge>
                </>
              ) : null}
            </>
          ),
        },
        {
          id: 'approvals',
          header: 'Approvals',
          cell: (request) =>
            approvedByPolicy(request) ? (
              'Not needed'
            ) : (
              <span className="nowrap">
                {`${stageProgress(request).approvals} of ${request.requiredApprovals}`}
                {stageProgress(request).label ? <div>{stageProgress(request).label}</div> : null}
              </span>
            ),
        },
        { id: 'created', header: 'Created', cell: (request) => <Time iso={request.createdAt} /> },
        { id: 'end', header: 'Expiry or decision', cell: (request) => <EndOf request={request} /> },
      ]}
    />
  );
}
