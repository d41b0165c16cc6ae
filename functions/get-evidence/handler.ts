import { apiDeps } from '../commons/deps';
import { httpHandler, identityOf, json } from '../commons/http';
import { logApprovalRequest } from '../commons/observability';
import { requestIdSchema } from '../domain/model';
import { parse } from '../domain/validation';
import { requestEvidence } from '../usecases/evidence';

const deps = apiDeps('getEvidence');

export const handler = httpHandler(async (event) => {
  const who = identityOf(event);
  const id = parse(requestIdSchema, event.pathParameters?.id, 'id');
  logApprovalRequest(id);
  return json(200, await requestEvidence(deps, who, id));
});
