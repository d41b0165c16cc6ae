/**
 * The operator console in the cloud: a private bucket read by CloudFront only (origin access
 * control), strict response headers, deep links answered with index.html, config.json deployed
 * beside the files, an app client with code + PKCE, CORS for the console's origin only.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { UserPool } from 'aws-cdk-lib/aws-cognito';
import { ConsoleSite } from '../../../infra/constructs/console-site';
import { assemblyDir, defined, fixture, logicalId, props, resolveStackOutputs, resources } from '../../helpers/infra';

const { stateful, stateless, statefulTemplate, statelessTemplate } = fixture();
const site = stateless.console;
const one = (type: string) => {
  const found = Object.values(resources(statelessTemplate, type));
  expect(found).toHaveLength(1);
  return props(defined(found[0], type));
};
const distributionDomain = { 'Fn::GetAtt': [logicalId(site.distribution), 'DomainName'] };
const consoleUrl = { 'Fn::Join': ['', ['https://', distributionDomain, '/console/']] };

describe('the console bucket', () => {
  test('is private, encrypted, TLS only, and goes with the stack', () => {
    const bucket = resources(statelessTemplate, 'AWS::S3::Bucket')[logicalId(site.bucket)];
    expect(bucket?.DeletionPolicy).toBe('Delete');
    expect(props(defined(bucket, 'bucket'))).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    statelessTemplate.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          // Only this distribution reads it, through origin access control.
          Match.objectLike({
            Effect: 'Allow',
            Action: 's3:GetObject',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  test('the files and config.json arrive in one deployment under console/, which removes them when the stack goes', () => {
    const deployment = one('Custom::CDKBucketDeployment');
    expect(deployment).toMatchObject({
      DestinationBucketKeyPrefix: 'console/',
      Prune: true,
      RetainOnDelete: false,
      DistributionPaths: ['/console/*'],
    });
    expect((deployment.SourceObjectKeys as unknown[]).length).toBeGreaterThanOrEqual(1);
    const markers = deployment.SourceMarkers as Array<Record<string, unknown>>;
    const configMarkers = JSON.stringify(resolveStackOutputs(markers.at(-1), statefulTemplate));
    expect(configMarkers).toContain(JSON.stringify({ 'Fn::GetAtt': [logicalId(stateless.api), 'ApiEndpoint'] }));
    expect(configMarkers).toContain(JSON.stringify({ Ref: logicalId(site.client) }));
    expect(configMarkers).toContain(JSON.stringify({ 'Fn::GetAtt': [logicalId(stateful.userPool), 'ProviderURL'] }));
  });

  test("config.json gives the console Cognito's /logout with client_id and logout_uri, so Sign out ends the managed login session", () => {
    const deployment = one('Custom::CDKBucketDeployment');
    const markers = deployment.SourceMarkers as Array<Record<string, unknown>>;
    const configMarkers = JSON.stringify(resolveStackOutputs(markers.at(-1), statefulTemplate));
    const domain = Object.keys(resources(statefulTemplate, 'AWS::Cognito::UserPoolDomain'))[0];
    expect(configMarkers).toContain(JSON.stringify({ Ref: domain }));
  });
});

describe('the distribution', () => {
  const config = one('AWS::CloudFront::Distribution').DistributionConfig as Record<string, any>;

  test('reads the bucket through origin access control, HTTPS only, GET and HEAD only', () => {
    expect(config.Origins).toHaveLength(1);
    expect(config.Origins[0]).toMatchObject({
      S3OriginConfig: { OriginAccessIdentity: '' },
      OriginAccessControlId: { 'Fn::GetAtt': [expect.any(String), 'Id'] },
    });
    one('AWS::CloudFront::OriginAccessControl');
    for (const behavior of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
      expect(behavior).toMatchObject({
        ViewerProtocolPolicy: 'redirect-to-https',
        AllowedMethods: ['GET', 'HEAD'],
        ResponseHeadersPolicyId: { Ref: logicalId(site.headersPolicy) },
      });
    }
    expect(config.CacheBehaviors.map((behavior: { PathPattern: string }) => behavior.PathPattern)).toEqual(['/console/assets/*']);
  });

  test('deep links get index.html, except assets and config.json; / goes to /console/', () => {
    const association = config.DefaultCacheBehavior.FunctionAssociations;
    expect(association).toEqual([{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [expect.any(String), 'FunctionARN'] } }]);
    const code = String(one('AWS::CloudFront::Function').FunctionCode);
    // Run the function as CloudFront would.
    const handler = new Function(`${code}; return handler;`)() as (event: unknown) => {
      uri?: string;
      statusCode?: number;
      headers?: Record<string, { value: string }>;
    };
    const uriOf = (uri: string) => handler({ request: { uri } }).uri;
    expect(uriOf('/console/requests/00000000-0000-4000-8000-000000000001')).toBe('/console/index.html');
    expect(uriOf('/console/tasks')).toBe('/console/index.html');
    expect(uriOf('/console/')).toBe('/console/index.html');
    expect(uriOf('/console/assets/index-abc.js')).toBe('/console/assets/index-abc.js');
    expect(uriOf('/console/config.json')).toBe('/console/config.json');
    expect(handler({ request: { uri: '/' } })).toMatchObject({ statusCode: 302, headers: { location: { value: '/console/' } } });
  });
});

describe('the response headers policy', () => {
  const security = (one('AWS::CloudFront::ResponseHeadersPolicy').ResponseHeadersPolicyConfig as Record<string, any>).SecurityHeadersConfig;
  /** The CSP as text, references shown as `<Ref>` (and other intrinsics as `<…>`). */
  const flat = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const node = value as Record<string, any>;
    if (node['Fn::Join']) return (node['Fn::Join'][1] as unknown[]).map(flat).join(node['Fn::Join'][0]);
    if (node.Ref) return `<${node.Ref}>`;
    return '<…>';
  };
  const csp = flat(security.ContentSecurityPolicy.ContentSecurityPolicy);

  test('a strict CSP: scripts of its own only, connections to the API and Cognito only, never framed', () => {
    expect(security.ContentSecurityPolicy.Override).toBe(true);
    for (const directive of ["default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"])
      expect(csp).toContain(directive);
    expect(csp).toContain(
      "connect-src 'self' https://*.execute-api.<AWS::Region>.amazonaws.com https://cognito-idp.<AWS::Region>.amazonaws.com https://<…>.auth.<AWS::Region>.amazoncognito.com;",
    );
    expect(csp).not.toContain('unsafe-eval');
  });

  test('HSTS for two years, no framing, no sniffing, no referrer', () => {
    expect(security).toMatchObject({
      StrictTransportSecurity: { AccessControlMaxAgeSec: 63_072_000, IncludeSubdomains: true, Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ContentTypeOptions: { Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
    });
  });
});

