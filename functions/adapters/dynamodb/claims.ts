/**
 * Claims of reminders: before an approver's reminder number n goes out, the request item records
 * n for that approver (map `reminderClaims`, approver → highest reminder claimed) in one conditional
 * write. A Plan round retried after its bookkeeping write failed claims nothing again, so it sends
 * no reminder twice.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { requestKey } from './keys';

export class DynamoReminderClaims {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** True when this call claimed `reminder` for `approver`; false when it (or a later one) was claimed before, or the request is gone. */
  async claimReminder(id: string, approver: string, reminder: number): Promise<boolean> {
    const claim = () =>
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: requestKey(id),
          UpdateExpression: 'SET #claims.#a = :n',
          ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(#claims.#a) OR #claims.#a < :n)',
          ExpressionAttributeNames: { '#claims': 'reminderClaims', '#a': approver },
          ExpressionAttributeValues: { ':n': reminder },
        }),
      );
    try {
      try {
        await claim();
      } catch (error) {
        // The request's first reminder: the map does not exist yet (a document path into nothing).
        if ((error as Error).name !== 'ValidationException') throw error;
        await this.db.send(
          new UpdateCommand({
            TableName: this.table,
            Key: requestKey(id),
            UpdateExpression: 'SET reminderClaims = if_not_exists(reminderClaims, :empty)',
            ConditionExpression: 'attribute_exists(PK)',
            ExpressionAttributeValues: { ':empty': {} },
          }),
        );
        await claim();
      }
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
