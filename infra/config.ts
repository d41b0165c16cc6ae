/**
 * Deployment settings, read once from CDK context (`cdk.json` or `-c name=value`).
 * A wrong value stops synth with a message naming the parameter.
 */
import type { App } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

export interface DeploymentConfig {
  /** Short stage name (`dev`, `prod`): part of stack and resource names. */
  readonly stage: string;
  /** Prefix of stack and resource names, e.g. `approvals-dev`. */
  readonly prefix: string;
  /** The From address of every email. */
  readonly senderEmail: string;
  /** When set, the SES identity is this domain (DKIM records to publish); otherwise the sender address. */
  readonly senderDomain?: string;
  /** Sandbox only: recipient addresses to verify and authorise (SES checks recipients' identities in the sandbox). */
  readonly sandboxRecipients: string[];
  /** Where alarm notifications go, if anywhere. */
  readonly alarmEmail?: string;
  /** Prefix of the Cognito domain `<prefix>.auth.<region>.amazoncognito.com` (token endpoint, sign-in pages). */
  readonly authDomainPrefix?: string;
  /** OAuth redirect URLs of the users' app client (sign-in through the Cognito pages). */
  readonly callbackUrls: string[];
  /**
   * URL prefixes a calling system's callbackUrl must start with (https only); none allowed when
   * empty. Each ends with `/` so that a prefix cannot match another host or path.
   */
  readonly callbackUrlPrefixes: string[];
  /** Retention of function, workflow and access logs, in days. */
  readonly logRetentionDays: RetentionDays;
  /** The API's own host name (links in emails use it); with `apiCertificateArn`. Unset: the execute-api URL (trials only). */
  readonly apiDomain?: string;
  /** ACM certificate for `apiDomain`, in the stacks' region. */
  readonly apiCertificateArn?: string;
  /** `create`: the stateful stack creates the SES identity; `existing`: it uses one that exists (and is verified) already. */
  readonly senderIdentity: 'create' | 'existing';
  /** Who sends Cognito's emails (temporary passwords, codes): `ses` (the sender identity) or `cognito` (its default sender, 50 a day). */
  readonly cognitoEmail: 'ses' | 'cognito';
  /** Concurrency reserved for each signed-link function; 0: none (new accounts whose quota is too low to reserve any). */
  readonly linkConcurrency: number;
  /** Concurrency reserved for the reconciler: 1 (one run at a time); 0: none (an account whose quota is too low to reserve any). */
  readonly reconcilerConcurrency: 0 | 1;
  /**
   * The receipt keys' generations, oldest first (default `1`): the last one signs, every one listed
   * stays in the JWKS. Rotate by adding the next number; drop an old one once its receipts have
   * expired (infra/README.md: Receipt keys).
   */
  readonly receiptKeys: number[];
  /** True for the production stage: stricter settings, retained logs, no password sign-in flow. */
  readonly production: boolean;
  /** Account and region the stacks are bound to: pinned in code for prod, the CLI's defaults otherwise. */
  readonly env: { readonly account?: string; readonly region?: string };
}

/** The stage whose settings are checked for placeholders and whose account and region are pinned below. */
export const PRODUCTION_STAGE = 'prod';

/**
 * Where each pinned stage deploys. Production is bound to one account and region in code, so a
 * deploy with someone's default credentials cannot land elsewhere; set the real values here.
 */
export const PINNED_ENVIRONMENTS: Readonly<Record<string, { readonly account: string; readonly region: string }>> = {
  [PRODUCTION_STAGE]: { account: '000000000000', region: 'eu-west-1' },
};
const PLACEHOLDER_ACCOUNT = '000000000000';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](-*[a-z0-9])*)(\.[a-z0-9](-*[a-z0-9])*)+$/i;
const STAGE = /^[a-z][a-z0-9-]{0,15}$/;
const DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):(\d{12}):certificate\/[0-9a-f-]+$/;
/** Documentation domains (RFC 2606) and the like: fine for a trial, never for production. */
const PLACEHOLDER_DOMAIN = /(^|\.)(example\.(com|org|net)|example|test|invalid|localhost)$/;
const LOCAL_URL = /^http:|\/\/(localhost|127\.|\[::1\])/;

