/**
 * Claims of emails, kept on the request item so that a retried step sends nobody the same email twice.
 *
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

/** The per-approver email maps kept on a request item. */
type EmailMap = 'approvalEmails' | 'closingEmails';

/**
 * The first approval email and the closing email, per approver (maps `approvalEmails` and
 * `closingEmails`): claimed with the claim time before sending, then settled `sent:`/`failed:`
 * (or released); a claim older than `staleBefore` may be taken over.
 */
export class DynamoEmailClaims {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  claimApprovalEmail(id: string, approver: string, now: string, staleBefore: string): Promise<boolean> {
    return this.claimEmail('approvalEmails', id, approver, now, staleBefore);
  }

  settleApprovalEmail(id: string, approver: string, outcome: string | undefined): Promise<void> {
    return this.settleEmail('approvalEmails', id, approver, outcome);
  }

  claimClosingEmail(id: string, approver: string, now: string, staleBefore: string): Promise<boolean> {
    return this.claimEmail('closingEmails', id, approver, now, staleBefore);
  }

  settleClosingEmail(id: string, approver: string, outcome: string | undefined): Promise<void> {
    return this.settleEmail('closingEmails', id, approver, outcome);
  }

  /** Claims one approver's email in the map `emails` (a conditional write): see RoundStore. */
  private async claimEmail(emails: EmailMap, id: string, approver: string, now: string, staleBefore: string): Promise<boolean> {
    const claim = () =>
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: requestKey(id),
          UpdateExpression: 'SET #emails.#a = :now',
          // Values: a claim time (ISO), or `sent:`/`failed:` which sort after every ISO time.
          ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(#emails.#a) OR #emails.#a < :stale)',
          ExpressionAttributeNames: { '#emails': emails, '#a': approver },
          ExpressionAttributeValues: { ':now': now, ':stale': staleBefore },
        }),
      );
    try {
      try {
        await claim();
      } catch (error) {
        // The map does not exist yet (a request stored before it existed, or its first closing email): create it, then claim.
        if ((error as Error).name !== 'ValidationException') throw error;
        await this.db.send(
          new UpdateCommand({
            TableName: this.table,
            Key: requestKey(id),
            UpdateExpression: 'SET #emails = if_not_exists(#emails, :empty)',
            ConditionExpression: 'attribute_exists(PK)',
            ExpressionAttributeNames: { '#emails': emails },
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

  private async settleEmail(emails: EmailMap, id: string, approver: string, outcome: string | undefined): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: requestKey(id),
        UpdateExpression: outcome ? 'SET #emails.#a = :outcome' : 'REMOVE #emails.#a',
        ExpressionAttributeNames: { '#emails': emails, '#a': approver },
        ExpressionAttributeValues: outcome ? { ':outcome': outcome } : undefined,
      }),
    );
  }
}
