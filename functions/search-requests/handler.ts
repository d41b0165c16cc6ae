import * as z from 'zod';
import { documentClient } from '../adapters/clients';
import { DynamoFind } from '../adapters/dynamodb/find';
import { apiFunction } from '../commons/deps';
import { httpHandler, identityOf, json } from '../commons/http';
import { MAX_FIND_LENGTH } from '../domain/find';
import { kindSchema } from '../domain/kinds';
import { idSchema, stateSchema } from '../domain/model';
import { parse } from '../domain/validation';
import { setting } from '../commons/settings';
import { searchRequests } from '../usecases/requests';

const { deps: searchDeps, settings } = apiFunction('searchRequests');
const deps = { ...searchDeps, finds: new DynamoFind(documentClient(), setting(settings, 'TABLE_NAME')) };
/** A time in the range filter: ISO 8601 with a time zone, held as UTC (`toISOString`), as createdAt is. */
const rangeTime = z.iso
  .datetime({ offset: true, message: 'must be an ISO 8601 time with a time zone, e.g. 2026-12-01T00:00:00Z' })
  .transform((value) => new Date(value).toISOString());

const querySchema = z
  .object({
    state: stateSchema.optional(),
    kind: kindSchema.optional(),
    profileId: idSchema.optional(),
    limit: z.coerce.number('must be a number').int('must be an integer').min(1).max(100).default(20),
    cursor: z.string().max(4096).optional(),
    mine: z.enum(['true', 'false']).optional(),
    find: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(MAX_FIND_LENGTH, `must be at most ${MAX_FIND_LENGTH} characters`)
      .regex(/^[^\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]+$/u, 'must be printable characters only')
      .optional()
      .describe('A request id, holder id, card serial, certificate serial (hex), CN or DNS name of a CSR, or requester email.'),
    from: rangeTime.optional().describe('Only requests created at or after this time.'),
    to: rangeTime.optional().describe('Only requests created before this time.'),
  })
  .refine((query) => !query.from || !query.to || query.from < query.to, { message: 'must be later than from', path: ['to'] });

export const handler = httpHandler(async (event) => {
  const who = identityOf(event);
  const { from, to, ...query } = parse(querySchema, event.queryStringParameters ?? {});
  return json(200, await searchRequests(deps, who, { ...query, createdFrom: from, createdBefore: to, mine: query.mine === 'true' }));
});
