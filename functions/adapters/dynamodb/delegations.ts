/**
 * Delegations in the table: the delegator's item and the delegate's entry, written and removed in
 * one transaction, each carrying the whole delegation. TTL removes both a day after `until`.
 */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Delegation } from '../../domain/delegation';
import type { DelegationStore } from '../../usecases/delegation-store';
import { delegateEntryKey, delegatePartition, delegationKey } from './keys';
import { TTL_ATTRIBUTE } from './schema';
import { isConditionFailure, type TransactItems } from './transactions';

const DAY_SECONDS = 86_400;

function toDelegation(item: Record<string, unknown>): Delegation {
  const { delegator, to, from, until, createdAt } = item.delegation as Delegation;
  return { delegator, to, from, until, createdAt };
}

export class DynamoDelegations implements DelegationStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async getDelegation(delegatorId: string): Promise<Delegation | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: delegationKey(delegatorId), ConsistentRead: true }));
    return Item ? toDelegation(Item) : undefined;
  }

  async delegationsTo(delegateId: string): Promise<Delegation[]> {
    const { Items } = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': delegatePartition(delegateId) },
        ConsistentRead: true,
        Limit: 100,
      }),
    );
    return (Items ?? []).map(toDelegation);
  }

  async putDelegation(delegation: Delegation, previous: Delegation | undefined): Promise<'saved' | 'conflict'> {
    const attributes = {
      type: 'delegation',
      delegation,
      [TTL_ATTRIBUTE]: Math.ceil(Date.parse(delegation.until) / 1000) + DAY_SECONDS,
    };
    const items: TransactItems = [
      {
        Put: {
          TableName: this.table,
          Item: { ...delegationKey(delegation.delegator.id), ...attributes },
          ...(previous
            ? { ConditionExpression: '#d.createdAt = :previous', ExpressionAttributeValues: { ':previous': previous.createdAt } }
            : { ConditionExpression: 'attribute_not_exists(PK)' }),
          ...(previous ? { ExpressionAttributeNames: { '#d': 'delegation' } } : {}),
        },
      },
      { Put: { TableName: this.table, Item: { ...delegateEntryKey(delegation.to.id, delegation.delegator.id), ...attributes } } },
    ];
    if (previous && previous.to.id !== delegation.to.id) {
      items.push({ Delete: { TableName: this.table, Key: delegateEntryKey(previous.to.id, previous.delegator.id) } });
    }
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
      return 'saved';
    } catch (error) {
      if (isConditionFailure(error, 0)) {
        return 'conflict';
      }
      throw error;
    }
  }

  async deleteDelegation(delegation: Delegation): Promise<void> {
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: this.table, Key: delegationKey(delegation.delegator.id) } },
          { Delete: { TableName: this.table, Key: delegateEntryKey(delegation.to.id, delegation.delegator.id) } },
        ],
      }),
    );
  }
}