describe('signing in to the console', () => {
  test('the user pool domain uses managed login', () => {
    const domain = Object.values(resources(statefulTemplate, 'AWS::Cognito::UserPoolDomain'));
    expect(domain).toHaveLength(1);
    expect(props(defined(domain[0], 'domain')).ManagedLoginVersion).toBe(2);
  });

  test('its app client: authorization code (PKCE in the browser), no secret, callback and sign-out on the console URL', () => {
    const client = props(defined(resources(statelessTemplate, 'AWS::Cognito::UserPoolClient')[logicalId(site.client)], 'console client'));
    expect(client).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      CallbackURLs: [{ 'Fn::Join': ['', ['https://', distributionDomain, '/console/callback']] }],
      LogoutURLs: [{ 'Fn::Join': ['', ['https://', distributionDomain, '/console/signed-out']] }],
      SupportedIdentityProviders: ['COGNITO'],
    });
    expect(client.ExplicitAuthFlows).toEqual(['ALLOW_REFRESH_TOKEN_AUTH']);
    statelessTemplate.hasResourceProperties('AWS::Cognito::ManagedLoginBranding', {
      ClientId: { Ref: logicalId(site.client) },
      UseCognitoProvidedValues: true,
    });
  });

  // Cognito's standard attributes that name or reach a person (an empty or missing list means all of them).
  const IDENTIFYING = [
    'address',
    'birthdate',
    'email',
    'email_verified',
    'family_name',
    'gender',
    'given_name',
    'middle_name',
    'name',
    'nickname',
    'phone_number',
    'phone_number_verified',
    'picture',
    'preferred_username',
    'profile',
    'website',
  ];

  test('its app client writes no attribute that identifies a person: an explicit list without email, names or usernames', () => {
    const client = props(defined(resources(statelessTemplate, 'AWS::Cognito::UserPoolClient')[logicalId(site.client)], 'console client'));
    const writable = client.WriteAttributes as string[] | undefined;
    expect(writable?.length).toBeGreaterThan(0);
    expect(writable?.filter((attribute) => IDENTIFYING.includes(attribute) || attribute.startsWith('custom:'))).toEqual([]);
  });

  test('every app client of the pool has an explicit list of writable attributes; none may write email or email_verified', () => {
    const clients = [
      ...Object.entries(resources(statefulTemplate, 'AWS::Cognito::UserPoolClient')),
      ...Object.entries(resources(statelessTemplate, 'AWS::Cognito::UserPoolClient')),
    ];
    expect(clients.length).toBe(3);
    for (const [id, client] of clients) {
      const writable = props(client).WriteAttributes as string[] | undefined;
      expect({ id, explicit: (writable?.length ?? 0) > 0 }).toEqual({ id, explicit: true });
      expect({
        id,
        personal: writable?.filter((attribute) => ['email', 'email_verified', 'phone_number', 'preferred_username'].includes(attribute)),
      }).toEqual({ id, personal: [] });
    }
    const machine = props(
      defined(resources(statefulTemplate, 'AWS::Cognito::UserPoolClient')[logicalId(stateful.machineClient)], 'machine client'),
    );
    expect((machine.WriteAttributes as string[]).filter((attribute) => IDENTIFYING.includes(attribute))).toEqual([]);
  });

  test('CORS on the API allows the console origin only', () => {
    const cors = props(defined(resources(statelessTemplate, 'AWS::ApiGatewayV2::Api')[logicalId(stateless.api)], 'api')).CorsConfiguration;
    expect(cors).toMatchObject({
      AllowOrigins: [{ 'Fn::Join': ['', ['https://', distributionDomain]] }],
      AllowHeaders: expect.arrayContaining(['authorization', 'content-type']),
    });
    expect(JSON.stringify(cors)).not.toContain('"*"');
  });

  test('the console URL is an output', () => {
    expect(statelessTemplate.toJSON().Outputs.ConsoleUrl.Value).toEqual(consoleUrl);
  });
});

