/**
 * AWS clients, created once per process. Endpoints come from the SDK's own
 * settings (`AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_SFN`, ...), so the same
 * code talks to AWS in Lambda and to the local engines on one machine.
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

let dynamo: DynamoDBDocumentClient | undefined;
let sfn: SFNClient | undefined;
let ses: SESv2Client | undefined;
let cognito: CognitoIdentityProviderClient | undefined;
let kms: KMSClient | undefined;

export const documentClient = () =>
  (dynamo ??= DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 5 }), {
    marshallOptions: { removeUndefinedValues: true },
  }));
export const sfnClient = () => (sfn ??= new SFNClient({ maxAttempts: 5 }));
export const sesClient = () => (ses ??= new SESv2Client({ maxAttempts: 5, retryMode: 'adaptive' }));
export const cognitoClient = () => (cognito ??= new CognitoIdentityProviderClient({ maxAttempts: 5 }));
export const kmsClient = () => (kms ??= new KMSClient({ maxAttempts: 5 }));
