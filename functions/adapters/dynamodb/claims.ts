/**
 * Claims of emails, kept on the request item so that a retried step sends nobody the same email twice.
 *
 * Claims of reminders: before an approver's reminder number n goes out, the request item records
 * n for that approver (map `reminderClaims`, approver → highest reminder claimed) and counts it
 * (map `reminderCounts`: numbers run across the request, so an approver who joined late has had
 * fewer) in one conditional write. A Plan round retried after its bookkeeping write failed claims
 * nothing again, so it sends no reminder twice.
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
  claimReminder(id: string, approver: string, reminder: number, stage?: number): Promise<boolean> {
    return claimInMap(this.db, this.table, id, {
      map: 'reminderClaims',
      approver,
      value: reminder,
      // Free when never claimed, or claimed only for an earlier reminder.
      free: '#map.#a < :bound',
      bound: reminder,
      whilePending: true,
      stage,
      count: 'reminderCounts',
    });
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

  claimApprovalEmail(id: string, approver: string, now: string, staleBefore: string, stage?: number): Promise<boolean> {
    return this.claimEmail('approvalEmails', id, approver, now, staleBefore, true, stage);
  }

  settleApprovalEmail(id: string, approver: string, outcome: string | undefined): Promise<void> {
    return this.settleEmail('approvalEmails', id, approver, outcome);
  }

  claimClosingEmail(id: string, approver: string, now: string, staleBefore: string): Promise<boolean> {
    return this.claimEmail('closingEmails', id, approver, now, staleBefore, false);
  }

  settleClosingEmail(id: string, approver: string, outcome: string | undefined): Promise<void> {
    return this.settleEmail('closingEmails', id, approver, outcome);
  }

  /** Claims one approver's email in the map `emails` (a conditional write): see RoundStore. */
  private claimEmail(
    emails: EmailMap,
    id: string,
    approver: string,
    now: string,
    staleBefore: string,
    whilePending: boolean,
    stage?: number,
  ): Promise<boolean> {
    return claimInMap(this.db, this.table, id, {
      map: emails,
      approver,
      value: now,
      // Values: a claim time (ISO), or `sent:`/`failed:` which sort after every ISO time.
      free: '#map.#a < :bound',
      bound: staleBefore,
      whilePending,
      stage,
    });
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

/**
 * Sets `map[approver] = value` on the request item in one conditional write, when the approver has
 * no entry yet or `free` holds (`#map.#a` is the entry, `:bound` the given bound), and, with
 * `whilePending`, while the request is `requested` (and, with `stage`, while that stage is its
 * current one); true when this call claimed it, false when someone holds it, the request ended or
 * moved to another stage (an email asking for a decision nobody can make any more) or is gone. A
 * map that does not exist yet is created first (a document path into nothing is a ValidationException).
 */
async function claimInMap(
  db: DynamoDBDocumentClient,
  table: string,
  id: string,
  claim: {
    map: string;
    approver: string;
    value: string | number;
    free: string;
    bound: string | number;
    whilePending: boolean;
    stage?: number;
    /** A map counting each approver's claims, one more with this one. */
    count?: string;
  },
): Promise<boolean> {
  const pending = claim.whilePending ? ' AND #state = :requested' : '';
  const staged = claim.stage !== undefined ? ' AND #doc.#stage = :stage' : '';
  const write = () =>
    db.send(
      new UpdateCommand({
        TableName: table,
        Key: requestKey(id),
        UpdateExpression: `SET #map.#a = :value${claim.count ? ', #count.#a = if_not_exists(#count.#a, :zero) + :one' : ''}`,
        ConditionExpression: `attribute_exists(PK)${pending}${staged} AND (attribute_not_exists(#map.#a) OR ${claim.free})`,
        ExpressionAttributeNames: {
          '#map': claim.map,
          '#a': claim.approver,
          ...(claim.whilePending ? { '#state': 'state' } : {}),
          ...(claim.stage !== undefined ? { '#doc': 'doc', '#stage': 'currentStage' } : {}),
          ...(claim.count ? { '#count': claim.count } : {}),
        },
        ExpressionAttributeValues: {
          ':value': claim.value,
          ':bound': claim.bound,
          ...(claim.whilePending ? { ':requested': 'requested' } : {}),
          ...(claim.stage !== undefined ? { ':stage': claim.stage } : {}),
          ...(claim.count ? { ':zero': 0, ':one': 1 } : {}),
        },
      }),
    );
  try {
    try {
      await write();
    } catch (error) {
      if ((error as Error).name !== 'ValidationException') throw error;
      await db.send(
        new UpdateCommand({
          TableName: table,
          Key: requestKey(id),
          UpdateExpression: `SET #map = if_not_exists(#map, :empty)${claim.count ? ', #count = if_not_exists(#count, :empty)' : ''}`,
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: { '#map': claim.map, ...(claim.count ? { '#count': claim.count } : {}) },
          ExpressionAttributeValues: { ':empty': {} },
        }),
      );
      await write();
    }
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
