/**
 * Where a running local stack answers: the list every emulator is added to once (LocalStack's
 * `endpoints`), printed by `npm start`'s banner and written to `$DATA_DIR/endpoints.env` as a
 * block to paste into a shell, so the AWS CLI or an SDK script reaches the same emulators:
 *   . .local/endpoints.env && aws dynamodb scan --table-name "$TABLE_NAME"
 * The file is removed when the stack stops cleanly. One left by a stack that died (its `pid` line
 * names a process that is gone) is stale: `stackRunning` says so.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './net';

export interface LocalEndpoint {
  /** What a person calls it, e.g. "DynamoDB Local". */
  name: string;
  url: string;
  /** The SDK's and the AWS CLI's variable for this service's endpoint, e.g. AWS_ENDPOINT_URL_DYNAMODB. */
  env?: string;
}

export const ENDPOINTS_FILE = 'endpoints.env';

/** The banner's lines: one per endpoint, names aligned. */
export function endpointLines(endpoints: readonly LocalEndpoint[], indent = '  '): string[] {
  const width = Math.max(...endpoints.map((endpoint) => endpoint.name.length)) + 1;
  return endpoints.map((endpoint) => `${indent}${`${endpoint.name}:`.padEnd(width + 1)} ${endpoint.url}`);
}

const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/** `$DATA_DIR/endpoints.env`'s text: sh `export` lines (a line per endpoint with a variable) and a comment per other one. */
export function endpointsEnv(
  endpoints: readonly LocalEndpoint[],
  settings: {
    tableName: string;
    stateMachineArn: string;
    userPoolId: string;
    eventBusName: string;
    receiptKeyArn: string;
    dataDir: string;
    pid: number;
  },
): string {
  return [
    `# The local stack started with DATA_DIR=${settings.dataDir} (pid ${settings.pid}); removed when it stops.`,
    `# Paste into a shell, or: . ${join(settings.dataDir, ENDPOINTS_FILE)}`,
    `# pid=${settings.pid}`,
    ...endpoints.filter((endpoint) => !endpoint.env).map((endpoint) => `# ${endpoint.name}: ${endpoint.url}`),
    ...endpoints.filter((endpoint) => endpoint.env).map((endpoint) => `export ${endpoint.env}=${quote(endpoint.url)}`),
    `export AWS_REGION=${quote(LOCAL_REGION)}`,
    // What the AWS CLI version 1 reads instead.
    `export AWS_DEFAULT_REGION=${quote(LOCAL_REGION)}`,
    `export AWS_ACCESS_KEY_ID=${quote(LOCAL_CREDENTIALS.accessKeyId)}`,
    `export AWS_SECRET_ACCESS_KEY=${quote(LOCAL_CREDENTIALS.secretAccessKey)}`,
    `export TABLE_NAME=${quote(settings.tableName)}`,
    `export STATE_MACHINE_ARN=${quote(settings.stateMachineArn)}`,
    `export USER_POOL_ID=${quote(settings.userPoolId)}`,
    `export EVENT_BUS_NAME=${quote(settings.eventBusName)}`,
    `export RECEIPT_KEY_ARN=${quote(settings.receiptKeyArn)}`,
    '',
  ].join('\n');
}

export function writeEndpointsFile(dataDir: string, text: string): void {
  writeFileSync(join(dataDir, ENDPOINTS_FILE), text);
}

export function removeEndpointsFile(dataDir: string): void {
  rmSync(join(dataDir, ENDPOINTS_FILE), { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether a stack runs with this DATA_DIR: its endpoints file is there and the process it names lives.
 * Otherwise the reason, in words.
 */
export function stackRunning(dataDir: string): { running: true } | { running: false; reason: string } {
  let text: string;
  try {
    text = readFileSync(join(dataDir, ENDPOINTS_FILE), 'utf8');
  } catch {
    return { running: false, reason: `no ${ENDPOINTS_FILE} in ${dataDir}` };
  }
  const pid = Number(/^# pid=(\d+)$/m.exec(text)?.[1]);
  if (!Number.isInteger(pid) || pid <= 0) return { running: false, reason: `${join(dataDir, ENDPOINTS_FILE)} names no process` };
  if (!alive(pid)) return { running: false, reason: `the stack that wrote ${join(dataDir, ENDPOINTS_FILE)} (pid ${pid}) is gone` };
  return { running: true };
}
