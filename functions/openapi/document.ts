/**
 * The OpenAPI 3.1 description of the API, built from the operations list and the
 * same zod schemas that validate requests, so the document cannot drift from the code.
 */
import * as z from 'zod';
import { KINDS, SUBJECT_SCHEMAS } from '../domain/kinds';
import {
  actorSchema,
  approvalRequestSchema,
  createRequestBodySchema,
  decisionBodySchema,
  profileBodySchema,
  STATES,
} from '../domain/model';
import { type Method, OPERATIONS } from '../operations';

type Schema = Record<string, unknown>;

/** JSON Schema (2020-12, what OpenAPI 3.1 uses) of what a client sends. */
function inputSchema(schema: z.ZodType): Schema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Schema;
  return rest;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Schema) => ({ 'application/json': { schema } });
/** `limit` and `cursor`, as every paged route takes them. */
const pageParameters = (options: { defaultLimit?: number; cursor?: string } = {}) => [
  { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: options.defaultLimit ?? 20 } },
  { name: 'cursor', in: 'query', schema: { type: 'string' }, description: options.cursor ?? 'nextCursor of the previous page.' },
];
/** A 200 with one page: `{"items":[…],"nextCursor":string|null}`. */
const pageResponse = (item: string) => ({
  description: 'A page',
  content: json({
    type: 'object',
    properties: { items: { type: 'array', items: ref(item) }, nextCursor: { type: ['string', 'null'] } },
    required: ['items', 'nextCursor'],
  }),
});
const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [String(status), { $ref: `#/components/responses/E${status}` }]));
const subjectName = (kind: string) => `Subject_${kind.replace(/[^A-Za-z0-9]/g, '_')}`;

const actor = inputSchema(actorSchema);
const isoTime: Schema = { type: 'string', format: 'date-time' };

/**
 * JSON Schema of what the API answers, from the same zod schema that defines the request's type.
 * Answers may gain fields (the contract allows more), so objects are left open.
 */
function outputSchema(schema: z.ZodType): Schema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    io: 'output',
    unrepresentable: 'any',
    override: (ctx) => {
      if (ctx.jsonSchema.additionalProperties === false) delete ctx.jsonSchema.additionalProperties;
    },
  }) as Schema;
  return rest;
}

/** What each operation takes and answers; every entry of OPERATIONS must have one (a test checks). */
const DETAILS: Record<string, Record<string, unknown>> = {
  health: {
    summary: 'Liveness',
    responses: { 200: { description: 'Up', content: json({ type: 'object', properties: { status: { const: 'ok' } } }) } },
  },
  openApi: { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1', content: json({ type: 'object' }) } } },
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
      "The profile decides whether approval is needed (otherwise the request is approved at once by policy), who approves and how many must. A calling system with the scope approvals/requests.create-on-behalf may name the requester in onBehalfOf, and only a calling system may set callbackUrl (403 for a person), under one of the deployment's CALLBACK_URL_PREFIXES (400 otherwise). A person's token needs a verified ASCII email (403 otherwise).",
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
      'Read from one task entry per approver and request, written in the same transaction as the request. Callers outside the approvers group, or whose token email does not count (not ASCII, email_verified not true), get an empty page.',
    parameters: pageParameters(),
    responses: {
      200: pageResponse('Request'),
      ...errors(400, 401),
    },
  },
  decideRequest: {
    summary: 'Approve, reject (reason required) or hold (approvers listed on the request)',
    requestBody: { required: true, content: json(ref('Decision')) },
    responses: { 200: { description: 'The request', content: json(ref('Request')) }, ...errors(400, 401, 403, 404, 409) },
  },
  deleteRequest: {
    summary: 'Delete a pending request (admins or the requester; 409 once ended); it is kept for audit',
    responses: { 200: { description: 'The request, state deleted', content: json(ref('Request')) }, ...errors(400, 401, 403, 404, 409) },
  },
  linkPage: {
    summary: 'Signed link: confirm page (changes nothing)',
    parameters: ['approver', 'exp', 'kid', 'sig'].map((name) => ({ name, in: 'query', required: true, schema: { type: 'string' } })),
    responses: Object.fromEntries(
      [200, 403, 409, 410].map((status) => [
        String(status),
        { description: 'HTML page', content: { 'text/html': { schema: { type: 'string' } } } },
      ]),
    ),
  },
  linkDecide: {
    summary: 'Signed link: make the decision (form post)',
    parameters: ['approver', 'exp', 'kid', 'sig'].map((name) => ({ name, in: 'query', required: true, schema: { type: 'string' } })),
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
};

export const DOCUMENTED_OPERATIONS = Object.keys(DETAILS);

const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid input: the message names the field and says why',
  401: 'No or bad token',
  403: 'Not allowed',
  404: 'Unknown',
  409: 'Conflict: no longer pending, already approved by you, or idempotency key reused with another body',
};

let cached: Schema | undefined;

export function openApiDocument(): Schema {
  if (cached) return cached;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of OPERATIONS) {
    const details = DETAILS[operation.name];
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
    info: { title: 'Approval service', version: '1.0.0', description: 'Approvals for certificate and smart-card operations.' },
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'Claims used: sub, email, cognito:groups (approvers, admins), scope.',
        },
      },
      schemas: {
        ProfileBody: inputSchema(profileBodySchema),
        Profile: {
          allOf: [
            ref('ProfileBody'),
            {
              type: 'object',
              properties: { id: { type: 'string' }, createdAt: isoTime, updatedAt: isoTime, version: { type: 'integer' } },
              required: ['id', 'createdAt', 'updatedAt', 'version'],
            },
          ],
        },
        CreateRequest: {
          ...inputSchema(createRequestBodySchema),
          description: `subject must match the schema of its kind: ${KINDS.map((kind) => `${kind} → ${subjectName(kind)}`).join(', ')}.`,
        },
        ...Object.fromEntries(KINDS.map((kind) => [subjectName(kind), inputSchema(SUBJECT_SCHEMAS[kind])])),
        Decision: inputSchema(decisionBodySchema),
        Request: outputSchema(approvalRequestSchema),
        HistoryEntry: {
          type: 'object',
          properties: { at: isoTime, type: { type: 'string' }, actor, details: { type: 'object' } },
          required: ['at', 'type', 'actor'],
        },
        Error: {
          type: 'object',
          properties: {
            error: {
              type: 'object',
              properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
              required: ['code', 'message'],
            },
          },
          required: ['error'],
        },
      },
      responses: Object.fromEntries(
        Object.entries(ERROR_TEXT).map(([status, description]) => [`E${status}`, { description, content: json(ref('Error')) }]),
      ),
    },
  };
  return cached;
}
