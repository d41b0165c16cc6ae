/** Profiles in the table. */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Profile, ProfileBody } from '../../domain/profile';
import type { Page, ProfileStore } from '../../usecases/ports';
import { toProfile } from './items';
import { isProfileSortKey, PROFILES_PARTITION, profileKey, profilePrefix } from './keys';
import { decodePartitionCursor, encodePartitionCursor } from './pages';

export class DynamoProfileStore implements ProfileStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async getProfile(id: string): Promise<Profile | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: profileKey(id) }));
    return Item ? toProfile(Item) : undefined;
  }

  /** A page of the profiles partition, in id order. */
  async listProfiles(query: { limit: number; cursor?: string }): Promise<Page<Profile>> {
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': PROFILES_PARTITION, ':prefix': profilePrefix },
        Limit: query.limit,
        ExclusiveStartKey: decodePartitionCursor(query.cursor, PROFILES_PARTITION, isProfileSortKey),
      }),
    );
    return { items: (page.Items ?? []).map(toProfile), nextCursor: encodePartitionCursor(page.LastEvaluatedKey) };
  }

  async putProfile(id: string, body: ProfileBody, now: string): Promise<Profile> {
    // A profile is replaced whole: an optional field left out is removed.
    const comments = body.requireCommentOn?.length ? ', requireCommentOn = :comments' : '';
    const validity = body.approvalValidFor ? ', approvalValidFor = :validity' : '';
    const removed = [comments ? '' : 'requireCommentOn', validity ? '' : 'approvalValidFor'].filter(Boolean);
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: profileKey(id),
        UpdateExpression:
          'SET #type = :type, #id = :id, #name = :name, requireApprovalFor = :kinds, approvers = :approvers, requiredApprovals = :n, ' +
          `remindAfter = :remind, expireAfter = :expire, maxReminders = :maxReminders${comments}${validity}, createdAt = if_not_exists(createdAt, :now), updatedAt = :now ` +
          `ADD version :one${removed.length ? ` REMOVE ${removed.join(', ')}` : ''}`,
        ExpressionAttributeNames: { '#type': 'type', '#id': 'id', '#name': 'name' },
        ExpressionAttributeValues: {
          ':type': 'profile',
          ':id': id,
          ':name': body.name,
          ':kinds': body.requireApprovalFor,
          ':approvers': body.approvers,
          ':n': body.requiredApprovals,
          ':remind': body.remindAfter,
          ':expire': body.expireAfter,
          ':maxReminders': body.maxReminders,
          ...(comments ? { ':comments': body.requireCommentOn } : {}),
          ...(validity ? { ':validity': body.approvalValidFor } : {}),
          ':now': now,
          ':one': 1,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toProfile(Attributes ?? {});
  }
}
