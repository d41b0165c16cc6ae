import { createHash } from 'node:crypto';
import { conflict, forbidden, invalid, notFound } from '../domain/errors';
import type { CreateRequestBody, DecisionBody } from '../domain/bodies';
import type { ApprovalRequest, CsrSummary, HistoryEntry, Identity, Outcome } from '../domain/model';
import type { Profile, ProfileBody } from '../domain/profile';
import { ON_BEHALF_SCOPE } from '../domain/bodies';
import { isAdmin, isApprover } from '../domain/model';
import { allowedCallbackUrl } from '../domain/callbacks';
import {
  assertListedApprover,
  canRead,
  type Change,
  countedEmail,
  createRequest,
  decide,
  deleteRequest,
  emailIfCounted,
  isOpenFor,
} from '../domain/rules';
import { firstCheckAt, outcomeCheckAt, signalCheckAt } from './checks';
import { onBehalfRequester, ownersOf, resolveCaller, resolveHolder } from './people';
import type {
  Clock,
  Deps,
  FindStore,
  HistoryPage,
  HistoryQuery,
  IdempotencyRecord,
  Meter,
  Page,
  RequestStore,
  RoundStore,
  SearchPage,
  SearchQuery,
  StoredRequest,
  WorkflowPort,
} from './ports';

const MAX_ATTEMPTS = 5;
/** How long an idempotency key keeps answering with the request it created. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

/** Epoch seconds after which an idempotency record created at `now` may be forgotten. */
export function idempotencyExpiry(now: string): number {
  return Math.floor(Date.parse(now) / 1000) + IDEMPOTENCY_TTL_SECONDS;
}

export async function putProfile(deps: Deps, who: Identity, id: string, body: ProfileBody): Promise<Profile> {
  if (!isAdmin(who)) throw forbidden('only admins may manage profiles');
  return deps.repository.putProfile(id, body, deps.now());
}

export async function getProfile(deps: Deps, id: string): Promise<Profile> {
  const profile = await deps.repository.getProfile(id);
  if (!profile) throw notFound(`profile ${id} does not exist`);
  return profile;
}

/** Any signed-in user may read profiles (as getProfile); a page in id order. */
export function listProfiles(deps: Deps, query: { limit: number; cursor?: string }): Promise<Page<Profile>> {
  return deps.repository.listProfiles(query);
}

export interface Created {
  request: ApprovalRequest;
  /** True when an earlier call with the same idempotency key created it. */
  replayed: boolean;
}

/**
 * Creates a request:
 * 1. check who asks: the requester, and a callbackUrl only from a calling system, under an allowed prefix;
 * 2. with an idempotency key, return the earlier request for the same body (409 for another body);
 * 3. resolve the people in the directory (the requester named by a calling system, the holder, who
 *    holds each listed address) and apply the profile's policy (approved at once, or pending for
 *    its approvers other than the requester and the holder);
 * 4. write request, history and idempotency record in one transaction;
 * 5. start the workflow (named after the request, so a replay starts no second one; see replay).
 */
export async function createApprovalRequest(
  deps: Deps,
  caller: Identity,
  body: CreateRequestBody,
  idempotencyKey?: string,
  /** A P10's CSR decoded (domain/csr.ts), kept on the request for approvers to see. */
  csr?: CsrSummary,
): Promise<Created> {
  const who = await requesterOf(deps, caller, body);
  const client = isCallingSystem(caller) ? caller.id : undefined;
  if (body.callbackUrl !== undefined && !client) {
    throw forbidden(`only a calling system (a client token with the ${ON_BEHALF_SCOPE} scope) may set callbackUrl`);
  }
  const callbackUrl = body.callbackUrl === undefined ? undefined : allowedCallbackUrl(body.callbackUrl, deps.callbackUrlPrefixes ?? []);
  const bodyHash = createHash('sha256').update(canonicalJson(body)).digest('hex');
  if (idempotencyKey) {
    const earlier = await deps.repository.getIdempotency(caller.id, idempotencyKey);
    if (earlier) return replay(deps, earlier, bodyHash, caller.id);
  }
  const profile = await deps.repository.getProfile(body.profileId);
  if (!profile) throw invalid(`profileId ${body.profileId} does not exist`, [{ field: 'profileId', message: 'does not exist' }]);
  const now = deps.now();
  const { onBehalfOf, ...fields } = body;
  const holder = await resolveHolder(deps.directory, body.subject);
  const owners = profile.requireApprovalFor.includes(body.kind) ? await ownersOf(deps.directory, profile.approvers) : {};
  const change = createRequest(deps.newId(), { ...fields, ...(callbackUrl ? { callbackUrl } : {}) }, profile, who, now, { holder, owners });
  if (client) change.request = { ...change.request, client };
  if (csr && change.request.kind === 'certificate.enroll') change.request = { ...change.request, csr };
  if (onBehalfOf)
    change.history.details = { ...change.history.details, createdBy: { id: caller.id, ...(caller.email ? { email: caller.email } : {}) } };
  const idempotency = idempotencyKey
    ? { sub: caller.id, key: idempotencyKey, requestId: change.request.id, bodyHash, expiresAtEpoch: idempotencyExpiry(now) }
    : undefined;
  const result = await deps.repository.createRequest(change, idempotency, firstCheckAt(change.request, now));
  if (!result.created) return replay(deps, result.earlier, bodyHash, caller.id);
  deps.meter.requestCreated(change.request.kind);
  await startOrLeaveToReconciler(deps, change.request);
  return { request: change.request, replayed: false };
}

