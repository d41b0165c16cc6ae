import fc from 'fast-check';
import { errorResponse, identityOf, type HttpEvent, parseGroups } from '../../../functions/commons/http';
import { logger } from '../../../functions/commons/observability';
import { conflict, forbidden, gone, invalid, notFound, unauthorized } from '../../../functions/domain/errors';

const event = (claims?: Record<string, string>) =>
  ({ requestContext: { authorizer: claims ? { jwt: { claims } } : undefined } }) as unknown as HttpEvent;

describe('identity from the JWT authorizer', () => {
  test.each([
    [
      ['approvers', 'admins'],
      ['approvers', 'admins'],
    ],
    ['[approvers admins]', ['approvers', 'admins']],
    ['["approvers","admins"]', ['approvers', 'admins']],
    ['approvers', ['approvers']],
    ['[approvers]', ['approvers']],
    ['["approvers" "admins"]', ['"approvers"', '"admins"']],
    ['[]', []],
    [undefined, []],
  ])('groups claim %j reads as %j', (claim, groups) => {
    expect(parseGroups(claim)).toEqual(groups);
  });

  test('any list of group names reads back the same from each shape the claim comes in', () => {
    // Cognito group names: no whitespace here, nor the separators and brackets of the flattened form.
    const name = fc.stringMatching(/^[A-Za-z0-9_.@+=-]{1,20}$/);
    fc.assert(
      fc.property(fc.array(name, { maxLength: 6 }), (groups) => {
        expect(parseGroups(groups)).toEqual(groups);
        expect(parseGroups(`[${groups.join(' ')}]`)).toEqual(groups);
        expect(parseGroups(JSON.stringify(groups))).toEqual(groups);
        expect(parseGroups(` ${groups.join(',')} `)).toEqual(groups);
      }),
    );
  });

  test('the email is lowercased and a client token carries its scopes', () => {
    expect(identityOf(event({ sub: 'u1', email: 'Carol@Example.COM', email_verified: 'true', 'cognito:groups': '[approvers]' }))).toEqual({
      id: 'u1',
      email: 'carol@example.com',
      emailVerified: true,
      groups: ['approvers'],
      scopes: [],
    });
    expect(identityOf(event({ sub: 'client', scope: 'approvals/requests.create-on-behalf other' })).scopes).toEqual([
      'approvals/requests.create-on-behalf',
      'other',
    ]);
  });

  test.each([
    [true, true],
    ['true', true],
    [false, false],
    ['false', false],
    ['yes', false],
    ['True', false],
    [undefined, false],
  ])('email_verified %j (a boolean, or flattened to a string by API Gateway) counts as %j', (claim, verified) => {
    const claims = { sub: 'u1', email: 'carol@example.com', ...(claim === undefined ? {} : { email_verified: claim }) };
    expect(identityOf(event(claims as Record<string, string>)).emailVerified).toBe(verified);
  });

  test('an email with characters outside ASCII is not lower-cased: the Kelvin sign never becomes k', () => {
    const who = identityOf(event({ sub: 'u1', email: '\u212Aarol@Example.com', email_verified: 'true' }));
    expect(who.email).toBe('\u212Aarol@Example.com');
    expect(who.email).not.toBe('karol@example.com');
  });

  test('no claims is a 401', () => {
    expect(() => identityOf(event())).toThrow(expect.objectContaining({ code: 'unauthorized' }));
  });
});

describe('errors as responses', () => {
  test("a domain error answers its code's status, with its code, message and details", () => {
    const response = errorResponse(conflict('request is approved, no longer pending', { state: 'approved' }));
    expect(response.statusCode).toBe(409);
    expect(JSON.parse(response.body as string)).toEqual({
      error: { code: 'conflict', message: 'request is approved, no longer pending', details: { state: 'approved' } },
    });
  });

  test.each([
    [invalid('x is required'), 400],
    [unauthorized('no token'), 401],
    [forbidden('not yours'), 403],
    [notFound('no such request'), 404],
    [conflict('not pending'), 409],
    [gone('link expired'), 410],
  ])('the JSON API answers %s with %d', (error, status) => {
    expect(errorResponse(error).statusCode).toBe(status);
    expect(JSON.parse(errorResponse(error).body as string).error.code).toBe(error.code);
  });

  test.each([415, 422])("the body parser's %d is the contract's 400", (statusCode) => {
    const response = errorResponse(Object.assign(new Error('Unsupported Media Type'), { statusCode }));
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body as string).error.code).toBe('invalid_request');
  });

  test('an unexpected error is a 500 that reveals nothing but the request id', () => {
    const spy = jest.spyOn(logger, 'error');
    const response = errorResponse(new Error('connect ECONNREFUSED 10.0.0.1:8000 secret=abc'), 'req-1');
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toMatch(/ECONNREFUSED|secret|stack/);
    expect(JSON.parse(response.body as string)).toEqual({
      error: { code: 'internal_error', message: 'internal error', details: { requestId: 'req-1' } },
    });
    spy.mockRestore();
  });
});
