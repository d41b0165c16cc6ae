/** Deployment settings come from context; a wrong value stops synth with the parameter's name. */
import { App } from 'aws-cdk-lib';
import { readConfig } from '../../../infra/config';

const configWith = (context: Record<string, unknown>) => readConfig(new App({ context }));

describe('deployment settings', () => {
  test('defaults: stage dev, prefix approvals-dev, 90 days of logs, the sender as SES identity', () => {
    expect(configWith({ senderEmail: 'Approvals@Example.com' })).toMatchObject({
      stage: 'dev',
      prefix: 'approvals-dev',
      senderEmail: 'approvals@example.com',
      senderDomain: undefined,
      sandboxRecipients: [],
      logRetentionDays: 90,
    });
  });

  test('a sender domain gives a default address in that domain', () => {
    expect(configWith({ senderDomain: 'pki.example.org' })).toMatchObject({ senderEmail: 'approvals@pki.example.org', senderDomain: 'pki.example.org' });
  });

  test('callback URL prefixes: none by default; https prefixes ending with a slash, as a list or comma-separated', () => {
    expect(configWith({ senderEmail: 'a@example.com' }).callbackUrlPrefixes).toEqual([]);
    expect(configWith({ senderEmail: 'a@example.com', callbackUrlPrefixes: 'https://Hooks.example.com/, https://b.example.org/approvals/' }).callbackUrlPrefixes).toEqual([
      'https://hooks.example.com/',
      'https://b.example.org/approvals/',
    ]);
  });

  test('sandbox recipients may be a comma-separated string', () => {
    expect(configWith({ senderEmail: 'a@example.com', sandboxRecipients: 'x@example.com, y@example.com' }).sandboxRecipients).toEqual(['x@example.com', 'y@example.com']);
  });

  test.each([
    [{}, /"senderEmail" \(or "senderDomain"\) is required/],
    [{ senderEmail: 'not-an-address' }, /"senderEmail" must be an email address/],
    [{ senderEmail: 'a@example.com', senderDomain: 'other.org' }, /must be an address of "senderDomain"/],
    [{ senderEmail: 'a@example.com', stage: 'Prod!' }, /"stage" must be/],
    [{ senderEmail: 'a@example.com', logRetentionDays: 42 }, /"logRetentionDays" must be one of/],
    [{ senderEmail: 'a@example.com', authDomainPrefix: 'Has Spaces' }, /"authDomainPrefix"/],
    [{ senderEmail: 'a@example.com', callbackUrlPrefixes: 'http://hooks.example.com/' }, /"callbackUrlPrefixes" must list https URL prefixes/],
    [{ senderEmail: 'a@example.com', callbackUrlPrefixes: 'https://hooks.example.com/a' }, /"callbackUrlPrefixes"/],
    [{ senderEmail: 'a@example.com', callbackUrlPrefixes: 'https://u:p@hooks.example.com/' }, /"callbackUrlPrefixes"/],
    [{ senderEmail: 'a@example.com', callbackUrlPrefixes: 'not a url' }, /"callbackUrlPrefixes"/],
  ])('refuses %j', (context, message) => {
    expect(() => configWith(context)).toThrow(message);
  });
});
