/**
 * Callbacks over HTTP: the signed outcome event POSTed to a calling system's callbackUrl.
 * Redirects are not followed and the answer's body is not read; whatever the answer, its status
 * is returned (what counts as delivered is the use case's rule).
 */
import { createHmac } from 'node:crypto';
import type { CallbackSender } from '../usecases/senders';

/** How long a calling system has to answer. */
const CALLBACK_TIMEOUT_MS = 10_000;

/** The `Approvals-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export function callbackSignature(secret: string, body: string, timestamp: number): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

export function httpCallbackSender(fetcher: typeof fetch = globalThis.fetch): CallbackSender {
  return {
    async send(url, event, key, at) {
      const body = JSON.stringify(event);
      const timestamp = Math.floor(Date.parse(at) / 1000);
      const response = await fetcher(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'approvals-signature': callbackSignature(key.secret, body, timestamp),
          'approvals-key-id': key.keyId,
          'user-agent': 'approvals-service/1',
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS),
      });
      await response.body?.cancel();
      return { status: response.status };
    },
  };
}
