/**
 * The local SES (aws-ses-v2-local) with its web mailbox. Sent emails are kept
 * under DATA_DIR, so the mailbox survives a restart of `npm start`: each email is appended as one
 * JSON line to `mailbox/emails.jsonl` (constant cost per email, whatever the mailbox holds; a
 * torn last line after a crash is skipped).
 *
 * A fault switch for tests, local only: `POST /faults` with `{"failNext": N, "error":
 * "throttle" | "fail"}` makes the next N SendEmail requests fail (throttle: 429
 * TooManyRequestsException, which the AWS SDK classifies as throttling and retries; fail:
 * 500 InternalFailure). Each HTTP request counts, SDK retries included. `GET /faults` shows
 * what is left; `DELETE /faults` clears it.
 *
 * Only its own address is answered (`Host: 127.0.0.1:<port>`, local/host-check.ts), and no request
 * that changes something (any method but GET and HEAD: the fault switch, `clear-store`, sending)
 * is taken from another site's page: one whose `Origin` is not the mailbox's own, or whose
 * `Sec-Fetch-Site` says another site sent it, gets 403. The SDK and curl send neither header; the
 * mailbox's own page sends its own origin.
 *
 * The local EventBridge's events (local/events.ts) are listed here too: `GET /events` answers
 * `{"events": [...]}`, oldest first (newest last); `POST /events/faults` with `{"failNext": N}` makes
 * the next N event entries fail, as the email fault switch does for SendEmail.
 *
 * SES v2 answers as AWS's do where the library differs (SendEmail's checks, GetAccount,
 * ListEmailIdentities, JSON errors): see ses-api.ts.
 */
import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import * as z from '../functions/domain/zod';
import type { EventsServer } from './events';
import { requireOwnHost } from './host-check';
import { addSesApi } from './ses-api';

interface SesStore {
  emails: unknown[];
}

const SEND_EMAIL = '/v2/email/outbound-emails';
const faultsBody = z.strictObject({ failNext: z.int().check(z.minimum(0), z.maximum(100_000)), error: z.enum(['throttle', 'fail']) });
type Faults = z.infer<typeof faultsBody>;
const eventFaultsBody = z.strictObject({ failNext: z.int().check(z.minimum(0), z.maximum(100_000)) });
/** The local EventBridge's events, listed on this port. */
type EventsList = Pick<EventsServer, 'events' | 'failNext'>;
const FAULT_ERRORS = {
  throttle: { status: 429, type: 'TooManyRequestsException', message: 'Maximum sending rate exceeded (local fault switch).' },
  fail: { status: 500, type: 'InternalFailure', message: 'Internal failure (local fault switch).' },
} as const;

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function readText(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > 10_000) req.destroy(new Error('body too large'));
    });
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** A request that would change state, sent by a page of another site (a form post, a fetch). */
export function isCrossSiteWrite(req: IncomingMessage, ownOrigin: string): boolean {
  if (SAFE_METHODS.has((req.method ?? 'GET').toUpperCase())) return false;
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
  const origin = req.headers.origin;
  return origin !== undefined && origin !== ownOrigin;
}

