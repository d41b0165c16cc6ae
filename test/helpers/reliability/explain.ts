/**
 * What a reliability test prints about a request it gave up waiting on: the request as the API
 * shows it (state, history) and its executions as the workflow engine shows them (status, last
 * events), so that a rare failure in a long run can be read from its message alone.
 */
import { type ExecutionListItem, GetExecutionHistoryCommand, paginateListExecutions, SFNClient } from '@aws-sdk/client-sfn';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/net';
import { call } from './http';

export interface Explained {
  apiUrl: string;
  sfnUrl: string;
  stateMachineArn: string;
  /** An admin's token, to read any request. */
  token: string;
}

const LAST_EVENTS = 8;

export async function explainRequest(where: Explained, requestId: string): Promise<string> {
  const parts: string[] = [];
  try {
    const reply = await call(where.apiUrl, 'GET', `/requests/${requestId}`, { token: where.token });
    const history = (reply.body?.history ?? []) as Array<{ type: string; at: string }>;
    parts.push(`request: ${reply.status} ${reply.body?.state}; history: ${history.map((entry) => `${entry.type}@${entry.at}`).join(', ')}`);
  } catch (error) {
    parts.push(`request: unread (${(error as Error).message})`);
  }
  const sfn = new SFNClient({ endpoint: where.sfnUrl, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    // Its first execution is named after it, a restart by the reconciler `<id>-r<n>`.
    const mine: ExecutionListItem[] = [];
    for await (const page of paginateListExecutions({ client: sfn }, { stateMachineArn: where.stateMachineArn, maxResults: 1000 }))
      mine.push(...(page.executions ?? []).filter((execution) => execution.name?.startsWith(requestId)));
    if (mine.length === 0) parts.push('executions: none');
    for (const execution of mine) {
      const events = await sfn.send(
        new GetExecutionHistoryCommand({ executionArn: execution.executionArn, reverseOrder: true, maxResults: LAST_EVENTS }),
      );
      const last = (events.events ?? [])
        .map((event) => {
          const name = event.stateEnteredEventDetails?.name ?? event.stateExitedEventDetails?.name ?? '';
          return `${event.type}${name ? `(${name})` : ''}@${event.timestamp?.toISOString()}`;
        })
        .reverse();
      parts.push(
        `execution ${execution.name}: ${execution.status}, started ${execution.startDate?.toISOString()}; last events: ${last.join(', ')}`,
      );
    }
  } catch (error) {
    parts.push(`executions: unread (${(error as Error).message})`);
  } finally {
    sfn.destroy();
  }
  return parts.join('\n  ');
}
