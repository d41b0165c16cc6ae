import * as z from '../domain/zod';
import { apiDeps } from '../commons/deps';
import { httpHandler, identityOf, json } from '../commons/http';
import { parse } from '../domain/validation';
import { listProfiles } from '../usecases/requests';

const deps = apiDeps('listProfiles');
const querySchema = z.object({
  limit: z._default(z.coerce.number('must be a number').check(z.int('must be an integer'), z.minimum(1), z.maximum(100)), 20),
  cursor: z.optional(z.string().check(z.maxLength(4096))),
});

export const handler = httpHandler(async (event) => {
  identityOf(event);
  const query = parse(querySchema, event.queryStringParameters ?? {});
  return json(200, await listProfiles(deps, query));
});
