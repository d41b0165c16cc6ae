/**
 * The house construct for every function of the service: a NodejsFunction with the
 * defaults fixed (Node 24 on arm64, its esbuild bundle with a source map, active tracing,
 * its own log group and its own role with no managed policies) and one way to turn
 * a function's `needs` into environment variables and least-privilege grants.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { AssetHashType, Duration, type ILocalBundling, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ApplicationLogLevel, Architecture, Code, LoggingFormat, Runtime, SystemLogLevel, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { type Need, type ServiceFunctionEntry, TIMEOUT_SECONDS } from '../../functions/registry';
import { receiptSignerRoleName } from './receipt-keys';

/** The project root: function entries are relative to it. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

export interface ServiceFunctionProps {
  /** Handler module, relative to the project root (e.g. `functions/health/handler.ts`); it exports `handler`. */
  readonly entry: string;
  /**
   * What the function is for, shown in the console.
   * @default - none
   */
  readonly description?: string;
  /**
   * Longest run of one invocation.
   * @default Duration.seconds(10); through `ofEntry`, its kind's (TIMEOUT_SECONDS in functions/registry.ts)
   */
  readonly timeout?: Duration;
  /**
   * Memory (and with it CPU) of the function, in MB.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * How long the function's log group keeps its events.
   * @default RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: RetentionDays;
  /**
   * What happens to the log group when the stack is deleted (`RETAIN` in prod: the logs outlive a destroy).
   * @default RemovalPolicy.DESTROY
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Concurrent executions reserved for (and capping) this function.
   * @default - none: the account's unreserved pool
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * Extra environment variables. Variables for needs come from `bindNeeds`.
   * @default - only NODE_OPTIONS=--enable-source-maps
   */
  readonly environment?: Record<string, string>;
  /**
   * Fixed name of the function's role. `ofEntry` names the role of a function with `receipts:sign`
   * (`<prefix>-receipt-signer-<name>`): the receipt keys' policy denies kms:Sign to any other principal.
   * @default - a generated name
   */
  readonly roleName?: string;
}

/** The table as the functions see it: its name, its ARN and the names of its indexes. */
export interface TableBinding {
  readonly table: ITableV2;
  /** The search indexes (table:search). */
  readonly indexNames: readonly string[];
  /** The reconciler's sparse index (table:due). */
  readonly dueIndexName: string;
}

/** Everything a need can refer to. */
export interface ServiceResources {
  readonly table: TableBinding;
  /** The approval state machine's ARN, built from its fixed name (no token reference: no cycle). */
  readonly stateMachineArn: string;
  /** The state machine's executions: `arn:…:execution:<state machine name>:*`. */
  readonly executionArns: string;
  /** `{"currentKeyId","keys":{...}}` for signing and verifying email links. */
  readonly linkKeys: ISecret;
  /** `{"currentKeyId","keys":{...}}` for signing callbacks to calling systems. */
  readonly callbackKeys: ISecret;
  /** Where calling systems may have callbacks sent (https URL prefixes; none when empty). */
  readonly callbackUrlPrefixes: readonly string[];
  /**
   * The receipt keys (KMS, ECC_NIST_P256): the one that signs now, and every one the JWKS lists (current first);
   * only roles whose name starts with `signerRolePrefix` may sign with them (their key policy).
   */
  readonly receipts: { readonly signingKeyArn: string; readonly keyArns: readonly string[]; readonly signerRolePrefix: string };
  /** The stack's own EventBridge bus, where the stream consumer publishes events. */
  readonly eventBus: { readonly eventBusName: string; readonly eventBusArn: string };
  /** The user directory: the stack's Cognito user pool. */
  readonly userPool: { readonly userPoolId: string; readonly userPoolArn: string };
  readonly email: {
    readonly senderEmail: string;
    /** ARN of the SES identity (address or domain) the sender belongs to. */
    readonly identityArn: string;
    /** ARNs of recipient identities SES also authorises in the sandbox. */
    readonly sandboxRecipientArns: readonly string[];
    readonly configurationSetName: string;
    readonly configurationSetArn: string;
    /** Base of the links in emails: the HTTP API's URL, no trailing slash. */
    readonly publicBaseUrl: string;
  };
}

/**
 * The directory's reads (functions/adapters/cognito-directory.ts), on the stack's pool only: the
 * adapter finds users with ListUsers filters (by sub, by email), so AdminGetUser is not granted.
 */
export const DIRECTORY_ACTIONS = ['cognito-idp:AdminListGroupsForUser', 'cognito-idp:ListUsers', 'cognito-idp:ListUsersInGroup'];

/**
 * The one DynamoDB action of each table need, and where: the repository's calls, one by one
 * (TransactWriteItems is authorised per item action: its Puts and Updates need PutItem and UpdateItem).
 */
