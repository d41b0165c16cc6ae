import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { ErrorAlert } from '../errors';
import { useCursorPages } from '../paging';
import { RequestTable } from '../RequestTable';
import { useSession } from '../session';

/** "What do you want to do": pending requests on which the signed-in approver is listed and has not approved. */
export function TasksPage() {
  const { api } = useSession();
  const pages = useCursorPages((cursor) => api.tasks(20, cursor), 'tasks');
  return (
    <SpaceBetween size="m">
      {pages.error ? <ErrorAlert error={pages.error} route="GET /tasks" /> : null}
      <RequestTable
        pages={pages}
        header={
          <Header
            variant="awsui-h1-sticky"
            description="Requests waiting for your decision: open one to approve, reject or put it on hold. Those on hold are included and marked; newest first. Requests of approvers who handed over to you while out of office follow, marked Delegated with whom they are for."
          >
            What do you want to do
          </Header>
        }
        empty="Nothing waits for you."
      />
    </SpaceBetween>
  );
}
