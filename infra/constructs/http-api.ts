/**
 * The HTTP API: its $default stage with access logs and throttles, the custom domain's mapping,
 * the 4xx count of the signed-link routes, and (addOperations) one function and one integration
 * per API operation of the registry (functions/registry.ts), one route per (method, path), each
 * with its authorizer.
 */
import { Duration, Validations } from 'aws-cdk-lib';
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
  type IDomainName,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { FilterPattern, LogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type ApiOperation, apiOperations, CALLING_SYSTEM_OPERATIONS, type Method } from '../../functions/registry';
import { type FunctionLogProps, ServiceFunction, type ServiceResources } from './service-function';

/** Per-route throttles of the public routes (requests per second, burst), tighter than the stage's default. */
export const PUBLIC_ROUTE_THROTTLES: Readonly<Record<string, { readonly rateLimit: number; readonly burstLimit: number }>> = {
  '/health': { rateLimit: 5, burstLimit: 10 },
  '/openapi.json': { rateLimit: 2, burstLimit: 5 },
  '/links/{id}/{action}': { rateLimit: 10, burstLimit: 20 },
  // Verifiers cache the key set (the answer says max-age=3600): few calls.
  '/.well-known/jwks.json': { rateLimit: 5, burstLimit: 10 },
};
/**
 * Memory of the API functions, MB: chosen by measurement (docs/scale.md, `npm run scale`): the
 * smallest size whose warm calls are within 20 ms of one vCPU's and whose module init stays under a
 * second. Lambda gives CPU in proportion to memory, and at the default 256 MB a create spends about
 * six times its CPU time. The workflow steps and the stream consumer keep the default (256 MB).
 */
export const API_MEMORY_MB = 512;

/** Default throttle of every other route. */
export const DEFAULT_ROUTE_THROTTLE = { rateLimit: 50, burstLimit: 100 };

/** The access-log metric that counts 4xx answers on the signed-link routes. */
export const LINK_4XX_METRIC = { namespace: 'Approvals', metricName: 'LinkRoute4xx' } as const;

/** The signed-link operations: public, with reserved concurrency, watched apart. */
export const isLinkOperation = (operation: ApiOperation) => operation.path.startsWith('/links/');

export interface HttpApiProps {
  /** Name prefix, e.g. `approvals-dev`. */
  readonly prefix: string;
  /**
   * The API's custom domain and its API Gateway domain name (from the stateful stack).
   * @default - none: the execute-api URL
   */
  readonly domain?: { readonly name: string; readonly domainName: IDomainName };
  /** The operator console's origin: the only one CORS allows. */
  readonly consoleOrigin: string;
  readonly logs: FunctionLogProps;
}

export interface OperationsProps {
  readonly resources: ServiceResources;
  /** The user pool's issuer URL (the JWT authorizers' issuer). */
  readonly issuer: string;
  /** Audiences of people's tokens: the users' app client and the console's. */
  readonly peopleAudiences: readonly string[];
  /** Audiences of the routes of CALLING_SYSTEM_OPERATIONS: people's and the calling systems' app clients. */
  readonly peopleAndSystemsAudiences: readonly string[];
  /** Reserved concurrency of each signed-link function; 0 for none. */
  readonly linkConcurrency: number;
}

export class ServiceHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  /** Base of the links in emails: the custom domain when set, else the execute-api URL. */
  readonly publicBaseUrl: string;
  /** One function per operation, by operation name. */
  readonly functions: Record<string, ServiceFunction> = {};
  /** The routes, by `METHOD path`. */
  readonly routes: Record<string, HttpRoute> = {};
  private readonly logs: FunctionLogProps;

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);
    this.logs = props.logs;
    this.api = new HttpApi(this, 'HttpApi', {
      apiName: `${props.prefix}-api`,
      description: 'Approval service',
      // Our own $default stage below, with access logs and throttling. CORS for the console's
      // origin only: email links are top-level navigations and same-origin form posts, and other
      // API clients are servers.
      corsPreflight: {
        allowOrigins: [props.consoleOrigin],
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.PUT, CorsHttpMethod.DELETE],
        allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
        exposeHeaders: ['location', 'idempotent-replayed', 'next-cursor', 'content-disposition', 'retry-after'],
        maxAge: Duration.hours(1),
      },
      createDefaultStage: false,
      // With a custom domain, only the domain answers: links and clients never learn the API id.
      disableExecuteApiEndpoint: Boolean(props.domain),
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logs.logRetention, removalPolicy: props.logs.logRemovalPolicy });
    this.stage = new HttpStage(this, 'DefaultStage', {
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
    if (props.domain) {
      new ApiMapping(this, 'Mapping', { api: this.api, domainName: props.domain.domainName, stage: this.stage });
    }
    // Links live up to a year: on the custom domain they survive a new API (destroy and deploy again).
    this.publicBaseUrl = props.domain ? `https://${props.domain.name}` : this.api.apiEndpoint;

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
          ...apiOperations()
            .filter(isLinkOperation)
            .flatMap((operation) =>
              operation.methods.map((method) => FilterPattern.stringValue('$.routeKey', '=', `${method} ${operation.path}`)),
            ),
        ),
        FilterPattern.stringValue('$.status', '=', '4*'),
      ),
    });
  }

  /**
   * One function and one integration per operation; one route per (method, path). People's tokens
   * (ID tokens of the users' client and the console's) on every JWT route; the calling systems'
   * client also on the routes of CALLING_SYSTEM_OPERATIONS.
   */
  addOperations(operations: readonly ApiOperation[], props: OperationsProps): void {
    const people = new HttpJwtAuthorizer('CognitoJwt', props.issuer, {
      authorizerName: 'cognito-people',
      jwtAudience: [...props.peopleAudiences],
    });
    const peopleAndSystems = new HttpJwtAuthorizer('CognitoJwtWithCallingSystems', props.issuer, {
      authorizerName: 'cognito-people-and-calling-systems',
      jwtAudience: [...props.peopleAndSystemsAudiences],
    });
    const none = new HttpNoneAuthorizer();
    const cfnStage = this.stage.node.defaultChild as CfnStage;
    const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    for (const operation of operations) {
      const fn = ServiceFunction.ofEntry(this, operation, props.resources, {
        description: `${operation.methods.join('/')} ${operation.path} (${operation.access})`,
        memorySize: API_MEMORY_MB,
        ...this.logs,
        // Public and unauthenticated: a flood of link requests is capped here instead of taking the account's concurrency.
        reservedConcurrentExecutions: isLinkOperation(operation) && props.linkConcurrency > 0 ? props.linkConcurrency : undefined,
      });
      this.functions[operation.name] = fn;
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
  }
}

/** Why a route without the JWT authorizer is right (the contract: /health and the signed links are public). */
function publicRouteReason(routePath: string): string {
  if (routePath === '/health') return 'Public by contract: the health check answers anyone with {"status":"ok"} and reads no data.';
  if (routePath === '/openapi.json') return 'Public on purpose: the API description (routes and schemas) holds no data and no secret.';
  if (routePath === '/.well-known/jwks.json')
    return 'Public by contract: the public halves of the receipt keys, which anyone verifying a receipt needs; no data, no secret.';
  if (routePath.startsWith('/links/')) {
    return `Public by contract (${routePath}): an approver opens it from an email without a Cognito session; the function authenticates the HMAC-signed link (key id, expiry, bound to one approver and one request) and answers 403/410 otherwise.`;
  }
  throw new Error(`route ${routePath} has auth 'none' but is neither /health nor a signed link: decide on its protection first`);
}

const httpMethod = (method: Method): HttpMethod => HttpMethod[method];
const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);
