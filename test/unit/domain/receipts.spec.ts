import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { canonicalJson } from '../../../functions/domain/canonical-json';
import { durationSeconds } from '../../../functions/domain/duration';
import type { ApprovalRequest } from '../../../functions/domain/model';
import { csrDigest, receiptClaims, subjectDigest } from '../../../functions/domain/receipts';
import { pendingRequest } from '../../helpers/memory/requests';

const sha256 = (bytes: string | Buffer) => createHash('sha256').update(bytes).digest('base64url');
const APPROVED_AT = '2026-11-04T12:30:15.250Z';

function approved(overrides: Partial<ApprovalRequest> = {}): ApprovalRequest {
  return pendingRequest({
    state: 'approved',
    approvals: [{ by: { id: 'bob', email: 'bob@example.com' }, at: APPROVED_AT }],
    decision: { decision: 'approved', by: { id: 'bob', email: 'bob@example.com' }, at: APPROVED_AT },
    ...overrides,
  });
}

describe('subjectDigest', () => {
  it("is the base64url SHA-256 of the subject's RFC 8785 canonical JSON (RFC 8785's own sorting example)", () => {
    // RFC 8785, 3.2.3: members sorted by UTF-16 code units.
    const subject = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    const order = ['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33'] as const;
    const expected = `{${order.map((key) => `${JSON.stringify(key)}:${JSON.stringify(subject[key])}`).join(',')}}`;
    expect(canonicalJson(subject)).toBe(expected);
    expect(subjectDigest(subject)).toBe(sha256(canonicalize(subject) as string));
  });

  it('equals SHA-256 of the RFC 8785 reference implementation for any JSON subject, whatever the key order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (subject) => {
        const reordered = Object.fromEntries(Object.entries(subject).reverse());
        expect(subjectDigest(subject)).toBe(sha256(canonicalize(subject) as string));
        expect(subjectDigest(reordered)).toBe(subjectDigest(subject));
      }),
    );
  });

  it('changes when any field of the subject changes', () => {
    expect(subjectDigest({ holderId: 'E-1001', cardProfile: 'PIV' })).not.toBe(subjectDigest({ holderId: 'E-1002', cardProfile: 'PIV' }));
  });
});

describe('receiptClaims', () => {
  it('exp is approvedAt + approvalValidFor, in seconds since the epoch', () => {
    const claims = receiptClaims(approved({ approvalValidFor: 'PT1H' }), 'https://api.example.com', '2026-11-04T12:31:00.000Z');
    expect(claims.approvedAt).toBe(APPROVED_AT);
    expect(claims.exp).toBe(Math.floor(Date.parse(APPROVED_AT) / 1000) + 3600);
    expect(claims.iat).toBe(Math.floor(Date.parse('2026-11-04T12:31:00.000Z') / 1000));
  });

  it('exp follows approvalValidFor for any duration, and defaults to P7D', () => {
    fc.assert(
      fc.property(
        fc.record({ d: fc.integer({ min: 0, max: 365 }), h: fc.integer({ min: 0, max: 23 }), s: fc.integer({ min: 1, max: 59 }) }),
        fc.date({ min: new Date('2020-01-01'), max: new Date('2040-01-01'), noInvalidDate: true }),
        ({ d, h, s }, when) => {
          const validFor = `P${d}DT${h}H${s}S`;
          const at = when.toISOString();
          const request = approved({ approvalValidFor: validFor, decision: { decision: 'approved', by: { id: 'bob' }, at } });
          const claims = receiptClaims(request, 'https://api.example.com', at);
          expect(claims.exp - Math.floor(Date.parse(at) / 1000)).toBe(durationSeconds(validFor));
        },
      ),
    );
    const { approvalValidFor: _none, ...withoutValidity } = approved();
    expect(receiptClaims(withoutValidity as ApprovalRequest, 'https://x', APPROVED_AT).exp).toBe(
      Math.floor(Date.parse(APPROVED_AT) / 1000) + 7 * 86400,
    );
  });

  it('names the request, its kind, profile, subject digest and every approval with its stage', () => {
    const request = approved();
    const claims = receiptClaims(request, 'https://api.example.com', APPROVED_AT);
    expect(claims).toMatchObject({
      iss: 'https://api.example.com',
      sub: request.id,
      kind: 'card.request',
      profileId: 'cards',
      subjectDigest: sha256(canonicalize(request.subject) as string),
      approvals: [{ by: { id: 'bob', email: 'bob@example.com' }, at: APPROVED_AT, stage: 0 }],
    });
    expect(claims).not.toHaveProperty('csrDigest');
  });

  it("carries a P10's csrDigest: the SHA-256 of the CSR's DER", () => {
    const pem = readFileSync('test/fixtures/csr/ec-p384.csr', 'utf8');
    const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
    const request = approved({ kind: 'certificate.enroll', subject: { method: 'P10', subjectDn: 'CN=x', csr: pem } });
    expect(csrDigest(pem)).toBe(sha256(der));
    expect(receiptClaims(request, 'https://x', APPROVED_AT).csrDigest).toBe(sha256(der));
  });

  it("keeps each approval's stage and, for a delegate's approval, whom it was for", () => {
    const approvals = [
      { by: { id: 'dan', email: 'dan@example.com' }, at: APPROVED_AT, stage: 0 },
      { by: { id: 'erin', email: 'erin@example.com' }, for: { id: 'bob', email: 'bob@example.com' }, at: APPROVED_AT, stage: 1 },
    ];
    const claims = receiptClaims(approved({ approvals } as Partial<ApprovalRequest>), 'https://x', APPROVED_AT);
    expect(claims.approvals).toEqual(approvals);
  });

  it('refuses a request that is not approved', () => {
    expect(() => receiptClaims(pendingRequest(), 'https://x', APPROVED_AT)).toThrow(/not approved/);
  });
});
