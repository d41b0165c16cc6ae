/**
 * Decisions by delegates (out of office), through the API and by a delegate's link (lifecycle):
 * both people are resolved in the directory, the delegation read from the store, and the rule is
 * domain/delegation.ts decideFor, one change through changeRequest.
 */
import type { DecisionBody } from '../domain/bodies';
import { type Delegation, decideFor, isActive } from '../domain/delegation';
import { DomainError, forbidden } from '../domain/errors';
import type { GroupMembers } from '../domain/stages';
import { type ApprovalRequest, type Identity, isApprover } from '../domain/model';
import { assertListedApprover, countedEmail, decide, hasApproved, type Voter } from '../domain/rules';
import { resolveAddress, resolveCaller } from '../usecases/people';
import type { Deps, Directory } from '../usecases/ports';
import { changeRequest } from './change';
import { decideAsUser, type LinkDecision, type LinkDeps, type LinkHolder, nextStageGroups } from './decide';

/** One person the delegate may act for: the delegator as the directory knows them now, and the delegation. */
export interface ActingFor {
  delegator: Voter;
  delegation: Delegation;
}

/** The caller as a person of the directory: enabled, with the token's email as their verified one (no group needed). */
export async function resolvePerson(directory: Directory, who: Identity): Promise<Voter> {
  const email = countedEmail(who);
  const user = await directory.userBySub(who.id);
  if (!user?.enabled) throw forbidden('you are not an enabled user of the directory');
  if (user.email !== email) throw forbidden("the token's email is not your verified email in the directory");
  return { id: user.sub, email };
}

/**
 * The delegator of a delegation as the directory knows them now: an enabled member of `approvers`
 * holding the delegation's email under the delegation's sub, with their groups (a stage may list
 * them through one); undefined otherwise (they may not decide, so nobody may for them).
 */
export async function resolveDelegator(directory: Directory, delegation: Delegation): Promise<Voter | undefined> {
  const voter = await resolveAddress(directory, delegation.delegator.email);
  if (!voter || ![voter.id, ...(voter.otherIds ?? [])].includes(delegation.delegator.id)) return undefined;
  return { id: delegation.delegator.id, email: delegation.delegator.email, groups: voter.groups ?? [] };
}

/** The active delegations to this person whose delegator may still decide (one hop: only delegations to them). */
export async function actingFor(deps: Pick<Deps, 'repository' | 'directory'>, delegateId: string, now: string): Promise<ActingFor[]> {
  const active = (await deps.repository.delegationsTo(delegateId)).filter((delegation) => isActive(delegation, now));
  const resolved = await Promise.all(
    active.map(async (delegation) => {
      const delegator = await resolveDelegator(deps.directory, delegation);
      return delegator ? [{ delegator, delegation }] : [];
    }),
  );
  return resolved.flat();
}

/**
 * A decision through the API, by an approver or a delegate. Without an active delegation to the
 * caller it is decideAsUser (lifecycle/decide.ts). Otherwise: a caller listed on the request
 * decides as themselves (as decideAsUser); one not listed decides for the first delegator listed
 * on it whose vote is still open (or, when none is open, the first listed, which gives the 409).
 * A caller the directory confirms as an approver has their delegations read only when the request
 * as read does not list them (a listed approver decides as themselves whatever they were handed):
 * one read and one transaction, as decideAsUser.
 */
export async function decideAsCaller(deps: Deps, who: Identity, id: string, body: DecisionBody): Promise<ApprovalRequest> {
  const own = isApprover(who) ? await resolveCaller(deps.directory, who).catch((error: unknown) => error) : undefined;
  if (own !== undefined && !(own instanceof Error)) return decideAsApprover(deps, who, own as Voter, id, body);
  const candidates = await actingFor(deps, who.id, deps.now());
  if (candidates.length === 0) return decideAsUser(deps, who, id, body);
  const delegate = await resolvePerson(deps.directory, who);
  const request = await changeRequest(
    deps,
    id,
    (current, now, members) => {
      if (current.approvers.includes(delegate.email)) {
        if (own instanceof Error) throw own;
        throw forbidden('only members of the approvers group may decide');
      }
      return decideForDelegator(current, delegate, candidates, body, now, members);
    },
    nextStageGroups(deps.directory, body),
  );
  deps.meter.decided(body.decision);
  return request;
}

