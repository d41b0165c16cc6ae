/**
 * The operator console in the cloud: its built files in a private S3 bucket, served by CloudFront
 * through origin access control under /console/, with strict response headers; its runtime
 * settings (config.json: API URL, OpenID authority, client id, redirect URIs) deployed beside the
 * files; and the Cognito app client it signs in with (authorization code with PKCE, no secret).
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Annotations, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import {
  CfnManagedLoginBranding,
  type CfnUserPoolClient,
  ClientAttributes,
  OAuthScope,
  type UserPool,
  UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, type ISource, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { PROJECT_ROOT } from './service-function';

/** Where `npm run build:console` writes the console. */
export const CONSOLE_BUILD_DIR = path.join(PROJECT_ROOT, 'console', 'dist');
/** The console's path on its distribution (Vite's `base`, and the local server's). */
export const CONSOLE_PATH = '/console/';

export interface ConsoleSiteProps {
  /** Prefix of names (`approvals-<stage>`). */
  readonly prefix: string;
  readonly userPool: UserPool;
  /** `https://<prefix>.auth.<region>.amazoncognito.com`: managed login and the token endpoint. */
  readonly authDomainUrl: string;
  /** The HTTP API's base URL, no trailing slash, as config.json gives it to the console. */
  readonly apiUrl: string;
  /**
   * The origin the console's CSP lets it call the API at: the API's own domain, or (trials on the
   * execute-api URL) the region's execute-api hosts. An exact execute-api URL would make a cycle:
   * the API's CORS names the distribution, whose headers policy would name the API.
   */
  readonly apiConnectSource: string;
  /**
   * The built console; when it does not exist, only config.json is deployed and synth warns.
   * @default CONSOLE_BUILD_DIR
   */
  readonly buildDir?: string;
  readonly logRetention?: RetentionDays;
  /** @default RemovalPolicy.DESTROY */
  readonly logRemovalPolicy?: RemovalPolicy;
}

