import {
  defang,
  defangText,
  OTHER_FIELDS_TITLE,
  otherSubjectRows,
  requestDetailsHtml,
  requestDetailsText,
  requestRows,
  subjectRows,
} from '../../../functions/commons/html';
import { pendingRequest } from '../../helpers/links/fixtures';

const revoke = (subject: Record<string, unknown>) => pendingRequest({ kind: 'certificate.revoke', subject });

describe('subject rows', () => {
  // Keys a requester added come first in the object: they must not come first in the email.
  const request = revoke({
    'Serial number': 'FAKE-1',
    'Issuer DN': 'CN=Fake CA',
    toString: 'x',
    constructor: 'y',
    reasonCode: 'keyCompromise',
    issuerDn: 'CN=Issuing CA',
    serialNumber: '0a1b2c',
  });

  it("lists only the kind's known fields, in their fixed order, with their labels", () => {
    expect(subjectRows(request).map(([label, value]) => [label, value])).toEqual([
      ['Serial number', '0a1b2c'],
      ['Issuer DN', 'CN=Issuing CA'],
      ['Reason code', 'Key compromise (keyCompromise)'],
    ]);
  });

  it("lists any other key apart, quoted as the requester wrote it (never a prototype's property)", () => {
    expect(otherSubjectRows(request).map(([label, value]) => [label, value])).toEqual([
      ['"Serial number"', 'FAKE-1'],
      ['"Issuer DN"', 'CN=Fake CA'],
      ['"toString"', 'x'],
      ['"constructor"', 'y'],
    ]);
  });

  it("a field known to another kind is another field here: a card's serialNumber is the requester's", () => {
    const card = pendingRequest({ kind: 'card.lock', subject: { serialNumber: '0a', holderId: 'H-1', cardSerial: 'C-1' } });
    expect(subjectRows(card).map(([label]) => label)).toEqual(['Card serial number', 'Holder']);
    expect(otherSubjectRows(card).map(([label]) => label)).toEqual(['"serialNumber"']);
  });

  it('shows the other fields after the known ones under their own title, in the HTML and the text part', () => {
    const html = requestDetailsHtml(request);
    expect(html.indexOf('>Certificate</h2>')).toBeLessThan(html.indexOf(`>${OTHER_FIELDS_TITLE}</h2>`));
    expect(html.indexOf('>Serial number</th>')).toBeLessThan(html.indexOf(`>${OTHER_FIELDS_TITLE}</h2>`));
    expect(html.indexOf(`>${OTHER_FIELDS_TITLE}</h2>`)).toBeLessThan(html.indexOf('>&quot;Serial number&quot;</th>'));
    const text = requestDetailsText(request);
    const [known, other] = [text.indexOf('Certificate'), text.indexOf(OTHER_FIELDS_TITLE)];
    expect(text.slice(known + 1, other)).toEqual(
      expect.arrayContaining([
        '  | Serial number: 0a1b2c',
        '  | Issuer DN: CN=Issuing CA',
        '  | Reason code: Key compromise (keyCompromise)',
      ]),
    );
    expect(text.slice(known + 1, other).join('\n')).not.toContain('FAKE');
    expect(text.slice(other)).toEqual(expect.arrayContaining(['  | "Serial number": FAKE-1', '  | "toString": x']));
  });

  it('has no other-fields group when the requester added none', () => {
    const plain = revoke({ serialNumber: '0a1b2c', issuerDn: 'CN=Issuing CA' });
    expect(requestDetailsHtml(plain)).not.toContain(OTHER_FIELDS_TITLE);
    expect(requestDetailsText(plain)).not.toContain(OTHER_FIELDS_TITLE);
  });
});

describe('defangText', () => {
  it('breaks the dots of bare host names and IP addresses, and any scheme', () => {
    expect(defangText('sign in at www.approvals-sso.example/login or evil.example/login.')).toBe(
      'sign in at www[.]approvals-sso[.]example/login or evil[.]example/login.',
    );
    expect(defangText('see https://evil.example/x and 10.0.0.1/admin')).toBe('see https[:]//evil[.]example/x and 10[.]0[.]0[.]1/admin');
    expect(defangText('mail ops@evil.example, or EVIL.EXAMPLE')).toBe('mail ops@evil[.]example, or EVIL[.]EXAMPLE');
    expect(defangText('full-width evil。example')).toBe('full-width evil[。]example');
  });

  it('leaves words, numbers and abbreviations as they are', () => {
    const plain = 'Version 1.5 costs 2.50 EUR, e.g. U.S.A. Done. Next week.';
    expect(defangText(plain)).toBe(plain);
  });

  it('is idempotent', () => {
    const once = defangText('www.evil.example https://a.example');
    expect(defangText(once)).toBe(once);
  });

  it('defang (for exact values: DNs, serials, host names) keeps host names exact', () => {
    expect(defang('CN=www.example.com,O=Example')).toBe('CN=www.example.com,O=Example');
  });
});

describe('free text in the request rows', () => {
  const request = pendingRequest({
    subject: { method: 'ACME', subjectDn: 'CN=www.example.com,O=Example' },
    justification: 'as agreed on www.approvals-sso.example/login',
    approvals: [{ by: { id: 'carol', email: 'carol@example.com' }, at: '2026-11-03T09:30:00.000Z', comment: 'see evil.example/login' }],
    onHold: true,
    hold: { by: { id: 'dave', email: 'dave@example.com' }, at: '2026-11-03T09:40:00.000Z', comment: 'ask evil.example' },
  });

  it("defangs host names in the justification and the approvers' comments, not in addresses or the subject", () => {
    const values = requestRows(request).map(([, value]) => value);
    expect(values).toContain('as agreed on www[.]approvals-sso[.]example/login');
    expect(values).toContain('carol@example.com at 2026-11-03 09:30 UTC (see evil[.]example/login)');
    expect(values).toContain('by dave@example.com at 2026-11-03 09:40 UTC (ask evil[.]example)');
    for (const part of [requestDetailsHtml(request), requestDetailsText(request).join('\n')]) {
      expect(part).not.toMatch(/approvals-sso\.example|evil\.example/);
      expect(part).toContain('CN=www.example.com,O=Example');
    }
  });
});
