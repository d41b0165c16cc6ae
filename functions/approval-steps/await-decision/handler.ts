import { z } from 'zod';
import { workflowDeps } from '../deps';
import { awaitDecision } from '../../usecases/approval-rounds';

const deps = workflowDeps('awaitDecision');
const input = z.object({ requestId: z.uuid(), taskToken: z.string().min(1) });

/** Workflow task (waitForTaskToken): store the token, email the approvers once. */
export const handler = async (event: unknown) => {
  const { requestId, taskToken } = input.parse(event);
  await awaitDecision(deps, requestId, taskToken);
  return { stored: true };
};
