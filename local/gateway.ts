/**
 * The local stand-in for API Gateway's HTTP API: routes from the API operations of the registry,
 * the JWT authorizer's checks, payload format 2.0 events, and the handlers called
 * in-process exactly as Lambda would call them.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import type { Context } from 'aws-lambda';
import { type ApiOperation, apiOperations, CALLING_SYSTEM_OPERATIONS } from '../functions/registry';
import { requireOwnHost } from './host-check';
import type { LocalIssuer } from './identity';
import { LOCAL_ACCOUNT } from './net';
import { cachingVerifier } from './token-cache';
import { GENERIC_REFUSAL, refusedTokenMessage } from './token-diagnosis';

const MAX_BODY_BYTES = 6 * 1024 * 1024;
const INTEGRATION_TIMEOUT_MS = 30_000;

type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

interface Route {
  operation: ApiOperation;
  method: string;
  pattern: RegExp;
  params: string[];
  routeKey: string;
}

function compile(operations: readonly ApiOperation[]): Route[] {
  return operations.flatMap((operation) =>
    operation.methods.map((method) => {
      const params: string[] = [];
      const source = operation.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)\\?\}/g, (_m, name: string) => {
        params.push(name);
        return '([^/]+)';
      });
      return { operation, method, pattern: new RegExp(`^${source}$`), params, routeKey: `${method} ${operation.path}` };
    }),
  );
}

/**
 * A calling system's token (client credentials: an access token with a `scope` claim), as opposed to
 * a person's ID token. In the cloud only the routes of CALLING_SYSTEM_OPERATIONS have an authorizer
 * whose audiences include the calling systems' app client; every other route answers their tokens 401.
 */
function isCallingSystemToken(payload: Record<string, unknown>): boolean {
  return payload.scope !== undefined || payload.token_use === 'access';
}

/** API Gateway passes JWT claims on as strings; arrays become `[a b]`. */
function flattenClaims(payload: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(payload).map(([name, value]) => [
      name,
      Array.isArray(value) ? `[${value.join(' ')}]` : typeof value === 'object' ? JSON.stringify(value) : String(value),
    ]),
  );
}

