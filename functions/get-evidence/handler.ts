import { documentClient } from '../adapters/clients';
import { DynamoReceiptStore } from '../adapters/dynamodb/receipts';
import { apiFunction } from '../commons/deps';
import { setting } from '../commons/settings';
import { httpHandler, identityOf, json } from '../commons/http';
import { logApprovalRequest } from '../commons/observability';
import { requestIdSchema } from '../domain/model';
import { parse } from '../domain/validation';
import { requestEvidence } from '../usecases/evidence';

const { deps: apiDeps, settings } = apiFunction('getEvidence');
const deps = { ...apiDeps, receipts: new DynamoReceiptStore(documentClient(), setting(settings, 'TABLE_NAME')) };

export const handler = httpHandler(async (event) => {
  const who = identityOf(event);
  const id = parse(requestIdSchema, event.pathParameters?.id, 'id');
  logApprovalRequest(id);
  return json(200, await requestEvidence(deps, who, id));
});