/**
 * The requester: the signed-in user, or, for a calling system holding the on-behalf scope, the
 * directory user it names in `onBehalfOf`. Idempotency keys stay scoped to the caller.
 */
async function requesterOf(deps: Deps, caller: Identity, body: CreateRequestBody): Promise<Identity> {
  if (body.onBehalfOf) {
    if (!isCallingSystem(caller)) {
      throw forbidden(`onBehalfOf needs a client token with the ${ON_BEHALF_SCOPE} scope`);
    }
    return onBehalfRequester(deps.directory, body.onBehalfOf);
  }
  if (!caller.email) {
    throw invalid('the token has no email claim; the requester needs an email address (calling systems use onBehalfOf)', [
      { field: 'email', message: 'is required in the token' },
    ]);
  }
  // The requester's email leaves them out of the approvers: it must be one that counts.
  return { ...caller, email: countedEmail(caller) };
}

/** A calling system: a client-credentials token holding the on-behalf scope. */
const isCallingSystem = (caller: Identity) => caller.scopes?.includes(ON_BEHALF_SCOPE) === true;

/**
 * The earlier answer to a key: only to the caller who owns the record. A record of someone else
 * is never answered and reveals nothing of its request: 409.
 */
async function replay(deps: Deps, earlier: IdempotencyRecord, bodyHash: string, owner: string): Promise<Created> {
  if (earlier.sub !== owner) throw conflict('Idempotency-Key was already used');
  if (earlier.bodyHash !== bodyHash) {
    throw conflict('Idempotency-Key was already used with a different body', { requestId: earlier.requestId });
  }
  const stored = await deps.repository.getRequest(earlier.requestId);
  if (!stored) throw conflict('Idempotency-Key was already used', { requestId: earlier.requestId });
  // Heals a create that stored the request but failed before its workflow started, under the
  // request's own execution name: Step Functions answers a start with the same name and input with
  // the running execution, and refuses it (ExecutionAlreadyExists, taken as started) once that one
  // has closed. Once the reconciler has restarted the workflow under another name (`rounds.execution`),
  // the reconciler owns it: a replay starts nothing.
  if (!stored.rounds.execution) await startOrLeaveToReconciler(deps, stored.request);
  return { request: stored.request, replayed: true };
}

/**
 * A stored request is created, whatever happens next: if its workflow cannot be started now
 * (Step Functions throttling or down), the answer is still 201 and the reconciler starts it
 * when its first check is due (within 5 minutes, or at its expiry if sooner).
 */
async function startOrLeaveToReconciler(deps: Deps, request: ApprovalRequest): Promise<void> {
  try {
    await deps.workflow.start(request);
  } catch (error) {
    deps.onWorkflowStartFailed?.(request.id, error);
  }
}

/** How many history entries `GET /requests/{id}` carries; `GET /requests/{id}/history` pages the rest. */
export const FIRST_HISTORY_PAGE = 100;

/** A request the caller may read (the requester, approvers, admins). */
async function readableRequest(deps: Deps, who: Identity, id: string): Promise<ApprovalRequest> {
  return readable(await deps.repository.getRequest(id), who, id);
}

function readable(stored: StoredRequest | undefined, who: Identity, id: string): ApprovalRequest {
  if (!stored) throw notFound(`request ${id} does not exist`);
  if (!canRead(stored.request, who)) throw forbidden('only the requester, approvers and admins may read this request');
  return stored.request;
}

/**
 * The request with the first FIRST_HISTORY_PAGE history entries, oldest first, and the cursor of
 * the rest: one read of the store (one Query in DynamoDB) where the history fits in the page.
 */
export async function getRequestWithHistory(
  deps: Deps,
  who: Identity,
  id: string,
): Promise<ApprovalRequest & { history: HistoryEntry[]; historyNextCursor: string | null }> {
  const found = await deps.repository.getRequestWithHistory(id, { limit: FIRST_HISTORY_PAGE });
  const request = readable(found?.stored, who, id);
  const history = found?.history ?? { items: [], nextCursor: null };
  return { ...request, history: history.items, historyNextCursor: history.nextCursor };
}

/** A page of a request's history, oldest first, for whoever may read the request. */
export async function getRequestHistory(deps: Deps, who: Identity, id: string, page: HistoryQuery): Promise<HistoryPage> {
  await readableRequest(deps, who, id);
  return deps.repository.getHistory(id, page);
}

/**
 * Search, or with `find` the requests holding that value (`finds`: only the search function
 * carries the find store, which keeps it out of the other functions' bundles).
 */
