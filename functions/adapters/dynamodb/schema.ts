/**
 * The table's key schema and indexes, read by the local bootstrap (CreateTable on
 * DynamoDB Local) and by the CDK stack, so the two cannot differ.
 */
import { INDEX_BY_DUE, INDEX_BY_REQUESTER, INDEX_BY_STATE } from './keys';

export const TABLE_KEY = { partitionKey: 'PK', sortKey: 'SK' } as const;
/** The search indexes (projection INCLUDE: what search reads, infra/stacks/stateful-stack.ts). */
export const TABLE_INDEXES = [
  { indexName: INDEX_BY_STATE, partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
  { indexName: INDEX_BY_REQUESTER, partitionKey: 'GSI2PK', sortKey: 'GSI2SK' },
] as const;
/** The reconciler's sparse index: keys only (it reads each due request itself, strongly consistent). */
export const DUE_INDEX = { indexName: INDEX_BY_DUE, partitionKey: 'GSI3PK', sortKey: 'GSI3SK' } as const;
/** Epoch seconds after which DynamoDB's TTL may delete an item (idempotency records). */
export const TTL_ATTRIBUTE = 'expiresAtEpoch';
