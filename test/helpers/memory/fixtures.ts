import type { Delegation } from '../../../functions/domain/delegation';
import type { Identity } from '../../../functions/domain/model';
import type { Profile } from '../../../functions/domain/profile';

/** When the fixture profiles were created and last changed, unless a test says otherwise. */
export const FIXTURE_TIME = '2026-11-03T10:00:00.000Z';

/**
 * An approval profile for unit tests: card requests need two approvals from bob and carol,
 * reminders hourly, expiry after a day, version 1 created at FIXTURE_TIME. `updatedAt` follows
 * an overridden `createdAt` unless given too. Each test passes the values its assertions
 * depend on (approvers, quorum, timings) rather than relying on these.
 */
export function profile(overrides: Partial<Profile> = {}): Profile {
  const createdAt = overrides.createdAt ?? FIXTURE_TIME;
  return {
    id: 'p',
    name: 'P',
    requireApprovalFor: ['card.request'],
    approvers: ['bob@example.com', 'carol@example.com'],
    requiredApprovals: 2,
    remindAfter: 'PT1H',
    expireAfter: 'P1D',
    maxReminders: 5,
    allowDelegation: true,
    createdAt,
    updatedAt: createdAt,
    version: 1,
    ...overrides,
  };
}

/**
 * A signed-in user whose token says `<name>@<domain>` with email_verified true (the email counts
 * only then), with id `name` and the given groups.
 */
export const user = (name: string, groups: string[] = [], domain = 'example.com'): Identity => ({
  id: name,
  email: `${name}@${domain}`,
  emailVerified: true,
  groups,
});

/** The requester of the fixture requests. */
export const alice = user('alice');
/** Listed approvers of the fixture profile, in the approvers group. */
export const bob = user('bob', ['approvers']);
export const carol = user('carol', ['approvers']);
/** In the admins group, listed nowhere. */
export const admin = user('admin', ['admins']);

/** `from`'s delegation to `to`, active from 2026-11-01 to 2026-11-10 (around FIXTURE_TIME) unless `overrides` say otherwise. */
export const delegation = (from: Identity, to: Identity, overrides: Partial<Delegation> = {}): Delegation => ({
  delegator: { id: from.id, email: from.email },
  to: { id: to.id, email: to.email },
  from: '2026-11-01T00:00:00.000Z',
  until: '2026-11-10T00:00:00.000Z',
  createdAt: '2026-11-01T00:00:00.000Z',
  ...overrides,
});
