/**
 * The OpenAPI 3.1 description of the API, built from the registry's API operations and the
 * same zod schemas that validate requests, so the document cannot drift from the code.
 */
import { KINDS } from '../domain/kinds';
import { STATES } from '../domain/model';
import { components } from './components';
import { DELEGATION_DETAILS } from './delegation';
import { statsReportSchema } from '../domain/stats-report';
import { type ApiOperationName, apiOperations, type Method } from '../registry';
import { OPERATOR_DETAILS } from './operators';
import { RECEIPT_DETAILS } from './receipts';
import { errors, json, outputSchema, pageParameters, pageResponse, ref, type Schema } from './schemas';

/**
 * The query of a signed link (functions/links/signing.ts): `for` only on a delegate's link, signed
 * with the rest.
 */
const LINK_PARAMETERS = ['approver', 'for', 'exp', 'kid', 'sig'].map((name) => ({
  name,
  in: 'query',
  required: name !== 'for',
  schema: { type: 'string' },
  ...(name === 'for' && {
    description: "A delegate's link only: the email of the approver the delegate decides for (out of office), signed with the rest.",
  }),
}));

/** What each API operation takes and answers; every API operation of the registry must have one (the type and a test check). */
const DETAILS: Record<ApiOperationName, Record<string, unknown>> = {
  health: {
    summary: 'Liveness',
    responses: { 200: { description: 'Up', content: json({ type: 'object', properties: { status: { const: 'ok' } } }) }, ...errors(429) },
  },
  openApi: {
    summary: 'This document',
    responses: { 200: { description: 'OpenAPI 3.1', content: json({ type: 'object' }) }, ...errors(429) },
  },
  putProfile: {
    summary: 'Create or replace a profile (admins)',
    requestBody: { required: true, content: json(ref('ProfileBody')) },
    responses: { 200: { description: 'The profile', content: json(ref('Profile')) }, ...errors(400, 401, 403) },
  },
  getProfile: {
    summary: 'Read a profile',
    responses: { 200: { description: 'The profile', content: json(ref('Profile')) }, ...errors(400, 401, 404) },
  },
  listProfiles: {
    summary: 'List profiles, in id order',
    parameters: pageParameters(),
    responses: {
      200: pageResponse('Profile'),
      ...errors(400, 401),
    },
  },
  createRequest: {
    summary: 'Create a request',
    description:
      "The profile decides whether approval is needed (otherwise the request is approved at once by policy), who approves and how many must. A calling system with the scope approvals/requests.create-on-behalf may name the requester in onBehalfOf (id: a user of the directory; email: that user's verified email, or left out to take it from the directory; 400 otherwise), and only a calling system may set callbackUrl (403 for a person), under one of the deployment's CALLBACK_URL_PREFIXES (400 otherwise). A person's token needs a verified ASCII email (403 otherwise).",
    parameters: [
      {
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        schema: { type: 'string', maxLength: 255 },
        description: 'Same key and body within 24 h: the same request (Idempotent-Replayed: true); another body: 409.',
      },
    ],
    requestBody: { required: true, content: json(ref('CreateRequest')) },
    responses: { 201: { description: 'The request', content: json(ref('Request')) }, ...errors(400, 401, 403, 409) },
  },
  searchRequests: {
    summary: 'Search requests, newest first',
    description: 'Approvers and admins search all requests (mine=true: their own); others only their own.',
    parameters: [
      { name: 'state', in: 'query', schema: { type: 'string', enum: STATES } },
      { name: 'kind', in: 'query', schema: { type: 'string', enum: KINDS } },
      { name: 'profileId', in: 'query', schema: { type: 'string' } },
      ...pageParameters({ cursor: 'nextCursor of the previous page, with the same filters.' }),
      { name: 'mine', in: 'query', schema: { type: 'string', enum: ['true', 'false'] } },
      {
        name: 'find',
        in: 'query',
        schema: { type: 'string', minLength: 1, maxLength: 256 },
        description:
          "Requests where the value (trimmed, printable characters) is exactly the request id, subject.holderId or subject.cardSerial, subject.serialNumber (hex, any case, 0x or colons allowed), a CN or DNS name of a P10's CSR (any case), or the requester's email (any case); combinable with the other filters.",
      },
      {
        name: 'from',
        in: 'query',
        schema: { type: 'string', format: 'date-time' },
        description: 'Only requests created at or after this time (ISO 8601 with a time zone); combinable with the other filters.',
      },
      {
        name: 'to',
        in: 'query',
        schema: { type: 'string', format: 'date-time' },
        description: 'Only requests created before this time; later than from (400 otherwise).',
      },
    ],
    responses: {
      200: pageResponse('Request'),
      ...errors(400, 401),
    },
  },
  getRequest: {
    summary: 'Read a request with its history (requester, approvers, admins)',
    description:
      'history holds the first 100 entries, oldest first; historyNextCursor (null when there are no more) pages the rest through GET /requests/{id}/history.',
    responses: {
      200: {
        description: 'The request',
        content: json({
          allOf: [
            ref('Request'),
            {
              type: 'object',
              properties: {
                history: { type: 'array', items: ref('HistoryEntry'), maxItems: 100 },
                historyNextCursor: { type: ['string', 'null'] },
              },
              required: ['history', 'historyNextCursor'],
            },
          ],
        }),
      },
      ...errors(400, 401, 403, 404),
    },
  },
  getRequestHistory: {
    summary: "Page through a request's history, oldest first (requester, approvers, admins)",
    parameters: pageParameters({
      defaultLimit: 100,
      cursor: 'historyNextCursor of GET /requests/{id}, or nextCursor of the previous page.',
    }),
    responses: {
      200: pageResponse('HistoryEntry'),
      ...errors(400, 401, 403, 404),
    },
  },
  listTasks: {
    summary: 'What waits for me: pending requests on which the caller is listed and has not approved, on hold ones included, newest first',
    description:
      'Read from one task entry per approver and request, written in the same transaction as the request. Callers outside the approvers group, or whose token email does not count (not ASCII, email_verified not true), get an empty page. The first page also carries the tasks of the approvers whose active delegation names the caller, each with `delegatedFor` (id, email).',
    parameters: pageParameters(),
    responses: {
      200: pageResponse('Request'),
      ...errors(400, 401),
    },
  },
  decideRequest: {
    summary: 'Approve, reject (reason required), hold (optionally until a time) or release a hold (approvers of the current stage)',
    description:
      "The caller must be, in the user directory, an enabled member of the approvers group whose verified email is the token's, an approver of the request's current stage (a later stage's approver: 403 until it starts; a `group:` entry's member must still be in the group), and neither its requester nor its holder (by sub or any address; name+tag@domain is name@domain): 403 otherwise. One approval per person across all stages (by sub or mailbox): a second is 409. The approval that completes a stage's quorum starts the next stage (or approves the request at the last). A hold with `until` (later than now, at most 30 days ahead, before createdAt + 360 days; else 400 naming until) pauses reminders and the expiry until then; at `until` the approvers who have not decided are emailed again and `expiresAt` moves later by the time held. Approve, reject and release end a hold; release when the request is not on hold is 409. The profile's requireCommentOn makes `comment` required (400 naming comment) for approve or hold. A listed approver's active delegate (PUT /me/delegation) may decide once for them unless the profile says allowDelegation: false (403): the approval records `by` (the delegate) and `for` (the approver).",
    requestBody: { required: true, content: json(ref('Decision')) },
    responses: { 200: { description: 'The request', content: json(ref('Request')) }, ...errors(400, 401, 403, 404, 409) },
  },
  deleteRequest: {
    summary: 'Delete a pending request (admins or the requester; 409 once ended); it is kept for audit',
    responses: { 200: { description: 'The request, state deleted', content: json(ref('Request')) }, ...errors(400, 401, 403, 404, 409) },
  },
  ...DELEGATION_DETAILS,
  getStats: {
    summary: 'Counts by state, time to decision (p50, p90), pending by age and decisions per day (approvers, admins)',
    description:
      'Read from day buckets that the stream consumer keeps up to date (one read per day of the range, whatever the number of requests); counts and pending by age are of the requests created in the range, time to decision and decisions of those decided in it. Percentiles come from a log-scale histogram: within relativeError (9.05 %) of the exact nearest-rank value. The counters follow each stored change within seconds.',
    parameters: [
      {
        name: 'from',
        in: 'query',
        schema: { type: 'string' },
        description: 'First day (YYYY-MM-DD or an ISO time; UTC); default 29 days before to.',
      },
      {
        name: 'to',
        in: 'query',
        schema: { type: 'string' },
        description: 'Last day (YYYY-MM-DD or an ISO time; UTC); default today; at most 366 days after from.',
      },
      { name: 'profileId', in: 'query', schema: { type: 'string' }, description: 'Only this profile; default all profiles.' },
    ],
    responses: { 200: { description: 'The statistics', content: json(outputSchema(statsReportSchema)) }, ...errors(400, 401, 403) },
  },
  linkPage: {
    summary: 'Signed link: confirm page (changes nothing)',
    parameters: LINK_PARAMETERS,
    responses: Object.fromEntries(
      [200, 403, 409, 410].map((status) => [
        String(status),
        { description: 'HTML page', content: { 'text/html': { schema: { type: 'string' } } } },
      ]),
    ),
  },
  ...RECEIPT_DETAILS,
  linkDecide: {
    summary: 'Signed link: make the decision (form post)',
    parameters: LINK_PARAMETERS,
    requestBody: {
      content: {
        'application/x-www-form-urlencoded': {
          schema: { type: 'object', properties: { reason: { type: 'string' }, comment: { type: 'string' } } },
        },
      },
    },
    responses: Object.fromEntries(
      [200, 400, 403, 409, 410].map((status) => [
        String(status),
        { description: 'HTML page', content: { 'text/html': { schema: { type: 'string' } } } },
      ]),
    ),
  },
  ...OPERATOR_DETAILS,
};

