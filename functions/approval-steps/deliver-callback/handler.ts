import middy from '@middy/core';
import * as z from '../../domain/zod';
import { describeError, logApprovalRequest, logger, observe } from '../../commons/observability';
import { deliverCallback } from '../../usecases/workflow-steps/deliver-callback';
import { signingKeys } from '../adapters';
import { receiptIssuerOf } from '../receipts';
import { stepDeps } from '../deps';

const deps = stepDeps('deliverCallback', { signingKeys, receipts: receiptIssuerOf });
const input = z.object({ requestId: z.uuid(), abandon: z.optional(z.boolean()) });

/** Workflow step: POST the signed outcome event to the calling system (retried by the workflow). */
export const handler = observe(
  middy(async (event: unknown) => {
    const { requestId, abandon } = input.parse(event);
    logApprovalRequest(requestId);
    try {
      const result = await deliverCallback(deps, requestId, abandon);
      logger.info(abandon ? 'callback abandoned' : 'callback step done', { ...result });
      return result;
    } catch (error) {
      logger.warn('callback attempt failed', { error: describeError(error) });
      throw error;
    }
  }),
);
