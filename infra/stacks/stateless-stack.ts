/**
 * Everything that can be redeployed or destroyed without losing data: the functions,
 * the HTTP API, the approval workflow, the SES configuration set with its bounce and
 * complaint handling, and the alarms. It gets the stateful resources as typed props.
 *
 * The routes come from functions/operations.ts and the workflow's task functions from
 * functions/approval-steps.ts: one function per entry, its grants from its `needs`.
 */
import * as path from 'node:path';
import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  type HttpRoute,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { ConfigurationSet, ConfigurationSetTlsPolicy, EmailSendingEvent, EventDestination, SuppressionReasons } from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { type Method, OPERATIONS, type Operation } from '../../functions/operations';
import { APPROVAL_STEPS, type ApprovalStep } from '../../functions/approval-steps';
import type { DeploymentConfig } from '../config';
import { Monitoring } from '../constructs/monitoring';
import { PROJECT_ROOT, ServiceFunction, type ServiceResources } from '../constructs/service-function';
import type { StatefulResources } from './stateful-stack';

/** The only workflow definition; CDK loads it as it is, the local engine runs the same file. */
export const WORKFLOW_DEFINITION = 'statemachines/approval.asl.json';

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
}

export class StatelessStack extends Stack {
  readonly api: HttpApi;
  readonly stateMachine: StateMachine;
  readonly stateMachineName: string;
  /** One function per operation, by operation name. */
  readonly apiFunctions: Record<string, ServiceFunction> = {};
  /** One function per workflow task function, by name. */
  readonly workflowFunctions: Record<string, ServiceFunction> = {};
  readonly sesEventsFunction: ServiceFunction;
  /** The routes, by `METHOD path`. */
  readonly routes: Record<string, HttpRoute> = {};
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, stateful } = props;
    const operations = props.operations ?? OPERATIONS;
    const workflowFunctions = props.workflowFunctions ?? APPROVAL_STEPS;
    const logRetention = config.logRetentionDays;

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
    this.api = new HttpApi(this, 'HttpApi', {
      apiName: `${config.prefix}-api`,
      description: 'Approval service',
      // Our own $default stage below, with access logs and throttling. No CORS: email links are
      // top-level navigations and same-origin form posts, and API clients are servers.
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: logRetention, removalPolicy: RemovalPolicy.DESTROY });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 50, burstLimit: 100 },
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
    const publicBaseUrl = this.api.apiEndpoint;

    // ---- SES configuration set: bounces and complaints → SNS → ses-events function ----------------
    const configurationSetName = config.prefix;
    const configurationSet = new ConfigurationSet(this, 'EmailConfigurationSet', {
      configurationSetName,
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE,
    });
    const emailEvents = new Topic(this, 'EmailEventsTopic', { displayName: `${config.prefix} SES bounces and complaints`, enforceSSL: true });
    configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: EventDestination.snsTopic(emailEvents),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });

    const resources: ServiceResources = {
      table: { table: stateful.table, indexNames: stateful.indexNames },
      stateMachineArn,
      linkKeys: stateful.linkKeys,
      callbackKeys: stateful.callbackKeys,
      callbackUrlPrefixes: config.callbackUrlPrefixes,
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
    const jwt = new HttpJwtAuthorizer('CognitoJwt', stateful.userPool.userPoolProviderUrl, {
      authorizerName: 'cognito',
      jwtAudience: stateful.apiClients.map((client) => client.userPoolClientId),
    });
    const none = new HttpNoneAuthorizer();
    for (const operation of operations) {
      const fn = new ServiceFunction(this, `${pascal(operation.name)}Function`, {
        entry: operation.entry,
        description: `${operation.methods.join('/')} ${operation.path} (${operation.access})`,
        timeout: Duration.seconds(10),
        logRetention,
      }).bindNeeds(operation.needs, resources);
      this.apiFunctions[operation.name] = fn;
      const integration = new HttpLambdaIntegration(`${pascal(operation.name)}Integration`, fn);
      const routes = this.api.addRoutes({
        path: operation.path,
        methods: operation.methods.map(httpMethod),
        integration,
        authorizer: operation.auth === 'jwt' ? jwt : none,
      });
      routes.forEach((route, index) => {
        this.routes[`${operation.methods[index]} ${operation.path}`] = route;
        if (operation.auth === 'none') {
          Validations.of(route).acknowledge({ id: 'AwsSolutions-APIG4', reason: publicRouteReason(operation.path) });
        }
      });
    }

    // ---- The workflow's task functions --------------------------------------------------------
    for (const task of workflowFunctions) {
      this.workflowFunctions[task.name] = new ServiceFunction(this, `${pascal(task.name)}Function`, {
        entry: task.entry,
        description: `Approval workflow task ${task.name} (\${${task.substitution}})`,
        // Within the ASL's TimeoutSeconds (60) for each task.
        timeout: Duration.seconds(30),
        logRetention,
      }).bindNeeds(task.needs, resources);
    }

    // ---- Bounce and complaint handler ----------------------------------------------------------
    this.sesEventsFunction = new ServiceFunction(this, 'SesEventsFunction', {
      entry: 'functions/ses-events/handler.ts',
      description: 'Records SES bounces and complaints in the request history',
      timeout: Duration.seconds(30),
      logRetention,
    }).bindNeeds(['table:write'], resources);
    emailEvents.addSubscription(new LambdaSubscription(this.sesEventsFunction));

    // ---- The approval workflow: the ASL file as it is, CloudFormation substitutes the ARNs -----
    const workflowLogs = new LogGroup(this, 'WorkflowLogs', {
      logGroupName: `/aws/vendedlogs/states/${this.stateMachineName}`,
      retention: logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
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
    this.monitoring = new Monitoring(this, 'Monitoring', {
      prefix: config.prefix,
      functions: { ...this.apiFunctions, ...this.workflowFunctions, sesEvents: this.sesEventsFunction },
      stateMachine: this.stateMachine,
      api: this.api,
      alarmEmail: config.alarmEmail,
    });

    new CfnOutput(this, 'ApiUrl', { value: stage.url, description: 'Base URL of the HTTP API (also the base of the links in emails)' });
    new CfnOutput(this, 'StateMachineArn', { value: this.stateMachine.stateMachineArn });
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

const httpMethod = (method: Method): HttpMethod => HttpMethod[method];
const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('internal: missing construct');
  return value;
}
