import fc from 'fast-check';
import { ON_BEHALF_SCOPE } from '../../../functions/domain/bodies';
import { DomainError } from '../../../functions/domain/errors';
import { recordExecution } from '../../../functions/domain/execution';
import type { Identity } from '../../../functions/domain/model';
import { admin, alice, carol } from '../../helpers/memory/fixtures';
import { pendingRequest } from '../../helpers/memory/requests';

const EXP = Math.floor(Date.parse('2026-11-04T11:00:00.000Z') / 1000);
const CALLERS: Record<string, Identity> = {
  admin,
  creatingClient: { id: 'billing-system', email: '', groups: [], scopes: [ON_BEHALF_SCOPE] },
  otherClient: { id: 'hr-system', email: '', groups: [], scopes: [ON_BEHALF_SCOPE] },
  clientIdWithoutScope: { id: 'billing-system', email: '', groups: [] },
  requester: alice,
  approver: carol,
};

test('an execution report is refused exactly when the contract says: 403 for anyone but the creating client or an admin, then 409 unless approved, not yet succeeded and not lapsed', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...Object.keys(CALLERS)),
      fc.constantFrom('requested', 'approved', 'rejected', 'expired', 'deleted' as const),
      fc.constantFrom(undefined, 'failed', 'succeeded' as const),
      fc.integer({ min: -7200, max: 7200 }),
      fc.constantFrom('succeeded', 'failed' as const),
      (caller, state, prior, offsetSeconds, status) => {
        const request = pendingRequest({
          state: state as never,
          client: 'billing-system',
          ...(prior ? { execution: { status: prior, by: { id: 'billing-system' }, at: '2026-11-04T10:00:00.000Z' } } : {}),
        });
        const now = new Date((EXP + offsetSeconds) * 1000).toISOString();
        const allowed = caller === 'admin' || caller === 'creatingClient';
        const acceptable = state === 'approved' && prior !== 'succeeded' && offsetSeconds < 0;
        let outcome: string;
        try {
          const change = recordExecution(request, CALLERS[caller] as Identity, { status }, EXP, now);
          outcome = change.history.type;
          expect(change.request.state).toBe(state);
          expect(change.request.execution?.status).toBe(status);
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          outcome = error.code;
        }
        expect(outcome).toBe(!allowed ? 'forbidden' : !acceptable ? 'conflict' : status === 'succeeded' ? 'executed' : 'execution-failed');
      },
    ),
  );
});
