/**
 * One rule for settings: a function's environment follows from its entry's `needs` in the
 * function registry (functions/registry.ts), through NEED_VARIABLES. The CDK stack
 * sets the same variables for the same needs (test/unit/infra/environment.spec.ts checks both
 * sides). Each function reads its settings when its module loads, so a missing or malformed
 * variable stops it at cold start with a message naming the variable, never on a user's request.
 */
import * as z from '../domain/zod';
import { functionNamed, type Need } from '../registry';

const secretId = z.string().check(z.minLength(1));
const arn = z.string().check(z.startsWith('arn:', 'must be an ARN'));
const tableName = z.string().check(z.minLength(3));
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;
const kmsKeyArn = z.string().check(z.regex(KMS_KEY_ARN, 'must be a KMS key ARN'));
const kmsKeyArns = z.string().check(
  z.refine((value) => {
    const arns = value.split(',').map((arn) => arn.trim());
    return arns.length > 0 && arns.every((arn) => KMS_KEY_ARN.test(arn));
  }, 'must be comma-separated KMS key ARNs'),
);
const callbackUrlPrefixes = z.string().check(
  z.superRefine((value, ctx) => {
    try {
      parseCallbackUrlPrefixes(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  }),
);

/** The environment variables each need brings. */
export const NEED_VARIABLES = {
  'table:get': { TABLE_NAME: tableName },
  'table:query': { TABLE_NAME: tableName },
  'table:search': { TABLE_NAME: tableName },
  'table:put': { TABLE_NAME: tableName },
  'table:update': { TABLE_NAME: tableName },
  'table:delete': { TABLE_NAME: tableName },
  'table:due': { TABLE_NAME: tableName },
  'workflow:describe': { STATE_MACHINE_ARN: arn },
  'workflow:start': { STATE_MACHINE_ARN: arn },
  /** SendTaskSuccess needs only the token; the stack scopes the grant to the state machine and sets its ARN too. */
  'workflow:task': { STATE_MACHINE_ARN: arn },
  'links:sign': { LINK_KEYS_SECRET_ID: secretId },
  'links:verify': { LINK_KEYS_SECRET_ID: secretId },
  'callback:sign': { CALLBACK_KEYS_SECRET_ID: secretId },
  /** Comma-separated URL prefixes a calling system's callbackUrl must start with; empty allows none. */
  'callback:accept': { CALLBACK_URL_PREFIXES: callbackUrlPrefixes },
  /** A configuration set is optional in SES (the local SES has none); bounce tracking needs it in the cloud. */
  /** Reads of the user directory (the Cognito user pool): users by sub or email, groups, group members. */
  'directory:read': { USER_POOL_ID: z.string().check(z.regex(/^[\w-]+_[0-9a-zA-Z]+$/, 'must be a Cognito user pool id')) },
  /** The stack's own EventBridge bus, by name. */
  'events:put': { EVENT_BUS_NAME: z.string().check(z.regex(/^[\w.\-/]{1,256}$/, 'must be an event bus name')) },
  'email:send': { SENDER_EMAIL: z.email(), PUBLIC_BASE_URL: z.url(), SES_CONFIGURATION_SET: z.optional(z.string().check(z.minLength(1))) },
  /** The KMS key that signs receipts now (its ARN: the `kid` is its key id) and the API's public URL (the receipts' `iss`). */
  'receipts:sign': { RECEIPT_SIGNING_KEY_ARN: kmsKeyArn, PUBLIC_BASE_URL: z.url() },
  /** Comma-separated ARNs of the receipt keys whose public halves the JWKS lists: the current key first, then older ones. */
  'receipts:publish': { RECEIPT_KEY_ARNS: kmsKeyArns },
} as const satisfies Record<Need, z.core.$ZodShape>;

type Shapes = (typeof NEED_VARIABLES)[Need];
type AllVariables = { [Shape in Shapes as keyof Shape & string]: string };
/** The settings of a function: only the variables its needs bring are present. */
export type Settings = Readonly<Partial<AllVariables>>;
export type SettingName = keyof AllVariables;

/** The needs of a function of the service, by its name in the function registry. */
export function needsOf(name: string): readonly Need[] {
  return functionNamed(name).needs;
}

/** The schema of the environment that these needs bring. */
export function environmentSchema(needs: readonly Need[]): z.ZodMiniObject<z.core.$ZodShape> {
  return z.object(Object.assign({}, ...needs.map((need) => NEED_VARIABLES[need])) as z.core.$ZodShape);
}

/** Reads and checks a function's settings from the environment; throws naming every missing or invalid variable. */
export function readSettings(needs: readonly Need[], env: NodeJS.ProcessEnv = process.env): Settings {
  const result = environmentSchema(needs).safeParse(env);
  if (!result.success) {
    const names = result.error.issues.map((issue) => `${issue.path.join('.')} (${issue.message})`).join(', ');
    throw new Error(`configuration error: environment variable(s) missing or invalid: ${names}`);
  }
  return result.data as Settings;
}

/** A setting the function's needs bring. Asking for another one is a programming error, found at load. */
export function setting(settings: Settings, name: SettingName): string {
  const value = settings[name];
  if (value === undefined) throw new Error(`configuration error: ${name} is not among this function's needs`);
  return value;
}

/**
 * The allowed prefixes from the comma-separated setting, each in the form a URL parser gives
 * (`https://Example.com` becomes `https://example.com/`, so a bare origin cannot match
 * `https://example.com.evil.org`). Throws naming a prefix that is not an http(s) URL.
 */
export function parseCallbackUrlPrefixes(setting: string): string[] {
  return setting
    .split(',')
    .map((prefix) => prefix.trim())
    .filter(Boolean)
    .map((prefix) => {
      let url: URL;
      try {
        url = new URL(prefix);
      } catch {
        throw new Error(`callback URL prefix ${prefix} is not an absolute URL`);
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`callback URL prefix ${prefix} is not an http(s) URL`);
      if (url.username || url.password) throw new Error(`callback URL prefix ${prefix} carries user information`);
      return url.href;
    });
}

/** Where calling systems may have callbacks sent (CALLBACK_URL_PREFIXES); none when absent or empty. */
export const callbackUrlPrefixesOf = (settings: Settings): string[] => parseCallbackUrlPrefixes(settings.CALLBACK_URL_PREFIXES ?? '');
