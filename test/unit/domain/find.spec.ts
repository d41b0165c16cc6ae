import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describeCsr } from '../../../functions/domain/csr';
import { findableValues, findKey, findKeys, MAX_FIND_LENGTH, MAX_FIND_VALUES, matchesFind } from '../../../functions/domain/find';
import type { ApprovalRequest } from '../../../functions/domain/model';
import { pendingRequest } from '../../helpers/memory/requests';

const fixture = (name: string) => readFileSync(join(__dirname, '../../fixtures/csr', name), 'utf8');
const enrollment = (csrFile: string): ApprovalRequest => {
  const csr = fixture(csrFile);
  return pendingRequest({
    kind: 'certificate.enroll',
    subject: { method: 'P10', subjectDn: 'CN=x', csr },
    csr: describeCsr(csr),
  });
};
/** Whether a find for `value` reaches the request: its key is among the request's and it matches by its field's rule. */
const finds = (request: ApprovalRequest, value: string) => findKeys(request).includes(findKey(value)) && matchesFind(request, value);

describe('find keys and matches', () => {
  test('a card request is found by its holder id and card serial exactly, and by its requester email in any case', () => {
    const request = pendingRequest({ kind: 'card.lock', subject: { holderId: 'E-1001', cardSerial: 'CS-77' } });
    expect(findKeys(request).sort()).toEqual(['alice@example.com', 'cs-77', 'e-1001']);
    expect(finds(request, ' E-1001 ')).toBe(true);
    expect(finds(request, 'CS-77')).toBe(true);
    expect(finds(request, 'ALICE@Example.com')).toBe(true);
    // Same key, other case: the store reads the entry, the field's rule leaves it out.
    expect(findKeys(request)).toContain(findKey('e-1001'));
    expect(matchesFind(request, 'e-1001')).toBe(false);
    expect(matchesFind(request, 'cs-77')).toBe(false);
    expect(matchesFind(request, 'E-100')).toBe(false);
  });

  test('a certificate serial is found as hex in any case, with or without 0x or colons', () => {
    const request = pendingRequest({ kind: 'certificate.revoke', subject: { serialNumber: '0x0A1B2C', issuerDn: 'CN=CA' } });
    for (const typed of ['0a1b2c', '0A1B2C', '0x0a1b2c', '0a:1b:2c', '0A:1B:2C'])
      expect([typed, finds(request, typed)]).toEqual([typed, true]);
    expect(finds(request, 'a1b2c')).toBe(false);
    expect(finds(request, '0a1b2c0')).toBe(false);
  });

  test("a P10 is found by its CSR's CN and every DNS name, in any case, not by its IP address or other names", () => {
    const request = enrollment('rsa-3072.csr');
    expect(finds(request, 'web.example.com')).toBe(true);
    expect(finds(request, 'WWW.Example.COM')).toBe(true);
    expect(finds(request, '10.0.0.1')).toBe(false);
    expect(finds(request, 'Example')).toBe(false);
    const multi = enrollment('multi-rdn-p256.csr');
    expect(finds(multi, 'App.Example.com')).toBe(true);
    expect(finds(multi, 'ops@example.com')).toBe(false);
  });

  test('the request id is found exactly', () => {
    const request = pendingRequest();
    expect(matchesFind(request, ` ${request.id} `)).toBe(true);
    expect(matchesFind(request, request.id.slice(1))).toBe(false);
  });

  test(`a request keeps at most ${MAX_FIND_VALUES} keys, none longer than ${MAX_FIND_LENGTH}, none twice`, () => {
    const names = Array.from({ length: 30 }, (_, index) => `DNS:host-${index}.example.com`);
    const request = pendingRequest({
      kind: 'certificate.enroll',
      subject: { method: 'P10', subjectDn: 'CN=x', csr: 'x', holderId: 'x'.repeat(MAX_FIND_LENGTH + 1) },
      csr: { subject: 'CN=host-0.example.com', key: 'RSA 3072 bits', subjectAlternativeNames: names },
    });
    const keys = findKeys(request);
    expect(keys).toHaveLength(MAX_FIND_VALUES);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.every((key) => key.length <= MAX_FIND_LENGTH)).toBe(true);
    expect(keys).not.toContain('x'.repeat(MAX_FIND_LENGTH + 1));
  });

  const printable = fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
    .filter((text) => text.trim().length > 0 && !/[\p{C}]/u.test(text));
  const subjects = fc.oneof(
    fc.record({ holderId: printable, cardProfile: printable }).map((subject) => ({ kind: 'card.request' as const, subject })),
    fc.record({ holderId: printable, cardSerial: printable }).map((subject) => ({ kind: 'card.lock' as const, subject })),
    fc
      .record({ serialNumber: fc.stringMatching(/^(0x)?[0-9a-fA-F]{1,40}$/), issuerDn: printable })
      .map((subject) => ({ kind: 'certificate.revoke' as const, subject })),
  );
  const emails = fc.emailAddress().filter((email) => email.length <= 200);

  test('property: every findable value of a subject finds it, however it is cased where case does not count', () => {
    fc.assert(
      fc.property(subjects, emails, ({ kind, subject }, email) => {
        const request = pendingRequest({ kind, subject, requester: { id: 'r', email } });
        const values = findableValues(request);
        expect(values.length).toBeGreaterThan(1);
        for (const value of values) expect([value, finds(request, value)]).toEqual([value, true]);
        expect(finds(request, email.toUpperCase())).toBe(true);
        if (kind === 'certificate.revoke') {
          const serial = String(subject.serialNumber);
          expect(finds(request, serial.toUpperCase().replace(/^0X/, '0x'))).toBe(true);
        }
      }),
    );
  });

  test('property: a find key is what the key of its key is (reading a key again changes nothing)', () => {
    fc.assert(fc.property(printable, (value) => findKey(findKey(value)) === findKey(value)));
  });
});
