import { keyArnsOf, kmsClient, kmsReceiptKeys } from '../adapters/kms-signer';
import { httpHandler, json } from '../commons/http';
import { needsOf, readSettings, setting } from '../commons/settings';
import { receiptJwks } from '../usecases/receipts';

const keys = kmsReceiptKeys(kmsClient(), keyArnsOf(setting(readSettings(needsOf('receiptKeys')), 'RECEIPT_KEY_ARNS')));

/** The JWKS of the receipt keys (anyone); cacheable for an hour: keys are added a deploy ahead of signing. */
export const handler = httpHandler(async () =>
  json(200, await receiptJwks(keys), { 'content-type': 'application/jwk-set+json', 'cache-control': 'public, max-age=3600' }),
);