export const DOCUMENTED_OPERATIONS = Object.keys(DETAILS);

let cached: Schema | undefined;

/** The document, with `serverUrl` (the API's public URL, no trailing slash) as its one server. */
export function openApiDocument(serverUrl: string): Schema {
  const { openapi, info, ...rest } = describe();
  return { openapi, info, servers: [{ url: serverUrl, description: 'This deployment' }], ...rest };
}

function describe(): Schema {
  if (cached) return cached;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of apiOperations()) {
    const details = DETAILS[operation.name as ApiOperationName];
    if (!details) throw new Error(`operation ${operation.name} has no OpenAPI details`);
    const pathParameters = [...operation.path.matchAll(/\{(\w+)\}/g)].map((match) => ({
      name: match[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    for (const method of operation.methods) {
      const parameters = [...pathParameters, ...((details.parameters as unknown[]) ?? [])];
      paths[operation.path] ??= {};
      (paths[operation.path] as Record<string, unknown>)[method.toLowerCase() as Lowercase<Method>] = {
        operationId: operation.methods.length > 1 ? `${operation.name}${method[0]}${method.slice(1).toLowerCase()}` : operation.name,
        ...details,
        ...(parameters.length ? { parameters } : {}),
        ...(operation.auth === 'jwt' ? {} : { security: [] }),
        'x-access': operation.access,
      };
    }
  }
  cached = {
    openapi: '3.1.0',
    info: {
      title: 'Approval service',
      version: '1.0.0',
      description: 'Approvals for certificate and smart-card operations.',
      // As package.json says: a private service, no licence granted.
      license: { name: 'UNLICENSED' },
    },
    security: [{ bearer: [] }],
    paths,
    components: components(),
  };
  return cached;
}
