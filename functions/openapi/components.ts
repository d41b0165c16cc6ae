/**
 * The components of the OpenAPI document (document.ts): the security scheme, the schemas built
 * from the same zod schemas that validate requests and define answers, and the error responses.
 */
import { createRequestBodySchema, decisionBodySchema } from '../domain/bodies';
import { KINDS, SUBJECT_SCHEMAS } from '../domain/kinds';
import { actorSchema, approvalRequestSchema } from '../domain/request-schema';
import { profileBodySchema } from '../domain/profile';
import { inputSchema, isoTime, json, outputSchema, ref, type Schema, subjectName } from './schemas';

const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid input: the message names the field and says why',
  401: 'No or bad token',
  403: 'Not allowed',
  404: 'Unknown',
  409: 'Conflict: no longer pending, already approved by you, or idempotency key reused with another body',
};
/** API Gateway's own answer when a route's or the stage's rate limit is exceeded (not in the contract's error format). */
const THROTTLED = {
  description: "Too many requests: the route's rate limit (public routes have tight ones)",
  content: json({ type: 'object', properties: { message: { type: 'string' } }, required: ['message'] }),
};

/** The document's `components`. */
export function components(): Schema {
  const actor = inputSchema(actorSchema);
  return {
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
        description: 'subject must match the schema of its kind (Subject_<kind>).',
        // Each kind's subject schema, chosen by kind (JSON Schema 2020-12 if/then).
        allOf: KINDS.map((kind) => ({
          if: { properties: { kind: { const: kind } }, required: ['kind'] },
          // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword in a plain object, never awaited.
          then: { properties: { subject: ref(subjectName(kind)) } },
        })),
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
    responses: {
      ...Object.fromEntries(
        Object.entries(ERROR_TEXT).map(([status, description]) => [`E${status}`, { description, content: json(ref('Error')) }]),
      ),
      E429: THROTTLED,
    },
  };
}
