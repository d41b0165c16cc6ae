/**
 * The HTTP edge of the signed-link pages: middy with header normalisation, optional form
 * parsing, and one place that turns every answer (success, domain error, middy error, crash) into
 * an HTML page carrying LINK_PAGE_HEADERS. HEAD gets the same status and headers, no body.
 */
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpUrlencodeBodyParser from '@middy/http-urlencode-body-parser';
import { apiFunction, directoryOf } from '../commons/deps';
import { setting } from '../commons/settings';
import { clientErrorOf, type HttpEvent, type HttpResult } from '../commons/http';
import { describeError, logApprovalRequest, logger, observe } from '../commons/observability';
import { signingKeys } from '../adapters/secrets-manager';
import { DomainError, type ErrorCode, invalid } from '../domain/errors';
import type { ApiDeps } from '../usecases/deps';
import { errorPage, LINK_PAGE_HEADERS } from './pages';
import { type SigningKeys, type VerifiedLink, verifyLink } from './signing';

/** What the link handlers need: the use cases' dependencies and the signing keys. */
export interface LinkContext {
  deps: ApiDeps;
  keys: () => Promise<SigningKeys>;
}

/** The production context of the link function `name`: settings checked at cold start, keys read once per process. */
export function productionLinkContext(name: string): LinkContext {
  const { deps, settings } = apiFunction(name, { directory: directoryOf });
  const secretId = setting(settings, 'LINK_KEYS_SECRET_ID');
  return { deps, keys: () => signingKeys(secretId) };
}

export function htmlResponse(statusCode: number, html: string): HttpResult {
  return { statusCode, headers: { ...LINK_PAGE_HEADERS }, body: html };
}

/** The link in the request URL, verified (403 altered, 410 expired). */
export async function verifiedLink(event: HttpEvent, ctx: LinkContext): Promise<VerifiedLink> {
  const keys = await ctx.keys();
  const now = Math.floor(Date.parse(ctx.deps.now()) / 1000);
  const link = verifyLink({ requestId: event.pathParameters?.id, action: event.pathParameters?.action, query: rawQuery(event) }, keys, now);
  logApprovalRequest(link.requestId);
  return link;
}

/** The query as sent. HTTP API v2 joins repeated parameters with commas in `queryStringParameters`; the raw string keeps them apart. */
function rawQuery(event: HttpEvent): string {
  if (event.rawQueryString) return event.rawQueryString;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) if (value !== undefined) params.append(name, value);
  return params.toString();
}

/** The link pages' answer to each domain error code: its status and the page's title. */
const PAGE_OF_CODE: Readonly<Record<ErrorCode, { status: number; title: string }>> = {
  invalid_request: { status: 400, title: 'Please check the form' },
  unauthorized: { status: 401, title: 'This link cannot be used' },
  forbidden: { status: 403, title: 'This link cannot be used' },
  not_found: { status: 404, title: 'Request not found' },
  conflict: { status: 409, title: 'Already decided' },
  gone: { status: 410, title: 'This link has expired' },
};

/** A message as a sentence: capital first letter, final full stop. */
export const sentence = (message: string) => {
  const text = message.trim();
  const first = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
};

/** An error as a page. Domain errors and client errors show their message; anything else a plain 500. */
export function pageForError(error: unknown, requestId?: string): HttpResult {
  if (error instanceof DomainError) {
    const { status, title } = PAGE_OF_CODE[error.code];
    if (error.code === 'forbidden') logger.warn('link refused', { reason: error.message });
    const message =
      error.code === 'gone' ? `${sentence(error.message)} Ask for a new one if the request is still pending.` : sentence(error.message);
    return htmlResponse(status, errorPage(status, title, message));
  }
  const client = clientErrorOf(error);
  if (client) {
    const unreadable = client.status === 415;
    const message = unreadable ? 'The form must be sent as application/x-www-form-urlencoded.' : sentence(client.message || 'Bad request');
    return htmlResponse(client.status, errorPage(client.status, unreadable ? 'The form could not be read' : 'Bad request', message));
  }
  logger.error('unhandled error', { error: describeError(error) });
  return htmlResponse(
    500,
    errorPage(
      500,
      'Something went wrong',
      `The service could not answer${requestId ? ` (reference ${requestId})` : ''}. Please try again in a moment; opening the link again shows whether a decision was recorded.`,
    ),
  );
}

/** Every response leaves with LINK_PAGE_HEADERS (overriding any same-named header), and HEAD with no body. */
export function finalize(event: HttpEvent | undefined, response: HttpResult): HttpResult {
  const own = new Set(Object.keys(LINK_PAGE_HEADERS).map((name) => name.toLowerCase()));
  const kept = Object.entries(response.headers ?? {}).filter(([name]) => !own.has(name.toLowerCase()));
  const headers = { ...Object.fromEntries(kept), ...LINK_PAGE_HEADERS };
  const head = event?.requestContext?.http?.method?.toUpperCase() === 'HEAD';
  return { ...response, headers, body: head ? '' : response.body, isBase64Encoded: false };
}

const FORM_TYPE = /^application\/x-www-form-urlencoded(\s*;.*)?$/i;

/** Accepts a form body, a body with no content type, or an empty body; refuses other types with 415. */
const formContentType: middy.MiddlewareObj<HttpEvent, HttpResult> = {
  before: (request) => {
    const type = request.event.headers?.['content-type'];
    if (type && !FORM_TYPE.test(type) && request.event.body) {
      throw Object.assign(new Error('the form must be sent as application/x-www-form-urlencoded'), { statusCode: 415, expose: true });
    }
  },
};

/** Wraps a link handler. `form: true` parses a form-encoded body into an object (see `formFields`). */
export function linkHttpHandler(handler: (event: HttpEvent) => Promise<HttpResult>, options: { form?: boolean } = {}) {
  const wrapped = observe(middy<HttpEvent, HttpResult>());
  // Registered right after logs and metrics, so its `after` and `onError` run after every other middleware but theirs.
  wrapped.use({
    after: (request) => {
      request.response = finalize(request.event, request.response);
    },
    onError: (request) => {
      request.response = finalize(request.event, pageForError(request.error, request.context?.awsRequestId));
    },
  });
  wrapped.use(httpHeaderNormalizer());
  if (options.form) {
    wrapped.use(formContentType);
    wrapped.use(httpUrlencodeBodyParser({ disableContentTypeCheck: true }));
  }
  return wrapped.handler((event) => handler(event));
}

/**
 * The optional text fields of a decision form after parsing: trimmed, empty ones left out.
 * A field sent twice is refused (400): which one was meant is unknowable.
 */
export function formFields(body: unknown): { reason?: string; comment?: string } {
  const fields = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const out: { reason?: string; comment?: string } = {};
  for (const name of ['reason', 'comment'] as const) {
    const value = fields[name];
    if (Array.isArray(value)) throw invalid(`${name} was sent more than once`, [{ field: name, message: 'must be sent once' }]);
    if (typeof value === 'string' && value.trim()) out[name] = value.trim();
  }
  return out;
}
