/**
 * `/me/delegation`: an approver's out-of-office delegation (domain/delegation.ts). The caller must
 * be an approver as the directory knows them (as for a decision); the delegate a user of the
 * directory, enabled, whose verified email is `to`.
 */
import { conflict, invalid, notFound } from '../domain/errors';
import { assertNotYourself, type DelegationBody, type DelegationView, isActive, newDelegation, viewOf } from '../domain/delegation';
import type { Identity } from '../domain/model';
import { resolveCaller } from './people';
import type { Deps, Directory } from './ports';

/** The person whose verified email is `to`: an enabled user of the directory (the first by sub when several hold it). */
export async function resolveDelegate(directory: Directory, to: string): Promise<{ id: string; email: string }> {
  const email = to.toLowerCase();
  const [user] = (await directory.usersByEmail(email))
    .filter((candidate) => candidate.email === email && candidate.enabled)
    .sort((a, b) => a.sub.localeCompare(b.sub));
  if (!user) {
    throw invalid(`to ${to} is not the verified email of an enabled user of the directory`, [
      { field: 'to', message: 'must be the verified email of an enabled user of the directory' },
    ]);
  }
  return { id: user.sub, email };
}

/** Sets (or replaces) the caller's delegation. */
export async function putMyDelegation(deps: Deps, who: Identity, body: DelegationBody): Promise<DelegationView> {
  const caller = await resolveCaller(deps.directory, who);
  assertNotYourself(caller, { email: body.to });
  const to = await resolveDelegate(deps.directory, body.to);
  const delegation = newDelegation({ id: caller.id, email: caller.email }, to, body, deps.now());
  const previous = await deps.repository.getDelegation(caller.id);
  if ((await deps.repository.putDelegation(delegation, previous)) === 'conflict') {
    throw conflict('your delegation was changed meanwhile; try again');
  }
  return viewOf(delegation, deps.now());
}

/** The caller's delegation, until it ends (404 when none, or once ended). */
export async function getMyDelegation(deps: Deps, who: Identity): Promise<DelegationView> {
  const caller = await resolveCaller(deps.directory, who);
  const delegation = await deps.repository.getDelegation(caller.id);
  const now = deps.now();
  if (!delegation || (!isActive(delegation, now) && Date.parse(delegation.until) <= Date.parse(now))) {
    throw notFound('you have no delegation');
  }
  return viewOf(delegation, now);
}

/**
 * Removes the caller's delegation (404 when there is none): the one stored under the token's sub.
 * Ending one's own hand-over needs no right, so this asks no directory: someone taken out of the
 * approvers group can still end it (its delegate could otherwise read the requests that list them
 * until its `until`).
 */
export async function deleteMyDelegation(deps: Pick<Deps, 'repository'>, who: Identity): Promise<void> {
  const delegation = await deps.repository.getDelegation(who.id);
  if (!delegation) throw notFound('you have no delegation');
  await deps.repository.deleteDelegation(delegation);
}
