import * as z from 'zod';
import { apiDeps, directoryOf } from '../commons/deps';
import { httpHandler, identityOf, json } from '../commons/http';
import { parse } from '../domain/validation';
import { listTasksWithDelegated } from '../usecases/delegated-tasks';

const deps = apiDeps('listTasks', { directory: directoryOf });
const querySchema = z.object({
  limit: z.coerce.number('must be a number').int('must be an integer').min(1).max(100).default(20),
  cursor: z.string().max(4096).optional(),
});

export const handler = httpHandler(async (event) => {
  const who = identityOf(event);
  const query = parse(querySchema, event.queryStringParameters ?? {});
  return json(200, await listTasksWithDelegated(deps, who, query));
});
