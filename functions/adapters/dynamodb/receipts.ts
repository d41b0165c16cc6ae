/**
 * Receipts in the table: one item per approved request, beside it (`REQ#<id>` / `RECEIPT`), written
 * once, and copied onto the request item in the same transaction: the change the table's stream then
 * tells carries it to the `Approved` event (domain/events.ts).
 */
import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { StoredReceipt } from '../../domain/receipts';
import type { ReceiptStore } from '../../usecases/receipts';
import { receiptKey, requestKey } from './keys';
import { isConditionFailure } from './transactions';

export class DynamoReceiptStore implements ReceiptStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async getReceipt(requestId: string): Promise<StoredReceipt | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: receiptKey(requestId), ConsistentRead: true }));
    return Item ? { receipt: String(Item.receipt), kid: String(Item.kid), exp: Number(Item.exp) } : undefined;
  }

  async putReceipt(requestId: string, receipt: StoredReceipt): Promise<StoredReceipt> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table,
                Item: { ...receiptKey(requestId), type: 'receipt', ...receipt },
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
            {
              Update: {
                TableName: this.table,
                Key: requestKey(requestId),
                UpdateExpression: 'SET receipt = :receipt',
                ConditionExpression: 'attribute_exists(PK)',
                ExpressionAttributeValues: { ':receipt': receipt.receipt },
              },
            },
          ],
        }),
      );
      return receipt;
    } catch (error) {
      // Signed and stored already (a retried step): that one stands, on the request item too.
      const signedBefore = isConditionFailure(error, 0);
      if (!signedBefore) throw error;
      const stored = await this.getReceipt(requestId);
      if (!stored) throw error;
      return stored;
    }
  }
}
