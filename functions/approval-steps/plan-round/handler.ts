import middy from '@middy/core';
import * as z from '../../domain/zod';
import { logApprovalRequest, logger, observe } from '../../commons/observability';
import { planRound } from '../../usecases/workflow-steps/plan-round';
import { directoryOf, sesMailerOf, signingKeys } from '../adapters';
import { stepDeps } from '../deps';

const deps = stepDeps('planRound', { directory: directoryOf, send: sesMailerOf, signingKeys });
const input = z.object({ requestId: z.uuid() });

/** Workflow step: ended, expire now, or remind and say how long to wait. */
export const handler = observe(
  middy(async (event: unknown) => {
    const { requestId } = input.parse(event);
    logApprovalRequest(requestId);
    const plan = await planRound(deps, requestId);
    logger.info('round planned', { ...plan });
    return plan;
  }),
);
