/** Building blocks of the OpenAPI document: JSON Schema from the zod schemas, references, pages and errors. */
import * as z from '../domain/zod';

export type Schema = Record<string, unknown>;

/** JSON Schema (2020-12, what OpenAPI 3.1 uses) of what a client sends. */
export function inputSchema(schema: z.core.$ZodType): Schema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Schema;
  return rest;
}

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const json = (schema: Schema) => ({ 'application/json': { schema } });
/** `limit` and `cursor`, as every paged route takes them. */
export const pageParameters = (options: { defaultLimit?: number; cursor?: string } = {}) => [
  { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: options.defaultLimit ?? 20 } },
  { name: 'cursor', in: 'query', schema: { type: 'string' }, description: options.cursor ?? 'nextCursor of the previous page.' },
];
/** A 200 with one page: `{"items":[…],"nextCursor":string|null}`. */
export const pageResponse = (item: string) => ({
  description: 'A page',
  content: json({
    type: 'object',
    properties: { items: { type: 'array', items: ref(item) }, nextCursor: { type: ['string', 'null'] } },
    required: ['items', 'nextCursor'],
  }),
});
export const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [String(status), { $ref: `#/components/responses/E${status}` }]));
export const subjectName = (kind: string) => `Subject_${kind.replace(/[^A-Za-z0-9]/g, '_')}`;

/**
 * JSON Schema of what the API answers, from the same zod schema that defines the request's type.
 * Answers may gain fields (the contract allows more), so objects are left open.
 */
export function outputSchema(schema: z.core.$ZodType): Schema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    io: 'output',
    unrepresentable: 'any',
    override: (ctx) => {
      if (ctx.jsonSchema.additionalProperties === false) delete ctx.jsonSchema.additionalProperties;
    },
  }) as Schema;
  return rest;
}

export const isoTime: Schema = { type: 'string', format: 'date-time' };
