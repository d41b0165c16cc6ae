/**
 * AWS clients, created once per process. Endpoints come from the SDK's own
 * settings (`AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_SFN`, ...), so the same
 * code talks to AWS in Lambda and to the local engines on one machine; credentials come from the
 * environment in both (credentials.ts).
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { environmentCredentials } from './credentials';

/** What every client shares: the environment's credentials (credentials.ts) and five attempts. */
export const CLIENT_CONFIG = { credentials: environmentCredentials, maxAttempts: 5 };

let dynamo: DynamoDBDocumentClient | undefined;
let sfn: SFNClient | undefined;
let ses: SESv2Client | undefined;
let cognito: CognitoIdentityProviderClient | undefined;
let kms: KMSClient | undefined;

export const documentClient = () =>
  (dynamo ??= DynamoDBDocumentClient.from(new DynamoDBClient(CLIENT_CONFIG), {
    marshallOptions: { removeUndefinedValues: true },
  }));
export const sfnClient = () => (sfn ??= new SFNClient(CLIENT_CONFIG));
export const sesClient = () => (ses ??= new SESv2Client({ ...CLIENT_CONFIG, retryMode: 'adaptive' }));
export const cognitoClient = () => (cognito ??= new CognitoIdentityProviderClient(CLIENT_CONFIG));
export const kmsClient = () => (kms ??= new KMSClient(CLIENT_CONFIG));