/** Puts the cross-site guard and the fault switch in front of the SES server's own request handling. */
function addFaultSwitch(server: Server, published?: EventsList): void {
  let faults: Faults = { failNext: 0, error: 'fail' };
  const ses = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0];
    const address = server.address();
    const ownOrigin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    if (isCrossSiteWrite(req, ownOrigin)) {
      req.resume();
      return json(res, 403, {
        error: {
          code: 'cross_site',
          message: "the mailbox takes changes from its own page or a client that is not a browser, not from another site's page",
        },
      });
    }
    if (path === '/events' && published) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: { code: 'method_not_allowed', message: 'GET' } });
      return json(res, 200, { events: published.events() });
    }
    if (path === '/events/faults' && published) {
      if (req.method !== 'POST') return json(res, 405, { error: { code: 'method_not_allowed', message: 'POST' } });
      readText(req).then(
        (text) => {
          const parsed = (() => {
            try {
              return eventFaultsBody.safeParse(JSON.parse(text));
            } catch {
              return undefined;
            }
          })();
          if (!parsed?.success)
            return json(res, 400, { error: { code: 'invalid_faults', message: 'expected {"failNext": integer 0..100000}' } });
          published.failNext(parsed.data.failNext);
          json(res, 200, parsed.data);
        },
        () => res.destroy(),
      );
      return;
    }
    if (path === '/faults') {
      if (req.method === 'GET') return json(res, 200, faults);
      if (req.method === 'DELETE') {
        faults = { failNext: 0, error: 'fail' };
        return json(res, 200, faults);
      }
      if (req.method !== 'POST') return json(res, 405, { error: { code: 'method_not_allowed', message: 'GET, POST or DELETE' } });
      readText(req).then(
        (text) => {
          let parsed: ReturnType<typeof faultsBody.safeParse> | undefined;
          try {
            parsed = faultsBody.safeParse(JSON.parse(text));
          } catch {
            parsed = undefined;
          }
          if (!parsed?.success) {
            return json(res, 400, {
              error: { code: 'invalid_faults', message: 'expected {"failNext": integer 0..100000, "error": "throttle" | "fail"}' },
            });
          }
          faults = parsed.data;
          json(res, 200, faults);
        },
        () => res.destroy(),
      );
      return;
    }
    if (req.method === 'POST' && path === SEND_EMAIL && faults.failNext > 0) {
      faults = { ...faults, failNext: faults.failNext - 1 };
      const error = FAULT_ERRORS[faults.error];
      req.resume();
      return json(res, error.status, { message: error.message }, { 'x-amzn-errortype': error.type });
    }
    for (const listener of ses) listener.call(server, req, res);
  });
}

export async function startMailbox(options: {
  port: number;
  dataDir?: string;
  /** What ListEmailIdentities answers as verified (the stack's sender). */
  identities?: readonly string[];
  /** The local EventBridge, whose events `GET /events` lists. */
  events?: EventsList;
}): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const ses = require('aws-ses-v2-local') as { default: (config: { port: number; host: string }) => Promise<Server> };
  const { getStoreReadonly } = require('aws-ses-v2-local/dist/store') as { getStoreReadonly: () => SesStore };
  const store = getStoreReadonly();
  let close = () => {};
  if (options.dataDir) {
    const log = openEmailLog(join(options.dataDir, 'mailbox'));
    store.emails = log.emails;
    close = log.close;
    // Persist each email as it is stored (the store pushes onto this array).
    const emails = store.emails;
    const push = emails.push.bind(emails);
    emails.push = (...items: unknown[]) => {
      const length = push(...items);
      log.append(items);
      return length;
    };
  } else {
    store.emails = [];
  }
  const server = await ses.default({ port: options.port, host: '127.0.0.1' });
  addFaultSwitch(server, options.events);
  addSesApi(server, { identities: options.identities ?? [] });
  // Last, so that it wraps everything above: no other site's Host gets past it.
  requireOwnHost(server);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        close();
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}

/** Reads the mailbox's log and opens it for appending. */
function openEmailLog(dir: string): { emails: unknown[]; append(items: unknown[]): void; close(): void } {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'emails.jsonl');
  const emails: unknown[] = [];
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        emails.push(JSON.parse(line));
      } catch {
        // A line torn by a crash while it was written: the email was never acknowledged whole.
      }
    }
  }
  let fd: number | undefined = openSync(file, 'a');
  return {
    emails,
    append(items) {
      if (fd === undefined) return;
      appendFileSync(fd, items.map((email) => `${JSON.stringify(email)}\n`).join(''));
    },
    close() {
      if (fd === undefined) return;
      fsyncSync(fd);
      closeSync(fd);
      fd = undefined;
    },
  };
}
