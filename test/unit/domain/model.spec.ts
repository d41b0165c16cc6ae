import { marshall } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import { parseCallbackUrlPrefixes } from '../../../functions/commons/settings';
import { allowedCallbackUrl } from '../../../functions/domain/callbacks';
import type { DomainError } from '../../../functions/domain/errors';
import { createRequestBodySchema, decisionBodySchema } from '../../../functions/domain/bodies';
import { REQUEST_FIELDS } from '../../../functions/domain/model';
import { profileBodySchema } from '../../../functions/domain/profile';
import { approvalRequestSchema } from '../../../functions/domain/request-schema';
import { RESERVED_KEYS } from '../../../functions/domain/subject';
import { parse } from '../../../functions/domain/validation';

const profile = (approvers: string[]) => ({
  name: 'Cards',
  requireApprovalFor: ['card.request'],
  approvers,
  requiredApprovals: 1,
  remindAfter: 'PT1H',
  expireAfter: 'P2D',
});

/** The create body as the JSON parser gives it from this raw text. */
const parsedBody = (subjectJson: string) =>
  JSON.parse(`{"kind":"card.request","profileId":"cards","subject":{"holderId":"E-1","cardProfile":"PIV",${subjectJson}}}`);

describe('approver addresses', () => {
  test.each([
    ['a Kelvin sign', '\u212Aarol@example.com'],
    ['a Cyrillic a', 'k\u0430rol@example.com'],
    ['a non-ASCII domain', 'karol@ex\u00e4mple.com'],
    ['a space', 'karol @example.com'],
  ])('a profile listing an approver address with %s is refused, naming the field', (_what, address) => {
    const result = profileBodySchema.safeParse(profile(['dave@example.com', address]));
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['approvers', 1]);
  });

  test('ASCII addresses are kept lower-cased', () => {
    expect(profileBodySchema.parse(profile(['Karol@Example.COM'])).approvers).toEqual(['karol@example.com']);
  });

  test('onBehalfOf.email must be ASCII too', () => {
    const body = { ...parsedBody('"n":1'), onBehalfOf: { id: 'karol', email: '\u212Aarol@example.com' } };
    expect(createRequestBodySchema.safeParse(body).success).toBe(false);
  });
});

describe('subject values', () => {
  test.each([
    ['1e16 (past the safe integers)', '"count":1e16'],
    ['10000000000000001 (rounded by JSON.parse)', '"n":10000000000000001'],
    ['1e400 (Infinity after JSON.parse)', '"count":1e400'],
    ['-1e400', '"n":-1e400'],
    ['a nested 1e400', '"n":{"deep":[1,2,1e400]}'],
    ['an array of 1,001 items', `"items":[${new Array(1001).fill(0).join(',')}]`],
    ['an array of 200,000 items', `"items":[${new Array(200_000).fill(0).join(',')}]`],
    ['a key with a newline', '"note\\nApprove: https://evil.example/a":"x"'],
    ['a key with a carriage return', '"note\\rReject: https://evil.example/r":"x"'],
    ['a nested key with a tab', '"n":{"a\\tb":1}'],
    ['a key with U+2028', '"note\\u2028x":"x"'],
    ['an empty key (DynamoDB refuses it in a map)', '"":"x"'],
    ['a nested empty key', '"n":[{"":1}]'],
    ['nesting deeper than 8 levels', '"n":[[[[[[[[[1]]]]]]]]]'],
    ['an array nested 100,000 deep', `"n":${'['.repeat(100_000)}${']'.repeat(100_000)}`],
  ])('%s is refused with a message naming the field', (_what, subjectJson) => {
    const result = createRequestBodySchema.safeParse(parsedBody(subjectJson));
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path[0]).toBe('subject');
  });

  test.each([
    ['a safe integer', '"count":9007199254740991'],
    ['a plain decimal', '"ratio":0.125'],
    ['a negative decimal', '"ratio":-12.5'],
    ['an array of 1,000 items', `"items":[${new Array(1000).fill(0).join(',')}]`],
    ['a value with a newline (shown safely in emails)', '"note":"two\\nlines"'],
  ])('%s is accepted', (_what, subjectJson) => {
    expect(createRequestBodySchema.safeParse(parsedBody(subjectJson)).success).toBe(true);
  });
});

