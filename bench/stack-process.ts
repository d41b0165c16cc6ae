/**
 * The benchmark's service process: the same local stack as `npm start` (local/stack.ts, with
 * npm start's settings; DynamoDB Local's table in memory unless BENCH_DYNAMODB=disk), on free ports in the DATA_DIR it is given, in a process of its own so
 * that the load generator neither shares its event loop nor counts in its memory. It prints one
 * line `READY <json>` with the endpoints, and stops when its standard input closes or on SIGTERM.
 */
import '../local/esm-interop';
import { startLocalStack } from '../local/stack';

process.env.POWERTOOLS_DEV ??= 'true';

async function main() {
  const dataDir = process.env.DATA_DIR;
  if (!dataDir) throw new Error('DATA_DIR is required');
  // DynamoDB Local in memory unless BENCH_DYNAMODB=disk: on a disk shared with other work its fsyncs
  // dominate every write (the 100,000-request seed alone took over 20 minutes); the baselines run
  // against the same engine either way.
  const dynamoInMemory = process.env.BENCH_DYNAMODB !== 'disk';
  const stack = await startLocalStack({ port: 0, mailPort: 0, dataDir, dynamoInMemory, log: () => {} });
  const { apiUrl, mailUrl, sfnUrl, dynamoEndpoint, stateMachineArn, dynamoPid } = stack;
  process.stdout.write(`READY ${JSON.stringify({ apiUrl, mailUrl, sfnUrl, dynamoEndpoint, stateMachineArn, dynamoPid })}\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    stack.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error) => {
  console.error(`bench stack failed: ${(error as Error).message}`);
  process.exit(1);
});
