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
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](-*[a-z0-9])*)(\.[a-z0-9](-*[a-z0-9])*)+$/i;
const STAGE = /^[a-z][a-z0-9-]{0,15}$/;
const DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export function readConfig(app: App): DeploymentConfig {
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
    if (typeof value === 'string') return value.split(',').map((item) => item.trim()).filter(Boolean);
    throw new Error(`context parameter "${name}" must be a list or a comma-separated string`);
  };
  const check = (name: string, value: string | undefined, pattern: RegExp, what: string) => {
    if (value !== undefined && !pattern.test(value)) throw new Error(`context parameter "${name}" must be ${what}, got "${value}"`);
    return value;
  };

  const stage = check('stage', text('stage') ?? 'dev', STAGE, 'lower-case letters, digits and dashes, starting with a letter (max 16)') as string;
  const senderDomain = check('senderDomain', text('senderDomain')?.toLowerCase(), DOMAIN, 'a domain name');
  const senderEmail = check('senderEmail', text('senderEmail')?.toLowerCase() ?? (senderDomain ? `approvals@${senderDomain}` : undefined), EMAIL, 'an email address');
  if (!senderEmail) throw new Error('context parameter "senderEmail" (or "senderDomain") is required: the From address of the emails');
  if (senderDomain && !senderEmail.endsWith(`@${senderDomain}`)) {
    throw new Error(`context parameter "senderEmail" (${senderEmail}) must be an address of "senderDomain" (${senderDomain})`);
  }
  const sandboxRecipients = list('sandboxRecipients').map((address) => check('sandboxRecipients', address.toLowerCase(), EMAIL, 'a list of email addresses') as string);
  const logRetentionDays = Number(app.node.tryGetContext('logRetentionDays') ?? 90);
  if (!(Object.values(RetentionDays) as unknown[]).includes(logRetentionDays) || logRetentionDays === RetentionDays.INFINITE) {
    throw new Error(`context parameter "logRetentionDays" must be one of CloudWatch's retention periods (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ...), got ${logRetentionDays}`);
  }

  const callbackUrlPrefixes = list('callbackUrlPrefixes').map((prefix) => {
    let url: URL | undefined;
    try {
      url = new URL(prefix);
    } catch {
      url = undefined;
    }
    if (!url || url.protocol !== 'https:' || url.username || url.password || url.search || url.hash || !url.pathname.endsWith('/')) {
      throw new Error(`context parameter "callbackUrlPrefixes" must list https URL prefixes ending with "/" (no user, query or fragment), got "${prefix}"`);
    }
    return url.href;
  });

  return {
    stage,
    prefix: `approvals-${stage}`,
    senderEmail,
    senderDomain,
    sandboxRecipients,
    alarmEmail: check('alarmEmail', text('alarmEmail'), EMAIL, 'an email address'),
    authDomainPrefix: check('authDomainPrefix', text('authDomainPrefix'), DOMAIN_PREFIX, 'lower-case letters, digits and dashes'),
    callbackUrls: list('callbackUrls').length ? list('callbackUrls') : ['http://localhost:8080/callback'],
    callbackUrlPrefixes,
    logRetentionDays: logRetentionDays as RetentionDays,
  };
}
