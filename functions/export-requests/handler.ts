import * as z from '../domain/zod';
import { apiDeps } from '../commons/deps';
import { httpHandler, identityOf } from '../commons/http';
import { EXPORT_FORMATS } from '../domain/export';
import { idSchema, stateSchema } from '../domain/model';
import { parse } from '../domain/validation';
import { exportRequests } from '../usecases/export';

const deps = apiDeps('exportRequests');

/** The most rows one page holds. */
export const MAX_EXPORT_PAGE = 1000;

/** A time of the range: ISO 8601 with a time zone, held as UTC (`toISOString`), as createdAt is. */
const rangeTime = z.pipe(
  z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time with a time zone, e.g. 2026-12-01T00:00:00Z' }),
  z.transform((value) => new Date(value).toISOString()),
);

export const exportQuerySchema = z
  .strictObject({
    from: rangeTime.check(z.describe('Requests created at or after this time.')),
    to: rangeTime.check(z.describe('Requests created before this time; later than from.')),
    state: z.optional(stateSchema),
    profileId: z.optional(idSchema),
    format: z._default(z.enum(EXPORT_FORMATS), 'csv'),
    limit: z._default(
      z.coerce.number('must be a number').check(z.int('must be an integer'), z.minimum(1), z.maximum(MAX_EXPORT_PAGE)),
      500,
    ),
    cursor: z.optional(z.string().check(z.maxLength(4096))),
  })
  .check(z.refine((query) => query.from < query.to, { message: 'must be later than from', path: ['to'] }));

export const handler = httpHandler(async (event) => {
  const who = identityOf(event);
  const query = parse(exportQuerySchema, event.queryStringParameters ?? {});
  const page = await exportRequests(deps, who, query);
  const day = query.from.slice(0, 10);
  return {
    statusCode: 200,
    headers: {
      'content-type': page.contentType,
      'content-disposition': `attachment; filename="requests-${day}.${query.format}"`,
      'cache-control': 'no-store',
      ...(page.nextCursor ? { 'next-cursor': page.nextCursor } : {}),
    },
    body: page.body,
  };
});
