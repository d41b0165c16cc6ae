import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { requestAttributes, toStored } from '../../../functions/adapters/dynamodb/items';
import { historyKey, requestKey } from '../../../functions/adapters/dynamodb/keys';
import { REQUEST_CHANGE_FILTERS, requestChangeOf } from '../../../functions/adapters/dynamodb/stream';
import type { ApprovalRequest } from '../../../functions/domain/model';
import { passesFilters } from '../../../local/stream-filter';
import { pendingRequest } from '../../helpers/memory/requests';

const requestItem = (request: ApprovalRequest, extra: Record<string, unknown> = {}) => ({
  ...requestKey(request.id),
  ...requestAttributes(request),
  ...extra,
});

function record(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', before?: object, after?: object, sequence = '42'): DynamoDBRecord {
  const image = (item?: object) => (item ? (marshall(item, { removeUndefinedValues: true }) as never) : undefined);
  return {
    eventName,
    eventSource: 'aws:dynamodb',
    dynamodb: {
      SequenceNumber: sequence,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
      ...(before ? { OldImage: image(before) } : {}),
      ...(after ? { NewImage: image(after) } : {}),
    },
  };
}

const pending = pendingRequest();
const approved = { ...pending, state: 'approved' as const, version: 2 };

describe('the stream as the consumer reads it', () => {
  test('a request item becomes the stored request, with the task token of its wait', () => {
    const change = requestChangeOf(
      record('MODIFY', requestItem(pending, { taskToken: 't-1' }), requestItem(approved, { taskToken: 't-1' })),
    );
    expect(change).toMatchObject({
      id: '42',
      kind: 'modify',
      before: { request: pending },
      after: { request: approved, rounds: { taskToken: 't-1' } },
    });
  });

  test("the round bookkeeping comes back whole: the hold's re-emails and the stage the workflow emailed", () => {
    const change = requestChangeOf(
      record('MODIFY', requestItem(pending), requestItem(pending, { reminders: 3, holdEmails: 1, notifiedStage: 2 })),
    );
    expect(change?.after?.rounds).toMatchObject({ reminders: 3, holdEmails: 1, notifiedStage: 2 });
  });

  test('any other item is not a request change', () => {
    expect(requestChangeOf(record('INSERT', undefined, { ...historyKey(pending.id, pending.createdAt), type: 'history' }))).toBeUndefined();
  });

  test('the filters pass a new request and every change of a pending or approved one; nothing else', () => {
    const passes = (r: DynamoDBRecord) => passesFilters(r, REQUEST_CHANGE_FILTERS);
    expect(passes(record('INSERT', undefined, requestItem(pending)))).toBe(true);
    expect(passes(record('MODIFY', requestItem(pending), requestItem(approved, { taskToken: 't-1' })))).toBe(true);
    // A hold placed, and one ended or released: the consumer looks at whether the hold's end changed.
    const held = {
      ...pending,
      onHold: true,
      hold: { by: { id: 'carol' }, at: pending.createdAt, until: '2026-11-04T10:00:00.000Z' },
      version: 2,
    };
    expect(passes(record('MODIFY', requestItem(pending), requestItem(held)))).toBe(true);
    expect(passes(record('MODIFY', requestItem(held), requestItem({ ...held, onHold: false, version: 3 })))).toBe(true);
    // A stage's start (the consumer replans when the current stage changed).
    expect(passes(record('MODIFY', requestItem(pending), requestItem({ ...pending, currentStage: 1, version: 2 })))).toBe(true);
    // A stage started or an approval short of the quorum (events, counters), and an approved request's execution report.
    expect(passes(record('MODIFY', requestItem(pending), requestItem({ ...pending, version: 2 }, { taskToken: 't-2' })))).toBe(true);
    expect(passes(record('MODIFY', requestItem(approved), requestItem({ ...approved, version: 3 })))).toBe(true);
    // A history item, a counter bucket, a change of a request that ended otherwise, a removal.
    expect(passes(record('INSERT', undefined, { ...historyKey(pending.id, pending.createdAt), type: 'history' }))).toBe(false);
    expect(
      passes(
        record(
          'MODIFY',
          { PK: 'STATS#*', SK: 'DAY#2026-12-01', type: 'stats' },
          { PK: 'STATS#*', SK: 'DAY#2026-12-01', type: 'stats', c_requested: 1 },
        ),
      ),
    ).toBe(false);
    const rejected = { ...pending, state: 'rejected' as const, version: 2 };
    expect(passes(record('MODIFY', requestItem(rejected), requestItem(rejected, { outcomeNotifiedAt: 'x' })))).toBe(false);
    expect(passes(record('REMOVE', requestItem(pending)))).toBe(false);
  });

  test('the stored receipt travels with the change (events about an approval carry it)', () => {
    const change = requestChangeOf(record('MODIFY', requestItem(pending), requestItem(approved, { receipt: 'eyJ.a.b' })));
    expect(change?.receipt).toBe('eyJ.a.b');
    expect(requestChangeOf(record('MODIFY', requestItem(pending), requestItem(approved)))).not.toHaveProperty('receipt');
    // Whether it had one before: the Approved event comes with the change that stored it, not again.
    const after = requestChangeOf(
      record('MODIFY', requestItem(approved, { receipt: 'eyJ.a.b' }), requestItem(approved, { receipt: 'eyJ.a.b' })),
    );
    expect(after).toMatchObject({ receipt: 'eyJ.a.b', wasSigned: true });
    expect(change).not.toHaveProperty('wasSigned');
  });

  test('a request item read back carries its receipt once signed (a step reads no receipt item)', () => {
    expect(toStored(requestItem(approved, { receipt: 'eyJ.a.b' })).receipt).toBe('eyJ.a.b');
    expect(toStored(requestItem(approved))).not.toHaveProperty('receipt');
  });
});
