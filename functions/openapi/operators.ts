/** The OpenAPI details of the operators' routes (batch decisions, evidence, export, reminders). */
import { decisionBodySchema } from '../domain/bodies';
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
};
