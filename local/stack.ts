/**
 * The whole service on one machine: DynamoDB Local, the local SES with its mailbox,
 * a Secrets Manager endpoint for the signing keys, a KMS endpoint for the receipt keys, the workflow engine running
 * statemachines/approval.asl.json, the user directory (a Cognito user-pool endpoint, users in
 * DATA_DIR), the table's stream feeding the stream consumer (local/stream-poller.ts), and the
 * gateway in front of the same handlers that run in Lambda. Only endpoints differ from the cloud,
 * set through the SDK's own environment variables.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REQUEST_CHANGE_FILTERS } from '../functions/adapters/dynamodb/stream';
import { parseCallbackUrlPrefixes } from '../functions/commons/settings';
import { functionNamed, STREAM_CONSUMER_FUNCTION, workflowSteps } from '../functions/registry';
import { endpointsEnv, type LocalEndpoint, removeEndpointsFile, writeEndpointsFile } from './endpoints';
import { deleteTable, ensureTable, startDynamoDbLocal } from './dynamodb';
import { type GatewayOptions, startGateway } from './gateway';
import { localIssuer } from './identity';
import { localKeyArn, localKmsKeys, startKmsServer } from './kms';
import { lambdaFunction } from './lambda';
import { LOCAL_EVENT_BUS, startEventsServer } from './events';
import { startMailbox } from './mailbox';
import { LOCAL_ACCOUNT, LOCAL_CREDENTIALS, LOCAL_REGION } from './net';
import { startSecretsServer } from './secrets';
import { type StreamHandler, type StreamPoller, startStreamPoller } from './stream-poller';
import { CALLBACK_SECRET, LINK_SECRET, signingSecrets } from './signing-secrets';
import { type StepFunctionsFault, startStepFunctionsServer } from './stepfunctions/server';
import { ensureLocalGroups, LOCAL_GROUPS, type LocalPerson, putLocalUser, startUserPoolServer, userPoolFile } from './user-pool';
import { filePoolStore, memoryPoolStore, type PoolStore } from './user-pool-store';

export const TABLE_NAME = 'approvals';
export const STATE_MACHINE_NAME = 'approval';
export const SENDER_EMAIL = 'approvals@example.com';

export interface LocalStackOptions {
  port: number;
  mailPort: number;
  dataDir: string;
  /**
   * Comma-separated URL prefixes a calling system's callbackUrl must start with.
   * @default the environment's CALLBACK_URL_PREFIXES, or none allowed
   */
  callbackUrlPrefixes?: string;
  /** Keep DynamoDB, workflows, mail and the user pool in memory; only keys go to dataDir (tests). */
  ephemeral?: boolean;
  /** Keep only DynamoDB's table in memory (the benchmark, on a disk shared with other work). */
  dynamoInMemory?: boolean;
  /**
   * Use a DynamoDB Local that is already running, with a table of this stack's own, instead of
   * starting one (the tests share one across files: its start is the costliest part of a stack's).
   * The table is created here and deleted on stop.
   */
  sharedDynamo?: { endpoint: string; pid: number; tableName: string };
  /** Passed to the gateway: answers what no API route does (the console). */
  otherRequests?: GatewayOptions['otherRequests'];
  log?: (line: string) => void;
  /**
   * Multiplies the workflow engine's timers (task timeouts, retry intervals; see
   * local/stepfunctions/types.ts). Tests use less than 1 so that rounds and retries do not
   * wait whole seconds; the functions still read the real clock. Default 1.
   */
  timeScale?: number;
  /**
   * How often the reconciler runs (functions/reconciler/handler.ts, the same code as in the cloud,
   * where EventBridge Scheduler runs it every minute). 0: only on demand (`reconcile()`).
   * Default 60 s.
   */
  reconcileEveryMs?: number;
  /**
   * Whether the table's stream feeds the stream consumer. false: nothing reads it, as if the outbox
   * failed for every record (tests of the reconciler, the backstop). Default true.
   */
  outbox?: boolean;
  /**
   * How long the outbox's poller waits between reads of an idle stream. An API answer, a workflow
   * step or a reconciler run wakes it at once, so this only bounds the delay of a change written
   * some other way. Default 250 ms (local/stream-poller.ts).
   */
  outboxIdlePollMs?: number;
  /**
   * Validate the ASL file with the library's validator at start (about 0.5 to 1 s of CPU). Default
   * true; the integration tests, which start a stack per file, leave it to the unit test that
   * validates statemachines/approval.asl.json.
   */
  validateWorkflow?: boolean;
}

