import { marshall } from '@aws-sdk/util-dynamodb';
import { repairImage } from '../../../local/stream-poller';

describe("the stream poller's images", () => {
  test('an empty map written as {} by DynamoDB Local gets its type back at any depth; everything else is kept', () => {
    const item = {
      PK: 'REQ#1',
      approvalEmails: {},
      doc: { subject: {}, approvers: ['a@example.com'], nested: [{}, { inner: {} }], count: 2, flag: true, nothing: null },
    };
    const typed = marshall(item) as unknown as Record<string, Record<string, unknown>>;
    // What DynamoDB Local's GetRecords answers: every {"M":{}} as {}.
    const asRead = JSON.parse(JSON.stringify(typed).replaceAll('{"M":{}}', '{}'));
    expect(asRead.approvalEmails).toEqual({});
    expect(repairImage(asRead)).toEqual(typed);
    expect(repairImage(typed)).toEqual(typed);
  });
});
