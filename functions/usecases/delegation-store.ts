/** Where delegations (domain/delegation.ts) are kept: one per delegator, found from either side. */
import type { Delegation } from '../domain/delegation';

export interface DelegationStore {
  /** The delegation this approver (by sub) gave, if any; strongly consistent. */
  getDelegation(delegatorId: string): Promise<Delegation | undefined>;
  /** The delegations given to this person (by sub), active or not, at most 100. */
  delegationsTo(delegateId: string): Promise<Delegation[]>;
  /**
   * Stores the delegator's delegation in place of `previous` (the one read before, or none): one
   * write of both sides; `conflict` (nothing written) when someone changed it meanwhile.
   */
  putDelegation(delegation: Delegation, previous: Delegation | undefined): Promise<'saved' | 'conflict'>;
  /** Removes the delegation (both sides); nothing when it is gone already. */
  deleteDelegation(delegation: Delegation): Promise<void>;
}
