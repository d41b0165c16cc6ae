/**
 * The receipt issuer of the workflow steps that sign receipts (notify outcome, deliver callback):
 * the receipt items of the table and the current KMS key. Kept apart from deps.ts so that only
 * those steps' bundles carry the KMS client.
 */
import { documentClient } from '../adapters/clients';
import { DynamoReceiptStore } from '../adapters/dynamodb/receipts';
import { kmsClient, kmsSigner } from '../adapters/kms-signer';
import { type Settings, setting } from '../commons/settings';
import type { ReceiptIssuer } from '../usecases/receipts';

/** The issuer of a step with these settings (receipts:sign brings the key and `iss`). */
export function receiptIssuerOf(settings: Settings): ReceiptIssuer {
  return {
    store: new DynamoReceiptStore(documentClient(), setting(settings, 'TABLE_NAME')),
    signer: kmsSigner(kmsClient(), setting(settings, 'RECEIPT_SIGNING_KEY_ARN')),
    issuer: setting(settings, 'PUBLIC_BASE_URL'),
  };
}
