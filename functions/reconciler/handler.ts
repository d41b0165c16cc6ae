import middy from '@middy/core';
import { documentClient } from '../adapters/clients';
import { Repository } from '../adapters/dynamodb/repository';
import { stepFunctionsWorkflow } from '../adapters/step-functions';
import { logger, meter, observe } from '../commons/observability';
import { needsOf, readSettings, setting } from '../commons/settings';
import { reconcile } from '../usecases/reconcile';

const settings = readSettings(needsOf('reconciler'));
const deps = {
  repository: new Repository(documentClient(), setting(settings, 'TABLE_NAME')),
  workflow: stepFunctionsWorkflow(setting(settings, 'STATE_MACHINE_ARN')),
  now: () => new Date().toISOString(),
  meter,
};

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
