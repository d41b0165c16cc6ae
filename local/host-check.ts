/**
 * Every local port answers only requests addressed to it by its own loopback address: `Host` must be
 * `127.0.0.1:<its port>`. A web page that rebinds a DNS name of its own to 127.0.0.1 (DNS rebinding)
 * reaches the port with `Host: <that name>` and gets 421 instead of the mailbox's signed links or
 * the API's answers. The SDK clients, the browser on the console and curl on the addresses `npm start`
 * prints all send the right `Host`.
 */
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The one `Host` a server listening on `address` (127.0.0.1 by default) and `port` answers. */
export const ownHost = (port: number, address = '127.0.0.1') => `${address.includes(':') ? `[${address}]` : address}:${port}`;

/** True when the request names this server: `Host: 127.0.0.1:<port>`. */
export function isOwnHost(req: IncomingMessage, port: number, address?: string): boolean {
  return req.headers.host === ownHost(port, address);
}

/** Answers 421 (Misdirected Request) with a short text; the name sent is not echoed. */
export function refuseHost(req: IncomingMessage, res: ServerResponse, port: number, address?: string): void {
  req.resume();
  const text = `This local server answers only requests for Host ${ownHost(port, address)}.\n`;
  res.writeHead(421, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    connection: 'close',
  });
  res.end(text);
}

/**
 * Puts the Host check in front of every request listener the server has now (call it once the
 * server's own listeners are attached; the port is read when a request arrives, so before or
 * after `listen` both work).
 */
export function requireOwnHost(server: Server): void {
  const listeners = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const { port, address } = (server.address() as AddressInfo | null) ?? { port: 0, address: '127.0.0.1' };
    if (!isOwnHost(req, port, address)) return refuseHost(req, res, port, address);
    for (const listener of listeners) listener.call(server, req, res);
  });
}
