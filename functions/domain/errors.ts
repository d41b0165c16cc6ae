/**
 * Errors the domain and use cases raise: a code, a message for people and optional details.
 * Nothing here knows about HTTP or AWS; each edge maps the codes to its own answers once
 * (`commons/http.ts` for the JSON API, `links/http.ts` for the link pages).
 */
export const ERROR_CODES = ['invalid_request', 'unauthorized', 'forbidden', 'not_found', 'conflict', 'gone'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface FieldIssue {
  field: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const invalid = (message: string, details?: FieldIssue[]) => new DomainError('invalid_request', message, details);
export const forbidden = (message: string) => new DomainError('forbidden', message);
export const notFound = (message: string) => new DomainError('not_found', message);
export const conflict = (message: string, details?: unknown) => new DomainError('conflict', message, details);
export const gone = (message: string) => new DomainError('gone', message);
export const unauthorized = (message: string) => new DomainError('unauthorized', message);