export async function searchRequests(
  deps: Deps & { finds?: FindStore },
  who: Identity,
  query: Omit<SearchQuery, 'requesterId'> & { mine?: boolean; find?: string },
): Promise<SearchPage> {
  const everyone = (isApprover(who) || isAdmin(who)) && !query.mine;
  const { find, mine: _mine, ...filters } = query;
  const requesterId = everyone ? undefined : who.id;
  if (find !== undefined) {
    if (!deps.finds) throw new Error('searchRequests with find needs the find store');
    return deps.finds.find({ ...filters, requesterId, value: find });
  }
  return deps.repository.search({ ...query, requesterId });
}

/**
 * "What do you want to do": the pending requests on which the caller is listed and has not
 * approved yet, newest first, from the caller's task entries. Only members of the approvers
 * group with an email that counts (ASCII, `email_verified` true) may decide, so others have no
 * tasks: an empty page, not an error, as reading never depends on the email.
 */
export async function listTasks(deps: Deps, who: Identity, query: { limit: number; cursor?: string }): Promise<SearchPage> {
  const email = emailIfCounted(who);
  if (!isApprover(who) || !email) return { items: [], nextCursor: null };
  const page = await deps.repository.tasksOf(email, query);
  // One person, one vote: not a task where this person approved under another address either.
  return { ...page, items: page.items.filter((request) => isOpenFor(request, { id: who.id, email })) };
}

/**
 * A decision through the API: the caller must be, in the directory, an enabled member of
 * `approvers` whose verified email is the token's; then listed on the request, and neither its
 * requester nor its holder.
 */
export async function decideAsUser(deps: Deps, who: Identity, id: string, body: DecisionBody): Promise<ApprovalRequest> {
  const voter = await resolveCaller(deps.directory, who);
  const request = await changeRequest(deps, id, (current, now) => {
    assertListedApprover(current, voter);
    return decide(current, voter, body, now);
  });
  deps.meter.decided(body.decision);
  return request;
}

export function deleteApprovalRequest(deps: Deps, who: Identity, id: string, reason?: string): Promise<ApprovalRequest> {
  return changeRequest(deps, id, (request, now) => deleteRequest(request, who, now, reason));
}

export type ChangeDeps = {
  repository: Pick<RequestStore, 'getRequest' | 'saveChange'> & Pick<RoundStore, 'setRoundBookkeeping'>;
  workflow: WorkflowPort;
  now: Clock;
  meter: Meter;
  onWorkflowSignalFailed?: (requestId: string, error: unknown) => void;
};

/**
 * Read, apply a rule, write on the condition that nobody changed the request meanwhile; on a
 * conflict read again and re-apply, so concurrent callers get exactly one outcome. When the change
 * ends the request, the write also requires the wait round's task token to be the one read, and
 * the waiting workflow is told with that token: a token stored between the read and the write
 * makes the write a conflict (read again, with the new token); one stored after the write is
 * refused (its store requires `requested`), and that round ends by itself. A stored change
 * stands even when the workflow cannot be told (Step Functions down or throttling): see signalWorkflow.
 */
export async function changeRequest(
  deps: ChangeDeps,
  id: string,
  apply: (request: ApprovalRequest, now: string) => Change,
): Promise<ApprovalRequest> {
  for (let attempt = 1; ; attempt++) {
    const stored = await deps.repository.getRequest(id);
    if (!stored) throw notFound(`request ${id} does not exist`);
    const change = apply(stored.request, deps.now());
    const taskToken = stored.rounds.taskToken ?? null;
    const saved = change.outcome
      ? await deps.repository.saveChange(change, stored.request, outcomeCheckAt(change.request.updatedAt), { sameTaskToken: taskToken })
      : await deps.repository.saveChange(change, stored.request);
    if (saved === 'conflict' && attempt < MAX_ATTEMPTS) continue;
    if (saved === 'conflict') throw conflict('request is being changed by someone else; try again');
    if (change.outcome === 'approved' || change.outcome === 'rejected') {
      deps.meter.timeToDecision((Date.parse(change.request.updatedAt) - Date.parse(change.request.createdAt)) / 1000);
    }
    if (change.outcome && taskToken) await signalWorkflow(deps, change.request.id, taskToken, change.outcome);
    return change.request;
  }
}

/**
 * Tells the waiting workflow of an outcome already stored. When Step Functions cannot take it (down,
 * throttling, after the SDK's retries), the caller still gets the stored change; the request's check
 * becomes due at once, so the reconciler's next run after the recovery signals the waiting task (or
 * restarts the outcome path). Only the request id is logged, never the token.
 */
async function signalWorkflow(deps: ChangeDeps, requestId: string, taskToken: string, outcome: Outcome): Promise<void> {
  try {
    await deps.workflow.finish(taskToken, outcome);
  } catch (error) {
    deps.onWorkflowSignalFailed?.(requestId, error);
    // If this write fails too, the outcome check stored with the change (5 minutes) still comes.
    await deps.repository.setRoundBookkeeping(requestId, { checkAt: signalCheckAt(deps.now()) }).catch(() => undefined);
  }
}

/** JSON with sorted keys, so the same body hashes the same whatever its key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
