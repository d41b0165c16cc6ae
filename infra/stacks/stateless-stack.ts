/**
 * Everything that can be redeployed or destroyed without losing data: the functions, the HTTP
 * API, the approval workflow, the reconciler, the SES configuration set with its bounce and
 * complaint handling, the operator console and the alarms. It gets the stateful resources as
 * typed props and composes the constructs of infra/constructs; every function is an entry of
 * functions/registry.ts, its grants and environment from the entry's `needs`.
 */
import { EventBus } from 'aws-cdk-lib/aws-events';
import { ArnFormat, CfnOutput, Lazy, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { HttpApi, HttpRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import type { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { apiOperations, type FunctionName, workflowSteps } from '../../functions/registry';
import type { DeploymentConfig } from '../config';
import { ConsoleSite } from '../constructs/console-site';
import { configurationSetOf, EmailEvents } from '../constructs/email-events';
import { isLinkOperation, LINK_4XX_METRIC, ServiceHttpApi } from '../constructs/http-api';
import { Monitoring } from '../constructs/monitoring';
import { Reconciler } from '../constructs/reconciler';
import { type FunctionLogProps, ServiceFunction, type ServiceResources } from '../constructs/service-function';
import { Workflow } from '../constructs/workflow';
import { StreamConsumer } from '../constructs/stream-consumer';
import type { StatefulResources } from './stateful-stack';

export interface StatelessStackProps extends StackProps {
  readonly config: DeploymentConfig;
  readonly stateful: StatefulResources;
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
  /** One function per entry of the registry, by name. */
  /** Every function of the stack's constructs, by its registry name (a test checks there is one per entry). */
  get functions(): Record<FunctionName, ServiceFunction> {
    return Object.fromEntries(
      this.node
        .findAll()
        .filter((construct): construct is ServiceFunction => construct instanceof ServiceFunction)
        .map((fn) => [fn.registryName ?? fn.node.path, fn]),
    ) as Record<FunctionName, ServiceFunction>;
  }
  /** One function per API operation, by operation name. */
  readonly apiFunctions: Record<string, ServiceFunction>;
  /** One function per workflow step, by name. */
  readonly workflowFunctions: Record<string, ServiceFunction>;
  readonly sesEventsFunction: ServiceFunction;
  /** The workflow's backstop, run by `reconcileSchedule`. */
  readonly reconcilerFunction: ServiceFunction;
  readonly reconcileSchedule: CfnSchedule;
  /** The routes, by `METHOD path`. */
  readonly routes: Record<string, HttpRoute>;
  readonly monitoring: Monitoring;
  readonly streamConsumer: StreamConsumer;
  /** Where the events go (docs/events.md). */
  readonly eventBus: EventBus;
  readonly emailEventsQueue: Queue;
  readonly emailEventsDeadLetterQueue: Queue;
  /** Base of the links in emails: the custom domain when set, else the execute-api URL. */
  readonly publicBaseUrl: string;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, stateful } = props;
    const logs: FunctionLogProps = {
      logRetention: config.logRetentionDays,
      // Production logs outlive a destroy (no fixed names, so the next deploy creates new groups beside them).
      logRemovalPolicy: config.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    };

    // Fixed name, ARN built from it: functions that start the workflow or answer its tasks get
    // the ARN without a reference to the state machine, which itself references the functions.
    this.stateMachineName = `${config.prefix}-approval`;
    const stateMachineArn = this.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: this.stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const executionArns = this.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${this.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    // The operator console (its distribution's origin is the only one the API's CORS allows).
    const apiBaseUrl = config.apiDomain ? `https://${config.apiDomain}` : undefined;
    this.console = new ConsoleSite(this, 'Console', {
      prefix: config.prefix,
      userPool: stateful.userPool,
      authDomainUrl: stateful.authDomainUrl,
      apiUrl: Lazy.string({ produce: () => this.publicBaseUrl }),
      apiConnectSource: apiBaseUrl ?? `https://*.execute-api.${this.region}.amazonaws.com`,
      buildDir: props.consoleBuildDir,
      logRetention: logs.logRetention,
      logRemovalPolicy: logs.logRemovalPolicy,
    });

    const http = new ServiceHttpApi(this, 'Api', {
      prefix: config.prefix,
      domain: config.apiDomain && stateful.apiDomain ? { name: config.apiDomain, domainName: stateful.apiDomain } : undefined,
      consoleOrigin: this.console.origin,
      logs,
    });
    this.api = http.api;
    this.publicBaseUrl = http.publicBaseUrl;

    const configurationSet = configurationSetOf(this, config.prefix);
    // The service's own bus: the stream consumer publishes every change of a request to it (docs/events.md).
    this.eventBus = new EventBus(this, 'EventBus', { eventBusName: `${config.prefix}-events` });
    const resources: ServiceResources = {
      eventBus: this.eventBus,
      table: { table: stateful.table, indexNames: stateful.indexNames, dueIndexName: stateful.dueIndexName },
      stateMachineArn,
      executionArns,
      linkKeys: stateful.linkKeys,
      callbackKeys: stateful.callbackKeys,
      receipts: stateful.receiptKeys,
      callbackUrlPrefixes: config.callbackUrlPrefixes,
      userPool: stateful.userPool,
      email: {
        senderEmail: stateful.sender.email,
        identityArn: stateful.sender.identityArn,
        sandboxRecipientArns: stateful.sender.sandboxRecipientArns,
        configurationSetName: configurationSet.name,
        configurationSetArn: configurationSet.arn,
        publicBaseUrl: this.publicBaseUrl,
      },
    };

    // People sign in with their app or the console (which sends its ID token: audience its client id).
    const [peopleClient] = stateful.apiClients;
    if (!peopleClient) throw new Error('internal: the stateful stack names no app client');
    http.addOperations(apiOperations(), {
      resources,
      issuer: stateful.userPool.userPoolProviderUrl,
      peopleAudiences: [peopleClient.userPoolClientId, this.console.client.userPoolClientId],
      peopleAndSystemsAudiences: [...stateful.apiClients.map((client) => client.userPoolClientId), this.console.client.userPoolClientId],
      linkConcurrency: config.linkConcurrency,
    });
    this.apiFunctions = http.functions;
    this.routes = http.routes;

    const emailEvents = new EmailEvents(this, 'EmailEvents', { prefix: config.prefix, resources, logs });
    this.emailEventsQueue = emailEvents.queue;
    this.emailEventsDeadLetterQueue = emailEvents.deadLetterQueue;
    this.sesEventsFunction = emailEvents.function;

    const workflow = new Workflow(this, 'Workflow', { stateMachineName: this.stateMachineName, steps: workflowSteps(), resources, logs });
    this.stateMachine = workflow.stateMachine;
    this.workflowFunctions = workflow.functions;

    const reconciler = new Reconciler(this, 'Reconciler', {
      prefix: config.prefix,
      stateMachineName: this.stateMachineName,
      resources,
      reserveConcurrency: config.reconcilerConcurrency === 1,
      logs,
    });
    this.reconcilerFunction = reconciler.function;
    this.reconcileSchedule = reconciler.schedule;

    this.streamConsumer = new StreamConsumer(this, 'StreamConsumer', { resources, prefix: config.prefix, ...logs });

    // ---- Alarms and dashboard -----------------------------------------------------------------
    const linkNames = new Set(
      apiOperations()
        .filter(isLinkOperation)
        .map((operation) => operation.name),
    );
    const byLink = (link: boolean) =>
      Object.fromEntries(Object.entries(this.apiFunctions).filter(([name]) => linkNames.has(name) === link));
    this.monitoring = new Monitoring(this, 'Monitoring', {
      prefix: config.prefix,
      apiFunctions: byLink(false),
      linkFunctions: byLink(true),
      workflowFunctions: { ...this.workflowFunctions, sesEvents: this.sesEventsFunction, streamConsumer: this.streamConsumer.function },
      callbackFunctionName: 'deliverCallback',
      reconcilerFunction: this.reconcilerFunction,
      stateMachine: this.stateMachine,
      api: this.api,
      table: stateful.table,
      indexNames: stateful.indexNames,
      deadLetterQueue: this.emailEventsDeadLetterQueue,
      link4xx: LINK_4XX_METRIC,
      alarmEmail: config.alarmEmail,
      alarms: [this.streamConsumer.failuresAlarm, reconciler.notRunningAlarm],
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
    new CfnOutput(this, 'EventBusName', {
      value: this.eventBus.eventBusName,
      description: 'The bus the service publishes its events to (docs/events.md)',
    });
    new CfnOutput(this, 'EventBusArn', { value: this.eventBus.eventBusArn });
    new CfnOutput(this, 'StateMachineArn', { value: this.stateMachine.stateMachineArn });
    new CfnOutput(this, 'ReconcilerFunctionName', {
      value: this.reconcilerFunction.functionName,
      description: 'Invoke it to repair late requests at once (docs/deploy-and-operations.md: Runbook)',
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.alarmTopic.topicArn });
    new CfnOutput(this, 'SesConfigurationSet', { value: configurationSet.name });
  }
}
