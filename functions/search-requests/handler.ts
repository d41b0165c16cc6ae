import * as z from '../domain/zod';
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
const rangeTime = z.pipe(
  z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time with a time zone, e.g. 2026-12-01T00:00:00Z' }),
  z.transform((value) => new Date(value).toISOString()),
);

const querySchema = z
  .object({
    state: z.optional(stateSchema),
    kind: z.optional(kindSchema),
    profileId: z.optional(idSchema),
    limit: z._default(z.coerce.number('must be a number').check(z.int('must be an integer'), z.minimum(1), z.maximum(100)), 20),
    cursor: z.optional(z.string().check(z.maxLength(4096))),
    mine: z.optional(z.enum(['true', 'false'])),
    find: z
      .optional(
        z
          .string()
          .check(
            z.trim(),
            z.minLength(1, 'must not be empty'),
            z.maxLength(MAX_FIND_LENGTH, `must be at most ${MAX_FIND_LENGTH} characters`),
            z.regex(/^[^\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]+$/u, 'must be printable characters only'),
          ),
      )
      .check(z.describe('A request id, holder id, card serial, certificate serial (hex), CN or DNS name of a CSR, or requester email.')),
    from: z.optional(rangeTime).check(z.describe('Only requests created at or after this time.')),
    to: z.optional(rangeTime).check(z.describe('Only requests created before this time.')),
  })
  .check(z.refine((query) => !query.from || !query.to || query.from < query.to, { message: 'must be later than from', path: ['to'] }));

export const handler = httpHandler(async (event) => {
  const who = identityOf(event);
  const { from, to, ...query } = parse(querySchema, event.queryStringParameters ?? {});
  return json(200, await searchRequests(deps, who, { ...query, createdFrom: from, createdBefore: to, mine: query.mine === 'true' }));
});
