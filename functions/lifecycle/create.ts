/**
 * A request comes into being: checks of who asks, idempotency, the directory and the profile's
 * policy, then one transaction (lifecycle: the module that owns every state change of a request).
 */
import { createHash } from 'node:crypto';
import { allowedCallbackUrl } from '../domain/callbacks';
import { canonicalJson } from '../domain/canonical-json';
import { DEFAULT_APPROVAL_VALID_FOR } from '../domain/receipts';
import { conflict, forbidden, invalid } from '../domain/errors';
import { type CreateRequestBody, ON_BEHALF_SCOPE } from '../domain/bodies';
import { applyCsrPolicy } from '../domain/csr';
import type { ApprovalRequest, CsrSummary, Identity } from '../domain/model';
import { countedEmail, createRequest } from '../domain/rules';
import { firstCheckAt } from '../usecases/checks';
import { groupsNamed, isGroupEntry, profileStages } from '../domain/stage-rules';
import { groupMembers, onBehalfRequester, ownersOf, resolveHolder } from '../usecases/people';
import type { Deps, IdempotencyRecord } from '../usecases/ports';

/** How long an idempotency key keeps answering with the request it created. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

/** Epoch seconds after which an idempotency record created at `now` may be forgotten. */
export function idempotencyExpiry(now: string): number {
  return Math.floor(Date.parse(now) / 1000) + IDEMPOTENCY_TTL_SECONDS;
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
 * 4. write request, history and idempotency record in one transaction.
 * The outbox then starts the workflow (usecases/outbox.ts), named after the request; if it cannot,
 * the reconciler does at the request's first check (within 5 minutes, or at its expiry if sooner).
 * Without an idempotency key: one read of the store (the profile) and one transaction.
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
  // The holder's lookup in the directory needs nothing from the profile: it runs beside the
  // profile's read (and the approvers' lookups beside each other), each awaited in turn, so the
  // first failure in that order is the one answered, as when they ran one after the other.
  const holderLookup = started(resolveHolder(deps.directory, body.subject));
  const profile = await deps.repository.getProfile(body.profileId);
  if (!profile) throw invalid(`profileId ${body.profileId} does not exist`, [{ field: 'profileId', message: 'does not exist' }]);
  // The profile's csrPolicy: a `refuse` finding is a 400 here, before anything is written.
  const findings = applyCsrPolicy(profile.csrPolicy, body);
  const now = deps.now();
  const { onBehalfOf, ...fields } = body;
  const needed = profile.requireApprovalFor.includes(body.kind);
  const stages = profileStages(profile);
  const addresses = stages.flatMap((stage) => [...stage.approvers, ...(stage.escalateTo ?? [])]).filter((entry) => !isGroupEntry(entry));
  const ownersLookup = needed ? started(ownersOf(deps.directory, addresses)) : undefined;
  const membersLookup = needed ? started(groupMembers(deps.directory, groupsNamed(stages))) : undefined;
  const holder = await holderLookup;
  const owners = (await ownersLookup) ?? {};
  const members = (await membersLookup) ?? {};
  const change = createRequest(deps.newId(), { ...fields, ...(callbackUrl ? { callbackUrl } : {}) }, profile, who, now, {
    holder,
    owners,
    members,
  });
  if (client) change.request = { ...change.request, client };
  change.request = { ...change.request, approvalValidFor: profile.approvalValidFor ?? DEFAULT_APPROVAL_VALID_FOR };
  if (csr && change.request.kind === 'certificate.enroll') change.request = { ...change.request, csr };
  if (findings) change.request = { ...change.request, findings };
  if (onBehalfOf)
    change.history.details = { ...change.history.details, createdBy: { id: caller.id, ...(caller.email ? { email: caller.email } : {}) } };
  const idempotency = idempotencyKey
    ? { sub: caller.id, key: idempotencyKey, requestId: change.request.id, bodyHash, expiresAtEpoch: idempotencyExpiry(now) }
    : undefined;
  const result = await deps.repository.createRequest(change, idempotency, firstCheckAt(now));
  if (!result.created) return replay(deps, result.earlier, bodyHash, caller.id);
  deps.meter.requestCreated(change.request.kind);
  return { request: change.request, replayed: false };
}

/**
 * A lookup started now and awaited later: its failure is answered where it is awaited, and is no
 * unhandled rejection when an earlier check throws first.
 */
function started<T>(lookup: Promise<T>): Promise<T> {
  lookup.catch(() => {});
  return lookup;
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
  // The stored request's workflow is the outbox's (or the reconciler's) to start: a replay starts nothing.
  return { request: stored.request, replayed: true };
}
