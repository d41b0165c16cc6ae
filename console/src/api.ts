/**
 * The HTTP API as the console calls it: the bearer token of the signed-in user, the contract's
 * error shape turned into ApiError, and the request and response types taken from the service's
 * own domain modules, so they are written once.
 */
import type { JSONWebKeySet } from 'jose';
import type { FieldIssue } from '../../functions/domain/errors';
import type { Kind } from '../../functions/domain/kinds';
import type { DecisionBody } from '../../functions/domain/bodies';
import type { ApprovalRequest, HistoryEntry, State } from '../../functions/domain/model';
import type { Profile, ProfileBody } from '../../functions/domain/profile';
import type { StatsReport } from '../../functions/domain/stats-report';
import type { DelegationBody, DelegationView } from '../../functions/domain/delegation';

export type { ApprovalRequest, HistoryEntry, Profile, ProfileBody, State, Kind, FieldIssue, DelegationBody, DelegationView };
export type { StatsReport };
/** A task of GET /tasks; `delegatedFor` on the tasks of someone who handed over to the caller (out of office). */
export type Task = ApprovalRequest & { delegatedFor?: { id: string; email: string } };

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type RequestWithHistory = ApprovalRequest & { history: HistoryEntry[]; historyNextCursor?: string | null };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The field problems of a 400, as the API lists them in `details`. */
  get fieldIssues(): FieldIssue[] {
    return Array.isArray(this.details) ? (this.details as FieldIssue[]).filter((issue) => typeof issue?.field === 'string') : [];
  }
}

/** A list route this API does not offer (yet) answers 404: the page says so instead of failing. */
export const isMissingRoute = (error: unknown) => error instanceof ApiError && error.status === 404;

export interface SearchFilters {
  state?: State;
  kind?: Kind;
  profileId?: string;
  /** A request id, holder id, card serial, certificate serial, CSR name or requester email (`find=`). */
  find?: string;
  /** Only requests created at or after this ISO time. */
  from?: string;
  /** Only requests created before this ISO time. */
  to?: string;
}

/** One item of `POST /decisions`. */
export type BatchItem = { requestId: string } & DecisionBody;
/** One item's answer, as its single route would have answered. */
export interface BatchResult {
  requestId: string;
  status: number;
  request?: ApprovalRequest;
  error?: { code: string; message: string };
}
export interface ExportFilters {
  from: string;
  to: string;
  format: 'csv' | 'jsonl';
  state?: State;
  profileId?: string;
}
export interface ReminderSent {
  sent: true;
  recipients: string[];
  skipped: string[];
  nextAllowedAt: string;
}

/** `onUnauthorized`: the token expired or was refused (401); the console signs in again. */
export function createApi(apiUrl: string, token: () => string | undefined, onUnauthorized: () => void = () => {}) {
  const base = apiUrl.replace(/\/$/, '');
  async function call<T>(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', ...extraHeaders };
    const bearer = token();
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    let parsed: any;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      if (response.status === 401) onUnauthorized();
      const error = parsed?.error;
      const message =
        typeof error?.message === 'string'
          ? error.message
          : typeof parsed?.message === 'string'
            ? parsed.message
            : `${response.status} ${response.statusText}`;
      throw new ApiError(response.status, typeof error?.code === 'string' ? error.code : String(response.status), message, error?.details);
    }
    return parsed as T;
  }
  /** A route that answers text (an export page): the text and the `Next-Cursor` header; errors as `call`. */
  async function callText(path: string): Promise<{ text: string; nextCursor: string | null }> {
    const headers: Record<string, string> = {};
    const bearer = token();
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    const response = await fetch(`${base}${path}`, { headers });
    const text = await response.text();
    if (response.ok) return { text, nextCursor: response.headers.get('next-cursor') };
    if (response.status === 401) onUnauthorized();
    let error: any;
    try {
      error = JSON.parse(text)?.error;
    } catch {
      error = undefined;
    }
    const message = typeof error?.message === 'string' ? error.message : `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, typeof error?.code === 'string' ? error.code : String(response.status), message, error?.details);
  }
  const query = (params: Record<string, string | number | undefined>) => {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(name, String(value));
    const text = search.toString();
    return text ? `?${text}` : '';
  };
  const id = encodeURIComponent;
  return {
    searchRequests: (filters: SearchFilters, limit: number, cursor?: string) =>
      call<Page<ApprovalRequest>>('GET', `/requests${query({ ...filters, limit, cursor })}`),
    /** The same key for a repeated body creates one request (the API's `Idempotency-Key`). */
    createRequest: (body: Record<string, unknown>, idempotencyKey: string) =>
      call<ApprovalRequest>('POST', '/requests', body, { 'idempotency-key': idempotencyKey }),
    getRequest: (requestId: string) => call<RequestWithHistory>('GET', `/requests/${id(requestId)}`),
    getHistory: (requestId: string, cursor: string, limit = 100) =>
      call<Page<HistoryEntry>>('GET', `/requests/${id(requestId)}/history${query({ cursor, limit })}`),
    decide: (requestId: string, body: DecisionBody) => call<ApprovalRequest>('POST', `/requests/${id(requestId)}/decisions`, body),
    deleteRequest: (requestId: string) => call<ApprovalRequest>('DELETE', `/requests/${id(requestId)}`),
    tasks: (limit: number, cursor?: string) => call<Page<Task>>('GET', `/tasks${query({ limit, cursor })}`),
    getDelegation: () => call<DelegationView>('GET', '/me/delegation'),
    putDelegation: (body: DelegationBody) => call<DelegationView>('PUT', '/me/delegation', body),
    deleteDelegation: () => call<undefined>('DELETE', '/me/delegation'),
    listProfiles: (limit: number, cursor?: string) => call<Page<Profile>>('GET', `/profiles${query({ limit, cursor })}`),
    getProfile: (profileId: string) => call<Profile>('GET', `/profiles/${id(profileId)}`),
    putProfile: (profileId: string, body: ProfileBody & { maxReminders?: number }) =>
      call<Profile>('PUT', `/profiles/${id(profileId)}`, body),
    // Operators' routes.
    decideMany: (items: BatchItem[]) => call<{ results: BatchResult[] }>('POST', '/decisions', { items }),
    exportPage: (filters: ExportFilters, cursor?: string) => callText(`/requests/export${query({ ...filters, limit: 1000, cursor })}`),
    evidence: (requestId: string) => call<Record<string, unknown>>('GET', `/requests/${id(requestId)}/evidence`),
    remind: (requestId: string) => call<ReminderSent>('POST', `/requests/${id(requestId)}/reminders`),
    /** The request's receipt (409 until it is approved and signed). */
    getReceipt: (requestId: string) => call<{ receipt: string }>('GET', `/requests/${id(requestId)}/receipt`),
    /** The receipt keys' public halves (public: anyone may verify a receipt). */
    receiptKeys: () => call<JSONWebKeySet>('GET', '/.well-known/jwks.json'),
    stats: (params: { profileId?: string; from?: string; to?: string }) => call<StatsReport>('GET', `/stats${query(params)}`),
  };
}
export type Api = ReturnType<typeof createApi>;