export const TABLE_NEED_ACTIONS = {
  'table:get': { action: 'dynamodb:GetItem', on: 'table' },
  'table:query': { action: 'dynamodb:Query', on: 'table' },
  'table:search': { action: 'dynamodb:Query', on: 'indexes' },
  'table:put': { action: 'dynamodb:PutItem', on: 'table' },
  'table:update': { action: 'dynamodb:UpdateItem', on: 'table' },
  'table:delete': { action: 'dynamodb:DeleteItem', on: 'table' },
} as const;
export const START_ACTIONS = ['states:StartExecution'];
/** What the reconciler asks of an execution (DescribeExecution is authorised on execution ARNs). */
export const DESCRIBE_ACTIONS = ['states:DescribeExecution'];
/** What the workflow port's `finish` sends: success for a decision, failure for a delete. */
export const TASK_ACTIONS = ['states:SendTaskSuccess', 'states:SendTaskFailure'];

/** What every function of a stack shares: where its logs go and how long they stay. */
export type FunctionLogProps = Pick<ServiceFunctionProps, 'logRetention' | 'logRemovalPolicy'>;

/**
 * A function's bundling: infra/bundle-function.ts, in a local process, never in Docker, with the
 * options the bundle-size test and the benchmark measure (infra/bundling.ts). The CDK bundles an
 * asset once per distinct source and options and hands the output to the others, so the `entry`
 * field is part of those options: without it every function got the first function's bundle.
 */
class FunctionBundling implements ILocalBundling {
  constructor(readonly entry: string) {}

  tryBundle(outputDir: string): boolean {
    const script = path.join(PROJECT_ROOT, 'infra', 'bundle-function.ts');
    const run = spawnSync(process.execPath, ['--import', 'tsx', script, path.join(PROJECT_ROOT, this.entry), outputDir], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (run.status !== 0) throw new Error(`Bundling ${this.entry} failed: ${run.error?.message ?? `exit code ${run.status}`}`);
    return true;
  }
}

/**
 * A function's code: its bundle (`index.js` with its source map), made when a stack is synthesized
 * for deployment and hashed by its output, as NodejsFunction's own bundling does.
 */
const bundledCode = (entry: string): Code =>
  Code.fromAsset(PROJECT_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    // Required by the type; the local bundling either bundles or fails, never falls back to it.
    bundling: { image: Runtime.NODEJS_24_X.bundlingImage, local: new FunctionBundling(entry) },
  });

export class ServiceFunction extends NodejsFunction {
  /** The needs bound so far (for tests and reviews). */
  readonly needs = new Set<Need>();
  /** The name of its registry entry, when made by `ofEntry`. */
  registryName?: string;
  /** The role's fixed name, when given (`roleName`). */
  readonly roleName?: string;

