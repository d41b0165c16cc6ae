/**
 * What the use cases need from the outside world, as interfaces only: the stores, the workflow,
 * the clock and the id source (the user directory: directory.ts; the workflow: workflow-port.ts;
 * emails and callbacks: senders.ts). The AWS adapters implement them in production; the unit tests use the in-memory
 * ones in test/support.
 */
import type { Kind } from '../domain/kinds';
import type { DecisionKind } from '../domain/bodies';
import type { ApprovalRequest, HistoryEntry, State } from '../domain/model';
import type { Profile, ProfileBody } from '../domain/profile';
import type { Change } from '../domain/rules';
import type { DelegationStore } from './delegation-store';
import type { Directory } from './directory';

export type { Directory, DirectoryUser } from './directory';
export type { ExecutionStatus, WorkflowPort } from './workflow-port';

export interface ProfileStore {
  getProfile(id: string): Promise<Profile | undefined>;
  /** Creates or replaces a profile; `version` counts the writes. */
  putProfile(id: string, body: ProfileBody, now: string): Promise<Profile>;
  /** Profiles in id order; `cursor` as in search (a bad one is an `invalid_request` error). */
  listProfiles(query: { limit: number; cursor?: string }): Promise<Page<Profile>>;
}

/** A page of a list and the opaque position of the next one (null at the end). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** An idempotency key already used: the request it created, the hash of its body and its owner. */
export interface IdempotencyRecord {
  requestId: string;
  bodyHash: string;
  /** The caller whose key it is. */
  sub: string;
}

export interface NewIdempotency extends IdempotencyRecord {
  /** The caller the key is scoped to. */
  sub: string;
  key: string;
  /** Epoch seconds after which the record may be removed. */
  expiresAtEpoch: number;
}

/** Bookkeeping of the approval rounds, kept beside the request and never shown through the API. */
export interface RoundBookkeeping {
  /** The task token of the round waiting for a decision. */
  taskToken?: string;
  /** What that wait was planned from (domain/hold.ts waitBasis): the reconciler replans it if the request moved on. */
  waitBasis?: string;
  notifiedAt?: string;
  nextReminderAt?: string;
  /** Emails sent after the first approval email: reminders and re-emails at a hold's end (each a reminder claim). */
  reminders?: number;
  /** How many of `reminders` were re-emails at a hold's end (they do not use up the request's maxReminders). */
  holdEmails?: number;
  /** The hold whose end the last re-emails were for, as `<placed at>/<until>` (a retried round reuses their reminder number). */
  holdEndEmailed?: string;
  /** The stage (index) whose start the workflow has seen: its approvers emailed, its reminders planned from its start. */
  notifiedStage?: number;
  outcomeNotifiedAt?: string;
  callbackDeliveredAt?: string;
  /**
   * The first approval email, per approver: `sent:<at>` or `failed:<at>` once done, or the time an
   * attempt claimed it (before sending). A retried or timed-out attempt skips every approver done
   * or freshly claimed, so each approver gets that email once.
   */
  approvalEmails?: Record<string, string>;
  /** Reminders claimed per approver (the highest number claimed): each one counts as sent. */
  reminderClaims?: Record<string, number>;
  /** Reminders claimed per approver, counted (numbers run across the request: one who joined late had fewer than their highest). */
  reminderCounts?: Record<string, number>;
  /** The closing email once the request ended, per approver, kept as `approvalEmails` is (`skipped:<at>` past the 21 emails). */
  closingEmails?: Record<string, string>;
  /** When the callback was given up on (the workflow's last retry failed). */
  callbackAbandonedAt?: string;
  /**
   * When the reconciler looks at this request unless the workflow moves it on first (sparse index
   * byDue); `null` removes it: the workflow owes the request nothing more.
   */
  checkAt?: string | null;
  /** The name of the request's current execution (restarts get a new one); absent: the request id. */
  execution?: string;
  /** Executions the reconciler started for this request. */
  restarts?: number;
  /** Consecutive reconciler repairs of this request that failed (0 or absent after one succeeds). */
  repairFailures?: number;
  /** When the approvers were last emailed: a reminder (the workflow's, a hold's end, or the requester's) or a stage's or an escalation's approval email. */
  lastEmailAt?: string;
  /** How many of `reminders` the requester sent (POST /requests/{id}/reminders); they do not use up maxReminders. */
  requesterReminders?: number;
}