describe('reserved keys', () => {
  const refusal = (body: unknown, schema: Parameters<typeof parse>[0] = createRequestBodySchema) => {
    try {
      parse(schema, body);
    } catch (error) {
      return error as DomainError;
    }
    throw new Error('accepted');
  };

  test.each([
    ['__proto__ at the top of subject', '"__proto__":{"x":1}', 'subject.__proto__'],
    ['constructor at the top of subject', '"constructor":"x"', 'subject.constructor'],
    ['prototype at the top of subject', '"prototype":{"polluted":true}', 'subject.prototype'],
    ['constructor nested in an object', '"a":{"b":{"constructor":{"name":"x"}}}', 'subject.a.b.constructor'],
    ['__proto__ inside an array', '"list":[1,{"__proto__":{"admin":true}}]', 'subject.list.1.__proto__'],
    ['prototype deep down', '"a":[{"b":[{"prototype":1}]}]', 'subject.a.0.b.0.prototype'],
  ])('%s is a 400 naming the field path', (_what, subjectJson, field) => {
    const error = refusal(parsedBody(subjectJson));
    expect(error.code).toBe('invalid_request');
    expect(error.message).toContain(field);
    expect(error.details).toEqual([expect.objectContaining({ field })]);
  });

  test('no other field of a JSON body carries them: create, onBehalfOf, decision and profile bodies refuse them', () => {
    const create = '{"kind":"card.request","profileId":"cards","subject":{"holderId":"E-1","cardProfile":"PIV"}';
    for (const key of RESERVED_KEYS) {
      expect(refusal(JSON.parse(`${create},"${key}":{"x":1}}`)).code).toBe('invalid_request');
      expect(refusal(JSON.parse(`${create},"onBehalfOf":{"id":"k","email":"k@example.com","${key}":{"x":1}}}`)).details).toEqual([
        expect.objectContaining({ field: 'onBehalfOf' }),
      ]);
      expect(refusal(JSON.parse(`{"decision":"approve","${key}":{"x":1}}`), decisionBodySchema).code).toBe('invalid_request');
      const profileJson = JSON.stringify(profile(['dave@example.com'])).slice(0, -1);
      expect(refusal(JSON.parse(`${profileJson},"${key}":{"x":1}}`), profileBodySchema).code).toBe('invalid_request');
    }
  });

  /** Any JSON value, as JSON.parse gives it (own `__proto__` keys included), with keys drawn to hit the reserved ones often. */
  const key = fc.oneof(fc.constantFrom(...RESERVED_KEYS), fc.string({ maxLength: 6 }));
  const json = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.constant(null)),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(key, tie('value'), { maxKeys: 4 }),
    ),
  })).value;
  const hasReservedKey = (value: unknown): boolean =>
    typeof value === 'object' &&
    value !== null &&
    Object.entries(value).some(([name, child]) => RESERVED_KEYS.has(name) || hasReservedKey(child));

  test('property: a subject is refused exactly when a reserved key appears at any depth; whatever is accepted marshals for DynamoDB', () => {
    fc.assert(
      fc.property(fc.dictionary(key, json, { maxKeys: 4 }), (extra) => {
        // Through JSON text, as a request body arrives: `__proto__` becomes an own key again.
        const body = parsedBody(JSON.stringify(extra).slice(1, -1) || '"n":1');
        const result = createRequestBodySchema.safeParse(body);
        if (hasReservedKey(body.subject)) {
          expect(result.success).toBe(false);
          return;
        }
        if (!result.success) return; // refused for another reason (huge numbers, depth): not this property
        expect(() => marshall(result.data.subject, { removeUndefinedValues: true })).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });
});

describe('callback URL prefixes', () => {
  test('the setting is split on commas and each prefix parsed, so a bare origin ends with a slash', () => {
    expect(parseCallbackUrlPrefixes(' https://Hooks.example.com , https://b.example/x/ ,')).toEqual([
      'https://hooks.example.com/',
      'https://b.example/x/',
    ]);
    expect(parseCallbackUrlPrefixes('')).toEqual([]);
  });

  test('a prefix that is not an http(s) URL is a configuration error naming it', () => {
    expect(() => parseCallbackUrlPrefixes('ftp://a.example/')).toThrow('ftp://a.example/');
    expect(() => parseCallbackUrlPrefixes('not a url')).toThrow('not a url');
  });

  test('a bare origin cannot be matched by a longer host', () => {
    const prefixes = parseCallbackUrlPrefixes('https://hooks.example.com');
    expect(allowedCallbackUrl('https://hooks.example.com/x', prefixes)).toBe('https://hooks.example.com/x');
    expect(() => allowedCallbackUrl('https://hooks.example.com.evil.org/x', prefixes)).toThrow(
      expect.objectContaining({ code: 'invalid_request' }),
    );
  });
});

test("REQUEST_FIELDS, the order of a request's fields in every answer, is request-schema.ts's", () => {
  expect([...REQUEST_FIELDS]).toEqual(Object.keys(approvalRequestSchema.shape));
});
