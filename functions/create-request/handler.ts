import * as z from '../domain/zod';
import { apiDeps, directoryOf } from '../commons/deps';
import { httpHandler, identityOf, json } from '../commons/http';
import { logApprovalRequest, logger } from '../commons/observability';
import { assertP10CsrParses } from '../domain/csr';
import { createRequestBodySchema } from '../domain/bodies';
import { parse } from '../domain/validation';
import { createApprovalRequest } from '../lifecycle/create';

const deps = apiDeps('createRequest', { directory: directoryOf });
const idempotencyKeySchema = z.optional(z.string().check(z.regex(/^[\x21-\x7e]{1,255}$/, 'must be 1-255 visible ASCII characters')));

export const handler = httpHandler(
  async (event) => {
    const who = identityOf(event);
    const key = parse(idempotencyKeySchema, event.headers['idempotency-key'], 'Idempotency-Key');
    const body = parse(createRequestBodySchema, event.body);
    const csr = assertP10CsrParses(body);
    const { request, replayed } = await createApprovalRequest(deps, who, body, key, csr);
    logApprovalRequest(request.id);
    logger.info(replayed ? 'request replayed' : 'request created', { kind: request.kind, state: request.state });
    return json(201, request, { location: `/requests/${request.id}`, ...(replayed ? { 'idempotent-replayed': 'true' } : {}) });
  },
  { body: true },
);
