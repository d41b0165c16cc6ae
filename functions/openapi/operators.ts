/** The OpenAPI details of the operators' routes (batch decisions, evidence, export, reminders). */
import { decisionBodySchema } from '../domain/bodies';
import { EXPORT_COLUMNS } from '../domain/export';
import { STATES } from '../domain/model';
import { MAX_BATCH_DECISIONS } from '../usecases/batch-decisions';
import { errors, inputSchema, json, ref } from './schemas';

const decisionItem = {
  allOf: [
    { type: 'object', properties: { requestId: { type: 'string', format: 'uuid' } }, required: ['requestId'] },
    inputSchema(decisionBodySchema),
  ],
};

const errorObject = {
  type: 'object',
  properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
  required: ['code', 'message'],
};

export const OPERATOR_DETAILS = {
  decideMany: {
    summary: 'Many decisions in one call (1-50), each applied and answered as POST /requests/{id}/decisions would',
    description:
      'Never all-or-nothing: each item has its own result, in the order given, with the status and error its single route would answer (200 with the request; 400, 403, 404, 409 with the error). Items on the same request are applied in the order given. A body that is not {"items":[1-50 objects]} is 400 and nothing is decided.',
    requestBody: {
      required: true,
      content: json({
        type: 'object',
        properties: { items: { type: 'array', minItems: 1, maxItems: MAX_BATCH_DECISIONS, items: decisionItem } },
        required: ['items'],
        additionalProperties: false,
      }),
    },
    responses: {
      200: {
        description: 'One result per item, in the order given',
        content: json({
          type: 'object',
          properties: {
            results: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  requestId: { type: 'string' },
                  status: { type: 'integer' },
                  request: ref('Request'),
                  error: errorObject,
                },
                required: ['requestId', 'status'],
              },
            },
          },
          required: ['results'],
        }),
      },
      ...errors(400, 401),
    },
  },
  exportRequests: {
    summary: 'Export the requests created in a time range as CSV or JSON Lines, newest first, paged (approvers, admins)',
    description: `One row per request: ${EXPORT_COLUMNS.join(', ')}. CSV is RFC 4180 (CRLF, quoted where needed); a cell whose first character (or first after spaces) is =, +, -, @ (or their full-width forms), or that starts with a tab or CR, gets a leading ' so that no spreadsheet runs it as a formula. The first CSV page starts with the header row and later pages do not, so the pages joined in order are one file. JSON Lines: one object per line, stages as an array. Read from the search indexes by a key condition on the creation time, never a scan.`,
    parameters: [
      { name: 'from', in: 'query', required: true, schema: { type: 'string', format: 'date-time' }, description: 'Created at or after.' },
      {
        name: 'to',
        in: 'query',
        required: true,
        schema: { type: 'string', format: 'date-time' },
        description: 'Created before; later than from.',
      },
      { name: 'state', in: 'query', schema: { type: 'string', enum: STATES } },
      { name: 'profileId', in: 'query', schema: { type: 'string' } },
      { name: 'format', in: 'query', schema: { type: 'string', enum: ['csv', 'jsonl'], default: 'csv' } },
      { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 500 } },
      {
        name: 'cursor',
        in: 'query',
        schema: { type: 'string' },
        description: 'The Next-Cursor header of the previous page, with the same filters.',
      },
    ],
    responses: {
      200: {
        description: 'One page of rows',
        headers: {
          'Next-Cursor': { description: 'The cursor of the next page; absent on the last page.', schema: { type: 'string' } },
          'Content-Disposition': { description: 'attachment; filename="requests-<from day>.<format>"', schema: { type: 'string' } },
        },
        content: { 'text/csv': { schema: { type: 'string' } }, 'application/jsonl': { schema: { type: 'string' } } },
      },
      ...errors(400, 401, 403),
    },
  },
  remindApprovers: {
    summary: 'Email the approvers the request awaits a reminder now (the requester, while requested)',
    description:
      "The current stage's approvers who have not approved and may still decide (enabled members of approvers in the directory) get a reminder email with their own links. At most once per remindAfter after the last email to the approvers (the first approval email, a reminder, a hold ending, or an earlier one of these): sooner is 429 with Retry-After. Each counts toward the 21 emails one request may send an approver (409 once they had them all), but not toward the profile's maxReminders. 409 once ended or while on hold.",
    responses: {
      200: {
        description: 'Sent',
        content: json({
          type: 'object',
          properties: {
            sent: { const: true },
            recipients: { type: 'array', items: { type: 'string' } },
            skipped: { type: 'array', items: { type: 'string' } },
            nextAllowedAt: { type: 'string', format: 'date-time' },
          },
          required: ['sent', 'recipients', 'skipped', 'nextAllowedAt'],
        }),
      },
      429: {
        description: 'Too soon after the last email',
        headers: { 'Retry-After': { description: 'Seconds until a reminder may go.', schema: { type: 'integer' } } },
        content: json(ref('Error')),
      },
      ...errors(400, 401, 403, 404, 409),
    },
  },
  getEvidence: {
    summary: 'The evidence of a request as one JSON document (requester, approvers, admins)',
    description:
      'The request, its whole history (every page, oldest first), its receipt (null until approved and stored), the emails sent (one per recipient: at, to, subject, purpose, outcome) and the callback attempts (delivered, failed with status or error, abandoned), the last two read from the history, where the workflow records each email and each attempt. Entries written before subjects were recorded have subject null.',
    responses: {
      200: {
        description: 'The evidence',
        content: json({
          type: 'object',
          properties: {
            generatedAt: { type: 'string', format: 'date-time' },
            request: ref('Request'),
            history: { type: 'array', items: ref('HistoryEntry') },
            receipt: {},
            emails: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  at: { type: 'string', format: 'date-time' },
                  to: { type: 'string' },
                  subject: { type: ['string', 'null'] },
                  purpose: { type: 'string' },
                  outcome: { type: 'string', enum: ['sent', 'failed', 'delayed'] },
                  requestedBy: { type: 'string' },
                  problem: { type: 'string' },
                },
                required: ['at', 'to', 'subject', 'purpose', 'outcome'],
              },
            },
            callbacks: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  at: { type: 'string', format: 'date-time' },
                  outcome: { type: 'string', enum: ['delivered', 'failed', 'abandoned'] },
                  type: { type: 'string' },
                  status: { type: 'integer' },
                  error: { type: 'string' },
                },
                required: ['at', 'outcome'],
              },
            },
          },
          required: ['generatedAt', 'request', 'history', 'receipt', 'emails', 'callbacks'],
        }),
      },
      ...errors(400, 401, 403, 404),
    },
  },
};
