/**
 * The stats counters in the table (keys.ts: stats bucket, stats mark): one transaction per counted
 * change adds its counter changes to the day buckets of its profile and of all profiles and moves the
 * request's mark to the change's version, on the condition that the mark is older (redelivery is a
 * no-op). Counters are plain top-level numbers (`ADD` creates them), so a bucket needs no setup.
 */
import { type DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Counters, StatsDeltas } from '../../domain/stats';
import type { StatsDay } from '../../domain/stats-report';
import type { StatsStore } from '../../usecases/stats';
import { dayOfStatsSortKey, statsDayKey, statsDaySortKey, statsMarkKey, statsPartition } from './keys';
import { isConditionFailure } from './transactions';

/** `ADD` of each counter to one bucket. */
function addCounters(table: string, key: Record<string, string>, counters: Counters) {
  const names: Record<string, string> = { '#type': 'type' };
  const values: Record<string, unknown> = { ':type': 'stats' };
  const adds = Object.entries(counters).map(([counter, by], index) => {
    names[`#c${index}`] = counter;
    values[`:c${index}`] = by;
    return `#c${index} :c${index}`;
  });
  return {
    Update: {
      TableName: table,
      Key: key,
      UpdateExpression: `SET #type = :type ADD ${adds.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

export class DynamoStats implements StatsStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async apply(requestId: string, version: number, profileId: string, deltas: StatsDeltas): Promise<'applied' | 'repeat'> {
    const buckets = [...deltas].flatMap(([day, counters]) =>
      [profileId, undefined].map((scope) => addCounters(this.table, statsDayKey(scope, day), counters)),
    );
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.table,
                Key: statsMarkKey(requestId),
                UpdateExpression: 'SET #type = :type, #version = :version',
                ConditionExpression: 'attribute_not_exists(#version) OR #version < :version',
                ExpressionAttributeNames: { '#type': 'type', '#version': 'version' },
                ExpressionAttributeValues: { ':type': 'stats-mark', ':version': version },
              },
            },
            ...buckets,
          ],
        }),
      );
      return 'applied';
    } catch (error) {
      if (isConditionFailure(error, 0)) return 'repeat';
      throw error;
    }
  }

  async days(profileId: string | undefined, from: string, to: string): Promise<StatsDay[]> {
    const days: StatsDay[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': statsPartition(profileId), ':from': statsDaySortKey(from), ':to': statsDaySortKey(to) },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        const counters: Counters = {};
        for (const [name, value] of Object.entries(item)) if (/^[cphd]_/.test(name) && typeof value === 'number') counters[name] = value;
        days.push({ day: dayOfStatsSortKey(String(item.SK)), counters });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return days;
  }
}
