import { apiDeps, directoryOf } from '../commons/deps';
import { httpHandler, identityOf, json } from '../commons/http';
import { logApprovalRequest } from '../commons/observability';
import { requestIdSchema } from '../domain/model';
import { parse } from '../domain/validation';
import { deleteApprovalRequest } from '../lifecycle/end';

const deps = apiDeps('deleteRequest', { directory: directoryOf });

export const handler = httpHandler(async (event) => {
  const who = identityOf(event);
  const id = parse(requestIdSchema, event.pathParameters?.id, 'id');
  logApprovalRequest(id);
  return json(200, await deleteApprovalRequest(deps, who, id));
});
