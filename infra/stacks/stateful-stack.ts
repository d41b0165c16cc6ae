/**
 * Everything that holds data or identities: the table, the user pool with its groups, app clients
 * and resource server, the signing-key secrets, the receipt keys and the SES identity. These are
 * retained when the stack goes (the Cognito domain and the API's custom domain are not), and the
 * stateless stack can be redeployed or destroyed without touching them.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { DomainName, EndpointType, type IDomainName, SecurityPolicy } from 'aws-cdk-lib/aws-apigatewayv2';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AccountRecovery,
  CfnManagedLoginBranding,
  ClientAttributes,
  FeaturePlan,
  ManagedLoginVersion,
  Mfa,
  OAuthScope,
  ResourceServerScope,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolClient,
  UserPoolEmail,
} from 'aws-cdk-lib/aws-cognito';
import { AttributeType, Billing, ProjectionType, StreamViewType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import { ON_BEHALF_SCOPE, ON_BEHALF_SCOPE_NAME, RESOURCE_SERVER_ID } from '../../functions/domain/bodies';
import {
  DUE_INDEX,
  SEARCH_INDEX_ATTRIBUTES,
  STREAM_VIEW_TYPE,
  TABLE_INDEXES,
  TABLE_KEY,
  TTL_ATTRIBUTE,
} from '../../functions/adapters/dynamodb/schema';
import type { DeploymentConfig } from '../config';
import { ReceiptKeys } from '../constructs/receipt-keys';
import { SigningKeys } from '../constructs/signing-keys';
import { sesIdentityArn } from '../constructs/service-function';

/** The groups the functions read from `cognito:groups`. */
export const GROUPS = { approvers: 'approvers', admins: 'admins' } as const;
/** The resource server and scope a calling system gets with the client-credentials grant (shared with the functions). */

export interface StatefulStackProps extends StackProps {
  readonly config: DeploymentConfig;
}

/** What the stateless stack gets from this one (typed props, not exports looked up by name). */
export interface StatefulResources {
  readonly table: TableV2;
  /** The search indexes. */
  readonly indexNames: readonly string[];
  /** The reconciler's sparse index. */
  readonly dueIndexName: string;
  readonly userPool: UserPool;
  /** Clients whose tokens the API accepts: users' ID/access tokens and the calling systems' access tokens. */
  readonly apiClients: readonly UserPoolClient[];
  readonly linkKeys: Secret;
  readonly callbackKeys: Secret;
  /**
   * The receipt keys (KMS): the one that signs now and every one the JWKS lists, current first,
   * and the start of the role names the key policy lets sign (plain text built from the stage prefix, no token).
   */
  readonly receiptKeys: { readonly signingKeyArn: string; readonly keyArns: readonly string[]; readonly signerRolePrefix: string };
  readonly sender: { readonly email: string; readonly identityArn: string; readonly sandboxRecipientArns: readonly string[] };
  /** The API's custom domain, when `apiDomain` is set: the stateless stack maps its API to it. */
  readonly apiDomain?: IDomainName;
  /** `https://<prefix>.auth.<region>.amazoncognito.com`: managed login (the console signs in there) and the token endpoint. */
  readonly authDomainUrl: string;
}

export class StatefulStack extends Stack implements StatefulResources {
  readonly table: TableV2;
  readonly indexNames = TABLE_INDEXES.map((index) => index.indexName);
  readonly dueIndexName = DUE_INDEX.indexName;
  readonly userPool: UserPool;
  readonly userClient: UserPoolClient;
  readonly machineClient: UserPoolClient;
  readonly apiClients: readonly UserPoolClient[];
  readonly linkKeys: Secret;
  readonly callbackKeys: Secret;
  readonly receiptKeys: StatefulResources['receiptKeys'];
  readonly sender: StatefulResources['sender'];
  readonly apiDomain?: IDomainName;
  readonly authDomainUrl: string;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { config } = props;

