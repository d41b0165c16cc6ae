/** Deployment settings come from context; a wrong value stops synth with the parameter's name. */
import { App } from 'aws-cdk-lib';
import { type PINNED_ENVIRONMENTS, readConfig } from '../../../infra/config';
import { assemblyDir, PRODUCTION_CONTEXT, PRODUCTION_PIN } from '../../helpers/infra';

const configWith = (context: Record<string, unknown>, pinned?: typeof PINNED_ENVIRONMENTS) =>
  readConfig(new App({ context, outdir: assemblyDir() }), pinned);

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
    expect(configWith({ senderDomain: 'pki.example.org' })).toMatchObject({
      senderEmail: 'approvals@pki.example.org',
      senderDomain: 'pki.example.org',
    });
  });

  test('callback URL prefixes: none by default; https prefixes ending with a slash, as a list or comma-separated', () => {
    expect(configWith({ senderEmail: 'a@example.com' }).callbackUrlPrefixes).toEqual([]);
    expect(
      configWith({ senderEmail: 'a@example.com', callbackUrlPrefixes: 'https://Hooks.example.com/, https://b.example.org/approvals/' })
        .callbackUrlPrefixes,
    ).toEqual(['https://hooks.example.com/', 'https://b.example.org/approvals/']);
  });

  test('sandbox recipients may be a comma-separated string', () => {
    expect(configWith({ senderEmail: 'a@example.com', sandboxRecipients: 'x@example.com, y@example.com' }).sandboxRecipients).toEqual([
      'x@example.com',
      'y@example.com',
    ]);
  });

  test.each([
    [{}, /"senderEmail" \(or "senderDomain"\) is required/],
    [{ senderEmail: 'not-an-address' }, /"senderEmail" must be an email address/],
    [{ senderEmail: 'a@example.com', senderDomain: 'other.org' }, /must be an address of "senderDomain"/],
    [{ senderEmail: 'a@example.com', stage: 'Prod!' }, /"stage" must be/],
    [{ senderEmail: 'a@example.com', logRetentionDays: 42 }, /"logRetentionDays" must be one of/],
    [{ senderEmail: 'a@example.com', authDomainPrefix: 'Has Spaces' }, /"authDomainPrefix"/],
    [
      { senderEmail: 'a@example.com', callbackUrlPrefixes: 'http://hooks.example.com/' },
      /"callbackUrlPrefixes" must list https URL prefixes/,
    ],
    [{ senderEmail: 'a@example.com', callbackUrlPrefixes: 'https://hooks.example.com/a' }, /"callbackUrlPrefixes"/],
    [{ senderEmail: 'a@example.com', callbackUrlPrefixes: 'https://u:p@hooks.example.com/' }, /"callbackUrlPrefixes"/],
    [{ senderEmail: 'a@example.com', callbackUrlPrefixes: 'not a url' }, /"callbackUrlPrefixes"/],
    [{ senderEmail: 'a@example.com', apiDomain: 'approvals.corp-a.net' }, /"apiDomain" and "apiCertificateArn" go together/],
    [
      { senderEmail: 'a@example.com', apiCertificateArn: PRODUCTION_CONTEXT.apiCertificateArn },
      /"apiDomain" and "apiCertificateArn" go together/,
    ],
    [
      { senderEmail: 'a@example.com', apiDomain: 'x.corp-a.net', apiCertificateArn: 'arn:aws:iam::1:certificate/x' },
      /"apiCertificateArn" must be the ARN of an ACM certificate/,
    ],
    [{ senderEmail: 'a@example.com', senderIdentity: 'maybe' }, /"senderIdentity" must be one of create, existing/],
    [{ senderEmail: 'a@example.com', linkConcurrency: -1 }, /"linkConcurrency" must be an integer from 0 to 1000/],
    [{ senderEmail: 'a@example.com', reconcilerConcurrency: 2 }, /"reconcilerConcurrency" must be 1 \(one run at a time\) or 0/],
  ])('refuses %j', (context, message) => {
    expect(() => configWith(context)).toThrow(message);
  });

  test("a custom domain needs a certificate in the stacks' own region", () => {
    expect(() =>
      configWith(
        { ...PRODUCTION_CONTEXT, stage: 'prod', apiCertificateArn: PRODUCTION_CONTEXT.apiCertificateArn.replace('eu-west-1', 'us-east-1') },
        PRODUCTION_PIN,
      ),
    ).toThrow(/certificate in the stacks' region eu-west-1, got one in us-east-1/);
  });
});

describe('production', () => {
  test('real settings and a pinned account: accepted, bound to that account and region', () => {
    expect(configWith(PRODUCTION_CONTEXT, PRODUCTION_PIN)).toMatchObject({
      production: true,
      env: PRODUCTION_PIN.prod,
      cognitoEmail: 'ses',
      apiDomain: 'approvals.pki.corp-a.net',
    });
  });

  test("the account and region are pinned in code, whatever the CLI's credentials say", () => {
    const before = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
    process.env.CDK_DEFAULT_ACCOUNT = '999999999999';
    process.env.CDK_DEFAULT_REGION = 'ap-south-1';
    try {
      expect(configWith(PRODUCTION_CONTEXT, PRODUCTION_PIN).env).toEqual(PRODUCTION_PIN.prod);
      expect(configWith({ senderEmail: 'a@example.com' }).env).toEqual({ account: '999999999999', region: 'ap-south-1' });
    } finally {
      for (const [name, value] of [
        ['CDK_DEFAULT_ACCOUNT', before.account],
        ['CDK_DEFAULT_REGION', before.region],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  test("the repository's own pin is a placeholder, so prod cannot synthesize until someone sets it", () => {
    expect(() => configWith(PRODUCTION_CONTEXT)).toThrow(/its account is not pinned: set PINNED_ENVIRONMENTS.prod in infra\/config.ts/);
  });

  test.each([
    [{ senderEmail: 'approvals@example.com' }, /"senderEmail" is a placeholder/],
    [{ senderEmail: 'approvals@pki.example.org', senderDomain: 'pki.example.org' }, /"senderDomain" is a placeholder/],
    [{ callbackUrls: 'http://localhost:8080/callback' }, /"callbackUrls" must be https addresses/],
    [{ callbackUrls: 'https://127.0.0.1/callback' }, /"callbackUrls" must be https addresses/],
    [{ callbackUrls: undefined }, /"callbackUrls" must be https addresses/],
    [{ apiDomain: undefined, apiCertificateArn: undefined }, /"apiDomain" and "apiCertificateArn" are required/],
    [{ apiDomain: 'approvals.example.com' }, /"apiDomain" is a placeholder/],
    [{ senderIdentity: 'create' }, /"cognitoEmail" must be ses/],
    [{ cognitoEmail: 'cognito' }, /"cognitoEmail" must be ses/],
    [{ alarmEmail: 'ops@example.net' }, /"alarmEmail" is a placeholder/],
    [{ linkConcurrency: 0 }, /"linkConcurrency" must reserve concurrency/],
    [{ reconcilerConcurrency: 0 }, /"reconcilerConcurrency" must be 1/],
  ])('refuses a placeholder: %j', (override, message) => {
    const context: Record<string, unknown> = { ...PRODUCTION_CONTEXT, ...override };
    for (const [name, value] of Object.entries(override)) if (value === undefined) delete context[name];
    expect(() => configWith(context, PRODUCTION_PIN)).toThrow(message);
  });
});
