import * as z from '../domain/zod';
import { apiDeps } from '../commons/deps';
import { httpHandler, identityOf, json } from '../commons/http';
import { logApprovalRequest } from '../commons/observability';
import { requestIdSchema } from '../domain/model';
import { parse } from '../domain/validation';
import { getRequestHistory } from '../usecases/requests';

const deps = apiDeps('getRequestHistory');
const querySchema = z.object({
  limit: z._default(z.coerce.number('must be a number').check(z.int('must be an integer'), z.minimum(1), z.maximum(100)), 100),
  cursor: z.optional(z.string().check(z.maxLength(512))),
});

export const handler = httpHandler(async (event) => {
  const who = identityOf(event);
  const id = parse(requestIdSchema, event.pathParameters?.id, 'id');
  const query = parse(querySchema, event.queryStringParameters ?? {});
  logApprovalRequest(id);
  return json(200, await getRequestHistory(deps, who, id, query));
});
