/**
 * A calling system's callback receiver on 127.0.0.1 in the test process. `mode` says how it
 * answers: `ok` (204), `down` (every connection is cut at once, as an unreachable receiver),
 * `redirect` (307 to `redirectTo`). Every request and every cut connection is recorded.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface Receiver {
  url: string;
  /** Set through `setMode`, or directly when no kept-alive connection must be cut. */
  mode: 'ok' | 'down' | 'redirect';
  setMode(mode: 'ok' | 'down' | 'redirect'): void;
  redirectTo?: string;
  received: Received[];
  /** Connections cut while down. */
  refused: number;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const server: Server = createServer((req, res) => {
    if (receiver.mode === 'down') {
      // A kept-alive connection from before the receiver went down: cut it too.
      receiver.refused += 1;
      req.socket.destroy();
      return;
    }
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      receiver.received.push({ path: req.url ?? '/', headers: req.headers, body, at: Date.now() });
      if (receiver.mode === 'redirect') {
        res.writeHead(307, { location: receiver.redirectTo ?? '/' });
      } else {
        res.writeHead(204);
      }
      res.end();
    });
  });
  server.on('connection', (socket) => {
    if (receiver.mode === 'down') {
      receiver.refused += 1;
      socket.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}`,
    mode: 'ok',
    received: [],
    refused: 0,
    setMode(mode) {
      receiver.mode = mode;
      if (mode === 'down') server.closeIdleConnections();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return receiver;
}

/** The JSON events the receiver got (a body that is not JSON is skipped: it is no event). */
export function eventsOf(receiver: Receiver): Array<{ hit: Received; event: any }> {
  return receiver.received.flatMap((hit) => {
    try {
      return [{ hit, event: JSON.parse(hit.body) }];
    } catch {
      return [];
    }
  });
}
