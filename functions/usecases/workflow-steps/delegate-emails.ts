/**
 * The delegate's copy of an approver's email (out of office, domain/delegation.ts): while the
 * approver's delegation is active, each approval email, reminder and hold-ended email the approver
 * gets also goes to their delegate, with the delegate's own links (signed `for` the approver), and
 * the history records a `delegated` entry. One hop: only the approver's own delegation counts.
 * The copy rides on the approver's claim (it counts toward the same 21 emails), and a copy that
 * fails is recorded and never holds the approver's email back.
 */
import { allowsDelegation, type Delegation, isActive } from '../../domain/delegation';
import { type ApprovalRequest, WORKFLOW_ACTOR } from '../../domain/model';
import { assertNotParty, type Voter } from '../../domain/people';
import { hasApproved } from '../../domain/rules';
import type { StepDeps } from '../deps';
import { resolveAddress } from '../people';
import { recordEmailFailure, workflowEntry } from './history';

type CopyDeps = Pick<StepDeps, 'repository' | 'directory' | 'now' | 'meter' | 'send' | 'links' | 'approverEmail'>;
type Purpose = 'approval' | 'reminder' | 'hold-ended';

/** The approver's active delegation and its delegate, where the delegate could decide on this request now. */
export async function activeDelegate(
  deps: Pick<StepDeps, 'repository' | 'directory' | 'now'>,
  request: ApprovalRequest,
  approver: string,
): Promise<{ delegation: Delegation; delegate: Voter } | undefined> {
  if (!allowsDelegation(request)) return undefined;
  const holder = await resolveAddress(deps.directory, approver);
  if (!holder) return undefined;
  for (const id of [holder.id, ...(holder.otherIds ?? [])]) {
    const delegation = await deps.repository.getDelegation(id);
    if (!delegation || !isActive(delegation, deps.now())) continue;
    const user = await deps.directory.userBySub(delegation.to.id);
    if (!user?.enabled || user.email !== delegation.to.email) return undefined;
    const delegate = { id: user.sub, email: user.email };
    try {
      assertNotParty(request, delegate);
    } catch {
      return undefined;
    }
    return hasApproved(request, delegate) ? undefined : { delegation, delegate };
  }
  return undefined;
}

/** Sends the delegate's copy of the email `approver` just got, if they have an active delegate. */
export async function sendDelegateCopy(
  deps: CopyDeps,
  request: ApprovalRequest,
  approver: string,
  purpose: Purpose,
  escalation = false,
): Promise<void> {
  let found: Awaited<ReturnType<typeof activeDelegate>>;
  try {
    found = await activeDelegate(deps, request, approver);
  } catch (error) {
    // The delegation could not be read (the table or the directory failed): no copy this time,
    // recorded; the approver's own email, already sent, stands.
    deps.meter.emailFailed();
    await deps.repository
      .appendHistory(
        request.id,
        workflowEntry(deps.now(), 'notification-failed', {
          for: approver,
          copy: 'delegate',
          purpose,
          error: (error as Error).name ?? 'Error',
        }),
      )
      .catch(() => undefined);
    return;
  }
  if (!found) return;
  const { delegation, delegate } = found;
  try {
    const links = await deps.links(request, delegate.email, approver);
    const content = deps.approverEmail(request, links, {
      reminder: purpose === 'reminder',
      holdEnded: purpose === 'hold-ended',
      forApprover: approver,
      escalation,
      recipient: delegate.email,
    });
    await deps.send({ ...content, to: delegate.email, tags: { requestId: request.id, purpose } });
  } catch (error) {
    deps.meter.emailFailed();
    await recordEmailFailure(deps, request.id, delegate.email, purpose, error);
    return;
  }
  // The copy went out: a history write that fails now must not fail the approver's own email.
  await deps.repository
    .appendHistory(request.id, {
      at: deps.now(),
      type: 'delegated',
      actor: WORKFLOW_ACTOR,
      details: { for: { id: delegation.delegator.id, email: approver }, to: delegate, until: delegation.until, email: purpose },
    })
    .catch(() => deps.meter.emailFailed());
}
