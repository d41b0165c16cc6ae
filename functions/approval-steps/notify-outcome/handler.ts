import middy from '@middy/core';
import * as z from '../../domain/zod';
import { logApprovalRequest, logger, observe } from '../../commons/observability';
import { notifyOutcome } from '../../usecases/workflow-steps/notify-outcome';
import { sesMailerOf } from '../adapters';
import { receiptIssuerOf } from '../receipts';
import { stepDeps } from '../deps';

const deps = stepDeps('notifyOutcome', { send: sesMailerOf, receipts: receiptIssuerOf });
const input = z.object({ requestId: z.uuid() });

/** Workflow step: email the requester the outcome; say whether a callback is due. */
export const handler = observe(
  middy(async (event: unknown) => {
    const { requestId } = input.parse(event);
    logApprovalRequest(requestId);
    const result = await notifyOutcome(deps, requestId);
    logger.info('outcome notified', { ...result });
    return result;
  }),
);