/** A delegate not listed on the request decides for a delegator who is (403 when none is). */
function decideForDelegator(
  current: ApprovalRequest,
  delegate: Voter,
  candidates: readonly ActingFor[],
  body: DecisionBody,
  now: string,
  members: GroupMembers | undefined,
) {
  const listed = candidates.filter(({ delegator }) => current.approvers.includes(delegator.email));
  const pick = listed.find(({ delegator }) => body.decision === 'release' || !hasApproved(current, delegator)) ?? listed[0];
  if (!pick) throw forbidden('you are not an approver of this request, nor the delegate of one of its approvers');
  return decideFor(current, delegate, pick.delegator, pick.delegation, body, now, members);
}

/**
 * decideAsCaller for a caller the directory confirms as an approver (`own`): listed on the request
 * as read, they decide as themselves; not listed, their active delegations are read then and they
 * decide for a listed delegator, or get decideAsUser's 403 when they hold none.
 */
async function decideAsApprover(deps: Deps, who: Identity, own: Voter, id: string, body: DecisionBody): Promise<ApprovalRequest> {
  const stageGroups = nextStageGroups(deps.directory, body);
  const request = await changeRequest<{ members?: GroupMembers; candidates?: ActingFor[]; delegate?: Voter }>(
    deps,
    id,
    (current, now, prepared) => {
      const { members, delegate, candidates } = prepared ?? {};
      if (!delegate || !candidates?.length) {
        assertListedApprover(current, own);
        return decide(current, own, body, now, members);
      }
      return decideForDelegator(current, delegate, candidates, body, now, members);
    },
    async (current) => {
      const members = await stageGroups(current);
      if (current.approvers.includes(own.email)) return { members };
      const candidates = await actingFor(deps, who.id, deps.now());
      const delegate = candidates.length > 0 ? await resolvePerson(deps.directory, who) : undefined;
      return { members, candidates, delegate };
    },
  );
  deps.meter.decided(body.decision);
  return request;
}

/**
 * The people behind a delegate's link: the delegator (`for`, an enabled approver), their
 * delegation, which must be to the link's address, and the delegate (that delegation's user,
 * still enabled with that verified email). 403 otherwise.
 */
export async function resolveDelegateLink(
  deps: Pick<LinkDeps, 'repository' | 'directory'> & { repository: Pick<Deps['repository'], 'getDelegation'> },
  link: LinkHolder & { for: string },
): Promise<{ delegate: Voter } & ActingFor> {
  const holder = await resolveAddress(deps.directory, link.for);
  if (!holder) throw forbidden('this link is for a delegate of an address that no enabled member of the approvers group holds any more');
  for (const id of [holder.id, ...(holder.otherIds ?? [])]) {
    const delegation = await deps.repository.getDelegation(id);
    if (delegation?.to.email !== link.approver.toLowerCase()) continue;
    const user = await deps.directory.userBySub(delegation.to.id);
    if (!user?.enabled || user.email !== delegation.to.email) throw forbidden('this link is for a delegate who may not decide any more');
    return {
      delegate: { id: user.sub, email: user.email },
      delegator: { id, email: link.for.toLowerCase(), groups: holder.groups ?? [] },
      delegation,
    };
  }
  throw forbidden(`${link.approver} is no longer the delegate of ${link.for}`);
}

/** decideByLink for a delegate's link (one with `for`): the delegate decides for the delegator. */
export async function decideByDelegateLink(
  deps: LinkDeps & { repository: Pick<Deps['repository'], 'getDelegation'> },
  link: LinkHolder & { for: string },
  body: DecisionBody,
): Promise<LinkDecision> {
  const { delegate, delegator, delegation } = await resolveDelegateLink(deps, link);
  try {
    const request = await changeRequest(
      deps,
      link.requestId,
      (current, now, members) => decideFor(current, delegate, delegator, delegation, body, now, members),
      nextStageGroups(deps.directory, body),
    );
    deps.meter.decided(body.decision);
    return { decided: true, request, voter: delegator };
  } catch (error) {
    if (!(error instanceof DomainError) || error.code !== 'conflict') throw error;
    const stored = await deps.repository.getRequest(link.requestId);
    return { decided: false, request: stored?.request, reason: error, voter: delegator };
  }
}
