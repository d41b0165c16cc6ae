/**
 * The floor of a function's bundle: only what it must hold with the packages the service chose,
 * whatever its own code does. That is the AWS SDK client of each service its `needs` call
 * (functions/registry.ts), made as the functions make theirs (the environment's credentials, as
 * infra/bundling.ts aliases the default chain), zod as the functions take it (`zod/mini` with its
 * English messages, functions/domain/zod.ts), middy and Powertools' logger and metrics with their
 * middlewares (and, for an API function, the two HTTP middlewares every route uses), built with the
 * deployed esbuild options. It leaves out the commands each client sends and every library only
 * some functions use (the PKCS#10 schemas of a create, for one), so it is a lower bound: a goal
 * below it cannot be met without other packages.
 */
import type { Need } from '../functions/registry';

/** The SDK client each need calls: its package and the client class (the table: the DynamoDB client and its document client). */
const NEED_CLIENTS: Record<Need, string | undefined> = {
  'table:get': 'dynamodb',
  'table:query': 'dynamodb',
  'table:search': 'dynamodb',
  'table:put': 'dynamodb',
  'table:update': 'dynamodb',
  'table:delete': 'dynamodb',
  'table:due': 'dynamodb',
  'workflow:start': 'sfn',
  'workflow:task': 'sfn',
  'workflow:describe': 'sfn',
  'links:sign': 'secrets-manager',
  'links:verify': 'secrets-manager',
  'callback:sign': 'secrets-manager',
  // A URL prefix check, no AWS call.
  'callback:accept': undefined,
  'directory:read': 'cognito-identity-provider',
  'email:send': 'sesv2',
  'receipts:sign': 'kms',
  'receipts:publish': 'kms',
  'events:put': 'eventbridge',
};

const CLIENT_CLASSES: Record<string, string> = {
  dynamodb: 'DynamoDBClient',
  sfn: 'SFNClient',
  'secrets-manager': 'SecretsManagerClient',
  'cognito-identity-provider': 'CognitoIdentityProviderClient',
  sesv2: 'SESv2Client',
  kms: 'KMSClient',
  eventbridge: 'EventBridgeClient',
};

export interface FloorSpec {
  /** The clients' package names without `@aws-sdk/client-`, sorted. */
  clients: string[];
  /** Whether the API's HTTP middlewares are in it (API functions). */
  api: boolean;
}

/** What the floor of a function with these `needs` holds. */
export function floorSpec(fn: { kind: string; needs: readonly Need[] }): FloorSpec {
  const clients = [...new Set(fn.needs.map((need) => NEED_CLIENTS[need]).filter((c): c is string => c !== undefined))].sort();
  return { clients, api: fn.kind === 'api' };
}

/** One key per distinct floor: functions with the same clients and kind share one floor bundle. */
export const floorKey = (spec: FloorSpec) => `${spec.api ? 'api' : 'other'}:${spec.clients.join('+') || 'none'}`;

/** The floor's entry (TypeScript, resolved from the project root): every client made and kept, and the libraries in use. */
export function floorEntry(spec: FloorSpec): string {
  const lines = [
    "import { fromEnv } from '@aws-sdk/credential-provider-env';",
    "import * as z from './functions/domain/zod';",
    "import middy from '@middy/core';",
    "import { Logger } from '@aws-lambda-powertools/logger';",
    "import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';",
    "import { Metrics } from '@aws-lambda-powertools/metrics';",
    "import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';",
    ...(spec.api
      ? [
          "import httpHeaderNormalizer from '@middy/http-header-normalizer';",
          "import httpJsonBodyParser from '@middy/http-json-body-parser';",
        ]
      : []),
    ...spec.clients.map((c) => `import { ${CLIENT_CLASSES[c]} } from '@aws-sdk/client-${c}';`),
    ...(spec.clients.includes('dynamodb') ? ["import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';"] : []),
    'const config = { credentials: fromEnv(), maxAttempts: 5 };',
    `const clients: unknown[] = [${spec.clients.map((c) => `new ${CLIENT_CLASSES[c]}(config)`).join(', ')}];`,
    ...(spec.clients.includes('dynamodb')
      ? ['clients.push(DynamoDBDocumentClient.from(clients[0] as DynamoDBClient, { marshallOptions: { removeUndefinedValues: true } }));']
      : []),
    "const logger = new Logger({ serviceName: 'floor' });",
    "const metrics = new Metrics({ namespace: 'Floor', serviceName: 'floor' });",
    'const input = z.object({ id: z.string().check(z.minLength(1)) });',
    'export const handler = middy(async (event: unknown) => ({ input: input.parse(event), clients: clients.length }))',
    ...(spec.api ? ['  .use(httpHeaderNormalizer())', '  .use(httpJsonBodyParser())'] : []),
    '  .use(injectLambdaContext(logger))',
    '  .use(logMetrics(metrics));',
  ];
  return `${lines.join('\n')}\n`;
}
