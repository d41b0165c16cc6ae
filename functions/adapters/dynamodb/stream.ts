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
 * a new request item, a change of a request item from `requested` to an ended state, and a change
 * of a pending request that is or was on hold (the consumer keeps those whose hold's end changed),
 * and a change of a pending request past its first stage (the consumer keeps a stage's start).
 * Every other write (history, tasks, bookkeeping of a request not on hold, later changes of an
 * ended request) never reaches it.
 */
export const REQUEST_CHANGE_FILTERS = [
  { eventName: ['INSERT'], dynamodb: { NewImage: { type: { S: ['request'] } } } },
  {
    eventName: ['MODIFY'],
    dynamodb: {
      OldImage: { type: { S: ['request'] }, state: { S: ['requested'] } },
      NewImage: { state: { S: [{ 'anything-but': ['requested'] }] } },
    },
  },
  {
    eventName: ['MODIFY'],
    dynamodb: {
      OldImage: { type: { S: ['request'] }, state: { S: ['requested'] } },
      NewImage: { state: { S: ['requested'] }, doc: { M: { onHold: { BOOL: [true] } } } },
    },
  },
  {
    eventName: ['MODIFY'],
    dynamodb: {
      OldImage: { type: { S: ['request'] }, state: { S: ['requested'] }, doc: { M: { onHold: { BOOL: [true] } } } },
      NewImage: { state: { S: ['requested'] } },
    },
  },
  {
    eventName: ['MODIFY'],
    dynamodb: {
      OldImage: { type: { S: ['request'] }, state: { S: ['requested'] } },
      NewImage: { state: { S: ['requested'] }, doc: { M: { currentStage: { N: ['1', '2', '3', '4'] } } } },
    },
  },
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
  };
}