export class ConsoleSite extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  readonly headersPolicy: ResponseHeadersPolicy;
  readonly client: UserPoolClient;
  readonly deployment: BucketDeployment;
  /** `https://<distribution>/console/` */
  readonly url: string;
  /** `https://<distribution>`: the only origin the API's CORS allows. */
  readonly origin: string;

  constructor(scope: Construct, id: string, props: ConsoleSiteProps) {
    super(scope, id);
    const stack = Stack.of(this);

    // Build output only: redeployed with every deploy, so it goes with the stack (its objects are
    // removed by the deployment below when the stack is deleted, so the bucket can go too).
    this.bucket = new Bucket(this, 'Files', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const cognitoIdp = `https://cognito-idp.${stack.region}.amazonaws.com`;
    const csp = [
      "default-src 'none'",
      "script-src 'self'",
      // Cloudscape sets inline styles on elements (positions of popovers and tables' sticky headers).
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data:",
      "font-src 'self' data:",
      `connect-src 'self' ${props.apiConnectSource} ${cognitoIdp} ${props.authDomainUrl}`,
      "manifest-src 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "form-action 'none'",
      "object-src 'none'",
    ].join('; ');
    this.headersPolicy = new ResponseHeadersPolicy(this, 'Headers', {
      responseHeadersPolicyName: `${props.prefix}-console`,
      comment: 'Operator console: strict CSP, HSTS, no framing',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: csp, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });

    // Deep links (/console/requests/<id>) are the single-page app's: CloudFront answers them with
    // index.html; the files that exist (assets, config.json) are served as they are, and a missing
    // asset stays a 404 instead of turning into HTML.
    const spaFallback = new CloudFrontFunction(this, 'SpaFallback', {
      runtime: FunctionRuntime.JS_2_0,
      comment: 'Console deep links to /console/index.html',
      code: FunctionCode.fromInline(SPA_FALLBACK_CODE),
    });
    const origin = S3BucketOrigin.withOriginAccessControl(this.bucket);
    this.distribution = new Distribution(this, 'Distribution', {
      comment: `${props.prefix} operator console`,
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        // index.html and config.json: always fresh, so a deploy shows at once.
        cachePolicy: CachePolicy.CACHING_DISABLED,
        responseHeadersPolicy: this.headersPolicy,
        functionAssociations: [{ function: spaFallback, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        // Vite names assets by content hash: cached for good.
        [`${CONSOLE_PATH}assets/*`]: {
          origin,
          viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
          cachePolicy: CachePolicy.CACHING_OPTIMIZED,
          responseHeadersPolicy: this.headersPolicy,
        },
      },
    });
    this.origin = `https://${this.distribution.distributionDomainName}`;
    this.url = `${this.origin}${CONSOLE_PATH}`;

    // ---- Sign-in: an app client of the user pool for the console, on Cognito's managed login ----
    // Created in this stack (not with userPool.addClient, which would put it in the pool's stack).
    this.client = new UserPoolClient(this, 'Client', {
      userPool: props.userPool,
      userPoolClientName: `${props.prefix}-console`,
      generateSecret: false,
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [`${this.url}callback`],
        // Sign out ends the managed login session through /logout, which comes back here only.
        logoutUrls: [`${this.url}signed-out`],
      },
      preventUserExistenceErrors: true,
      // The console never writes a user's attributes; without this list its tokens could write every
      // standard one (email, name, preferred_username...). An empty list is the same as no list for
      // Cognito, so the list names one attribute that identifies nobody.
      writeAttributes: new ClientAttributes().withStandardAttributes({ locale: true }),
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      enableTokenRevocation: true,
    });
    // Sign-in through managed login only: no password, SRP or custom flows on this client.
    (this.client.node.defaultChild as CfnUserPoolClient).explicitAuthFlows = ['ALLOW_REFRESH_TOKEN_AUTH'];
    // Managed login shows a client's pages only with a style: Cognito's own.
    new CfnManagedLoginBranding(this, 'ManagedLoginStyle', {
      userPoolId: props.userPool.userPoolId,
      clientId: this.client.userPoolClientId,
      useCognitoProvidedValues: true,
    });

    // ---- Files and config.json, in one deployment (two would prune each other's files) ----------
    const buildDir = props.buildDir ?? CONSOLE_BUILD_DIR;
    const sources: ISource[] = [
      Source.jsonData('config.json', {
        apiUrl: props.apiUrl,
        authority: props.userPool.userPoolProviderUrl,
        clientId: this.client.userPoolClientId,
        redirectUri: `${this.url}callback`,
        postLogoutRedirectUri: `${this.url}signed-out`,
        // Cognito's discovery document names no end-session endpoint: its /logout takes client_id and logout_uri.
        endSessionEndpoint: `${props.authDomainUrl}/logout`,
        endSessionParams: { client_id: this.client.userPoolClientId, logout_uri: `${this.url}signed-out` },
        scope: 'openid email profile',
      }),
    ];
    if (existsSync(path.join(buildDir, 'index.html'))) sources.unshift(Source.asset(buildDir));
    else
      Annotations.of(this).addWarningV2(
        'approvals:console-not-built',
        `${path.relative(PROJECT_ROOT, buildDir)} does not exist: only config.json is deployed. Run \`npm run build:console\` (npm run synth does) before deploying.`,
      );

    // The deployment's own function gets exactly these permissions (its defaults would grant
    // wildcard actions and CloudFront invalidations on every distribution).
    const logGroup = new LogGroup(this, 'DeploymentLogs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    const role = new Role(this, 'DeploymentRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Copies the operator console and its config.json into its bucket and invalidates the distribution',
    });
    logGroup.grantWrite(role);
    const prefix = CONSOLE_PATH.slice(1);
    role.addToPolicy(
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: [this.bucket.arnForObjects(`${prefix}*`)],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        actions: ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation'],
        resources: [
          stack.formatArn({ service: 'cloudfront', region: '', resource: 'distribution', resourceName: this.distribution.distributionId }),
        ],
      }),
    );
    const sourceReader = new Construct(this, 'Sources');
    for (const source of sources) {
      const bound = source.bind(sourceReader, { handlerRole: role.withoutPolicyUpdates() });
      role.addToPolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [bound.bucket.arnForObjects(bound.zipObjectKey)] }));
    }
    this.deployment = new BucketDeployment(this, 'Deployment', {
      sources,
      destinationBucket: this.bucket,
      destinationKeyPrefix: prefix,
      distribution: this.distribution,
      distributionPaths: [`${CONSOLE_PATH}*`],
      prune: true,
      // Deleting the stack deletes the files, so the bucket can be deleted too.
      retainOnDelete: false,
      memoryLimit: 512,
      role: role.withoutPolicyUpdates(),
      logGroup,
    });

    // ---- cdk-nag: what is deliberately not done, and why ----------------------------------------
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'The bucket holds the public build of the console and is read by CloudFront only (origin access control); nobody else can reach it, and each deploy replaces its content. Server access logs would record CloudFront fetching files.',
    });
    const distribution = this.distribution;
    Validations.of(distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: 'Operators sign in from wherever they work; who may use the console is decided by Cognito (MFA required), not by country.',
    });
    Validations.of(distribution).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason:
        'The distribution serves static files only (GET and HEAD, no origin logic); every call that does something goes to the HTTP API, which has its own per-route throttles and the JWT authorizer.',
    });
    Validations.of(distribution).acknowledge({
      id: 'AwsSolutions-CFR3',
      reason:
        'Static files only; what operators do is in the API access log (route, status, caller sub) and in each request history. Standard logging would add a log bucket for file fetches.',
    });
    Validations.of(distribution).acknowledge({
      id: 'AwsSolutions-CFR4',
      reason:
        'On its default *.cloudfront.net certificate CloudFront cannot set a minimum TLS version; browsers negotiate TLS 1.2 or 1.3 with it. A custom console domain with its own certificate would allow TLSv1.2_2021.',
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(this.bucket.node.defaultChild as CfnBucket)}.Arn>/${prefix}*]`,
      reason:
        "The console's file names carry content hashes and change with each build, so the deployment may write and delete any object under console/ of this one bucket, and nothing else (asserted in test/unit/infra).",
    });
    // The deployment's function is a singleton at the stack's top level.
    const deploymentFunction = stack.node.children.find((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (!deploymentFunction) throw new Error('internal: the BucketDeployment function was not found');
    Validations.of(deploymentFunction).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        "The CDK's BucketDeployment chooses its own function's runtime (Python, with the AWS CLI layer); it runs at deploy time only and is not reachable from outside.",
    });
  }
}

/** CloudFront Functions runtime 2.0 (ES 5.1 plus a few later features). */
const SPA_FALLBACK_CODE = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === '/' || uri === '/console') {
    return { statusCode: 302, statusDescription: 'Found', headers: { location: { value: '${CONSOLE_PATH}' } } };
  }
  if (uri.indexOf('${CONSOLE_PATH}') === 0 && uri.indexOf('${CONSOLE_PATH}assets/') !== 0 && uri !== '${CONSOLE_PATH}config.json') {
    request.uri = '${CONSOLE_PATH}index.html';
  }
  return request;
}`;
