/** Receipts in the table: one item per approved request, beside it (`REQ#<id>` / `RECEIPT`), written once. */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { StoredReceipt } from '../../domain/receipts';
import type { ReceiptStore } from '../../usecases/receipts';
import { receiptKey } from './keys';

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
        new PutCommand({
          TableName: this.table,
          Item: { ...receiptKey(requestId), type: 'receipt', ...receipt },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return receipt;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const stored = await this.getReceipt(requestId);
      if (!stored) throw error;
      return stored;
    }
  }
}
