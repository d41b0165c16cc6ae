/**
 * The benchmark's service process: the same local stack as `npm start` (local/stack.ts), on free
 * ports in the DATA_DIR it is given, in a process of its own so that the load generator neither
 * shares its event loop nor counts in its CPU time or memory. The bench starts it in the deployed
 * configuration (bench/service.ts: `node --enable-source-maps`, Powertools' JSON logs as in
 * Lambda), or in one of npm start's settings to tell which one costs what. DynamoDB Local's table
 * is in memory unless BENCH_DYNAMODB=disk; the outbox runs unless BENCH_OUTBOX=off. It prints one line `READY <json>` with the endpoints,
 * and stops when its standard input closes or on SIGTERM.
 */
import '../local/esm-interop';
import { startLocalStack } from '../local/stack';
import { stopWithParent } from './stop-with-parent';

async function main() {
  const dataDir = process.env.DATA_DIR;
  if (!dataDir) throw new Error('DATA_DIR is required');
  // DynamoDB Local in memory unless BENCH_DYNAMODB=disk: on a disk shared with other work its fsyncs
  // dominate every write; the baselines run against the same engine either way.
  const dynamoInMemory = process.env.BENCH_DYNAMODB !== 'disk';
  // BENCH_OUTBOX=off: nothing reads the table's stream (bench/service.ts StackConfig.outbox).
  const outbox = process.env.BENCH_OUTBOX !== 'off';
  const stack = await startLocalStack({ port: 0, mailPort: 0, dataDir, dynamoInMemory, outbox, log: () => {} });
  const { apiUrl, mailUrl, sfnUrl, dynamoEndpoint, stateMachineArn, dynamoPid } = stack;
  // Whether stack traces are source-mapped in this process (tsx turns it on by itself, flag or not).
  const sourceMapsEnabled = process.sourceMapsEnabled;
  process.stdout.write(
    `READY ${JSON.stringify({ apiUrl, mailUrl, sfnUrl, dynamoEndpoint, stateMachineArn, dynamoPid, sourceMapsEnabled })}\n`,
  );
  stopWithParent(stack);
}

main().catch((error) => {
  console.error(`bench stack failed: ${(error as Error).message}`);
  process.exit(1);
});
