/**
 * The HTTP API serves exactly the operations of functions/operations.ts: one route per
 * (method, path), each operation with its own function, the JWT authorizer on 'jwt'
 * routes only.
 */
import { OPERATIONS } from '../../../functions/operations';
import { defined, fixture, logicalId, props, resolveStackOutputs, resources } from '../../infra/fixture';

const { stateless, stateful, statelessTemplate, statefulTemplate } = fixture();
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
  test('the operations list is not empty and names each operation once', () => {
    expect(OPERATIONS.length).toBeGreaterThan(0);
    expect(new Set(OPERATIONS.map((operation) => operation.name)).size).toBe(OPERATIONS.length);
    expect(new Set(expectedRouteKeys).size).toBe(expectedRouteKeys.length);
  });

  test('every (method, path) of every operation has exactly one route, and there are no others', () => {
    expect(routes.map((route) => route.Properties?.RouteKey).sort()).toEqual([...expectedRouteKeys].sort());
  });

  test.each(OPERATIONS.map((operation) => [operation.name, operation] as const))('%s: each of its methods invokes its own function', (name, operation) => {
    const id = logicalId(defined(stateless.apiFunctions[name], `function of ${name}`));
    for (const method of operation.methods) expect(functionBehind(`${method} ${operation.path}`)).toBe(id);
  });

  test('no two operations share a function', () => {
    const ids = OPERATIONS.map((operation) => functionBehind(`${operation.methods[0]} ${operation.path}`));
    expect(new Set(ids).size).toBe(OPERATIONS.length);
  });
});

describe('authorization', () => {
  const authorizers = Object.entries(resources(statelessTemplate, 'AWS::ApiGatewayV2::Authorizer'));

  test('one JWT authorizer: issuer is the user pool, audience the user and machine clients', () => {
    expect(authorizers).toHaveLength(1);
    const [, authorizer] = defined(authorizers[0], 'the authorizer');
    expect(authorizer.Properties).toMatchObject({ AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'] });
    const config = resolveStackOutputs(authorizer.Properties?.JwtConfiguration, statefulTemplate);
    expect(config).toEqual({
      Issuer: { 'Fn::GetAtt': [logicalId(stateful.userPool), 'ProviderURL'] },
      Audience: [{ Ref: logicalId(stateful.userClient) }, { Ref: logicalId(stateful.machineClient) }],
    });
  });

  test.each(OPERATIONS.flatMap((operation) => operation.methods.map((method) => [`${method} ${operation.path}`, operation.auth] as const)))(
    '%s is guarded as its operation says (%s)',
    (routeKey, auth) => {
      const route = props(routeFor(routeKey));
      if (auth === 'jwt') {
        expect(route.AuthorizationType).toBe('JWT');
        expect(route.AuthorizerId).toEqual({ Ref: defined(authorizers[0], 'the authorizer')[0] });
      } else {
        expect(route.AuthorizationType).toBe('NONE');
        expect(route.AuthorizerId).toBeUndefined();
      }
    },
  );

  test('/health, /openapi.json and the signed-link routes are the public ones', () => {
    const publicPaths = new Set(OPERATIONS.filter((operation) => operation.auth === 'none').map((operation) => operation.path));
    expect(publicPaths.has('/health')).toBe(true);
    for (const path of publicPaths) expect(path === '/health' || path === '/openapi.json' || path.startsWith('/links/')).toBe(true);
  });
});

describe('the functions', () => {
  const all = { ...stateless.apiFunctions, ...stateless.workflowFunctions, sesEvents: stateless.sesEventsFunction };

  test.each(Object.entries(all))('%s runs Node 24 on arm64 with tracing, source maps and its own log group', (_name, fn) => {
    const properties = props(functions[logicalId(fn)]);
    expect(properties).toMatchObject({
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

  test('no function uses a managed policy (each role has only its own inline policy)', () => {
    for (const role of Object.values(resources(statelessTemplate, 'AWS::IAM::Role'))) expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
  });

  test('the API URL is an output', () => {
    expect(Object.keys(statelessTemplate.toJSON().Outputs)).toContain('ApiUrl');
  });
});
