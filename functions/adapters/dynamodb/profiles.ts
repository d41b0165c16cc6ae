/** Profiles in the table. */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type Profile, type ProfileBody, profileBodySchema } from '../../domain/profile';
import type { Page, ProfileStore } from '../../usecases/ports';
import { toProfile } from './items';
import { isProfileSortKey, PROFILES_PARTITION, profileKey, profilePrefix } from './keys';
import { decodePartitionCursor, encodePartitionCursor } from './pages';

/** Every field a profile body may have: the ones a put leaves out are removed from the stored profile. */
const PROFILE_FIELDS = Object.keys(profileBodySchema.shape);

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
    // A profile is replaced whole: a field of the body left out (or an empty requireCommentOn) is removed,
    // so a profile moved from the flat approvers to stages (or back) keeps only its new form.
    const set = Object.entries(body).filter(
      ([field, value]) => value !== undefined && !(field === 'requireCommentOn' && Array.isArray(value) && !value.length),
    );
    const removed = PROFILE_FIELDS.filter((field) => !set.some(([name]) => name === field));
    const names = Object.fromEntries(PROFILE_FIELDS.map((field) => [`#${field}`, field]));
    const values = Object.fromEntries(set.map(([field, value]) => [`:${field}`, value]));
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: profileKey(id),
        UpdateExpression:
          `SET #type = :type, #id = :id, ${set.map(([field]) => `#${field} = :${field}`).join(', ')}, ` +
          'createdAt = if_not_exists(createdAt, :now), updatedAt = :now ADD version :one' +
          (removed.length ? ` REMOVE ${removed.map((field) => `#${field}`).join(', ')}` : ''),
        // Every field is either set or removed, so every name is used.
        ExpressionAttributeNames: { '#type': 'type', '#id': 'id', ...names },
        ExpressionAttributeValues: { ':type': 'profile', ':id': id, ...values, ':now': now, ':one': 1 },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toProfile(Attributes ?? {});
  }
}