export interface StoredRequest {
  request: ApprovalRequest;
  rounds: RoundBookkeeping;
  /** The receipt once signed, copied onto the request item by its transaction (usecases/receipts.ts). */
  receipt?: string;
}

/** `created`, or the key was used before (nothing was written). */
export type CreateResult = { created: true } | { created: false; earlier: IdempotencyRecord };

export interface RequestStore {
  /**
   * Writes a new request, its first history entry, a task entry per approver it waits for and (if
   * given) its idempotency record at once; `checkAt` (see RoundBookkeeping) when the workflow owes
   * the request something.
   */
  createRequest(change: Change, idempotency?: NewIdempotency, checkAt?: string): Promise<CreateResult>;
  /** The record of an unexpired idempotency key. */
  getIdempotency(sub: string, key: string): Promise<IdempotencyRecord | undefined>;
  /** Strongly consistent. */
  getRequest(id: string): Promise<StoredRequest | undefined>;
  /**
   * One page of a request's history, oldest first, reading no more than the page: at most `limit`
   * entries after the position `cursor` (an opaque value an earlier page returned; a bad one is an
   * `invalid_request` error). Strongly consistent.
   */
  getHistory(id: string, page: HistoryQuery): Promise<HistoryPage>;
  /** The request (as getRequest) with its history's first page (as getHistory), in one read where the store can. */
  getRequestWithHistory(id: string, page: { limit: number }): Promise<{ stored: StoredRequest; history: HistoryPage } | undefined>;
  /**
   * Writes a change, its history entry and the approvers' task entries it opens or closes, on the
   * condition that the stored request is still `previous` (same version) and, when
   * `sameTaskToken` is given, that the stored task token is still that one (null: none stored);
   * `conflict` (and nothing written) when someone changed either meanwhile.
   */
  saveChange(change: Change, previous: ApprovalRequest, checkAt?: string, options?: SaveOptions): Promise<'saved' | 'conflict'>;
}

export interface SaveOptions {
  /** The task token read with `previous` (null: none), required still stored: the change names the wait it completes. */
  sameTaskToken?: string | null;
}

export interface HistoryQuery {
  limit: number;
  cursor?: string;
}

export interface HistoryPage {
  items: HistoryEntry[];
  nextCursor: string | null;
}

export interface SearchQuery {
  state?: State;
  kind?: string;
  profileId?: string;
  /** Only this requester's requests (users outside approvers and admins). */
  requesterId?: string;
  /** Only requests created at or after this time (ISO, UTC). */
  createdFrom?: string;
  /** Only requests created before this time (ISO, UTC). */
  createdBefore?: string;
  limit: number;
  /** An opaque position returned by an earlier page; a bad one is an `invalid_request` error. */
  cursor?: string;
}

export type SearchPage = Page<ApprovalRequest>;

export interface SearchStore {
  /** Newest first. */
  search(query: SearchQuery): Promise<SearchPage>;
}

export interface FindQuery extends SearchQuery {
  /** What the operator holds: a request id or a findable value (domain/find.ts). */
  value: string;
}

export interface FindStore {
  /**
   * Newest first: the request with this id, or the requests holding the value (from their find
   * entries, never a scan), narrowed by the query's filters; `cursor` as in search.
   */
  find(query: FindQuery): Promise<SearchPage>;
}

export interface TaskStore {
  /**
   * The pending requests on which this approver (email) is listed and has not approved yet,
   * newest first, from the approver's task entries (never a search over all pending requests).
   */
  tasksOf(approverEmail: string, query: { limit: number; cursor?: string }): Promise<SearchPage>;
}

export interface BookkeepingOptions {
  whilePending?: boolean;
  /** The history entries of what the bookkeeping records (an email round's `notified`, `reminded`). */
  history?: HistoryEntry | readonly (HistoryEntry | undefined)[];
}

