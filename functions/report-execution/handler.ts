import { documentClient } from '../adapters/clients';
import { DynamoReceiptStore } from '../adapters/dynamodb/receipts';
import { apiFunction } from '../commons/deps';
import { httpHandler, identityOf, json } from '../commons/http';
import { logApprovalRequest, logger } from '../commons/observability';
import { setting } from '../commons/settings';
import { executionBodySchema } from '../domain/execution';
import { requestIdSchema } from '../domain/model';
import { parse } from '../domain/validation';
import { reportExecution } from '../lifecycle/execution';

const { deps, settings } = apiFunction('reportExecution');
const receipts = new DynamoReceiptStore(documentClient(), setting(settings, 'TABLE_NAME'));

export const handler = httpHandler(
  async (event) => {
    const who = identityOf(event);
    const id = parse(requestIdSchema, event.pathParameters?.id, 'id');
    logApprovalRequest(id);
    const body = parse(executionBodySchema, event.body);
    const request = await reportExecution({ ...deps, receipts }, who, id, body);
    logger.info('execution reported', { status: body.status });
    return json(200, request);
  },
  { body: true },
);