    // ---- DynamoDB: the single table of functions/adapters/dynamodb/schema.ts (DynamoDB Local uses the same) ----
    // TableV2 (AWS::DynamoDB::GlobalTable): the current L2, with deletion protection and PITR per
    // replica, and adding a replica region later is a property change instead of a table migration.
    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: TABLE_KEY.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEY.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      // The outbox: the stream consumer (stateless stack) reads every change with its before and after.
      dynamoStream: StreamViewType[STREAM_VIEW_TYPE],
      removalPolicy: RemovalPolicy.RETAIN,
      globalSecondaryIndexes: [
        ...TABLE_INDEXES.map((index) => ({
          indexName: index.indexName,
          partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
          sortKey: { name: index.sortKey, type: AttributeType.STRING },
          // A global table's projection cannot change in place: another needs new index names (added in one deploy, the old dropped in the next).
          projectionType: ProjectionType.INCLUDE,
          nonKeyAttributes: [...SEARCH_INDEX_ATTRIBUTES],
        })),
        {
          // Sparse (only requests the workflow still owes something carry GSI3PK), keys only: the
          // reconciler reads each due request itself, strongly consistent.
          indexName: DUE_INDEX.indexName,
          partitionKey: { name: DUE_INDEX.partitionKey, type: AttributeType.STRING },
          sortKey: { name: DUE_INDEX.sortKey, type: AttributeType.STRING },
          projectionType: ProjectionType.KEYS_ONLY,
        },
      ],
    });

    // ---- Cognito: people sign in; calling systems use the client-credentials grant -----------
    this.userPool = new UserPool(this, 'UserPool', {
      userPoolName: `${config.prefix}-users`,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      // Approvers release certificates and cards: a second factor (authenticator app) is required.
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      // Through SES (the sender identity, which must be verified before Cognito accepts it), not
      // Cognito's own sender and its 50 emails a day.
      email:
        config.cognitoEmail === 'ses'
          ? UserPoolEmail.withSES({
              fromEmail: config.senderEmail,
              fromName: 'Approvals',
              sesRegion: this.region,
              sesVerifiedDomain: config.senderDomain,
            })
          : UserPoolEmail.withCognito(),
    });
    // The pool's groups (their members), app clients and resource server are retained with it: a retained pool keeps working.
    const groups = [
      this.userPool.addGroup('Approvers', {
        groupName: GROUPS.approvers,
        description: 'May decide on requests that list them, and search all requests',
      }),
      this.userPool.addGroup('Admins', { groupName: GROUPS.admins, description: 'Manage profiles and delete any request' }),
    ];

    const resourceServer = this.userPool.addResourceServer('ApiResourceServer', {
      identifier: RESOURCE_SERVER_ID,
      userPoolResourceServerName: `${config.prefix}-api`,
      scopes: [
        new ResourceServerScope({
          scopeName: ON_BEHALF_SCOPE_NAME,
          scopeDescription: 'Create approval requests on behalf of a named requester',
        }),
      ],
    });
    const onBehalf = OAuthScope.resourceServer(
      resourceServer,
      new ResourceServerScope({ scopeName: ON_BEHALF_SCOPE_NAME, scopeDescription: 'on behalf' }),
    );

    // The token endpoint (client credentials) and the sign-in pages (managed login) need a domain.
    const domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: config.authDomainPrefix ?? `${config.prefix}-${this.account}` },
      managedLoginVersion: ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    this.authDomainUrl = domain.baseUrl();

    this.userClient = this.userPool.addClient('UserClient', {
      userPoolClientName: `${config.prefix}-users`,
      generateSecret: false,
      // SRP for apps; outside prod also USER_PASSWORD_AUTH, so an operator can get a token with the
      // AWS CLI (README). MFA applies to both. In prod the password never travels to Cognito as such.
      authFlows: { userSrp: true, userPassword: !config.production },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: config.callbackUrls,
      },
      preventUserExistenceErrors: true,
      // A person is known by their email: nobody may change their own (an admin does, infra/README.md).
      // Without this list the client could write every attribute, email and email_verified included.
      writeAttributes: new ClientAttributes().withStandardAttributes({
        fullname: true,
        givenName: true,
        familyName: true,
        locale: true,
        timezone: true,
      }),
      readAttributes: new ClientAttributes().withStandardAttributes({
        email: true,
        emailVerified: true,
        fullname: true,
        givenName: true,
        familyName: true,
        locale: true,
        timezone: true,
      }),
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      enableTokenRevocation: true,
    });

    // Managed login shows a client's pages only with a style: Cognito's own.
    new CfnManagedLoginBranding(this, 'UserClientLoginStyle', {
      userPoolId: this.userPool.userPoolId,
      clientId: this.userClient.userPoolClientId,
      useCognitoProvidedValues: true,
    });

    this.machineClient = this.userPool.addClient('MachineClient', {
      userPoolClientName: `${config.prefix}-calling-systems`,
      generateSecret: true,
      authFlows: {},
      oAuth: { flows: { clientCredentials: true }, scopes: [onBehalf] },
      // No user signs in through it; still, an explicit list (Cognito's default is every standard attribute).
      writeAttributes: new ClientAttributes().withStandardAttributes({ locale: true }),
      accessTokenValidity: Duration.hours(1),
      enableTokenRevocation: true,
    });
    this.machineClient.node.addDependency(resourceServer);
    this.apiClients = [this.userClient, this.machineClient];
    for (const part of [...groups, resourceServer, ...this.apiClients]) part.applyRemovalPolicy(RemovalPolicy.RETAIN);

    // ---- Signing keys, generated at deploy time ----------------------------------------------
    const keys = new SigningKeys(this, 'SigningKeys', {
      namePrefix: config.prefix,
      secrets: {
        LinkKeys: 'HMAC keys of the signed links in approval emails',
        CallbackKeys: 'HMAC keys of the Approvals-Signature header on callbacks to calling systems',
      },
    });
    this.linkKeys = required(keys.secrets.LinkKeys);
    this.callbackKeys = required(keys.secrets.CallbackKeys);

    // ---- Receipt keys: KMS asymmetric keys that sign approval receipts (never leave KMS) --------
    const receiptKeys = new ReceiptKeys(this, 'ReceiptKeys', { generations: config.receiptKeys, namePrefix: config.prefix });
    this.receiptKeys = {
      signingKeyArn: receiptKeys.current.keyArn,
      keyArns: [...receiptKeys.keys].reverse().map((key) => key.keyArn),
      signerRolePrefix: receiptKeys.signerRolePrefix,
    };

    // ---- SES: the sender identity (and, in the sandbox, the verified recipients) --------------
    // Retained (verification and reputation survive), so a deploy after a destroy must not create
    // them again: with `senderIdentity=existing` the stack uses the identities that exist already.
    const identityName = config.senderDomain ?? config.senderEmail;
    const createIdentities = config.senderIdentity === 'create';
    const identity = createIdentities
      ? new EmailIdentity(this, 'SenderIdentity', {
          identity: config.senderDomain ? Identity.domain(config.senderDomain) : Identity.email(config.senderEmail),
        })
      : undefined;
    identity?.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const recipientArns = config.sandboxRecipients
      .filter((address) => address !== config.senderEmail)
      .map((address, index) => {
        if (createIdentities) {
          const recipient = new EmailIdentity(this, `SandboxRecipient${index + 1}`, { identity: Identity.email(address) });
          recipient.applyRemovalPolicy(RemovalPolicy.RETAIN);
        }
        return sesIdentityArn(this, address);
      });
    this.sender = { email: config.senderEmail, identityArn: sesIdentityArn(this, identityName), sandboxRecipientArns: recipientArns };

    if (config.senderDomain && identity) {
      identity.dkimRecords.forEach((record, index) => {
        new CfnOutput(this, `DkimRecord${index + 1}`, {
          value: `${record.name} CNAME ${record.value}`,
          description: 'Publish in DNS to verify the sender domain',
        });
      });
    }

    // ---- The API's own domain (links in emails live up to a year: they must survive a new API) ----
    if (config.apiDomain && config.apiCertificateArn) {
      this.apiDomain = new DomainName(this, 'ApiDomain', {
        domainName: config.apiDomain,
        certificate: Certificate.fromCertificateArn(this, 'ApiCertificate', config.apiCertificateArn),
        endpointType: EndpointType.REGIONAL,
        securityPolicy: SecurityPolicy.TLS_1_2,
      });
      new CfnOutput(this, 'ApiDomainTarget', {
        value: this.apiDomain.regionalDomainName,
        description: `Point ${config.apiDomain} here in DNS (CNAME, or an alias A record with ApiDomainHostedZoneId)`,
      });
      new CfnOutput(this, 'ApiDomainHostedZoneId', { value: this.apiDomain.regionalHostedZoneId });
    }

    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.userClient.userPoolClientId, description: 'App client of people (ID tokens)' });
    new CfnOutput(this, 'MachineClientId', {
      value: this.machineClient.userPoolClientId,
      description: 'App client of calling systems (client credentials)',
    });
    new CfnOutput(this, 'TokenEndpoint', { value: `${domain.baseUrl()}/oauth2/token` });
    new CfnOutput(this, 'OnBehalfScope', { value: ON_BEHALF_SCOPE });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'LinkKeysSecretArn', {
      value: this.linkKeys.secretArn,
      description: 'HMAC keys of the email links (rotate and revoke: docs/deploy-and-operations.md)',
    });
    new CfnOutput(this, 'ReceiptSigningKeyArn', {
      value: this.receiptKeys.signingKeyArn,
      description: 'KMS key that signs approval receipts now (rotate: infra/README.md, Receipt keys)',
    });
    new CfnOutput(this, 'CallbackKeysSecretArn', {
      value: this.callbackKeys.secretArn,
      description: 'HMAC keys of the callbacks (rotate and revoke: docs/deploy-and-operations.md)',
    });
  }
}

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('internal: missing construct');
  return value;
}
