import { z } from 'zod';
import { workflowDeps } from '../deps';
import { deliverCallback } from '../../usecases/approval-rounds';

const deps = workflowDeps('deliverCallback');
const input = z.object({ requestId: z.uuid(), abandon: z.boolean().optional() });

/** Workflow task: POST the signed outcome event to the calling system (retried by the workflow). */
export const handler = async (event: unknown) => {
  const { requestId, abandon } = input.parse(event);
  return deliverCallback(deps, requestId, abandon);
};
