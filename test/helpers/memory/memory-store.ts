/**
 * In-memory stand-ins for the use cases' ports, for unit tests that run in milliseconds.
 * They keep the stores' promises (conditional writes, idempotency, newest-first search, a
 * cursor that must come from the same search) without DynamoDB; the integration tests check
 * the DynamoDB adapter itself against DynamoDB Local.
 */
import type { Delegation } from '../../../functions/domain/delegation';
import { invalid } from '../../../functions/domain/errors';
import type { ApprovalRequest, HistoryEntry, Outcome } from '../../../functions/domain/model';
import type { Profile, ProfileBody } from '../../../functions/domain/profile';
import { isOpenFor, type Change } from '../../../functions/domain/rules';
import { taskChanges } from '../../../functions/domain/tasks';
import { findKey, findKeys, matchesFind } from '../../../functions/domain/find';
import type { CallbackEvent, CallbackKey, CallbackSender, Email, EmailFailed } from '../../../functions/usecases/senders';
import type {
  FindQuery,
  FindStore,
  ApprovalStore,
  CreateResult,
  BookkeepingOptions,
  ExecutionStatus,
  HistoryPage,
  HistoryQuery,
  Meter,
  IdempotencyRecord,
  NewIdempotency,
  Page,
  RoundBookkeeping,
  SaveOptions,
  SearchPage,
  SearchQuery,
  StoredRequest,
  WorkflowPort,
} from '../../../functions/usecases/ports';

export class MemoryStore implements ApprovalStore, FindStore {
  readonly profiles = new Map<string, Profile>();
  readonly requests = new Map<string, StoredRequest>();
  readonly history = new Map<string, HistoryEntry[]>();
  readonly idempotency = new Map<string, NewIdempotency>();
  /** Task entries per approver email: `<createdAt>#<id>` → request id, as the table keeps them. */
  readonly tasks = new Map<string, Map<string, string>>();
  /** Every change written, in order. */
  readonly saved: Change[] = [];
  /** Makes the next `n` saveChange calls answer `conflict`, as if someone else wrote first. */
  conflictsToSimulate = 0;
  /** Runs before a saveChange is applied (to change the request behind the caller's back). */
  beforeSave?: (change: Change) => void;
  /** How many entries each history read returned. */
  readonly historyReads: number[] = [];
  /** When set, every read and write throws it. */
  failWith?: Error;

  constructor(...requests: ApprovalRequest[]) {
    for (const request of requests) {
      this.requests.set(request.id, { request: structuredClone(request), rounds: {} });
      this.applyTasks(undefined, request);
    }
  }

  /** The request as stored now. */
  current(id: string): ApprovalRequest | undefined {
    return this.requests.get(id)?.request;
  }

  historyOf(id: string): HistoryEntry[] {
    return this.history.get(id) ?? [];
  }

  async getProfile(id: string): Promise<Profile | undefined> {
    this.check();
    const profile = this.profiles.get(id);
    return profile && structuredClone(profile);
  }

  async putProfile(id: string, body: ProfileBody, now: string): Promise<Profile> {
    this.check();
    const earlier = this.profiles.get(id);
    const profile: Profile = { ...body, id, createdAt: earlier?.createdAt ?? now, updatedAt: now, version: (earlier?.version ?? 0) + 1 };
    this.profiles.set(id, profile);
    return structuredClone(profile);
  }

  async createRequest(change: Change, idempotency?: NewIdempotency, checkAt?: string): Promise<CreateResult> {
    this.check();
    if (idempotency) {
      const earlier = this.idempotency.get(JSON.stringify([idempotency.sub, idempotency.key]));
      if (earlier) return { created: false, earlier: { requestId: earlier.requestId, bodyHash: earlier.bodyHash, sub: earlier.sub } };
      this.idempotency.set(JSON.stringify([idempotency.sub, idempotency.key]), idempotency);
    }
    if (this.requests.has(change.request.id)) throw new Error(`request ${change.request.id} exists already`);
    this.requests.set(change.request.id, { request: structuredClone(change.request), rounds: checkAt ? { checkAt } : {} });
    this.appendEntry(change.request.id, change.history);
    this.applyTasks(undefined, change.request);
    return { created: true };
  }

  async getIdempotency(sub: string, key: string): Promise<IdempotencyRecord | undefined> {
    this.check();
    const record = this.idempotency.get(JSON.stringify([sub, key]));
    return record && { requestId: record.requestId, bodyHash: record.bodyHash, sub: record.sub };
  }

