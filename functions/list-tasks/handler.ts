import * as z from '../domain/zod';
import { apiDeps, directoryOf } from '../commons/deps';
import { httpHandler, identityOf, json } from '../commons/http';
import { parse } from '../domain/validation';
import { listTasksWithDelegated } from '../usecases/delegated-tasks';

const deps = apiDeps('listTasks', { directory: directoryOf });
const querySchema = z.object({
  limit: z._default(z.coerce.number('must be a number').check(z.int('must be an integer'), z.minimum(1), z.maximum(100)), 20),
  cursor: z.optional(z.string().check(z.maxLength(4096))),
});

export const handler = httpHandler(async (event) => {
  const who = identityOf(event);
  const query = parse(querySchema, event.queryStringParameters ?? {});
  return json(200, await listTasksWithDelegated(deps, who, query));
});
