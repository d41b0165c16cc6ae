/**
 * The table's key schema and indexes, read by the local bootstrap (CreateTable on
 * DynamoDB Local) and by the CDK stack, so the two cannot differ.
 */
import { INDEX_BY_DUE, INDEX_BY_REQUESTER, INDEX_BY_STATE } from './keys';

export const TABLE_KEY = { partitionKey: 'PK', sortKey: 'SK' } as const;
/**
 * The attributes the search indexes copy besides the keys: exactly what the search reads from an
 * index item (`doc`, the request it returns and filters on by kind, and `state`, which it filters
 * on for a requester's own requests). Never the workflow bookkeeping (task token, reminder
 * times): writing those does not touch the indexes, and no token is copied.
 */
export const SEARCH_INDEX_ATTRIBUTES = ['doc', 'state'] as const;
/** The search indexes, projection INCLUDE SEARCH_INDEX_ATTRIBUTES. */
export const TABLE_INDEXES = [
  { indexName: INDEX_BY_STATE, partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
  { indexName: INDEX_BY_REQUESTER, partitionKey: 'GSI2PK', sortKey: 'GSI2SK' },
] as const;
/** The reconciler's sparse index: keys only (it reads each due request itself, strongly consistent). */
export const DUE_INDEX = { indexName: INDEX_BY_DUE, partitionKey: 'GSI3PK', sortKey: 'GSI3SK' } as const;
/**
 * The table's stream, the outbox: the stream consumer reads each change of a request item with
 * the item before and after it (functions/usecases/outbox.ts).
 */
export const STREAM_VIEW_TYPE = 'NEW_AND_OLD_IMAGES' as const;
/** Epoch seconds after which DynamoDB's TTL may delete an item (idempotency records). */
export const TTL_ATTRIBUTE = 'expiresAtEpoch';
