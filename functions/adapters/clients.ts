/**
 * AWS clients, created once per process. Endpoints come from the SDK's own
 * settings (`AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_SFN`, ...), so the same
 * code talks to AWS in Lambda and to the local engines on one machine; credentials come from the
 * environment in both (credentials.ts). The KMS, Secrets Manager and EventBridge clients live
 * with their adapters (kms-signer.ts, secrets-manager.ts, eventbridge.ts): a bundle that imports
 * this module holds the DynamoDB document client, used or not.
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CLIENT_CONFIG } from './credentials';

let dynamo: DynamoDBDocumentClient | undefined;
let sfn: SFNClient | undefined;
let ses: SESv2Client | undefined;
let cognito: CognitoIdentityProviderClient | undefined;

export const documentClient = () =>
  (dynamo ??= DynamoDBDocumentClient.from(new DynamoDBClient(CLIENT_CONFIG), {
    marshallOptions: { removeUndefinedValues: true },
  }));
export const sfnClient = () => (sfn ??= new SFNClient(CLIENT_CONFIG));
export const sesClient = () => (ses ??= new SESv2Client({ ...CLIENT_CONFIG, retryMode: 'adaptive' }));
export const cognitoClient = () => (cognito ??= new CognitoIdentityProviderClient(CLIENT_CONFIG));