  async getRequest(id: string): Promise<StoredRequest | undefined> {
    this.check();
    const stored = this.requests.get(id);
    return stored && structuredClone(stored);
  }

  async getRequestWithHistory(id: string, page: { limit: number }): Promise<{ stored: StoredRequest; history: HistoryPage } | undefined> {
    const stored = await this.getRequest(id);
    return stored && { stored, history: await this.getHistory(id, page) };
  }

  /** Oldest first; the cursor is the number of entries already returned, bound to the request. */
  async getHistory(id: string, page: HistoryQuery): Promise<HistoryPage> {
    this.check();
    let offset = 0;
    if (page.cursor) {
      const [owner, n] = Buffer.from(page.cursor, 'base64url').toString('utf8').split('@');
      if (owner !== id || !n || !/^\d+$/.test(n)) {
        throw invalid('cursor is not a cursor this history returned', [{ field: 'cursor', message: 'is malformed' }]);
      }
      offset = Number(n);
    }
    const all = this.historyOf(id);
    const items = all.slice(offset, offset + page.limit);
    const end = offset + items.length;
    this.historyReads.push(items.length);
    return { items: structuredClone(items), nextCursor: end < all.length ? Buffer.from(`${id}@${end}`).toString('base64url') : null };
  }

  async saveChange(change: Change, previous: ApprovalRequest, checkAt?: string, options: SaveOptions = {}): Promise<'saved' | 'conflict'> {
    this.check();
    this.beforeSave?.(change);
    if (this.conflictsToSimulate > 0) {
      this.conflictsToSimulate--;
      return 'conflict';
    }
    const stored = this.requests.get(change.request.id);
    if (!stored || stored.request.version !== previous.version) return 'conflict';
    if (options.sameTaskToken !== undefined && (stored.rounds.taskToken ?? null) !== options.sameTaskToken) return 'conflict';
    this.saved.push(structuredClone(change));
    this.requests.set(change.request.id, {
      ...stored,
      request: structuredClone(change.request),
      rounds: checkAt ? { ...stored.rounds, checkAt } : stored.rounds,
    });
    this.appendEntry(change.request.id, change.history);
    for (const entry of change.more ?? []) this.appendEntry(change.request.id, entry);
    this.applyTasks(previous, change.request);
    return 'saved';
  }

  async appendHistory(id: string, entry: HistoryEntry): Promise<void> {
    this.check();
    this.appendEntry(id, entry);
  }

  async setRoundBookkeeping(id: string, fields: RoundBookkeeping, options: BookkeepingOptions = {}): Promise<boolean> {
    this.check();
    const stored = this.requests.get(id);
    for (const entry of [options.history].flat()) if (entry) this.appendEntry(id, entry);
    if (!stored) return false;
    if (options.whilePending && stored.request.state !== 'requested') return false;
    const defined = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
    const rounds: RoundBookkeeping = { ...stored.rounds, ...structuredClone(defined) };
    if (fields.checkAt === null) delete rounds.checkAt;
    this.requests.set(id, { ...stored, rounds });
    return true;
  }

  /** Emails claimed per attempt, in order (tests check who was claimed when). */
  readonly claims: string[] = [];

  async claimApprovalEmail(id: string, approver: string, now: string, staleBefore: string, stage?: number): Promise<boolean> {
    this.check();
    const stored = this.requests.get(id);
    if (stored?.request.state !== 'requested') return false;
    if (stage !== undefined && (stored.request.currentStage ?? 0) !== stage) return false;
    const earlier = stored.rounds.approvalEmails?.[approver];
    if (earlier !== undefined && !(earlier < staleBefore)) return false;
    stored.rounds.approvalEmails = { ...stored.rounds.approvalEmails, [approver]: now };
    this.claims.push(approver);
    return true;
  }

  async settleApprovalEmail(id: string, approver: string, outcome: string | undefined): Promise<void> {
    this.check();
    const stored = this.requests.get(id);
    if (!stored) return;
    const emails = { ...stored.rounds.approvalEmails };
    if (outcome) emails[approver] = outcome;
    else delete emails[approver];
    stored.rounds.approvalEmails = emails;
  }

  /** Closing emails claimed, in order. */
  readonly closingClaims: string[] = [];

