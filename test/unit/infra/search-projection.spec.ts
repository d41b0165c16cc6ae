/**
 * The search indexes project INCLUDE `doc` and `state` only (infra/stacks/stateful-stack.ts).
 * Search must work from exactly what an index item holds: its keys, the table's keys and those
 * attributes. A fake DynamoDB answers every index query with items cut down to the projection.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ApprovalRequest } from '../../../functions/domain/model';
import { indexKeys, requestKey } from '../../../functions/adapters/dynamodb/keys';
import { Repository } from '../../../functions/adapters/dynamodb/repository';
import { TABLE_INDEXES, TABLE_KEY } from '../../../functions/adapters/dynamodb/schema';
import { SEARCH_INDEX_ATTRIBUTES } from '../../../functions/adapters/dynamodb/schema';

const request = (n: number, state: ApprovalRequest['state'] = 'requested'): ApprovalRequest =>
  ({
    id: `00000000-0000-4000-8000-00000000000${n}`,
    kind: n % 2 ? 'card.lock' : 'certificate.revoke',
    profileId: 'cards',
    state,
    subject: { cardSerial: `04A${n}`, holderId: 'h-1' },
    requester: { id: 'user-1', email: 'user@corp-a.net' },
    approvers: ['approver@corp-a.net'],
    requiredApprovals: 1,
    approvals: [],
    onHold: false,
    remindAfter: 'P1D',
    expireAfter: 'P7D',
    maxReminders: 5,
    createdAt: `2026-11-2${n}T10:00:00.000Z`,
    updatedAt: `2026-11-2${n}T10:00:00.000Z`,
    expiresAt: `2026-12-0${n}T10:00:00.000Z`,
    version: 1,
  }) as ApprovalRequest;

/** Full table items, workflow bookkeeping included, as the repository writes them. */
const items = [1, 2, 3].map((n) => ({
  ...requestKey(request(n).id),
  ...indexKeys(request(n)),
  type: 'request',
  doc: request(n),
  state: request(n).state,
  version: 1,
  taskToken: `secret-token-${n}`,
  nextReminderAt: '2026-11-30T10:00:00.000Z',
  reminders: 1,
}));

function indexDb(seen: { attributes: Set<string> }): DynamoDBDocumentClient {
  const send = async (command: unknown) => {
    if (!(command instanceof QueryCommand)) throw new Error('search must only query');
    const input = command.input;
    const index = TABLE_INDEXES.find((candidate) => candidate.indexName === input.IndexName);
    if (!index) throw new Error('search must query an index');
    for (const name of Object.values(input.ExpressionAttributeNames ?? {})) seen.attributes.add(name);
    const projected = new Set<string>([
      TABLE_KEY.partitionKey,
      TABLE_KEY.sortKey,
      index.partitionKey,
      index.sortKey,
      ...SEARCH_INDEX_ATTRIBUTES,
    ]);
    const partition = input.ExpressionAttributeValues?.[':pk'];
    const matching = items
      .filter((item) => (item as Record<string, unknown>)[index.partitionKey] === partition)
      .filter((item) => !input.ExpressionAttributeValues?.[':kind'] || item.doc.kind === input.ExpressionAttributeValues[':kind'])
      .filter((item) => !input.ExpressionAttributeValues?.[':state'] || item.state === input.ExpressionAttributeValues[':state'])
      .sort((a, b) =>
        String((b as Record<string, unknown>)[index.sortKey]).localeCompare(String((a as Record<string, unknown>)[index.sortKey])),
      );
    return { Items: matching.map((item) => Object.fromEntries(Object.entries(item).filter(([name]) => projected.has(name)))) };
  };
  return { send } as unknown as DynamoDBDocumentClient;
}

describe('search from the projected index items only', () => {
  test.each([
    ['all pending requests', { state: 'requested' as const, limit: 10 }],
    ['one kind', { state: 'requested' as const, kind: 'card.lock', limit: 10 }],
    ["a requester's own, by state", { requesterId: 'user-1', state: 'requested' as const, limit: 10 }],
  ])('%s: the requests come back whole, and no query names an attribute outside the projection', async (_name, query) => {
    const seen = { attributes: new Set<string>() };
    const page = await new Repository(indexDb(seen), 'table').search(query);
    const expected = [3, 2, 1].map((n) => request(n)).filter((r) => !('kind' in query) || r.kind === query.kind);
    expect(page.items).toEqual(expected);
    expect(JSON.stringify(page.items)).not.toContain('secret-token');
    const projected = new Set<string>([
      ...SEARCH_INDEX_ATTRIBUTES,
      'kind',
      ...TABLE_INDEXES.flatMap((index) => [index.partitionKey, index.sortKey]),
    ]);
    for (const attribute of seen.attributes) expect([attribute, projected.has(attribute)]).toEqual([attribute, true]);
  });
});
