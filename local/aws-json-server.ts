/**
 * A small HTTP server speaking the AWS JSON protocols (awsJson1_0 / awsJson1_1):
 * `POST /` with `X-Amz-Target: <prefix>.<Action>` and a JSON body, answering JSON,
 * and errors shaped like AWS's (`{"__type": "<Code>", "message": "..."}` plus the
 * `x-amzn-ErrorType` header) so the AWS SDK v3 raises exceptions with the right `.name`.
 *
 * The SDK's JSON-RPC error parser reads `__type` first, then `code`, then the
 * `x-amzn-errortype` header (@smithy/core loadJsonRpcErrorCode); both are sent.
 * Requests are never authenticated (SigV4 headers are ignored): bind to loopback only. Only
 * requests for `Host: <its address>:<its port>` are answered (local/host-check.ts), so a web page
 * cannot reach it by DNS rebinding.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { requireOwnHost } from './host-check';

/** An error answered to the client in AWS's shape. `type` becomes the SDK exception's `name`. */
export class AwsServiceError extends Error {
  readonly type: string;
  readonly status: number;
  constructor(type: string, message: string, status = 400) {
    super(message);
    this.name = 'AwsServiceError';
    this.type = type;
    this.status = status;
  }
}

export type AwsJsonAction = (body: Record<string, unknown>) => unknown;

export interface AwsJsonServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** `AWSStepFunctions`, `secretsmanager`, ... (the part of X-Amz-Target before the dot). */
  targetPrefix: string;
  jsonVersion: '1.0' | '1.1';
  actions: Record<string, AwsJsonAction>;
  /** Largest request body accepted, in bytes (default 2 MiB). */
  maxBodyBytes?: number;
  log?: (line: string) => void;
}

export interface AwsJsonServer {
  url: string;
  port: number;
  server: Server;
  /** Stops accepting connections, drops open ones, resolves when the server is closed. Idempotent. */
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY = 2 * 1024 * 1024;

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new AwsServiceError('ValidationException', `Request body is larger than ${limit} bytes`, 413));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (error) => {
      if (!failed) {
        failed = true;
        reject(error);
      }
    });
  });
}

export function startAwsJsonServer(options: AwsJsonServerOptions): Promise<AwsJsonServer> {
  const host = options.host ?? '127.0.0.1';
  const contentType = `application/x-amz-json-${options.jsonVersion}`;
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const log = options.log ?? (() => {});

  const send = (res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void => {
    if (res.headersSent || res.destroyed) return;
    const text = JSON.stringify(body ?? {});
    res.writeHead(status, {
      'content-type': contentType,
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': randomUUID(),
      ...extraHeaders,
    });
    res.end(text);
  };
  const sendError = (res: ServerResponse, error: AwsServiceError): void => {
    send(res, error.status, { __type: error.type, message: error.message }, { 'x-amzn-errortype': error.type });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      if (req.method !== 'POST') {
        // Drain whatever was sent so the connection stays usable.
        req.resume();
        throw new AwsServiceError(
          'UnknownOperationException',
          `Method ${req.method ?? '?'} is not supported: POST / with X-Amz-Target`,
          405,
        );
      }
      const target = req.headers['x-amz-target'];
      const bodyBuffer = await readBody(req, limit);
      if (typeof target !== 'string' || !target.startsWith(`${options.targetPrefix}.`)) {
        throw new AwsServiceError(
          'UnknownOperationException',
          `Missing or unknown X-Amz-Target (expected ${options.targetPrefix}.<Action>)`,
        );
      }
      const actionName = target.slice(options.targetPrefix.length + 1);
      const action = Object.hasOwn(options.actions, actionName) ? options.actions[actionName] : undefined;
      if (!action)
        throw new AwsServiceError('UnknownOperationException', `Operation ${actionName} is not supported by this local endpoint`);
      let body: unknown;
      const text = bodyBuffer.toString('utf8');
      try {
        body = text.trim() === '' ? {} : JSON.parse(text);
      } catch {
        throw new AwsServiceError('SerializationException', 'Request body is not valid JSON');
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new AwsServiceError('SerializationException', 'Request body must be a JSON object');
      }
      const result = await action(body as Record<string, unknown>);
      send(res, 200, result ?? {});
    } catch (error) {
      if (error instanceof AwsServiceError) {
        sendError(res, error);
      } else {
        log(`${options.targetPrefix}: internal error: ${error instanceof Error ? error.message : String(error)}`);
        sendError(res, new AwsServiceError('InternalFailure', 'Internal error in the local endpoint', 500));
      }
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      // handle() answers every error itself; this only guards against a broken socket.
      if (!res.headersSent && !res.destroyed) res.destroy();
    });
  });
  requireOwnHost(server);
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });

  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(options.port, host, () => {
      server.off('error', onError);
      const port = (server.address() as AddressInfo).port;
      let closing: Promise<void> | undefined;
      resolve({
        url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
        port,
        server,
        close() {
          closing ??= new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          });
          return closing;
        },
      });
    });
  });
}

/** Field readers that answer AWS-shaped validation errors. */
export function requireString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw new AwsServiceError(
      'ValidationException',
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

export function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new AwsServiceError('ValidationException', `1 validation error detected: Value at '${field}' must be a string`);
  }
  return value;
}

export function optionalInteger(body: Record<string, unknown>, field: string, min: number, max: number): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new AwsServiceError(
      'ValidationException',
      `1 validation error detected: Value at '${field}' must be an integer between ${min} and ${max}`,
    );
  }
  return value;
}

/** Seconds since the epoch, as the AWS JSON protocols encode timestamps. */
export function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}
