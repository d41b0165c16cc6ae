/**
 * The table's stream (NEW_AND_OLD_IMAGES) as the stream consumer reads it: which records it is
 * given (the filter criteria, shared by the CDK event source mapping and the local stream poller)
 * and how a record becomes a change of a stored request.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { RequestChange } from '../../usecases/outbox';
import { type Item, toStored } from './items';

/**
 * The records the consumer needs, as Lambda filter patterns on the record (`dynamodb` key only):
 * a new request item, any change of a pending request item (an ending, a hold, a stage, a decision:
 * the consumer keeps what concerns the workflow, the events and the counters, see usecases/outbox.ts),
 * and any change of an approved one (its execution report). Every other write (history, tasks,
 * counters, later changes of a rejected, expired or deleted request) never reaches it.
 */
export const REQUEST_CHANGE_FILTERS = [
  { eventName: ['INSERT'], dynamodb: { NewImage: { type: { S: ['request'] } } } },
  { eventName: ['MODIFY'], dynamodb: { OldImage: { type: { S: ['request'] }, state: { S: ['requested', 'approved'] } } } },
] as const;

const image = (value: object | undefined) => (value ? (unmarshall(value as Record<string, AttributeValue>) as Item) : undefined);

/** The change of a request item a stream record tells; undefined for any other item. */
export function requestChangeOf(record: DynamoDBRecord): RequestChange | undefined {
  const before = image(record.dynamodb?.OldImage);
  const after = image(record.dynamodb?.NewImage);
  if ((after ?? before)?.type !== 'request') return undefined;
  const kind = record.eventName === 'INSERT' ? 'insert' : record.eventName === 'MODIFY' ? 'modify' : 'remove';
  return {
    id: record.dynamodb?.SequenceNumber ?? '',
    kind,
    ...(before ? { before: toStored(before) } : {}),
    ...(after ? { after: toStored(after) } : {}),
    ...(typeof after?.receipt === 'string' ? { receipt: after.receipt } : {}),
    ...(typeof before?.receipt === 'string' ? { wasSigned: true } : {}),
  };
}
