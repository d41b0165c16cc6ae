/** How a cancelled TransactWriteItems is told apart (its CancellationReasons, one per item, in order). */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';

/** The items of one TransactWriteItems, as the document client takes them. */
export type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;

/** Whether a transaction was cancelled because another transaction was writing one of its items at the same time. */
export function isTransactionConflict(error: unknown): boolean {
  return (
    error instanceof TransactionCanceledException &&
    (error.CancellationReasons ?? []).some((reason) => reason.Code === 'TransactionConflict')
  );
}

/** Whether a transaction was cancelled because the condition of its item number `index` failed. */
export function isConditionFailure(error: unknown, index: number): boolean {
  return error instanceof TransactionCanceledException && error.CancellationReasons?.[index]?.Code === 'ConditionalCheckFailed';
}
