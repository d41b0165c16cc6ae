/**
 * Prints a calling system's callback signing key: the key the local stack started with the same
 * DATA_DIR signs that system's callback events with (derived from the service's callback key and
 * the client id, see functions/callbacks/keys.ts).
 *   npm run --silent callback-key -- --client billing-system
 */
import { parseArgs } from 'node:util';
import { clientCallbackKey } from '../functions/callbacks/keys';
import { signingKeysSchema } from '../functions/links/signing';
import { localSettings } from './settings';
import { CALLBACK_SECRET, signingSecrets } from './signing-secrets';

function main() {
  const { values } = parseArgs({ options: { client: { type: 'string' } } });
  if (!values.client) {
    console.error('usage: npm run --silent callback-key -- --client <client id>');
    process.exit(2);
  }
  const stored = signingSecrets(localSettings().dataDir)[CALLBACK_SECRET];
  const keys = signingKeysSchema.parse(JSON.parse(stored ?? 'null'));
  process.stdout.write(`${clientCallbackKey(keys.keys[keys.currentKeyId] as string, values.client)}\n`);
}

try {
  main();
} catch (error) {
  console.error(`callback-key: ${(error as Error).message}`);
  process.exit(1);
}
