import { z } from 'zod';
import { workflowDeps } from '../../commons/workflow-deps';
import { notifyOutcome } from '../../usecases/workflow';

const deps = workflowDeps();
const input = z.object({ requestId: z.uuid() });

/** Workflow task: email the requester the outcome; say whether a callback is due. */
export const handler = async (event: unknown) => notifyOutcome(deps, input.parse(event).requestId);
