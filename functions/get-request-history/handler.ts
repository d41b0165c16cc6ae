import { z } from 'zod';
import { apiDeps } from '../commons/deps';
import { httpHandler, identityOf, json } from '../commons/http';
import { logApprovalRequest } from '../commons/observability';
import { requestIdSchema } from '../domain/model';
import { parse } from '../domain/validation';
import { getRequestHistory } from '../usecases/requests';

const deps = apiDeps('getRequestHistory');
const querySchema = z.object({
  limit: z.coerce.number('must be a number').int('must be an integer').min(1).max(100).default(100),
  cursor: z.string().max(512).optional(),
});

export const handler = httpHandler(async (event) => {
  const who = identityOf(event);
  const id = parse(requestIdSchema, event.pathParameters?.id, 'id');
  const query = parse(querySchema, event.queryStringParameters ?? {});
  logApprovalRequest(id);
  return json(200, await getRequestHistory(deps, who, id, query));
});