export interface RoundStore {
  /**
   * Stores round bookkeeping on the request. With `whilePending`, only while the request is still
   * `requested`: false when that condition failed (or the request does not exist). `history` is stored
   * with it, both or neither (when the condition refuses the bookkeeping, the entries alone).
   */
  setRoundBookkeeping(id: string, fields: RoundBookkeeping, options?: BookkeepingOptions): Promise<boolean>;
  /**
   * Claims the first approval email of one approver before it is sent: true unless it was sent,
   * failed for good, or claimed at or after `staleBefore` (an attempt that may still be sending),
   * or the request (with `stage`, that stage) is no longer pending (a decision ended it while the step was sending).
   */
  claimApprovalEmail(id: string, approver: string, now: string, staleBefore: string, stage?: number): Promise<boolean>;
  /** Records how the claimed email went (`sent:<at>`, `failed:<at>`), or releases the claim (`undefined`). */
  settleApprovalEmail(id: string, approver: string, outcome: string | undefined): Promise<void>;
  /** As claimApprovalEmail, for the closing email of an ended request (map `closingEmails`). */
  claimClosingEmail(id: string, approver: string, now: string, staleBefore: string): Promise<boolean>;
  /** As settleApprovalEmail, for the closing email. */
  settleClosingEmail(id: string, approver: string, outcome: string | undefined): Promise<void>;
}

export interface ReminderStore {
  /**
   * Claims reminder number `reminder` of one approver before it is sent (one conditional write): true
   * unless that reminder or a later one was claimed before, or the request (with `stage`, that stage)
   * is no longer pending. A claim is never taken over: a reminder goes out at most once.
   */
  claimReminder(id: string, approver: string, reminder: number, stage?: number): Promise<boolean>;
}

export interface RequesterReminderStore {
  /**
   * Claims a reminder the requester asks for, in one conditional write: while the request is pending
   * and no email went to its approvers after `notAfter`, sets `lastEmailAt` to `now` and counts it in
   * `requesterReminders`; false (nothing written) otherwise.
   */
  claimRequesterReminder(id: string, now: string, notAfter: string): Promise<boolean>;
}

/** Requests the reconciler must look at: `checkAt` is due (sparse index, never a scan). */
export interface DueStore {
  /** Ids of requests whose `checkAt` is at or before `now`, oldest first, at most `limit`. */
  dueRequests(now: string, limit: number): Promise<string[]>;
}

export interface HistoryStore {
  /** Adds a history entry that does not change the request (a notification, a callback). */
  appendHistory(id: string, entry: HistoryEntry): Promise<void>;
}

/**
 * Every store, as one DynamoDB table (or one in-memory map) provides them. The FindStore is apart:
 * only the search function uses it (adapters/dynamodb/find.ts), so other bundles leave it out.
 */
type RequestStores = ProfileStore & RequestStore & SearchStore & TaskStore & RoundStore & ReminderStore & HistoryStore;
export type ApprovalStore = RequestStores & DueStore & DelegationStore & RequesterReminderStore;

/** The current time as an ISO-8601 string. */
export type Clock = () => string;

/** A new unique id. */
export type NewId = () => string;

/**
 * What the use cases report for dashboards and alarms. The production meter publishes CloudWatch
 * metrics under fixed names (commons/observability.ts).
 */
export interface Meter {
  /** A request was created (not replayed). */
  requestCreated(kind: Kind): void;
  /** A person decided (API or signed link). */
  decided(decision: DecisionKind): void;
  /** A decision ended a request approved or rejected, this many seconds after it was created. */
  timeToDecision(seconds: number): void;
  /** An email could not be sent (each attempt that failed). */
  emailFailed(): void;
  /** A callback attempt failed (the workflow retries it). */
  callbackFailed(): void;
  /** The workflow gave up on a callback. */
  callbackAbandoned(): void;
  /** A reminder email was sent to one approver. */
  reminderSent(): void;
}

/** The dependencies of the API's use cases. */
export interface Deps {
  repository: ApprovalStore;
  /** The user directory: who a person is, whether they are enabled, their groups. */
  directory: Directory;
  now: Clock;
  newId: NewId;
  meter: Meter;
  /** Where calling systems may have callbacks sent (setting CALLBACK_URL_PREFIXES); none when absent or empty. */
  callbackUrlPrefixes?: readonly string[];
}