export interface LocalStack {
  apiUrl: string;
  mailUrl: string;
  stateMachineArn: string;
  sfnUrl: string;
  dynamoEndpoint: string;
  /** DynamoDB Local's Java process, also in `$DATA_DIR/dynamodb.pid` while it runs (reliability tests pause it). */
  dynamoPid: number;
  tableName: string;
  /** The user directory: the local user pool's id and endpoint, and its users. */
  userPool: {
    id: string;
    endpoint: string;
    store: PoolStore;
    /** Creates or updates a user as the token command does (email verified, enabled, exactly these groups, unless said otherwise). */
    put(person: LocalPerson): void;
  };
  /**
   * Every endpoint the stack serves, in the order started (the banner prints them, `$DATA_DIR/endpoints.env`
   * exports those with an `env` variable). An emulator added later is one `expose(...)` line in startLocalStack.
   */
  endpoints: readonly LocalEndpoint[];
  /** Adds an endpoint served beside the stack (the console's OpenID provider) and rewrites endpoints.env. */
  addEndpoint(endpoint: LocalEndpoint): void;
  /** Runs the reconciler once now (what the timer does), and resolves with its result. */
  reconcile(): Promise<unknown>;
  /** The outbox: the stream poller feeding the stream consumer, with the records it gave up on. */
  outbox: Pick<StreamPoller, 'deadLetters'>;
  /** Makes the workflow engine fail some actions as Step Functions does when down (undefined clears it); for tests. */
  setWorkflowFault(fault: StepFunctionsFault | undefined): void;
  stop(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const log = options.log ?? (() => {});
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const close of stops.reverse()) await close().catch(() => {});
  };
  // The one list of endpoints: each emulator is exposed once, which also sets its SDK variable.
  const endpoints: LocalEndpoint[] = [];
  const expose = (endpoint: LocalEndpoint) => {
    endpoints.push(endpoint);
    if (endpoint.env) process.env[endpoint.env] = endpoint.url;
  };
  try {
    const tableName = options.sharedDynamo?.tableName ?? TABLE_NAME;
    let dynamo: { endpoint: string; pid: number };
    const dbPath = options.ephemeral || options.dynamoInMemory || options.sharedDynamo ? undefined : join(dataDir, 'dynamodb');
    if (options.sharedDynamo) {
      dynamo = options.sharedDynamo;
      stops.push(() => deleteTable(dynamo.endpoint, tableName));
    } else {
      const started = await startDynamoDbLocal(dbPath ? { dbPath } : {});
      dynamo = started;
      const pidFile = join(dataDir, 'dynamodb.pid');
      writeFileSync(pidFile, `${started.pid}\n`);
      stops.push(async () => {
        await started.stop();
        rmSync(pidFile, { force: true });
      });
    }
    expose({ name: 'DynamoDB Local', url: dynamo.endpoint, env: 'AWS_ENDPOINT_URL_DYNAMODB' });
    // A test's own table in the shared DynamoDB Local, with the outbox off, goes without the stream
    // nothing reads (its writes cost DynamoDB Local less); a table that outlives the stack keeps it.
    await ensureTable(dynamo.endpoint, tableName, { stream: options.outbox !== false || !options.sharedDynamo });

    // The local EventBridge; its events are listed on the mailbox's port (GET /events).
    const events = await startEventsServer({ dataDir: options.ephemeral ? undefined : dataDir, busName: LOCAL_EVENT_BUS, log });
    stops.push(events.close);
    expose({ name: 'EventBridge', url: events.url, env: 'AWS_ENDPOINT_URL_EVENTBRIDGE' });
    const mailbox = await startMailbox({
      port: options.mailPort,
      dataDir: options.ephemeral ? undefined : dataDir,
      identities: [SENDER_EMAIL],
      events,
    });
    stops.push(mailbox.close);
    expose({ name: 'Mailbox (SES v2)', url: mailbox.url, env: 'AWS_ENDPOINT_URL_SESV2' });

    // The user directory. In memory for an ephemeral stack; else DATA_DIR's file, which the token
    // command writes too (local/user-pool-store.ts says how the two share it).
    const poolStore = options.ephemeral ? memoryPoolStore() : filePoolStore(userPoolFile(dataDir));
    ensureLocalGroups(poolStore, LOCAL_GROUPS);
    const userPool = await startUserPoolServer({ port: 0, host: '127.0.0.1', store: poolStore, log });
    stops.push(userPool.close);
    expose({ name: 'User directory (Cognito user pool)', url: userPool.url, env: 'AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER' });

    const secrets = await startSecretsServer({ port: 0, host: '127.0.0.1', secrets: signingSecrets(dataDir) });
    stops.push(secrets.close);
    expose({ name: 'Secrets Manager', url: secrets.url, env: 'AWS_ENDPOINT_URL_SECRETS_MANAGER' });

    // The receipt keys: a KMS endpoint with the keys of DATA_DIR (the last one signs; all are in the JWKS).
    const kmsKeys = localKmsKeys(dataDir);
    const kms = await startKmsServer({ port: 0, host: '127.0.0.1', keys: kmsKeys, log });
    stops.push(kms.close);
    expose({ name: 'KMS (receipt keys)', url: kms.url, env: 'AWS_ENDPOINT_URL_KMS' });
    const receiptKeyArns = kmsKeys.map((key) => localKeyArn(key.keyId)).reverse();

    // The gateway's port must be known before the functions' environment is set (links use it).
    const issuer = await localIssuer(dataDir);
    // What may have written to the table (an API answer, a workflow step, the reconciler) wakes the
    // outbox's poller, so the change is relayed at once rather than at its next idle poll.
    let wakeOutbox = () => {};
    const tableWrites = new Set<string>(['table:put', 'table:update', 'table:delete']);
    const gateway = await startGateway({
      port: options.port,
      issuer,
      log,
      otherRequests: options.otherRequests,
      // Only an operation allowed to write the table (its IAM needs) can have stored a change.
      answered: (operation) => {
        if (operation.needs.some((need) => tableWrites.has(need))) wakeOutbox();
      },
    });
    stops.push(gateway.close);
    endpoints.unshift({ name: 'API', url: gateway.url });

    // Where calling systems may have callbacks sent: the environment's CALLBACK_URL_PREFIXES, none by default.
    const callbackUrlPrefixes = options.callbackUrlPrefixes ?? process.env.CALLBACK_URL_PREFIXES ?? '';
    parseCallbackUrlPrefixes(callbackUrlPrefixes);
    const sfnDataDir = options.ephemeral ? join(dataDir, `sfn-${process.pid}-${Date.now()}`) : dataDir;
    Object.assign(process.env, {
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      USER_POOL_ID: userPool.poolId,
      TABLE_NAME: tableName,
      SENDER_EMAIL,
      PUBLIC_BASE_URL: gateway.url,
      LINK_KEYS_SECRET_ID: LINK_SECRET,
      CALLBACK_KEYS_SECRET_ID: CALLBACK_SECRET,
      CALLBACK_URL_PREFIXES: callbackUrlPrefixes,
      RECEIPT_SIGNING_KEY_ARN: receiptKeyArns[0],
      RECEIPT_KEY_ARNS: receiptKeyArns.join(','),
      EVENT_BUS_NAME: LOCAL_EVENT_BUS,
    });

    const functions = Object.fromEntries(
      workflowSteps().map((fn) => {
        // Loaded on first use, like a Lambda cold start, after the environment above is set.
        const run = lambdaFunction(fn);
        return [fn.name, (payload: unknown) => run(payload).finally(() => wakeOutbox())];
      }),
    );
    const sfn = await startStepFunctionsServer({
      port: 0,
      host: '127.0.0.1',
      dataDir: sfnDataDir,
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT,
      log,
      timeScale: options.timeScale,
      validate: options.validateWorkflow ?? true,
      stateMachines: [
        {
          name: STATE_MACHINE_NAME,
          definitionFile: resolve('statemachines/approval.asl.json'),
          substitutions: Object.fromEntries(workflowSteps().map((fn) => [fn.substitution, fn.name])),
          functions,
        },
      ],
    });
    const stateMachineArn = sfn.stateMachineArn(STATE_MACHINE_NAME);
    expose({ name: 'Workflow engine (Step Functions)', url: sfn.url, env: 'AWS_ENDPOINT_URL_SFN' });
    process.env.STATE_MACHINE_ARN = stateMachineArn;
    stops.push(sfn.close);

    // The reconciler: loaded like a Lambda cold start, run by a timer as the schedule runs it in the cloud.
    // Runs never overlap (the cloud function has a concurrency of 1), but for one past its timeout:
    // Lambda would stop it, here it runs on beside the next (local/lambda.ts).
    let running: Promise<unknown> | undefined;
    const runReconciler = lambdaFunction(functionNamed('reconciler'));
    const reconcile = () => {
      running ??= runReconciler({}).finally(() => {
        running = undefined;
        wakeOutbox();
      });
      return running;
    };
    const every = options.reconcileEveryMs ?? 60_000;
    if (every > 0) {
      const timer = setInterval(() => {
        reconcile().catch((error: Error) => log(`reconciler: ${error.message}`));
      }, every);
      timer.unref();
      stops.push(async () => {
        clearInterval(timer);
        await running?.catch(() => {});
      });
    }

    // The outbox: the table's stream feeds the stream consumer, loaded like a Lambda cold start, under
    // the event source mapping's filters and batch rules. Its position is kept in DATA_DIR across restarts.
    const poller =
      options.outbox === false
        ? { deadLetters: [], wake: () => {}, stop: async () => {} }
        : await startStreamPoller({
            endpoint: dynamo.endpoint,
            tableName,
            handler: lambdaFunction<Parameters<StreamHandler>[0], Awaited<ReturnType<StreamHandler>>>(STREAM_CONSUMER_FUNCTION),
            filters: REQUEST_CHANGE_FILTERS,
            rules: STREAM_CONSUMER_FUNCTION.stream,
            positionFile: dbPath ? join(dataDir, 'stream-position.json') : undefined,
            deadLetterFile: options.ephemeral ? undefined : join(dataDir, 'stream-dead-letters.jsonl'),
            log,
            timeScale: options.timeScale,
            pollMs: options.outboxIdlePollMs,
          });
    stops.push(poller.stop);
    wakeOutbox = poller.wake;

    // Written last, removed first: while the file is there, everything in it answers.
    const writeEndpoints = () =>
      writeEndpointsFile(
        dataDir,
        endpointsEnv(endpoints, {
          tableName,
          stateMachineArn,
          userPoolId: userPool.poolId,
          eventBusName: LOCAL_EVENT_BUS,
          receiptKeyArn: receiptKeyArns[0] ?? '',
          dataDir,
          pid: process.pid,
        }),
      );
    writeEndpoints();
    stops.push(async () => removeEndpointsFile(dataDir));
    gateway.open();

    return {
      apiUrl: gateway.url,
      mailUrl: mailbox.url,
      stateMachineArn,
      sfnUrl: sfn.url,
      dynamoEndpoint: dynamo.endpoint,
      dynamoPid: dynamo.pid,
      tableName,
      userPool: {
        id: userPool.poolId,
        endpoint: userPool.url,
        store: poolStore,
        put: (person) => putLocalUser(poolStore, person),
      },
      endpoints,
      addEndpoint(endpoint) {
        endpoints.push(endpoint);
        writeEndpoints();
      },
      reconcile,
      outbox: poller,
      setWorkflowFault: (fault) => sfn.setFault(fault),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
