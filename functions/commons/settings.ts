/**
 * One rule for settings: a function's environment follows from its entry's `needs` (in the
 * operations list, the step list, or SES_EVENTS_FUNCTION), through NEED_VARIABLES. The CDK stack
 * sets the same variables for the same needs (test/unit/infra/environment.spec.ts checks both
 * sides). Each function reads its settings when its module loads, so a missing or malformed
 * variable stops it at cold start with a message naming the variable, never on a user's request.
 */
import * as z from 'zod';
import { APPROVAL_STEPS, RECONCILER_FUNCTION, STREAM_CONSUMER_FUNCTION, type StepNeed } from '../approval-steps';
import { parseCallbackUrlPrefixes } from '../domain/callbacks';
import { type Need, OPERATIONS } from '../operations';

export type AnyNeed = Need | StepNeed;

const secretId = z.string().min(1);
const arn = z.string().startsWith('arn:', 'must be an ARN');
const tableName = z.string().min(3);
const callbackUrlPrefixes = z.string().superRefine((value, ctx) => {
  try {
    parseCallbackUrlPrefixes(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

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
  'directory:read': { USER_POOL_ID: z.string().regex(/^[\w-]+_[0-9a-zA-Z]+$/, 'must be a Cognito user pool id') },
  'email:send': { SENDER_EMAIL: z.email(), PUBLIC_BASE_URL: z.url(), SES_CONFIGURATION_SET: z.string().min(1).optional() },
} as const satisfies Record<AnyNeed, z.ZodRawShape>;

type Shapes = (typeof NEED_VARIABLES)[AnyNeed];
type AllVariables = { [Shape in Shapes as keyof Shape & string]: string };
/** The settings of a function: only the variables its needs bring are present. */
export type Settings = Readonly<Partial<AllVariables>>;
export type SettingName = keyof AllVariables;

/**
 * SES delivery problems (configuration set → SNS → SQS queue → this function). Its code reads the
 * request and appends a history item; the queue's poller permissions are the stack's, not a need.
 */
export const SES_EVENTS_FUNCTION = {
  name: 'sesEvents',
  entry: 'functions/ses-events/handler.ts',
  needs: ['table:get', 'table:put'],
} as const;

/** The needs of a function of the service, by its name in the operations list, the step list, `sesEvents`, `reconciler` or `streamConsumer`. */
export function needsOf(name: string): readonly AnyNeed[] {
  const entry = [...OPERATIONS, ...APPROVAL_STEPS, SES_EVENTS_FUNCTION, RECONCILER_FUNCTION, STREAM_CONSUMER_FUNCTION].find(
    (candidate) => candidate.name === name,
  );
  if (!entry) throw new Error(`configuration error: no function named ${name}`);
  return entry.needs;
}

/** The schema of the environment that these needs bring. */
export function environmentSchema(needs: readonly AnyNeed[]): z.ZodObject<z.ZodRawShape> {
  return z.object(Object.assign({}, ...needs.map((need) => NEED_VARIABLES[need])) as z.ZodRawShape);
}

/** Reads and checks a function's settings from the environment; throws naming every missing or invalid variable. */
export function readSettings(needs: readonly AnyNeed[], env: NodeJS.ProcessEnv = process.env): Settings {
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
