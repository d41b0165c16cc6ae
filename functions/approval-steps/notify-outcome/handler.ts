import { z } from 'zod';
import { workflowDeps } from '../deps';
import { notifyOutcome } from '../../usecases/approval-rounds';

const deps = workflowDeps('notifyOutcome');
const input = z.object({ requestId: z.uuid() });

/** Workflow task: email the requester the outcome; say whether a callback is due. */
export const handler = async (event: unknown) => notifyOutcome(deps, input.parse(event).requestId);