function errorJson(res: ServerResponse, status: number, code: string, message: string) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify({ error: { code, message } }));
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolveBody(size > MAX_BODY_BYTES ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const TEXT_TYPES = /^(text\/|application\/(json|x-www-form-urlencoded|xml|.*\+json))/i;

export interface GatewayOptions {
  port: number;
  issuer: LocalIssuer;
  operations?: readonly ApiOperation[];
  /** Answers requests no operation routes (the console's files); returns false to leave them to the 404. */
  otherRequests?: (req: IncomingMessage, res: ServerResponse) => boolean;
  log?: (line: string) => void;
  /** Called once an API route has answered, with its operation (the local stack then reads the table's stream). */
  answered?: (operation: ApiOperation) => void;
}

export async function startGateway(
  options: GatewayOptions,
): Promise<{ url: string; port: number; server: Server; open(): void; close(): Promise<void> }> {
  const routes = compile(options.operations ?? apiOperations());
  // The port is bound at once (the functions' settings name it), but requests wait until the stack
  // around the gateway is up (`open()`): a 200 from /health means every endpoint answers.
  let open = () => {};
  const opened = new Promise<void>((resolveOpen) => {
    open = resolveOpen;
  });
  const callingSystemRoutes = routes
    .filter((route) => CALLING_SYSTEM_OPERATIONS.includes(route.operation.name))
    .map((route) => route.routeKey)
    .join(', ');
  // As the JWT authorizer: a token verified once is not verified again on every request (until its exp).
  const verify = cachingVerifier((token) => options.issuer.verify(token));
  const handlers = new Map<string, LambdaHandler>();
  const load = (operation: ApiOperation): LambdaHandler => {
    let handler = handlers.get(operation.name);
    if (!handler) {
      handler = require(resolve(operation.entry)).handler as LambdaHandler;
      handlers.set(operation.name, handler);
    }
    return handler;
  };

  const server = createServer(async (req, res) => {
    await opened;
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const route = routes.find((candidate) => candidate.method === method && candidate.pattern.test(url.pathname));
    try {
      if (!route && options.otherRequests?.(req, res)) return;
      if (!route) return errorJson(res, 404, 'not_found', `no route for ${method} ${url.pathname}`);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
      }
      // As API Gateway: the scheme and port the client used, and its address appended to X-Forwarded-For.
      const sourceIp = req.socket.remoteAddress ?? '127.0.0.1';
      headers['x-forwarded-proto'] = 'http';
      headers['x-forwarded-port'] = String(req.socket.localPort ?? options.port);
      headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${sourceIp}` : sourceIp;
      let claims: Record<string, string> | undefined;
      if (route.operation.auth === 'jwt') {
        const match = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '');
        const payload = match?.[1] ? await verify(match[1]) : undefined;
        if (!payload)
          return errorJson(res, 401, 'unauthorized', match?.[1] ? refusedTokenMessage(match[1], options.issuer) : GENERIC_REFUSAL);
        if (isCallingSystemToken(payload) && !CALLING_SYSTEM_OPERATIONS.includes(route.operation.name))
          return errorJson(res, 401, 'unauthorized', `a calling system's token is accepted on ${callingSystemRoutes} only`);
        claims = flattenClaims(payload as Record<string, unknown>);
      }
      const body = await readBody(req);
      if (body === 'too-large') return errorJson(res, 413, 'payload_too_large', `request body exceeds ${MAX_BODY_BYTES} bytes`);
      const match = route.pattern.exec(url.pathname);
      // As API Gateway's HTTP API: path parameters are passed on as sent, not percent-decoded (so a
      // malformed escape such as %ZZ reaches the handler, whose validation answers 400).
      const pathParameters = Object.fromEntries(route.params.map((name, index) => [name, match?.[index + 1] ?? '']));
      const query: Record<string, string> = {};
      for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
      const isText = body.length === 0 || TEXT_TYPES.test(headers['content-type'] ?? 'text/plain');
      const requestId = randomUUID();
      const event = {
        version: '2.0',
        routeKey: route.routeKey,
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        ...(headers.cookie ? { cookies: headers.cookie.split(/;\s*/) } : {}),
        headers,
        ...(url.search ? { queryStringParameters: query } : {}),
        ...(route.params.length ? { pathParameters } : {}),
        requestContext: {
          accountId: LOCAL_ACCOUNT,
          apiId: 'local',
          ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
          domainName: headers.host ?? 'localhost',
          domainPrefix: 'local',
          http: {
            method,
            path: url.pathname,
            protocol: `HTTP/${req.httpVersion}`,
            sourceIp,
            userAgent: headers['user-agent'] ?? '',
          },
          requestId,
          routeKey: route.routeKey,
          stage: '$default',
          time: new Date().toUTCString(),
          timeEpoch: Date.now(),
        },
        ...(body.length ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
        isBase64Encoded: body.length > 0 && !isText,
      };
      const context = lambdaContext(route.operation.name, requestId, started);
      let timer: NodeJS.Timeout | undefined;
      const result = await Promise.race([
        load(route.operation)(event, context),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('integration timeout')), INTEGRATION_TIMEOUT_MS).unref();
        }),
      ]).finally(() => clearTimeout(timer));
      writeResult(res, result, method === 'HEAD');
      options.log?.(`${method} ${url.pathname} ${res.statusCode} ${Date.now() - started}ms`);
    } catch (error) {
      options.log?.(`${method} ${url.pathname} failed: ${(error as Error).message}`);
      if (!res.headersSent)
        errorJson(res, (error as Error).message === 'integration timeout' ? 503 : 500, 'internal_error', 'internal error');
      else res.end();
    } finally {
      if (route) options.answered?.(route.operation);
    }
  });
  requireOwnHost(server);
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolveListen());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    open,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}

function lambdaContext(functionName: string, awsRequestId: string, started: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:${LOCAL_ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, INTEGRATION_TIMEOUT_MS - (Date.now() - started)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Writes a Lambda proxy result the way API Gateway does (payload format 2.0). */
function writeResult(res: ServerResponse, result: unknown, head: boolean) {
  if (result === null || typeof result !== 'object' || !('statusCode' in result)) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(head ? undefined : JSON.stringify(result ?? null));
    return;
  }
  const { statusCode, headers, body, isBase64Encoded, cookies } = result as {
    statusCode: number;
    headers?: Record<string, string | number | boolean>;
    body?: string;
    isBase64Encoded?: boolean;
    cookies?: string[];
  };
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name.toLowerCase()] = String(value);
  if (cookies?.length) out['set-cookie'] = cookies;
  res.writeHead(statusCode, out);
  if (head || body === undefined) return void res.end();
  res.end(isBase64Encoded ? Buffer.from(body, 'base64') : body);
}
