/**
 * Makes the local SES (aws-ses-v2-local) answer as AWS's SES v2 does where the library does not:
 * - SendEmail (simple or template content) with no recipient, or with a From, To, Cc, Bcc or
 *   Reply-To that is not an email address: 400 BadRequestException, nothing stored;
 * - GetAccount (GET /v2/email/account): sending enabled, production access, a send quota;
 * - ListEmailIdentities (GET /v2/email/identities, or POST /v2/email/list-identities): the stack's sender identities, verified;
 * - any other SES v2 path the library does not serve: a JSON 404 instead of its XML one.
 * The web mailbox's own paths (/, /store, /faults, ...) are left as they are.
 */
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import * as z from '../functions/domain/zod';

/** SES v2 routes aws-ses-v2-local serves itself. */
const LIBRARY_ROUTES: Array<[method: string, path: RegExp]> = [
  ['GET', /^\/v2\/email\/templates\/?$/],
  ['POST', /^\/v2\/email\/templates$/],
  ['POST', /^\/v2\/email\/templates\/[^/]+\/render$/],
  ['GET', /^\/v2\/email\/templates\/[^/]+$/],
  ['PUT', /^\/v2\/email\/templates\/[^/]+$/],
  ['DELETE', /^\/v2\/email\/templates\/[^/]+$/],
  ['POST', /^\/v2\/email\/outbound-emails$/],
  ['POST', /^\/v2\/email\/outbound-bulk-emails$/],
];

const MAX_BODY_BYTES = 40 * 1024 * 1024;

function awsError(res: ServerResponse, status: number, type: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
  res.end(JSON.stringify({ message }));
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const addrSpec = z.email();

/** An address as SES takes it: `local@domain`, optionally as `Display Name <local@domain>`; ASCII only. */
export function isEmailAddress(value: unknown): boolean {
  if (typeof value !== 'string' || !/^[\x20-\x7e]+$/.test(value)) return false;
  const angle = /^[^<>]*<([^<>]+)>\s*$/.exec(value);
  return addrSpec.safeParse((angle?.[1] ?? value).trim()).success;
}

/** Why AWS would refuse this SendEmail body, or undefined. */
export function sendEmailProblem(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return 'the request body must be a JSON object';
  const { Destination, FromEmailAddress, ReplyToAddresses, Content } = body as Record<string, unknown>;
  const raw = typeof Content === 'object' && Content !== null && 'Raw' in Content;
  if (FromEmailAddress !== undefined && !isEmailAddress(FromEmailAddress))
    return `Illegal address in FromEmailAddress: ${JSON.stringify(FromEmailAddress)} is not an email address`;
  if (FromEmailAddress === undefined && !raw) return 'Missing FromEmailAddress';
  const destination = (typeof Destination === 'object' && Destination !== null ? Destination : {}) as Record<string, unknown>;
  let recipients = 0;
  for (const field of ['ToAddresses', 'CcAddresses', 'BccAddresses']) {
    const list = destination[field];
    if (list === undefined) continue;
    if (!Array.isArray(list)) return `Destination.${field} must be a list of addresses`;
    for (const address of list) {
      if (!isEmailAddress(address)) return `Illegal address in Destination.${field}: ${JSON.stringify(address)} is not an email address`;
    }
    recipients += list.length;
  }
  // Raw content may name its recipients in its own headers; simple and template content need a Destination.
  if (recipients === 0 && !raw) return 'Missing recipients: Destination needs at least one of ToAddresses, CcAddresses or BccAddresses';
  if (ReplyToAddresses !== undefined) {
    if (!Array.isArray(ReplyToAddresses)) return 'ReplyToAddresses must be a list of addresses';
    for (const address of ReplyToAddresses) {
      if (!isEmailAddress(address)) return `Illegal address in ReplyToAddresses: ${JSON.stringify(address)} is not an email address`;
    }
  }
  return undefined;
}

function account() {
  return {
    DedicatedIpAutoWarmupEnabled: false,
    EnforcementStatus: 'HEALTHY',
    ProductionAccessEnabled: true,
    SendQuota: { Max24HourSend: 50_000, MaxSendRate: 14, SentLast24Hours: 0 },
    SendingEnabled: true,
    SuppressionAttributes: { SuppressedReasons: [] },
  };
}

/** Puts the SES v2 conformance in front of the server's own request handling. */
export function addSesApi(server: Server, options: { identities: readonly string[] }): void {
  const inner = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  const passOn = (req: IncomingMessage, res: ServerResponse) => {
    for (const listener of inner) listener.call(server, req, res);
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const method = (req.method ?? 'GET').toUpperCase();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (!path.startsWith('/v2/')) return passOn(req, res);
    if (!/^AWS/.test(req.headers.authorization ?? '')) {
      req.resume();
      return awsError(res, 403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    }
    if (method === 'GET' && path === '/v2/email/account') {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(account()));
    }
    // GET /v2/email/identities in older SDKs and CLIs, POST /v2/email/list-identities in newer ones.
    if ((method === 'GET' && path === '/v2/email/identities') || (method === 'POST' && path === '/v2/email/list-identities')) {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(
        JSON.stringify({
          EmailIdentities: options.identities.map((identity) => ({
            IdentityType: identity.includes('@') ? 'EMAIL_ADDRESS' : 'DOMAIN',
            IdentityName: identity,
            SendingEnabled: true,
            VerificationStatus: 'SUCCESS',
          })),
        }),
      );
    }
    if (!LIBRARY_ROUTES.some(([m, pattern]) => m === method && pattern.test(path))) {
      req.resume();
      return awsError(res, 404, 'NotFoundException', `No SES v2 operation at ${method} ${path} in the local SES`);
    }
    if (method !== 'POST' || path !== '/v2/email/outbound-emails') return passOn(req, res);
    // Read here, checked, then handed on already parsed: the library's JSON parser skips a request whose body was read.
    readBody(req).then(
      (text) => {
        if (text === undefined) return awsError(res, 400, 'BadRequestException', 'The request body is too large');
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          return awsError(res, 400, 'BadRequestException', 'The request body is not valid JSON');
        }
        const problem = sendEmailProblem(body);
        if (problem) return awsError(res, 400, 'BadRequestException', problem);
        (req as IncomingMessage & { body?: unknown }).body = body;
        passOn(req, res);
      },
      () => res.destroy(),
    );
  });
}