export function readConfig(app: App, pinned: typeof PINNED_ENVIRONMENTS = PINNED_ENVIRONMENTS): DeploymentConfig {
  const text = (name: string): string | undefined => {
    const value = app.node.tryGetContext(name);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') throw new Error(`context parameter "${name}" must be a string, got ${JSON.stringify(value)}`);
    return value.trim();
  };
  const list = (name: string): string[] => {
    const value = app.node.tryGetContext(name);
    if (value === undefined || value === null || value === '') return [];
    if (Array.isArray(value)) return value.map(String);
    if (typeof value === 'string')
      return value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
    throw new Error(`context parameter "${name}" must be a list or a comma-separated string`);
  };
  const check = (name: string, value: string | undefined, pattern: RegExp, what: string) => {
    if (value !== undefined && !pattern.test(value)) throw new Error(`context parameter "${name}" must be ${what}, got "${value}"`);
    return value;
  };

  const stage = check(
    'stage',
    text('stage') ?? 'dev',
    STAGE,
    'lower-case letters, digits and dashes, starting with a letter (max 16)',
  ) as string;
  const senderDomain = check('senderDomain', text('senderDomain')?.toLowerCase(), DOMAIN, 'a domain name');
  const senderEmail = check(
    'senderEmail',
    text('senderEmail')?.toLowerCase() ?? (senderDomain ? `approvals@${senderDomain}` : undefined),
    EMAIL,
    'an email address',
  );
  if (!senderEmail) throw new Error('context parameter "senderEmail" (or "senderDomain") is required: the From address of the emails');
  if (senderDomain && !senderEmail.endsWith(`@${senderDomain}`)) {
    throw new Error(`context parameter "senderEmail" (${senderEmail}) must be an address of "senderDomain" (${senderDomain})`);
  }
  const sandboxRecipients = list('sandboxRecipients').map(
    (address) => check('sandboxRecipients', address.toLowerCase(), EMAIL, 'a list of email addresses') as string,
  );
  const logRetentionDays = Number(app.node.tryGetContext('logRetentionDays') ?? 90);
  if (!(Object.values(RetentionDays) as unknown[]).includes(logRetentionDays) || logRetentionDays === RetentionDays.INFINITE) {
    throw new Error(
      `context parameter "logRetentionDays" must be one of CloudWatch's retention periods (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ...), got ${logRetentionDays}`,
    );
  }

  const callbackUrlPrefixes = list('callbackUrlPrefixes').map((prefix) => {
    const url = URL.canParse(prefix) ? new URL(prefix) : undefined;
    if (url?.protocol !== 'https:' || url.username || url.password || url.search || url.hash || !url.pathname.endsWith('/')) {
      throw new Error(
        `context parameter "callbackUrlPrefixes" must list https URL prefixes ending with "/" (no user, query or fragment), got "${prefix}"`,
      );
    }
    return url.href;
  });

  const choice = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = text(name) ?? fallback;
    if (!(allowed as readonly string[]).includes(value))
      throw new Error(`context parameter "${name}" must be one of ${allowed.join(', ')}, got "${value}"`);
    return value as T;
  };

  const apiDomain = check('apiDomain', text('apiDomain')?.toLowerCase(), DOMAIN, 'a domain name');
  const apiCertificateArn = check('apiCertificateArn', text('apiCertificateArn'), CERTIFICATE_ARN, 'the ARN of an ACM certificate');
  if (Boolean(apiDomain) !== Boolean(apiCertificateArn)) {
    throw new Error(
      'context parameters "apiDomain" and "apiCertificateArn" go together: set both (custom domain) or neither (execute-api URL, trials only)',
    );
  }
  const senderIdentity = choice('senderIdentity', ['create', 'existing'] as const, 'create');
  // Cognito refuses an SES identity that is not verified yet: a new identity is verified after the first deploy.
  const cognitoEmail = choice('cognitoEmail', ['ses', 'cognito'] as const, senderIdentity === 'existing' ? 'ses' : 'cognito');
  const callbackUrls = list('callbackUrls').length ? list('callbackUrls') : ['http://localhost:8080/callback'];
  const alarmEmail = check('alarmEmail', text('alarmEmail'), EMAIL, 'an email address');
  const linkConcurrency = Number(app.node.tryGetContext('linkConcurrency') ?? 10);
  if (!Number.isInteger(linkConcurrency) || linkConcurrency < 0 || linkConcurrency > 1000) {
    throw new Error(
      `context parameter "linkConcurrency" must be an integer from 0 to 1000, got ${app.node.tryGetContext('linkConcurrency')}`,
    );
  }
  const reconcilerConcurrency = Number(app.node.tryGetContext('reconcilerConcurrency') ?? 1);
  if (reconcilerConcurrency !== 0 && reconcilerConcurrency !== 1) {
    throw new Error(
      `context parameter "reconcilerConcurrency" must be 1 (one run at a time) or 0 (none reserved), got ${app.node.tryGetContext('reconcilerConcurrency')}`,
    );
  }

  const receiptKeys = (list('receiptKeys').length ? list('receiptKeys') : ['1']).map(Number);
  if (!receiptKeys.every((n, i) => Number.isInteger(n) && n >= 1 && (i === 0 || n > (receiptKeys[i - 1] ?? 0)))) {
    throw new Error(
      `context parameter "receiptKeys" must list key generations as increasing positive integers (e.g. 1,2), got ${JSON.stringify(app.node.tryGetContext('receiptKeys'))}`,
    );
  }

  const production = stage === PRODUCTION_STAGE;
  const env = pinned[stage] ?? { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  if (production) {
    const problems: string[] = [];
    const pin = pinned[stage];
    if (!pin || !/^\d{12}$/.test(pin.account) || pin.account === PLACEHOLDER_ACCOUNT)
      problems.push('its account is not pinned: set PINNED_ENVIRONMENTS.prod in infra/config.ts');
    if (PLACEHOLDER_DOMAIN.test(senderEmail.split('@')[1] ?? '')) problems.push(`"senderEmail" is a placeholder (${senderEmail})`);
    if (senderDomain && PLACEHOLDER_DOMAIN.test(senderDomain)) problems.push(`"senderDomain" is a placeholder (${senderDomain})`);
    const local = callbackUrls.filter((url) => LOCAL_URL.test(url));
    if (local.length) problems.push(`"callbackUrls" must be https addresses of the real app, not ${local.join(', ')}`);
    if (!apiDomain)
      problems.push('"apiDomain" and "apiCertificateArn" are required: links in emails must use the organisation\'s own domain');
    else if (PLACEHOLDER_DOMAIN.test(apiDomain)) problems.push(`"apiDomain" is a placeholder (${apiDomain})`);
    if (alarmEmail && PLACEHOLDER_DOMAIN.test(alarmEmail.split('@')[1] ?? ''))
      problems.push(`"alarmEmail" is a placeholder (${alarmEmail})`);
    if (linkConcurrency === 0) problems.push('"linkConcurrency" must reserve concurrency for the public link functions');
    if (reconcilerConcurrency === 0) problems.push('"reconcilerConcurrency" must be 1: two reconciler runs must never overlap');
    if (cognitoEmail !== 'ses')
      problems.push(
        '"cognitoEmail" must be ses (Cognito\'s own sender sends 50 emails a day): verify the sender identity first and set "senderIdentity" to existing',
      );
    if (problems.length) throw new Error(`stage ${stage} refuses to synthesize: ${problems.join('; ')}`);
  }
  if (apiCertificateArn && env.region) {
    const region = CERTIFICATE_ARN.exec(apiCertificateArn)?.[1];
    if (region !== env.region)
      throw new Error(
        `context parameter "apiCertificateArn" must be a certificate in the stacks' region ${env.region}, got one in ${region}`,
      );
  }

  return {
    stage,
    prefix: `approvals-${stage}`,
    senderEmail,
    senderDomain,
    sandboxRecipients,
    receiptKeys,
    alarmEmail,
    authDomainPrefix: check('authDomainPrefix', text('authDomainPrefix'), DOMAIN_PREFIX, 'lower-case letters, digits and dashes'),
    callbackUrls,
    callbackUrlPrefixes,
    logRetentionDays: logRetentionDays as RetentionDays,
    apiDomain,
    apiCertificateArn,
    senderIdentity,
    cognitoEmail,
    linkConcurrency,
    reconcilerConcurrency,
    production,
    env,
  };
}
