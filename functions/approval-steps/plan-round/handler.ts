import { z } from 'zod';
import { workflowDeps } from '../deps';
import { planRound } from '../../usecases/approval-rounds';

const deps = workflowDeps('planRound');
const input = z.object({ requestId: z.uuid() });

/** Workflow task: ended, expire now, or remind and say how long to wait. */
export const handler = async (event: unknown) => planRound(deps, input.parse(event).requestId);
