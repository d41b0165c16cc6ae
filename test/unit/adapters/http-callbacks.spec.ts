import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callbackSignature, httpCallbackSender } from '../../../functions/adapters/http-callbacks';
import type { CallbackEvent } from '../../../functions/usecases/senders';
import { pendingRequest } from '../../helpers/memory/requests';

const event: CallbackEvent = { type: 'request.rejected', client: 'billing-system', request: pendingRequest({ state: 'rejected' }) };
const key = { keyId: 'k1', secret: 'key-of-billing-system' };
const AT = '2026-11-03T09:00:01.000Z';

/** A local server answering with `answer`, keeping what it received. */
async function serve(answer: (res: import('node:http').ServerResponse) => void) {
  const received: Array<{ method?: string; url?: string; headers: IncomingHttpHeaders; body: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body });
      answer(res);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = (path: string) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  const close = async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  };
  return { received, url, close };
}

describe('callbacks over HTTP', () => {
  test('a signed POST of the event, naming the key, and the status of the answer', async () => {
    const server = await serve((res) => res.writeHead(204).end());
    try {
      expect(await httpCallbackSender().send(server.url('/hooks/x'), event, key, AT)).toEqual({ status: 204 });
      const [call] = server.received;
      const t = Math.floor(Date.parse(AT) / 1000);
      expect(call).toMatchObject({ method: 'POST', url: '/hooks/x' });
      expect(JSON.parse(call?.body ?? '')).toMatchObject({
        type: 'request.rejected',
        client: 'billing-system',
        request: { state: 'rejected' },
      });
      expect(call?.headers['content-type']).toBe('application/json');
      expect(call?.headers['approvals-key-id']).toBe('k1');
      expect(call?.headers['approvals-signature']).toBe(
        `t=${t},v1=${createHmac('sha256', 'key-of-billing-system').update(`${t}.${call?.body}`).digest('hex')}`,
      );
    } finally {
      await server.close();
    }
  });

  test('the signature is an HMAC-SHA256 of "<t>.<body>"', () => {
    expect(callbackSignature('s', '{}', 1700000000)).toBe(
      `t=1700000000,v1=${createHmac('sha256', 's').update('1700000000.{}').digest('hex')}`,
    );
  });

  test('a redirect (3xx) is not followed: its status is the answer', async () => {
    const target = await serve((res) => res.writeHead(204).end());
    const redirecting = await serve((res) => res.writeHead(307, { location: target.url('/stolen') }).end());
    try {
      expect(await httpCallbackSender().send(redirecting.url('/hooks/x'), event, key, AT)).toEqual({ status: 307 });
      expect(redirecting.received.map((call) => call.url)).toEqual(['/hooks/x']);
      expect(target.received).toEqual([]);
    } finally {
      await Promise.all([target.close(), redirecting.close()]);
    }
  });

  test("the answer's body is not read: a 2xx whose body never ends answers at once", async () => {
    let timer: NodeJS.Timeout | undefined;
    const endless = await serve((res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      timer = setInterval(() => res.write('x'.repeat(1024)), 5);
      res.on('close', () => clearInterval(timer));
    });
    try {
      const started = Date.now();
      expect(await httpCallbackSender().send(endless.url('/hooks/x'), event, key, AT)).toEqual({ status: 200 });
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      clearInterval(timer);
      await endless.close();
    }
  });

  test('nothing answering rejects', async () => {
    const gone = await serve((res) => res.end());
    const url = gone.url('/hooks/x');
    await gone.close();
    await expect(httpCallbackSender().send(url, event, key, AT)).rejects.toThrow();
  });
});
