/**
 * The HTTP API serves exactly the API operations of functions/registry.ts: one route per
 * (method, path), each operation with its own function, the JWT authorizer on 'jwt'
 * routes only.
 */
import { apiOperations, CALLING_SYSTEM_OPERATIONS } from '../../../functions/registry';
import { API_MEMORY_MB, PUBLIC_ROUTE_THROTTLES } from '../../../infra/constructs/http-api';
import { CERTIFICATE_ARN, defined, fixture, logicalId, props, resolveStackOutputs, resources, stacksWith } from '../../helpers/infra';

const { stateless, stateful, statelessTemplate, statefulTemplate } = fixture();
const OPERATIONS = apiOperations();
const routes = Object.values(resources(statelessTemplate, 'AWS::ApiGatewayV2::Route'));
const integrations = resources(statelessTemplate, 'AWS::ApiGatewayV2::Integration');
const functions = resources(statelessTemplate, 'AWS::Lambda::Function');
const expectedRouteKeys = OPERATIONS.flatMap((operation) => operation.methods.map((method) => `${method} ${operation.path}`));

const logGroupOf = (functionId: string) => (props(functions[functionId]).LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;

const routeFor = (routeKey: string) => {
  const found = routes.filter((route) => route.Properties?.RouteKey === routeKey);
  expect(found).toHaveLength(1);
  return defined(found[0], `route ${routeKey}`);
};

/** The logical id of the function a route's integration invokes. */
function functionBehind(routeKey: string): string {
  const target = routeFor(routeKey).Properties?.Target as { 'Fn::Join': [string, [string, { Ref: string }]] };
  const integration = integrations[target['Fn::Join'][1][1].Ref];
  expect(integration?.Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
  const uri = integration?.Properties?.IntegrationUri as { 'Fn::GetAtt': [string, string] };
  return uri['Fn::GetAtt'][0];
}

describe('routes', () => {
  test("the registry's API operations are not empty and names each operation once", () => {
    expect(OPERATIONS.length).toBeGreaterThan(0);
    expect(new Set(OPERATIONS.map((operation) => operation.name)).size).toBe(OPERATIONS.length);
    expect(new Set(expectedRouteKeys).size).toBe(expectedRouteKeys.length);
  });

  test('every (method, path) of every operation has exactly one route, and there are no others', () => {
    expect(routes.map((route) => route.Properties?.RouteKey).sort()).toEqual([...expectedRouteKeys].sort());
  });

  test.each(OPERATIONS.map((operation) => [operation.name, operation] as const))(
    '%s: each of its methods invokes its own function',
    (name, operation) => {
      const id = logicalId(defined(stateless.apiFunctions[name], `function of ${name}`));
      for (const method of operation.methods) expect(functionBehind(`${method} ${operation.path}`)).toBe(id);
    },
  );

  test('no two operations share a function', () => {
    const ids = OPERATIONS.map((operation) => functionBehind(`${operation.methods[0]} ${operation.path}`));
    expect(new Set(ids).size).toBe(OPERATIONS.length);
  });
});

describe('authorization', () => {
  const authorizers = Object.entries(resources(statelessTemplate, 'AWS::ApiGatewayV2::Authorizer'));
  const authorizerNamed = (name: string) =>
    defined(
      authorizers.find(([, authorizer]) => authorizer.Properties?.Name === name),
      `authorizer ${name}`,
    );
  const [peopleId, people] = authorizerNamed('cognito-people');
  const [systemsId, systems] = authorizerNamed('cognito-people-and-calling-systems');

  test("two JWT authorizers on the user pool: people's clients (their app and the console), and those plus the calling systems' client", () => {
    expect(authorizers).toHaveLength(2);
    for (const authorizer of [people, systems]) {
      expect(authorizer.Properties).toMatchObject({ AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'] });
    }
    expect(resolveStackOutputs(people.Properties?.JwtConfiguration, statefulTemplate)).toEqual({
      Issuer: { 'Fn::GetAtt': [logicalId(stateful.userPool), 'ProviderURL'] },
      Audience: [{ Ref: logicalId(stateful.userClient) }, { Ref: logicalId(stateless.console.client) }],
    });
    expect(resolveStackOutputs(systems.Properties?.JwtConfiguration, statefulTemplate)).toEqual({
      Issuer: { 'Fn::GetAtt': [logicalId(stateful.userPool), 'ProviderURL'] },
      Audience: [
        { Ref: logicalId(stateful.userClient) },
        { Ref: logicalId(stateful.machineClient) },
        { Ref: logicalId(stateless.console.client) },
      ],
    });
  });

  test("calling systems' tokens are accepted on creating a request, reading its receipt and reporting its execution only", () => {
    expect([...CALLING_SYSTEM_OPERATIONS]).toEqual(['createRequest', 'getReceipt', 'reportExecution']);
    const accepting = routes.filter((route) => JSON.stringify(route.Properties?.AuthorizerId) === JSON.stringify({ Ref: systemsId }));
    expect(accepting.map((route) => route.Properties?.RouteKey).sort()).toEqual([
      'GET /requests/{id}/receipt',
      'POST /requests',
      'POST /requests/{id}/execution',
    ]);
  });

  test("no route requires a scope: people's ID tokens carry no scope claim, and the machine client can only get the on-behalf scope", () => {
    for (const route of routes) expect(route.Properties?.AuthorizationScopes).toBeUndefined();
    const machine = resources(statefulTemplate, 'AWS::Cognito::UserPoolClient')[logicalId(stateful.machineClient)];
    expect(machine?.Properties?.AllowedOAuthScopes).toHaveLength(1);
  });

  test.each(
    OPERATIONS.flatMap((operation) =>
      operation.methods.map((method) => [`${method} ${operation.path}`, operation.auth, operation.name] as const),
    ),
  )('%s is guarded as its operation says (%s)', (routeKey, auth, name) => {
    const route = props(routeFor(routeKey));
    if (auth === 'jwt') {
      expect(route.AuthorizationType).toBe('JWT');
      expect(route.AuthorizerId).toEqual({ Ref: CALLING_SYSTEM_OPERATIONS.includes(name) ? systemsId : peopleId });
    } else {
      expect(route.AuthorizationType).toBe('NONE');
      expect(route.AuthorizerId).toBeUndefined();
    }
  });

  test('/health, /openapi.json, the receipt keys and the signed-link routes are the public ones', () => {
    const publicPaths = new Set(OPERATIONS.filter((operation) => operation.auth === 'none').map((operation) => operation.path));
    expect(publicPaths.has('/health')).toBe(true);
    for (const path of publicPaths)
      expect(path === '/health' || path === '/openapi.json' || path === '/.well-known/jwks.json' || path.startsWith('/links/')).toBe(true);
  });
});

describe('abuse of the public routes', () => {
  const stage = props(Object.values(resources(statelessTemplate, 'AWS::ApiGatewayV2::Stage'))[0]);
  const publicKeys = OPERATIONS.filter((operation) => operation.auth === 'none').flatMap((operation) =>
    operation.methods.map((method) => `${method} ${operation.path}`),
  );

  test('every public route has its own throttle, tighter than the stage default', () => {
    const defaults = stage.DefaultRouteSettings as { ThrottlingRateLimit: number; ThrottlingBurstLimit: number };
    expect(defaults).toMatchObject({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
    const settings = stage.RouteSettings as Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }>;
    expect(Object.keys(settings).sort()).toEqual([...publicKeys].sort());
    for (const key of publicKeys) {
      const setting = defined(settings[key], key);
      expect(setting.ThrottlingRateLimit).toBeLessThan(defaults.ThrottlingRateLimit);
      expect(setting.ThrottlingBurstLimit).toBeLessThan(defaults.ThrottlingBurstLimit);
      expect(setting).toEqual({
        ThrottlingRateLimit: PUBLIC_ROUTE_THROTTLES[key.split(' ')[1] ?? '']?.rateLimit,
        ThrottlingBurstLimit: PUBLIC_ROUTE_THROTTLES[key.split(' ')[1] ?? '']?.burstLimit,
      });
    }
  });

  test('the stage is created after the routes its settings name', () => {
    const [, stageResource] = defined(Object.entries(resources(statelessTemplate, 'AWS::ApiGatewayV2::Stage'))[0]);
    const dependsOn = (stageResource as { DependsOn?: string[] }).DependsOn ?? [];
    for (const key of publicKeys) expect(dependsOn).toContain(logicalId(defined(stateless.routes[key], key)));
  });

  test('the link functions have reserved concurrency; no other function does', () => {
    for (const [name, fn] of Object.entries(stateless.apiFunctions)) {
      const reserved = props(functions[logicalId(fn)]).ReservedConcurrentExecutions;
      const operation = defined(OPERATIONS.find((candidate) => candidate.name === name));
      expect([name, reserved]).toEqual([name, operation.path.startsWith('/links/') ? 10 : undefined]);
    }
  });

  test('linkConcurrency=0 and reconcilerConcurrency=0 reserve none (an account whose quota is too low to reserve any)', () => {
    const { stateless: none, statelessTemplate: template } = stacksWith({ linkConcurrency: 0, reconcilerConcurrency: 0 });
    const functions = resources(template, 'AWS::Lambda::Function');
    for (const fn of [...Object.values(none.apiFunctions), none.reconcilerFunction]) {
      expect(props(functions[logicalId(fn)]).ReservedConcurrentExecutions).toBeUndefined();
    }
  });
});

describe('custom domain', () => {
  const withDomain = stacksWith({ apiDomain: 'approvals.pki.corp-a.net', apiCertificateArn: CERTIFICATE_ARN });

  test('without apiDomain: no domain, the execute-api endpoint stays on, links use it (trials only)', () => {
    statefulTemplate.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
    statelessTemplate.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 0);
    expect(props(resources(statelessTemplate, 'AWS::ApiGatewayV2::Api')[logicalId(stateless.api)]).DisableExecuteApiEndpoint).toBe(false);
    expect(stateless.publicBaseUrl).toBe(stateless.api.apiEndpoint);
  });

  test('the domain lives in the stateful stack, with the certificate and TLS 1.2', () => {
    withDomain.statefulTemplate.resourceCountIs('AWS::ApiGatewayV2::DomainName', 1);
    withDomain.statefulTemplate.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'approvals.pki.corp-a.net',
      DomainNameConfigurations: [{ CertificateArn: CERTIFICATE_ARN, EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' }],
    });
    withDomain.statelessTemplate.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
    expect(Object.keys(withDomain.statefulTemplate.toJSON().Outputs)).toEqual(
      expect.arrayContaining(['ApiDomainTarget', 'ApiDomainHostedZoneId']),
    );
  });

  test("the stateless stack maps its API's $default stage to it and disables the execute-api endpoint", () => {
    const mappings = Object.values(resources(withDomain.statelessTemplate, 'AWS::ApiGatewayV2::ApiMapping'));
    expect(mappings).toHaveLength(1);
    const mapping = props(mappings[0]);
    expect(mapping.ApiId).toEqual({ Ref: logicalId(withDomain.stateless.api) });
    expect(mapping.Stage).toBe('$default');
    expect(resolveStackOutputs(mapping.DomainName, withDomain.statefulTemplate)).toEqual({
      Ref: logicalId(defined(withDomain.stateful.apiDomain)),
    });
    expect(
      props(resources(withDomain.statelessTemplate, 'AWS::ApiGatewayV2::Api')[logicalId(withDomain.stateless.api)])
        .DisableExecuteApiEndpoint,
    ).toBe(true);
  });

  test('links in emails and the ApiUrl output use the domain', () => {
    const senders = Object.values(withDomain.stateless.workflowFunctions).filter((fn) => fn.needs.has('email:send'));
    expect(senders.length).toBeGreaterThan(0);
    const lambdas = resources(withDomain.statelessTemplate, 'AWS::Lambda::Function');
    for (const fn of senders) {
      expect((props(lambdas[logicalId(fn)]).Environment as { Variables: Record<string, unknown> }).Variables.PUBLIC_BASE_URL).toBe(
        'https://approvals.pki.corp-a.net',
      );
    }
    expect(withDomain.statelessTemplate.toJSON().Outputs.ApiUrl.Value).toBe('https://approvals.pki.corp-a.net/');
  });
});

describe('the functions', () => {
  const all = { ...stateless.apiFunctions, ...stateless.workflowFunctions, sesEvents: stateless.sesEventsFunction };

  test.each(Object.entries(all))('%s runs Node 24 on arm64 with tracing, source maps, JSON logs and its own log group', (_name, fn) => {
    const properties = props(functions[logicalId(fn)]);
    expect(properties).toMatchObject({
      LoggingConfig: expect.objectContaining({ LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'WARN' }),
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Handler: 'index.handler',
      Environment: { Variables: expect.objectContaining({ NODE_OPTIONS: '--enable-source-maps' }) },
    });
    const logGroupRef = logGroupOf(logicalId(fn));
    const logGroup = resources(statelessTemplate, 'AWS::Logs::LogGroup')[logGroupRef];
    expect(logGroup?.Properties?.RetentionInDays).toEqual(expect.any(Number));
    const others = Object.values(all).filter((other) => other !== fn);
    for (const other of others) expect(logGroupOf(logicalId(other))).not.toBe(logGroupRef);
  });

  test('the API functions have the memory chosen by measurement (docs/scale.md), the workflow steps and the others 256 MB', () => {
    const memoryOf = (fn: (typeof all)[keyof typeof all]) => props(functions[logicalId(fn)]).MemorySize;
    expect(API_MEMORY_MB).toBe(512);
    for (const fn of Object.values(stateless.apiFunctions)) expect(memoryOf(fn)).toBe(API_MEMORY_MB);
    for (const fn of [...Object.values(stateless.workflowFunctions), stateless.sesEventsFunction]) expect(memoryOf(fn)).toBe(256);
  });

  test('no function uses a managed policy (each role has only its own inline policy)', () => {
    for (const role of Object.values(resources(statelessTemplate, 'AWS::IAM::Role')))
      expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
  });

  test('the API URL is an output', () => {
    expect(Object.keys(statelessTemplate.toJSON().Outputs)).toContain('ApiUrl');
  });
});
