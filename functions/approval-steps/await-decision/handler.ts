import middy from '@middy/core';
import * as z from '../../domain/zod';
import { logApprovalRequest, logger, observe } from '../../commons/observability';
import { awaitDecision } from '../../usecases/workflow-steps/await-decision';
import { directoryOf, sesMailerOf, signingKeys, workflowOf } from '../adapters';
import { stepDeps } from '../deps';

const deps = stepDeps('awaitDecision', { directory: directoryOf, workflow: workflowOf, send: sesMailerOf, signingKeys });
const input = z.object({
  requestId: z.uuid(),
  taskToken: z.string().check(z.minLength(1)),
  waitSeconds: z.optional(z.number().check(z.positive())),
  plannedBasis: z.optional(z.string().check(z.maxLength(200))),
});

/** Workflow step (waitForTaskToken): store the token, email the approvers once. The token is never logged. */
export const handler = observe(
  middy(async (event: unknown) => {
    const { requestId, taskToken, waitSeconds, plannedBasis } = input.parse(event);
    logApprovalRequest(requestId);
    await awaitDecision(deps, requestId, taskToken, waitSeconds, plannedBasis);
    logger.info('waiting for a decision');
    return { stored: true };
  }),
);
