import * as z from 'zod';
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
const rangeTime = z.iso
  .datetime({ offset: true, message: 'must be an ISO 8601 time with a time zone, e.g. 2026-12-01T00:00:00Z' })
  .transform((value) => new Date(value).toISOString());

export const exportQuerySchema = z
  .strictObject({
    from: rangeTime.describe('Requests created at or after this time.'),
    to: rangeTime.describe('Requests created before this time; later than from.'),
    state: stateSchema.optional(),
    profileId: idSchema.optional(),
    format: z.enum(EXPORT_FORMATS).default('csv'),
    limit: z.coerce.number('must be a number').int('must be an integer').min(1).max(MAX_EXPORT_PAGE).default(500),
    cursor: z.string().max(4096).optional(),
  })
  .refine((query) => query.from < query.to, { message: 'must be later than from', path: ['to'] });

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