  async claimClosingEmail(id: string, approver: string, now: string, staleBefore: string): Promise<boolean> {
    this.check();
    const stored = this.requests.get(id);
    if (!stored) return false;
    const earlier = stored.rounds.closingEmails?.[approver];
    if (earlier !== undefined && !(earlier < staleBefore)) return false;
    stored.rounds.closingEmails = { ...stored.rounds.closingEmails, [approver]: now };
    this.closingClaims.push(approver);
    return true;
  }

  async settleClosingEmail(id: string, approver: string, outcome: string | undefined): Promise<void> {
    this.check();
    const stored = this.requests.get(id);
    if (!stored) return;
    const emails = { ...stored.rounds.closingEmails };
    if (outcome) emails[approver] = outcome;
    else delete emails[approver];
    stored.rounds.closingEmails = emails;
  }

  /** The highest reminder claimed per request and approver (`<id> <approver>`). */
  readonly reminderClaims = new Map<string, number>();

  async claimReminder(id: string, approver: string, reminder: number, stage?: number): Promise<boolean> {
    this.check();
    if (this.requests.get(id)?.request.state !== 'requested') return false;
    if (stage !== undefined && (this.requests.get(id)?.request.currentStage ?? 0) !== stage) return false;
    const key = `${id} ${approver}`;
    if ((this.reminderClaims.get(key) ?? 0) >= reminder) return false;
    this.reminderClaims.set(key, reminder);
    const stored = this.requests.get(id);
    if (stored) {
      stored.rounds.reminderClaims = { ...stored.rounds.reminderClaims, [approver]: reminder };
      stored.rounds.reminderCounts = { ...stored.rounds.reminderCounts, [approver]: (stored.rounds.reminderCounts?.[approver] ?? 0) + 1 };
    }
    return true;
  }

  async claimRequesterReminder(id: string, now: string, notAfter: string): Promise<boolean> {
    this.check();
    const stored = this.requests.get(id);
    if (stored?.request.state !== 'requested') return false;
    if (stored.rounds.lastEmailAt !== undefined && stored.rounds.lastEmailAt > notAfter) return false;
    stored.rounds.lastEmailAt = now;
    stored.rounds.requesterReminders = (stored.rounds.requesterReminders ?? 0) + 1;
    return true;
  }

  /** Like the sparse byDue index: requests with a checkAt at or before now, oldest first. */
  async dueRequests(now: string, limit: number): Promise<string[]> {
    this.check();
    return [...this.requests.values()]
      .filter((stored) => stored.rounds.checkAt !== undefined && stored.rounds.checkAt !== null && stored.rounds.checkAt <= now)
      .sort((a, b) => String(a.rounds.checkAt).localeCompare(String(b.rounds.checkAt)))
      .slice(0, limit)
      .map((stored) => stored.request.id);
  }

  /** Newest first; the cursor is the number of items already returned, bound to the query's filters. */
  async search(query: SearchQuery): Promise<SearchPage> {
    this.check();
    const range = `${query.createdFrom ?? ''}..${query.createdBefore ?? ''}`;
    const fingerprint = [query.state ?? '*', query.kind ?? '*', query.requesterId ?? '*', query.profileId ?? '*', range].join('|');
    let offset = 0;
    if (query.cursor) {
      const [f, n] = Buffer.from(query.cursor, 'base64url').toString('utf8').split('@');
      if (f !== fingerprint || !n || !/^\d+$/.test(n)) {
        throw invalid('cursor is not a cursor this search returned', [{ field: 'cursor', message: 'is malformed' }]);
      }
      offset = Number(n);
    }
    const matching = [...this.requests.values()]
      .map(({ request }) => request)
      .filter((request) => (!query.state || request.state === query.state) && (!query.kind || request.kind === query.kind))
      .filter((request) => !query.requesterId || request.requester.id === query.requesterId)
      .filter((request) => !query.profileId || request.profileId === query.profileId)
      .filter(
        (request) =>
          (!query.createdFrom || request.createdAt >= query.createdFrom) &&
          (!query.createdBefore || request.createdAt < query.createdBefore),
      )
      .sort((a, b) => `${b.createdAt}#${b.id}`.localeCompare(`${a.createdAt}#${a.id}`));
    const items = matching.slice(offset, offset + query.limit);
    const end = offset + items.length;
    return {
      items: structuredClone(items),
      nextCursor: end < matching.length ? Buffer.from(`${fingerprint}@${end}`).toString('base64url') : null,
    };
  }

