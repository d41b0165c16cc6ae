import middy from '@middy/core';
import { eventDeps, workflowOf } from '../commons/deps';
import { logger, observe } from '../commons/observability';
import { reconcile } from '../usecases/reconcile';

const deps = eventDeps('reconciler', { workflow: workflowOf });

/**
 * Scheduled (EventBridge Scheduler; a timer under npm start): repairs the requests whose check is
 * due. A request whose repair fails stays due; the run then fails, so the errors alarm fires.
 */
export const handler = observe(
  middy(async () => {
    const result = await reconcile(deps);
    for (const repair of result.repairs) {
      if (!repair.actions.every((action) => action === 'waiting' || action === 'cleared')) {
        logger.warn('request repaired', { approvalRequestId: repair.requestId, actions: repair.actions });
      }
    }
    if (result.failed.length > 0) {
      logger.error('repairs failed', { failed: result.failed });
      throw new Error(`reconciler: ${result.failed.length} repair(s) failed`);
    }
    return { repaired: result.repairs.length };
  }),
);
