import * as z from 'zod';
import { apiDeps } from '../commons/deps';
import { httpHandler, identityOf, json } from '../commons/http';
import { parse } from '../domain/validation';
import { listProfiles } from '../usecases/requests';

const deps = apiDeps('listProfiles');
const querySchema = z.object({
  limit: z.coerce.number('must be a number').int('must be an integer').min(1).max(100).default(20),
  cursor: z.string().max(4096).optional(),
});

export const handler = httpHandler(async (event) => {
  identityOf(event);
  const query = parse(querySchema, event.queryStringParameters ?? {});
  return json(200, await listProfiles(deps, query));
});