  /**
   * The function of one registry entry (functions/registry.ts): id `<Name>Function`, the entry's
   * handler, its needs bound to `resources`.
   */
  static ofEntry(
    scope: Construct,
    entry: ServiceFunctionEntry,
    resources: ServiceResources,
    props: Omit<ServiceFunctionProps, 'entry'>,
  ): ServiceFunction {
    const id = `${entry.name.charAt(0).toUpperCase()}${entry.name.slice(1)}Function`;
    const signs = entry.needs.includes('receipts:sign');
    const fn = new ServiceFunction(scope, id, {
      timeout: Duration.seconds(TIMEOUT_SECONDS[entry.kind]),
      ...props,
      entry: entry.entry,
      // The receipt keys' policy lets only these role names sign.
      ...(signs ? { roleName: receiptSignerRoleName(resources.receipts.signerRolePrefix, entry.name) } : {}),
    }).bindNeeds(entry.needs, resources);
    fn.registryName = entry.name;
    return fn;
  }

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    // No fixed name: a retained group never collides with the next deploy's.
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    // Own role: writing to its own log group only, instead of AWSLambdaBasicExecutionRole (logs:* on every group).
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.entry}`,
      roleName: props.roleName,
    });
    logGroup.grantWrite(role);

    super(scope, id, {
      code: bundledCode(props.entry),
      handler: 'index.handler',
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      logGroup,
      // JSON lines from the runtime too (Powertools' logger writes JSON already); level filtering by Lambda.
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.WARN,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
    });
    this.roleName = props.roleName;

    // Active tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords, which have no resource-level permissions.
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the X-Ray actions that Lambda active tracing adds (xray:PutTraceSegments, xray:PutTelemetryRecords); X-Ray supports no resource-level permissions for them. Every other statement names its resources (asserted in test/unit/infra).',
    });
  }

  /**
   * Turns needs into environment variables and IAM statements, each scoped to the one
   * resource it names. A need this method does not know fails the type check.
   */
  bindNeeds(needs: readonly Need[], resources: ServiceResources): this {
    for (const need of needs) {
      if (this.needs.has(need)) continue;
      this.needs.add(need);
      switch (need) {
        case 'table:get':
        case 'table:query':
        case 'table:search':
        case 'table:put':
        case 'table:update':
        case 'table:delete':
          this.bindTable(resources.table, need);
          break;
        case 'workflow:start':
          this.addEnvironment('STATE_MACHINE_ARN', resources.stateMachineArn);
          this.addToRolePolicy(new PolicyStatement({ actions: START_ACTIONS, resources: [resources.stateMachineArn] }));
          break;
        case 'workflow:task':
          this.addEnvironment('STATE_MACHINE_ARN', resources.stateMachineArn);
          this.addToRolePolicy(new PolicyStatement({ actions: TASK_ACTIONS, resources: [resources.stateMachineArn] }));
          break;
        case 'workflow:describe':
          this.addEnvironment('STATE_MACHINE_ARN', resources.stateMachineArn);
          this.addToRolePolicy(new PolicyStatement({ actions: DESCRIBE_ACTIONS, resources: [resources.executionArns] }));
          break;
        case 'table:due':
          this.addEnvironment('TABLE_NAME', resources.table.table.tableName);
          this.addToRolePolicy(
            new PolicyStatement({
              actions: ['dynamodb:Query'],
              resources: [`${resources.table.table.tableArn}/index/${resources.table.dueIndexName}`],
            }),
          );
          break;
        case 'links:sign':
        case 'links:verify':
          this.bindSecret('LINK_KEYS_SECRET_ID', resources.linkKeys);
          break;
        case 'callback:sign':
          this.bindSecret('CALLBACK_KEYS_SECRET_ID', resources.callbackKeys);
          break;
        case 'email:send':
          this.bindEmail(resources.email);
          break;
        case 'directory:read':
          this.addEnvironment('USER_POOL_ID', resources.userPool.userPoolId);
          this.addToRolePolicy(new PolicyStatement({ actions: DIRECTORY_ACTIONS, resources: [resources.userPool.userPoolArn] }));
          break;
        case 'events:put':
          this.addEnvironment('EVENT_BUS_NAME', resources.eventBus.eventBusName);
          this.addToRolePolicy(new PolicyStatement({ actions: ['events:PutEvents'], resources: [resources.eventBus.eventBusArn] }));
          break;
        case 'callback:accept':
          this.addEnvironment('CALLBACK_URL_PREFIXES', resources.callbackUrlPrefixes.join(','));
          break;
        case 'receipts:sign':
          // The key policy denies kms:Sign to any role not named `<signerRolePrefix>…`: fail here rather than at the first signature.
          if (!this.roleName?.startsWith(resources.receipts.signerRolePrefix)) {
            throw new Error(
              `${this.node.path}: receipts:sign needs a role named ${resources.receipts.signerRolePrefix}<name> (ServiceFunction.ofEntry names it), got ${this.roleName ?? 'a generated name'}`,
            );
          }
          // kms:Sign on the current key only: the kid is the key id, so no GetPublicKey is needed to sign.
          this.addEnvironment('RECEIPT_SIGNING_KEY_ARN', resources.receipts.signingKeyArn);
          this.addEnvironment('PUBLIC_BASE_URL', resources.email.publicBaseUrl);
          this.addToRolePolicy(new PolicyStatement({ actions: ['kms:Sign'], resources: [resources.receipts.signingKeyArn] }));
          break;
        case 'receipts:publish':
          this.addEnvironment('RECEIPT_KEY_ARNS', resources.receipts.keyArns.join(','));
          this.addToRolePolicy(new PolicyStatement({ actions: ['kms:GetPublicKey'], resources: [...resources.receipts.keyArns] }));
          break;
        default: {
          const unknown: never = need;
          throw new Error(`no binding for need "${String(unknown)}"`);
        }
      }
    }
    return this;
  }

  private bindTable({ table, indexNames }: TableBinding, need: keyof typeof TABLE_NEED_ACTIONS) {
    this.addEnvironment('TABLE_NAME', table.tableName);
    const { action, on } = TABLE_NEED_ACTIONS[need];
    const resources = on === 'table' ? [table.tableArn] : indexNames.map((name) => `${table.tableArn}/index/${name}`);
    this.addToRolePolicy(new PolicyStatement({ actions: [action], resources }));
  }

  private bindSecret(variable: string, secret: ISecret) {
    this.addEnvironment(variable, secret.secretArn);
    // GetSecretValue only; the secrets use the account's aws/secretsmanager key, so no kms grant is needed.
    this.addToRolePolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }));
  }

  private bindEmail(email: ServiceResources['email']) {
    this.addEnvironment('SENDER_EMAIL', email.senderEmail);
    this.addEnvironment('PUBLIC_BASE_URL', email.publicBaseUrl);
    this.addEnvironment('SES_CONFIGURATION_SET', email.configurationSetName);
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [email.identityArn, email.configurationSetArn, ...email.sandboxRecipientArns],
      }),
    );
  }
}

/** The ARN of an SES identity (address or domain) of this stack's account and region. */
export const sesIdentityArn = (scope: Construct, identity: string) =>
  Stack.of(scope).formatArn({ service: 'ses', resource: 'identity', resourceName: identity });
