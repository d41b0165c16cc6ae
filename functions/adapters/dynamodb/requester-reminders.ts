/** The requester's reminders: one conditional write on the request item keeps them apart in time. */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RequesterReminderStore } from '../../usecases/ports';
import { requestKey } from './keys';

export class DynamoRequesterReminders implements RequesterReminderStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async claimRequesterReminder(id: string, now: string, notAfter: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: requestKey(id),
          UpdateExpression: 'SET #last = :now, #count = if_not_exists(#count, :zero) + :one',
          ConditionExpression: 'attribute_exists(PK) AND #state = :requested AND (attribute_not_exists(#last) OR #last <= :notAfter)',
          ExpressionAttributeNames: { '#last': 'lastEmailAt', '#count': 'requesterReminders', '#state': 'state' },
          ExpressionAttributeValues: { ':now': now, ':zero': 0, ':one': 1, ':requested': 'requested', ':notAfter': notAfter },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
