import { createHmac } from 'node:crypto';
import { CALLBACK_KEY_SALT, clientCallbackKey } from '../../../functions/callbacks/keys';

const SERVICE_KEY = Buffer.alloc(32, 7).toString('base64');

/** HKDF-SHA256 for 32 bytes written out from RFC 5869 (extract, then one block of expand), as a receiver's operator might. */
function rfc5869(ikm: Buffer, salt: string, info: string): string {
  const prk = createHmac('sha256', salt).update(ikm).digest();
  return createHmac('sha256', prk)
    .update(Buffer.concat([Buffer.from(info), Buffer.from([1])]))
    .digest('hex');
}

describe("a calling system's callback key", () => {
  test('is HKDF-SHA256 of the service key, with the documented salt and info "client:<id>"', () => {
    expect(clientCallbackKey(SERVICE_KEY, 'billing-system')).toBe(rfc5869(Buffer.alloc(32, 7), CALLBACK_KEY_SALT, 'client:billing-system'));
  });

  test('differs between calling systems and between service keys, and is the same each time', () => {
    const billing = clientCallbackKey(SERVICE_KEY, 'billing-system');
    expect(billing).toMatch(/^[0-9a-f]{64}$/);
    expect(clientCallbackKey(SERVICE_KEY, 'billing-system')).toBe(billing);
    expect(clientCallbackKey(SERVICE_KEY, 'hr-system')).not.toBe(billing);
    expect(clientCallbackKey(Buffer.alloc(32, 8).toString('base64'), 'billing-system')).not.toBe(billing);
  });

  test('needs a client id', () => {
    expect(() => clientCallbackKey(SERVICE_KEY, '')).toThrow('client id');
  });
});
