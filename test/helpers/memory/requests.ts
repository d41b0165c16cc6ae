import type { ApprovalRequest } from '../../../functions/domain/model';

export const REQUEST_ID = '6f1c2b9e-3c1d-4e8a-9b7f-0a1b2c3d4e5f';

/**
 * A pending card request for use-case and workflow tests: two listed approvers, one approval
 * needed, created at `createdAt` (default 2026-11-03 09:00 UTC). Each test file passes the
 * timings and quorum its tests depend on.
 */
export function pendingRequest(overrides: Partial<ApprovalRequest> = {}): ApprovalRequest {
  const createdAt = overrides.createdAt ?? '2026-11-03T09:00:00.000Z';
  return {
    id: REQUEST_ID,
    kind: 'card.request',
    profileId: 'cards',
    subject: { holderId: 'E-1001', cardProfile: 'PIV standard' },
    state: 'requested',
    requester: { id: 'alice', email: 'alice@example.com' },
    approvers: ['bob@example.com', 'carol@example.com'],
    requiredApprovals: 1,
    approvals: [],
    onHold: false,
    remindAfter: 'PT4H',
    expireAfter: 'P2D',
    maxReminders: 5,
    createdAt,
    updatedAt: createdAt,
    expiresAt: new Date(Date.parse(createdAt) + 2 * 86_400_000).toISOString(),
    version: 1,
    ...overrides,
  };
}
