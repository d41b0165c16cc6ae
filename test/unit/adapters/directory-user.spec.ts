import { directoryUser } from '../../../functions/adapters/cognito-directory';

const user = (attributes: Record<string, string>, enabled = true) => ({
  Username: 'u-1',
  Enabled: enabled,
  Attributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
});

describe('a Cognito user as the service sees it', () => {
  test('a verified email counts (lower-cased)', () => {
    expect(directoryUser(user({ sub: 's-1', email: 'Bob@Example.com', email_verified: 'true' }))).toEqual({
      sub: 's-1',
      username: 'u-1',
      email: 'bob@example.com',
      enabled: true,
    });
  });

  test('an unverified email never counts as `email`; it is kept apart, only to leave a requester or holder out', () => {
    for (const verified of ['false', undefined]) {
      const attributes: Record<string, string> = { sub: 's-1', email: 'Bob@Example.com' };
      if (verified) attributes.email_verified = verified;
      expect(directoryUser(user(attributes, false))).toEqual({
        sub: 's-1',
        username: 'u-1',
        unverifiedEmail: 'bob@example.com',
        enabled: false,
      });
    }
  });

  test("the `name` attribute is the user's name, trimmed; an empty one is none", () => {
    expect(directoryUser(user({ sub: 's-1', email: 'h@example.com', email_verified: 'true', name: '  Holly Holder ' }))?.name).toBe(
      'Holly Holder',
    );
    expect(directoryUser(user({ sub: 's-1', name: '   ' }))).not.toHaveProperty('name');
    expect(directoryUser(user({ sub: 's-1' }))).not.toHaveProperty('name');
  });
});
