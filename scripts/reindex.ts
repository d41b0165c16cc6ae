/**
 * Moves the requests of a deployed table to the by-state index shards this version reads
 * (functions/adapters/dynamodb/reindex.ts): once before deploying a version with fewer shards,
 * and once after it. Idempotent and safe while the service runs. AWS credentials and region come
 * from the usual places (environment, profile), as for the AWS CLI.
 *   npm run reindex -- --table <table name> [--region eu-west-1]
 */
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { reindexStateShards } from '../functions/adapters/dynamodb/reindex';

async function main() {
  const { values } = parseArgs({ options: { table: { type: 'string' }, region: { type: 'string' } } });
  const table = values.table ?? process.env.TABLE_NAME;
  if (!table) {
    console.error('usage: npm run reindex -- --table <table name> [--region <region>]');
    process.exit(2);
  }
  const client = new DynamoDBClient({ maxAttempts: 10, ...(values.region ? { region: values.region } : {}) });
  const db = DynamoDBDocumentClient.from(client);
  const started = Date.now();
  const { scanned, moved } = await reindexStateShards(db, table);
  console.log(
    `reindex: ${table}: ${scanned} requests read, ${moved} moved to their by-state shard, in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  client.destroy();
}

main().catch((error) => {
  console.error(`reindex: ${(error as Error).name}: ${(error as Error).message}`);
  process.exit(1);
});
