import { documentClient } from '../adapters/clients';
import { DynamoReceiptStore } from '../adapters/dynamodb/receipts';
import { apiFunction } from '../commons/deps';
import { httpHandler, identityOf, json } from '../commons/http';
import { logApprovalRequest } from '../commons/observability';
import { setting } from '../commons/settings';
import { requestIdSchema } from '../domain/model';
import { parse } from '../domain/validation';
import { readReceipt } from '../usecases/receipts';

const { deps, settings } = apiFunction('getReceipt');
const receipts = new DynamoReceiptStore(documentClient(), setting(settings, 'TABLE_NAME'));

export const handler = httpHandler(async (event) => {
  const who = identityOf(event);
  const id = parse(requestIdSchema, event.pathParameters?.id, 'id');
  logApprovalRequest(id);
  return json(200, await readReceipt({ repository: deps.repository, receipts }, who, id));
});