  /** As the table's find entries answer: the request with that id, or those holding the value; paged like search. */
  async find(query: FindQuery): Promise<SearchPage> {
    this.check();
    const typed = query.value.trim();
    const byId = this.requests.get(typed)?.request;
    const page = await this.search({ ...query, cursor: undefined, limit: Number.MAX_SAFE_INTEGER });
    const matching = page.items.filter(
      (request) => (byId ? request.id === typed : findKeys(request).includes(findKey(typed))) && matchesFind(request, typed),
    );
    const fingerprint = `find:${findKey(typed)}|${query.state ?? '*'}|${query.kind ?? '*'}|${query.requesterId ?? '*'}|${query.profileId ?? '*'}`;
    let offset = 0;
    if (query.cursor) {
      const [f, n] = Buffer.from(query.cursor, 'base64url').toString('utf8').split('@');
      if (f !== fingerprint || !n || !/^\d+$/.test(n)) {
        throw invalid('cursor is not a cursor this find returned', [{ field: 'cursor', message: 'is malformed' }]);
      }
      offset = Number(n);
    }
    const items = matching.slice(offset, offset + query.limit);
    const end = offset + items.length;
    return { items, nextCursor: end < matching.length ? Buffer.from(`${fingerprint}@${end}`).toString('base64url') : null };
  }

  /** Profiles in id order; the cursor is the last id returned. */
  async listProfiles(query: { limit: number; cursor?: string }): Promise<Page<Profile>> {
    this.check();
    const after = query.cursor === undefined ? undefined : Buffer.from(query.cursor, 'base64url').toString('utf8');
    if (after !== undefined && !after.startsWith('profile:'))
      throw invalid('cursor is not a cursor this list returned', [{ field: 'cursor', message: 'is malformed' }]);
    const ids = [...this.profiles.keys()].sort().filter((id) => after === undefined || id > after.slice('profile:'.length));
    const page = ids.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map((id) => structuredClone(this.profiles.get(id) as Profile)),
      nextCursor: ids.length > query.limit && last ? Buffer.from(`profile:${last}`).toString('base64url') : null,
    };
  }

  /** Delegations by delegator sub, as the table's delegation items. */
  readonly delegations = new Map<string, Delegation>();

  async getDelegation(delegatorId: string): Promise<Delegation | undefined> {
    this.check();
    const found = this.delegations.get(delegatorId);
    return found && structuredClone(found);
  }

  async delegationsTo(delegateId: string): Promise<Delegation[]> {
    this.check();
    return [...this.delegations.values()].filter((delegation) => delegation.to.id === delegateId).map((d) => structuredClone(d));
  }

  async putDelegation(delegation: Delegation, previous: Delegation | undefined): Promise<'saved' | 'conflict'> {
    this.check();
    const stored = this.delegations.get(delegation.delegator.id);
    if (stored?.createdAt !== previous?.createdAt) return 'conflict';
    this.delegations.set(delegation.delegator.id, structuredClone(delegation));
    return 'saved';
  }

  async deleteDelegation(delegation: Delegation): Promise<void> {
    this.check();
    this.delegations.delete(delegation.delegator.id);
  }

  /** From the approver's task entries only, newest first, as the table's task partition answers. */
  async tasksOf(approverEmail: string, query: { limit: number; cursor?: string }): Promise<SearchPage> {
    this.check();
    const after = query.cursor === undefined ? undefined : Buffer.from(query.cursor, 'base64url').toString('utf8');
    const entries = [...(this.tasks.get(approverEmail.toLowerCase()) ?? new Map<string, string>()).entries()]
      .sort(([a], [b]) => b.localeCompare(a))
      .filter(([key]) => after === undefined || key < after);
    const page = entries.slice(0, query.limit);
    const requests = page
      .map(([, id]) => this.requests.get(id)?.request)
      .filter((request): request is ApprovalRequest => !!request && isOpenFor(request, approverEmail));
    const last = page.at(-1);
    return {
      items: structuredClone(requests),
      nextCursor: entries.length > query.limit && last ? Buffer.from(last[0]).toString('base64url') : null,
    };
  }

  private applyTasks(before: ApprovalRequest | undefined, after: ApprovalRequest) {
    const { opened, closed } = taskChanges(before, after);
    const key = `${after.createdAt}#${after.id}`;
    for (const email of opened) {
      const list = this.tasks.get(email) ?? new Map<string, string>();
      list.set(key, after.id);
      this.tasks.set(email, list);
    }
    for (const email of closed) this.tasks.get(email)?.delete(key);
  }

  private appendEntry(id: string, entry: HistoryEntry) {
    this.history.set(id, [...this.historyOf(id), structuredClone(entry)]);
  }

  private check() {
    if (this.failWith) throw this.failWith;
  }
}

