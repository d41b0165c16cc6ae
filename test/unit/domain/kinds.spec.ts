import fc from 'fast-check';
import type { DomainError } from '../../../functions/domain/errors';
import { CRL_REASONS, SUBJECT_SCHEMAS } from '../../../functions/domain/kinds';
import type { Identity } from '../../../functions/domain/model';
import { createRequest } from '../../../functions/domain/rules';
import { profile as fixtureProfile } from '../../helpers/memory/fixtures';

const now = '2026-01-01T00:00:00.000Z';
const profile = fixtureProfile({ approvers: ['a@x.io', 'b@x.io'], createdAt: now });
const requester: Identity = { id: 'req', email: 'req@x.io', groups: [] };
const create = (kind: 'certificate.revoke' | 'certificate.lock', subject: Record<string, unknown>) =>
  createRequest('id-1', { kind, profileId: 'p', subject }, profile, requester, now);
const target = { serialNumber: '0a1b2c', issuerDn: 'CN=Issuing CA' };

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    const { code, message, details } = error as DomainError & { details?: unknown };
    return { code, message, details };
  }
  return undefined;
};

describe('reasonCode of certificate.revoke and certificate.lock', () => {
  test.each(['certificate.revoke', 'certificate.lock'] as const)('%s takes every RFC 5280 CRLReason name and keeps it', (kind) => {
    for (const reasonCode of CRL_REASONS) {
      expect(create(kind, { ...target, reasonCode }).request.subject.reasonCode).toBe(reasonCode);
    }
  });

  test.each(['certificate.revoke', 'certificate.lock'] as const)('%s without a reasonCode is still accepted', (kind) => {
    expect(create(kind, target).request.subject).toEqual(target);
  });

  test.each([
    ['removeFromCRL', 'an RFC 5280 value that is no reason to revoke'],
    ['KeyCompromise', 'a name in another case'],
    ['1', 'the numeric code'],
    [1, 'a number'],
    ['', 'an empty string'],
    [null, 'null'],
  ] as [unknown, string][])('%p (%s) is a 400 naming subject.reasonCode', (reasonCode) => {
    expect(refusal(() => create('certificate.revoke', { ...target, reasonCode }))).toEqual({
      code: 'invalid_request',
      message: expect.stringMatching(/^subject\.reasonCode /),
      details: [{ field: 'subject.reasonCode', message: expect.any(String) }],
    });
  });

  test('any string that is not one of the names is refused, on both kinds', () => {
    fc.assert(
      fc.property(
        fc.string().filter((value) => !(CRL_REASONS as readonly string[]).includes(value)),
        fc.constantFrom('certificate.revoke' as const, 'certificate.lock' as const),
        (reasonCode, kind) => {
          expect(SUBJECT_SCHEMAS[kind].safeParse({ ...target, reasonCode }).success).toBe(false);
        },
      ),
    );
  });
});
