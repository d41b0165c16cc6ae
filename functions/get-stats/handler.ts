/** GET /stats: counts by state, time to decision, pending by age and decisions per day (usecases/stats.ts). */
import * as z from '../domain/zod';
import { documentClient } from '../adapters/clients';
import { DynamoStats } from '../adapters/dynamodb/stats';
import { apiFunction } from '../commons/deps';
import { httpHandler, identityOf, json } from '../commons/http';
import { setting } from '../commons/settings';
import { idSchema } from '../domain/model';
import { parse } from '../domain/validation';
import { readStats } from '../usecases/stats';

const { deps: apiDeps, settings } = apiFunction('getStats');
const deps = { now: apiDeps.now, stats: new DynamoStats(documentClient(), setting(settings, 'TABLE_NAME')) };

export const querySchema = z.strictObject({
  from: z
    .optional(z.string().check(z.maxLength(40)))
    .check(z.describe('First day (YYYY-MM-DD or an ISO time, UTC); default: 29 days before `to`.')),
  to: z.optional(z.string().check(z.maxLength(40))).check(z.describe('Last day (YYYY-MM-DD or an ISO time, UTC); default: today.')),
  profileId: z.optional(idSchema).check(z.describe('Only this profile; default: all profiles.')),
});

export const handler = httpHandler(async (event) => {
  const who = identityOf(event);
  return json(200, await readStats(deps, who, parse(querySchema, event.queryStringParameters ?? {})));
});