/** A clock that stands still until moved. */
export class FakeClock {
  private epochMs: number;

  constructor(start: string) {
    this.epochMs = Date.parse(start);
  }

  /** The clock as the use cases' `now`. */
  readonly now = (): string => new Date(this.epochMs).toISOString();

  advance(seconds: number): this {
    this.epochMs += seconds * 1000;
    return this;
  }

  set(iso: string): this {
    this.epochMs = Date.parse(iso);
    return this;
  }
}

/** A workflow port that records what it was asked to do. */
export class RecordingWorkflow implements WorkflowPort {
  readonly started: string[] = [];
  /** Execution names started (the request id, or a restart's name). */
  readonly names: string[] = [];
  readonly finished: { taskToken: string; outcome: Outcome }[] = [];
  /** Status of executions by name; a started one is `running` unless set otherwise. */
  readonly statuses = new Map<string, ExecutionStatus>();
  /** When set, start throws it (Step Functions unavailable). */
  failStartWith?: Error;

  async start(request: ApprovalRequest, name = request.id): Promise<void> {
    if (this.failStartWith) throw this.failStartWith;
    this.started.push(request.id);
    this.names.push(name);
    if (!this.statuses.has(name)) this.statuses.set(name, 'running');
  }

  async status(name: string): Promise<ExecutionStatus> {
    return this.statuses.get(name) ?? 'missing';
  }

  /** Tokens of tasks already closed: finishing one is refused (false), as Step Functions refuses it. */
  readonly closedTokens = new Set<string>();
  /** When set, finish throws it (Step Functions unavailable). */
  failFinishWith?: Error;

  async finish(taskToken: string, outcome: Outcome): Promise<boolean> {
    if (this.failFinishWith) throw this.failFinishWith;
    if (this.closedTokens.has(taskToken)) return false;
    this.closedTokens.add(taskToken);
    this.finished.push({ taskToken, outcome });
    return true;
  }

  /** Task tokens whose wait was ended early to plan again. */
  readonly replanned: string[] = [];

  async replan(taskToken: string): Promise<boolean> {
    if (this.failFinishWith) throw this.failFinishWith;
    if (this.closedTokens.has(taskToken)) return false;
    this.closedTokens.add(taskToken);
    this.replanned.push(taskToken);
    return true;
  }
}

/** A mailer that keeps what it sent; `failFor` decides which addresses fail and how (as the port says: EmailFailed). */
export class RecordingMailer {
  readonly sent: Email[] = [];
  failFor?: (email: Email) => EmailFailed | undefined;

  readonly send = async (email: Email): Promise<string | undefined> => {
    const error = this.failFor?.(email);
    if (error) throw error;
    this.sent.push(email);
    return `message-${this.sent.length}`;
  };
}

/** A callback sender that keeps what it was asked to send and answers `status` (or throws `failWith`: nothing answered). */
export class RecordingCallbacks implements CallbackSender {
  readonly calls: Array<{ url: string; event: CallbackEvent; key: CallbackKey; at: string }> = [];
  status = 204;
  failWith?: Error;

  readonly send = async (url: string, event: CallbackEvent, key: CallbackKey, at: string): Promise<{ status: number }> => {
    if (this.failWith) throw this.failWith;
    this.calls.push({ url, event, key, at });
    return { status: this.status };
  };
}

/** Sequential ids: `00000000-0000-4000-8000-000000000001`, ... (valid UUIDs). */
export function sequentialIds(): () => string {
  let next = 0;
  return () => `00000000-0000-4000-8000-${String(++next).padStart(12, '0')}`;
}

/** A meter that counts what the use cases report. */
export class RecordingMeter implements Meter {
  readonly events: Array<[string, ...unknown[]]> = [];
  requestCreated(kind: string) {
    this.events.push(['requestCreated', kind]);
  }
  decided(decision: string) {
    this.events.push(['decided', decision]);
  }
  timeToDecision(seconds: number) {
    this.events.push(['timeToDecision', seconds]);
  }
  emailFailed() {
    this.events.push(['emailFailed']);
  }
  callbackFailed() {
    this.events.push(['callbackFailed']);
  }
  callbackAbandoned() {
    this.events.push(['callbackAbandoned']);
  }
  reminderSent() {
    this.events.push(['reminderSent']);
  }
  /** The names reported, in order. */
  names(): string[] {
    return this.events.map(([name]) => name);
  }
}
