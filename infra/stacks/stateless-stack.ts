/**
 * Everything that can be redeployed or destroyed without losing data: the functions,
 * the HTTP API, the approval workflow, the SES configuration set with its bounce and
 * complaint handling, and the alarms. It gets the stateful resources as typed props.
 *
 * The routes come from functions/operations.ts and the workflow's task functions from
 * functions/approval-steps.ts: one function per entry, its grants from its `needs`.
 */
import * as path from 'node:path';
import { ArnFormat, CfnOutput, Duration, Fn, Lazy, RemovalPolicy, Stack, type StackProps, Token, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  ApiMapping,
  type CfnStage,
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  type HttpRoute,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { FilterPattern, LogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { ConfigurationSet, ConfigurationSetTlsPolicy, EmailSendingEvent, EventDestination, SuppressionReasons } from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { CALLING_SYSTEM_OPERATIONS, type Method, OPERATIONS, type Operation } from '../../functions/operations';
import { APPROVAL_STEPS, type ApprovalStep, RECONCILER_FUNCTION } from '../../functions/approval-steps';
import { SES_EVENTS_FUNCTION } from '../../functions/commons/settings';
import type { DeploymentConfig } from '../config';
import { ConsoleSite } from '../constructs/console-site';
import { Monitoring } from '../constructs/monitoring';
import { PROJECT_ROOT, ServiceFunction, type ServiceResources } from '../constructs/service-function';
import { StreamConsumer } from '../constructs/stream-consumer';
import type { StatefulResources } from './stateful-stack';

/** The only workflow definition; CDK loads it as it is, the local engine runs the same file. */
export const WORKFLOW_DEFINITION = 'statemachines/approval.asl.json';

/**
 * CALLING_SYSTEM_OPERATIONS (functions/operations.ts, shared with the local gateway): the operations
 * that calling systems (the machine client's access tokens) may call; every other route takes
 * people's tokens only. Their scope cannot be required by the authorizer on a route that people's
 * ID tokens also use (ID tokens carry no `scope` claim, and a route with authorization scopes
 * refuses a token without one): the machine client can only be issued the on-behalf scope, and
 * the create function checks it again.
 */
export { CALLING_SYSTEM_OPERATIONS };

/** Per-route throttles of the public routes (requests per second, burst), tighter than the stage's default. */
export const PUBLIC_ROUTE_THROTTLES: Readonly<Record<string, { readonly rateLimit: number; readonly burstLimit: number }>> = {
  '/health': { rateLimit: 5, burstLimit: 10 },
  '/openapi.json': { rateLimit: 2, burstLimit: 5 },
  '/links/{id}/{action}': { rateLimit: 10, burstLimit: 20 },
};
/** Default throttle of every other route. */
export const DEFAULT_ROUTE_THROTTLE = { rateLimit: 50, burstLimit: 100 };

/**
 * How often the reconciler runs in the cloud (README: Guarantees): every minute, so a decision stored
 * while Step Functions could not be told reaches the workflow within a minute of its recovery.
 */
export const RECONCILE_EVERY_MINUTES = 1;

/** The schedule's rate expression: the unit is singular for 1 (`rate(1 minute)`), as EventBridge requires. */
export const reconcileRate = (minutes: number) => `rate(${minutes} ${minutes === 1 ? 'minute' : 'minutes'})`;

/** The access-log metric that counts 4xx answers on the signed-link routes. */
export const LINK_4XX_METRIC = { namespace: 'Approvals', metricName: 'LinkRoute4xx' } as const;

export interface StatelessStackProps extends StackProps {
  readonly config: DeploymentConfig;
  readonly stateful: StatefulResources;
  /**
   * The HTTP operations to serve.
   * @default OPERATIONS from functions/operations.ts
   */
  readonly operations?: readonly Operation[];
  /**
   * The workflow's task functions.
   * @default APPROVAL_STEPS from functions/approval-steps.ts
   */
  readonly workflowFunctions?: readonly ApprovalStep[];
  /**
   * The built operator console.
   * @default console/dist (CONSOLE_BUILD_DIR)
   */
  readonly consoleBuildDir?: string;
}

export class StatelessStack extends Stack {
  readonly api: HttpApi;
  /** The operator console: bucket, distribution, headers policy, its app client and deployment. */
  readonly console: ConsoleSite;
  readonly stateMachine: StateMachine;
  readonly stateMachineName: string;
  /** One function per operation, by operation name. */
  readonly apiFunctions: Record<string, ServiceFunction> = {};
  /** One function per workflow task function, by name. */
  readonly workflowFunctions: Record<string, ServiceFunction> = {};
  readonly sesEventsFunction: ServiceFunction;
  /** The workflow's backstop, run by `reconcileSchedule`. */
  readonly reconcilerFunction: ServiceFunction;
  readonly reconcileSchedule: CfnSchedule;
  /** The routes, by `METHOD path`. */
  readonly routes: Record<string, HttpRoute> = {};
  readonly monitoring: Monitoring;
  readonly streamConsumer: StreamConsumer;
  readonly emailEventsQueue: Queue;
  readonly emailEventsDeadLetterQueue: Queue;
  /** Base of the links in emails: the custom domain when set, else the execute-api URL. */
  readonly publicBaseUrl: string;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, stateful } = props;
    const operations = props.operations ?? OPERATIONS;
    const workflowFunctions = props.workflowFunctions ?? APPROVAL_STEPS;
    const logRetention = config.logRetentionDays;
    // Production logs outlive a destroy (no fixed names, so the next deploy creates new groups beside them).
    const logRemovalPolicy = config.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    // Fixed name, ARN built from it: functions that start the workflow or answer its tasks get
    // the ARN without a reference to the state machine, which itself references the functions.
    this.stateMachineName = `${config.prefix}-approval`;
    const stateMachineArn = this.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: this.stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    // ---- HTTP API -------------------------------------------------------------------------------
    // The operator console (its distribution's origin is the only one CORS allows below).
    const apiBaseUrl = config.apiDomain ? `https://${config.apiDomain}` : undefined;
    this.console = new ConsoleSite(this, 'Console', {
      prefix: config.prefix,
      userPool: stateful.userPool,
      authDomainUrl: stateful.authDomainUrl,
      apiUrl: Lazy.string({ produce: () => this.publicBaseUrl }),
      apiConnectSource: apiBaseUrl ?? `https://*.execute-api.${this.region}.amazonaws.com`,
      buildDir: props.consoleBuildDir,
      logRetention,
      logRemovalPolicy,
    });

    this.api = new HttpApi(this, 'HttpApi', {
      apiName: `${config.prefix}-api`,
      description: 'Approval service',
      // Our own $default stage below, with access logs and throttling. CORS for the console's
      // origin only: email links are top-level navigations and same-origin form posts, and other
      // API clients are servers.
      corsPreflight: {
        allowOrigins: [this.console.origin],
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.PUT, CorsHttpMethod.DELETE],
        allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
        exposeHeaders: ['location', 'idempotent-replayed'],
        maxAge: Duration.hours(1),
      },
      createDefaultStage: false,
      // With a custom domain, only the domain answers: links and clients never learn the API id.
      disableExecuteApiEndpoint: Boolean(stateful.apiDomain),
    });
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: logRetention, removalPolicy: logRemovalPolicy });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: DEFAULT_ROUTE_THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // The route key, never the raw path or query: signed links carry their signature there.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latency: '$context.responseLatency',
            integrationStatus: '$context.integrationStatus',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            sub: '$context.authorizer.claims.sub',
            userAgent: '$context.identity.userAgent',
          }),
        ),
      },
    });
    if (stateful.apiDomain) {
      new ApiMapping(this, 'ApiMapping', { api: this.api, domainName: stateful.apiDomain, stage });
    }
    // Links live up to a year: on the custom domain they survive a new API (destroy and deploy again).
    this.publicBaseUrl = config.apiDomain ? `https://${config.apiDomain}` : this.api.apiEndpoint;
    const publicBaseUrl = this.publicBaseUrl;

    // 4xx on the signed-link routes, counted from the access log (a route-level metric without
    // paying for detailed metrics on every route): a spike means guessing or a broken mail client.
    new MetricFilter(this, 'LinkRoute4xxFilter', {
      logGroup: accessLogs,
      metricNamespace: LINK_4XX_METRIC.namespace,
      metricName: LINK_4XX_METRIC.metricName,
      metricValue: '1',
      defaultValue: 0,
      filterPattern: FilterPattern.all(
        FilterPattern.any(
          ...OPERATIONS.filter((operation) => operation.path.startsWith('/links/')).flatMap((operation) =>
            operation.methods.map((method) => FilterPattern.stringValue('$.routeKey', '=', `${method} ${operation.path}`)),
          ),
        ),
        FilterPattern.stringValue('$.status', '=', '4*'),
      ),
    });

    // ---- SES configuration set: delivery problems → SNS → SQS (+ dead letters) → ses-events -------
    const configurationSetName = config.prefix;
    const configurationSet = new ConfigurationSet(this, 'EmailConfigurationSet', {
      configurationSetName,
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE,
    });
    const emailEvents = new Topic(this, 'EmailEventsTopic', { displayName: `${config.prefix} SES delivery problems`, enforceSSL: true });
    configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: EventDestination.snsTopic(emailEvents),
      events: [
        EmailSendingEvent.BOUNCE,
        EmailSendingEvent.COMPLAINT,
        EmailSendingEvent.REJECT,
        EmailSendingEvent.RENDERING_FAILURE,
        EmailSendingEvent.DELIVERY_DELAY,
      ],
    });
    // A queue between SNS and the function: SNS's own retries to Lambda end by dropping the event;
    // a queue keeps it, redelivers a failed message and parks it in the dead-letter queue after 5 tries.
    this.emailEventsDeadLetterQueue = new Queue(this, 'EmailEventsDeadLetters', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.emailEventsQueue = new Queue(this, 'EmailEventsQueue', {
      // Six times the function's timeout, as Lambda's guide advises for SQS event sources.
      visibilityTimeout: Duration.seconds(180),
      retentionPeriod: Duration.days(4),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.emailEventsDeadLetterQueue, maxReceiveCount: 5 },
    });
    emailEvents.addSubscription(new SqsSubscription(this.emailEventsQueue, { rawMessageDelivery: true }));

    const executionArns = this.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${this.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const resources: ServiceResources = {
      table: { table: stateful.table, indexNames: stateful.indexNames, dueIndexName: stateful.dueIndexName },
      stateMachineArn,
      executionArns,
      linkKeys: stateful.linkKeys,
      callbackKeys: stateful.callbackKeys,
      callbackUrlPrefixes: config.callbackUrlPrefixes,
      userPool: stateful.userPool,
      email: {
        senderEmail: stateful.sender.email,
        identityArn: stateful.sender.identityArn,
        sandboxRecipientArns: stateful.sender.sandboxRecipientArns,
        configurationSetName,
        configurationSetArn: this.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: configurationSetName }),
        publicBaseUrl,
      },
    };

    // ---- One function and one integration per operation; one route per (method, path) ----------
    // People's tokens (ID tokens of the users' client) on every JWT route; the calling systems'
    // client only on the routes of CALLING_SYSTEM_OPERATIONS.
    const [peopleClient] = stateful.apiClients;
    if (!peopleClient) throw new Error('internal: the stateful stack names no app client');
    // People sign in with their app or the console (which sends its ID token: audience its client id).
    const people = new HttpJwtAuthorizer('CognitoJwt', stateful.userPool.userPoolProviderUrl, {
      authorizerName: 'cognito-people',
      jwtAudience: [peopleClient.userPoolClientId, this.console.client.userPoolClientId],
    });
    const peopleAndSystems = new HttpJwtAuthorizer('CognitoJwtWithCallingSystems', stateful.userPool.userPoolProviderUrl, {
      authorizerName: 'cognito-people-and-calling-systems',
      jwtAudience: [...stateful.apiClients.map((client) => client.userPoolClientId), this.console.client.userPoolClientId],
    });
    const none = new HttpNoneAuthorizer();
    const cfnStage = stage.node.defaultChild as CfnStage;
    const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    for (const operation of operations) {
      const isLink = operation.path.startsWith('/links/');
      const fn = new ServiceFunction(this, `${pascal(operation.name)}Function`, {
        entry: operation.entry,
        description: `${operation.methods.join('/')} ${operation.path} (${operation.access})`,
        timeout: Duration.seconds(10),
        logRetention,
        logRemovalPolicy,
        // Public and unauthenticated: a flood of link requests is capped here instead of taking the account's concurrency.
        reservedConcurrentExecutions: isLink && config.linkConcurrency > 0 ? config.linkConcurrency : undefined,
      }).bindNeeds(operation.needs, resources);
      this.apiFunctions[operation.name] = fn;
      const integration = new HttpLambdaIntegration(`${pascal(operation.name)}Integration`, fn);
      const routes = this.api.addRoutes({
        path: operation.path,
        methods: operation.methods.map(httpMethod),
        integration,
        authorizer: operation.auth === 'none' ? none : CALLING_SYSTEM_OPERATIONS.includes(operation.name) ? peopleAndSystems : people,
      });
      routes.forEach((route, index) => {
        const routeKey = `${operation.methods[index]} ${operation.path}`;
        this.routes[routeKey] = route;
        if (operation.auth === 'none') {
          Validations.of(route).acknowledge({ id: 'AwsSolutions-APIG4', reason: publicRouteReason(operation.path) });
          const throttle = PUBLIC_ROUTE_THROTTLES[operation.path];
          if (!throttle) throw new Error(`public route ${operation.path} has no throttle in PUBLIC_ROUTE_THROTTLES`);
          routeSettings[routeKey] = { ThrottlingRateLimit: throttle.rateLimit, ThrottlingBurstLimit: throttle.burstLimit };
          // Route settings name routes by key: the stage must come after them.
          cfnStage.node.addDependency(route);
        }
      });
    }
    cfnStage.routeSettings = routeSettings;

    // ---- The workflow's task functions --------------------------------------------------------
    for (const task of workflowFunctions) {
      this.workflowFunctions[task.name] = new ServiceFunction(this, `${pascal(task.name)}Function`, {
        entry: task.entry,
        description: `Approval workflow task ${task.name} (\${${task.substitution}})`,
        // Within the ASL's TimeoutSeconds (60) for each task.
        timeout: Duration.seconds(30),
        logRetention,
        logRemovalPolicy,
      }).bindNeeds(task.needs, resources);
    }

    // ---- The reconciler: the workflow's backstop, every RECONCILE_EVERY_MINUTES -------------------
    this.reconcilerFunction = new ServiceFunction(this, 'ReconcilerFunction', {
      entry: RECONCILER_FUNCTION.entry,
      description: 'Repairs requests whose workflow is late: expires overdue ones, starts missing executions, restarts lost outcomes',
      // One run repairs at most RECONCILE_BATCH requests (a few calls each); the rest wait for the next run.
      timeout: Duration.minutes(2),
      logRetention,
      logRemovalPolicy,
      // One run at a time: two overlapping runs could both start an execution for the same request.
      reservedConcurrentExecutions: config.linkConcurrency > 0 ? 1 : undefined,
    }).bindNeeds(RECONCILER_FUNCTION.needs, resources);
    // DescribeExecution is authorised on execution ARNs only: this state machine's executions.
    const literal = (value: string, name: string) => (Token.isUnresolved(value) ? `<AWS::${name}>` : value);
    Validations.of(defined(this.reconcilerFunction.role)).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:${literal(this.partition, 'Partition')}:states:${literal(this.region, 'Region')}:${literal(this.account, 'AccountId')}:execution:${this.stateMachineName}:*]`,
      reason:
        'states:DescribeExecution has no state-machine-level resource: the executions of this one state machine (names are request ids, not known in advance).',
    });
    // The scheduler's own role may invoke the reconciler, unqualified, and nothing else.
    const schedulerRole = new Role(this, 'ReconcilerScheduleRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': this.account } } }),
      description: 'EventBridge Scheduler invokes the approval reconciler',
    });
    schedulerRole.addToPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.reconcilerFunction.functionArn] }),
    );
    const reconcileSchedule = new CfnSchedule(this, 'ReconcilerSchedule', {
      description: 'Runs the approval reconciler (infra/README.md: Reconciler)',
      scheduleExpression: reconcileRate(RECONCILE_EVERY_MINUTES),
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      // A missed run is not retried: the next one comes within minutes and does the same work.
      target: { arn: this.reconcilerFunction.functionArn, roleArn: schedulerRole.roleArn, retryPolicy: { maximumRetryAttempts: 0 } },
    });
    this.reconcileSchedule = reconcileSchedule;

    // ---- Delivery problem handler: reads the queue, partial batch failures ----------------------
    this.sesEventsFunction = new ServiceFunction(this, 'SesEventsFunction', {
      entry: SES_EVENTS_FUNCTION.entry,
      description: 'Records SES bounces, complaints, rejects, rendering failures and delivery delays in the request history',
      timeout: Duration.seconds(30),
      logRetention,
      logRemovalPolicy,
    }).bindNeeds(SES_EVENTS_FUNCTION.needs, resources);
    this.sesEventsFunction.addEventSourceMapping('EmailEventsSource', {
      eventSourceArn: this.emailEventsQueue.queueArn,
      batchSize: 10,
      maxBatchingWindow: Duration.seconds(5),
      reportBatchItemFailures: true,
      maxConcurrency: 2,
    });
    // What Lambda's poller calls for this function (instead of grantConsumeMessages' extra actions).
    this.sesEventsFunction.addToRolePolicy(
      new PolicyStatement({ actions: SQS_POLLER_ACTIONS, resources: [this.emailEventsQueue.queueArn] }),
    );

    // ---- The approval workflow: the ASL file as it is, CloudFormation substitutes the ARNs -----
    // Under /aws/vendedlogs/ (no log resource policy to grow); the stack's own id in the name, so a
    // group retained by a destroyed stack never collides with the next deploy's.
    const workflowLogs = new LogGroup(this, 'WorkflowLogs', {
      logGroupName: `/aws/vendedlogs/states/${this.stateMachineName}-${Fn.select(2, Fn.split('/', this.stackId))}`,
      retention: logRetention,
      removalPolicy: logRemovalPolicy,
    });
    this.stateMachine = new StateMachine(this, 'ApprovalWorkflow', {
      stateMachineName: this.stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromFile(path.join(PROJECT_ROOT, WORKFLOW_DEFINITION)),
      definitionSubstitutions: Object.fromEntries(
        workflowFunctions.map((task) => [task.substitution, required(this.workflowFunctions[task.name]).functionArn]),
      ),
      // Every event, but without inputs and outputs: they carry request ids only today, yet task
      // results and errors can hold personal data (emails, names) that must not outlive the
      // request's own retention. The request's history in DynamoDB is the audit trail.
      logs: { destination: workflowLogs, level: LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    // The ASL names the unqualified ARNs; no `:*` version wildcard.
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: Object.values(this.workflowFunctions).map((fn) => fn.functionArn),
      }),
    );
    Validations.of(this.stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only what AWS requires on "*": CloudWatch Logs delivery for Step Functions logging (logs:CreateLogDelivery and friends have no resource-level permissions) and the X-Ray tracing actions. lambda:InvokeFunction names each task function (asserted in test/unit/infra).',
    });

    // ---- Alarms and dashboard -----------------------------------------------------------------
    const linkFunctions = Object.fromEntries(
      operations
        .filter((operation) => operation.path.startsWith('/links/'))
        .map((operation) => [operation.name, required(this.apiFunctions[operation.name])]),
    );
    this.monitoring = new Monitoring(this, 'Monitoring', {
      prefix: config.prefix,
      apiFunctions: Object.fromEntries(Object.entries(this.apiFunctions).filter(([name]) => !(name in linkFunctions))),
      linkFunctions,
      workflowFunctions: { ...this.workflowFunctions, sesEvents: this.sesEventsFunction },
      callbackFunctionName: 'deliverCallback',
      reconcilerFunction: this.reconcilerFunction,
      stateMachine: this.stateMachine,
      api: this.api,
      table: stateful.table,
      indexNames: stateful.indexNames,
      deadLetterQueue: this.emailEventsDeadLetterQueue,
      link4xx: LINK_4XX_METRIC,
      alarmEmail: config.alarmEmail,
    });

    const { prefix } = config;
    this.streamConsumer = new StreamConsumer(this, 'StreamConsumer', {
      resources,
      alarmTopic: this.monitoring.alarmTopic,
      prefix,
      logRetention,
      logRemovalPolicy,
    });

    new CfnOutput(this, 'ApiUrl', {
      value: `${this.publicBaseUrl}/`,
      description: 'Base URL of the HTTP API (also the base of the links in emails)',
    });
    new CfnOutput(this, 'ConsoleUrl', { value: this.console.url, description: 'The operator console (sign in with the user pool)' });
    new CfnOutput(this, 'ConsoleClientId', {
      value: this.console.client.userPoolClientId,
      description: 'App client of the console (authorization code with PKCE)',
    });
    new CfnOutput(this, 'StateMachineArn', { value: this.stateMachine.stateMachineArn });
    new CfnOutput(this, 'ReconcilerFunctionName', {
      value: this.reconcilerFunction.functionName,
      description: 'Invoke it to repair late requests at once (infra/README.md: Runbook)',
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.alarmTopic.topicArn });
    new CfnOutput(this, 'SesConfigurationSet', { value: configurationSetName });
  }
}

/** Why a route without the JWT authorizer is right (the contract: /health and the signed links are public). */
function publicRouteReason(routePath: string): string {
  if (routePath === '/health') return 'Public by contract: the health check answers anyone with {"status":"ok"} and reads no data.';
  if (routePath === '/openapi.json') return 'Public on purpose: the API description (routes and schemas) holds no data and no secret.';
  if (routePath.startsWith('/links/')) {
    return `Public by contract (${routePath}): an approver opens it from an email without a Cognito session; the function authenticates the HMAC-signed link (key id, expiry, bound to one approver and one request) and answers 403/410 otherwise.`;
  }
  throw new Error(`route ${routePath} has auth 'none' but is neither /health nor a signed link: decide on its protection first`);
}

/** What Lambda's SQS poller calls on the queue on the function's behalf. */
export const SQS_POLLER_ACTIONS = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];

const httpMethod = (method: Method): HttpMethod => HttpMethod[method];
const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

function defined<T>(value: T | undefined): T {
  return required(value);
}

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('internal: missing construct');
  return value;
}