describe('the deployment function', () => {
  test('may write the console files, read its two source zips and invalidate this distribution only', () => {
    const role = defined(site.node.tryFindChild('DeploymentRole'), 'DeploymentRole');
    const policy = props(
      defined(resources(statelessTemplate, 'AWS::IAM::Policy')[logicalId(role.node.findChild('DefaultPolicy'))], 'policy'),
    );
    const statements = (policy.PolicyDocument as { Statement: Array<{ Action: string | string[] }> }).Statement;
    expect(statements.map((statement) => [statement.Action].flat().sort())).toEqual([
      ['logs:CreateLogStream', 'logs:PutLogEvents'],
      ['s3:ListBucket'],
      ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
      ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation'],
      ['s3:GetObject'],
    ]);
    expect(JSON.stringify(statements[3])).toContain(`:distribution/",${JSON.stringify({ Ref: logicalId(site.distribution) })}`);
  });
});

/** The config.json a synthesized stack deploys (its tokens stay as deployment markers). */
function configAsset(stack: Stack): string {
  const outdir = (stack.node.root as App).outdir;
  const dir = readdirSync(outdir).find((name) => name.startsWith('asset.') && existsSync(join(outdir, name, 'config.json')));
  return join(outdir, defined(dir, 'config.json asset'), 'config.json');
}

describe('synth without a built console (a fresh clone)', () => {
  test('deploys config.json alone and warns, instead of failing', () => {
    const stack = new Stack(new App({ builtinCloudFormationValidation: false, outdir: assemblyDir() }), 'Bare');
    new ConsoleSite(stack, 'Console', {
      prefix: 'approvals-test',
      userPool: new UserPool(stack, 'Pool'),
      authDomainUrl: 'https://approvals-test.auth.eu-west-1.amazoncognito.com',
      apiUrl: 'https://approvals.example.org',
      apiConnectSource: 'https://approvals.example.org',
      buildDir: '/nonexistent/console/dist',
    });
    const deployment = Object.values(Template.fromStack(stack).findResources('Custom::CDKBucketDeployment'))[0] as {
      Properties: { SourceObjectKeys: unknown[] };
    };
    expect(deployment.Properties.SourceObjectKeys).toHaveLength(1);
    const config = JSON.parse(readFileSync(configAsset(stack), 'utf8'));
    expect(config).toMatchObject({
      endSessionEndpoint: 'https://approvals-test.auth.eu-west-1.amazoncognito.com/logout',
      endSessionParams: { logout_uri: expect.stringMatching(/\/console\/signed-out$/) },
    });
    expect(Object.keys(config.endSessionParams).sort()).toEqual(['client_id', 'logout_uri']);
    expect(config.postLogoutRedirectUri).toMatch(/^https:\/\/.+\/console\/signed-out$/);
    Annotations.fromStack(stack).hasWarning('/Bare/Console', Match.stringLikeRegexp('does not exist: only config.json is deployed'));
  });
});
