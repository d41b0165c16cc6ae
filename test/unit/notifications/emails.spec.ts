import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeCsr } from '../../../functions/domain/csr';
import type { ApprovalRequest } from '../../../functions/domain/model';
import { approverEmail, closingEmail, outcomeEmail, subjectLine } from '../../../functions/notifications/emails';
import { pendingRequest } from '../../helpers/links/fixtures';

const LINKS = {
  approve:
    'http://127.0.0.1:3000/links/6f1c2b9e-3c1d-4e8a-9b7f-0a1b2c3d4e5f/approve?approver=bob%40example.com&exp=1793955600&kid=k2&sig=abc',
  reject:
    'http://127.0.0.1:3000/links/6f1c2b9e-3c1d-4e8a-9b7f-0a1b2c3d4e5f/reject?approver=bob%40example.com&exp=1793955600&kid=k2&sig=def',
};

const hostile = (): ApprovalRequest =>
  pendingRequest({
    kind: 'card.lock',
    subject: { cardSerial: '<script>alert(1)</script>', holderId: '"><img src=x onerror=alert(2)>', '<b>extra</b>': 'x & y' },
    justification: '<iframe src="https://evil.example"></iframe>',
    requester: { id: '<u>id</u>', email: 'alice@example.com' },
  });

describe('approverEmail', () => {
  it('puts the exact lines "Approve: <url>" and "Reject: <url>" in the text part', () => {
    const { text } = approverEmail(pendingRequest(), LINKS, { reminder: false });
    const lines = text.split('\n');
    expect(lines).toContain(`Approve: ${LINKS.approve}`);
    expect(lines).toContain(`Reject: ${LINKS.reject}`);
  });

  it('no subject key, value, justification or comment can put a line starting Approve: or Reject: into the text part', () => {
    const forged = 'https://evil.example/a';
    const request = pendingRequest({
      kind: 'card.lock',
      subject: {
        cardSerial: 'C-1',
        holderId: 'H-1',
        [`note\nApprove: ${forged}`]: 'x',
        [`note\r\nReject: ${forged}`]: 'y',
        [`note\rApprove: ${forged}`]: 'z',
        [`note\u2028Approve: ${forged}`]: 'w',
        plain: `v\nApprove: ${forged}\r\n  Reject: ${forged}\u0085Approve: ${forged}`,
        nested: { deep: `\nApprove: ${forged}` },
      },
      justification: `because\nApprove: ${forged}`,
      approvals: [{ by: { id: 'carol', email: 'carol@example.com' }, at: '2026-11-03T09:30:00.000Z', comment: `ok\rReject: ${forged}` }],
    });
    for (const { text } of [approverEmail(request, LINKS, { reminder: false }), approverEmail(request, LINKS, { reminder: true })]) {
      const linkLines = text.split(/\r\n|\r|\n|\u2028|\u2029|\u0085/).filter((line) => /^\s*(Approve|Reject):/.test(line));
      expect(linkLines).toEqual([`Approve: ${LINKS.approve}`, `Reject: ${LINKS.reject}`]);
      // The values are still shown, one line each behind the details' margin, their addresses inert.
      expect(text).toContain('  |     Approve: https[:]//evil.example/a');
    }
  });

  /** The lines of a text part that look like a link line, or that hold a URL. */
  const linkLike = (text: string) =>
    text.split(/\r\n|\r|\n|\u2028|\u2029|\u0085|\v|\f/).filter((line) => /^\s*(approve|reject)/i.test(line) || /[a-z]:\/\//i.test(line));

  it('a subject key named Approve or Reject (any case, spaces around) or holding a URL never makes a link line', () => {
    const forged = 'https://evil.example/approve?sig=x';
    const request = pendingRequest({
      kind: 'card.lock',
      subject: {
        cardSerial: 'C-1',
        holderId: forged,
        Approve: forged,
        reject: forged,
        ' APPROVE ': forged,
        'Reject ': forged,
        [`Approve: ${forged}`]: 'x',
        nested: { Approve: forged, list: [forged, { Reject: forged }] },
      },
      justification: `see ${forged}`,
      hold: { by: { id: 'carol', email: 'carol@example.com' }, at: '2026-11-03T09:30:00.000Z', comment: forged },
      onHold: true,
    });
    for (const reminder of [false, true]) {
      const { text, html } = approverEmail(request, LINKS, { reminder });
      expect(linkLike(text)).toEqual([`Approve: ${LINKS.approve}`, `Reject: ${LINKS.reject}`]);
      // Keys are quoted, values shown with their addresses inert.
      expect(text).toContain('  | "Approve": https[:]//evil.example/approve?sig=x');
      expect(text).toContain('  | " APPROVE ": https[:]//evil.example/approve?sig=x');
      // The HTML part has no address of the requester's as a link or as text a client would link.
      expect(html).not.toContain('https://evil.example');
      expect(html).toContain('&quot;Approve&quot;');
    }
  });

  it("a stage's name with line breaks and addresses (the profile's text) never makes a link line, nor a live address", () => {
    const forged = 'https://evil.example/approve?sig=x';
    const name = `Security\nApprove: ${forged}\r\nReject: ${forged}`;
    const stage = (index: number) => ({
      name: index === 0 ? name : 'Later',
      approvers: ['bob@example.com'],
      requiredApprovals: 1,
      approvals: [],
      status: index === 0 ? ('active' as const) : ('waiting' as const),
    });
    const request = pendingRequest({ stages: [stage(0), stage(1)], currentStage: 0 });
    const { subject, text, html } = approverEmail(request, LINKS, { reminder: false });
    expect(linkLike(text)).toEqual([`Approve: ${LINKS.approve}`, `Reject: ${LINKS.reject}`]);
    expect(text).toContain('Stage 1 of 2 · Security\\u000aApprove: https[:]//evil.example/approve?sig=x\\u000d\\u000aReject: https[:]//');
    expect(`${subject}\n${html}`).not.toContain('https://evil.example');
  });

  it('keeps a multi-line value (a CSR) readable, one line per line of the value', () => {
    const { text } = approverEmail(pendingRequest(), LINKS, { reminder: false });
    expect(text.split('\n')).toContain('  |     -----BEGIN CERTIFICATE REQUEST-----');
  });

  it('shows the CSR decoded (subject, key algorithm and size, SANs) in both parts, not only its PEM', () => {
    const csr = readFileSync(join(__dirname, '../../fixtures/csr/multi-rdn-p256.csr'), 'utf8');
    const request = pendingRequest({ subject: { method: 'P10', subjectDn: 'CN=app.example.com', csr }, csr: describeCsr(csr) });
    const { text, html } = approverEmail(request, LINKS, { reminder: false });
    const lines = text.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        '  | CSR subject: C=DE, O=Example  Corp, OU=IT+CN=app.example.com',
        '  | CSR key: EC P-256 (256 bits)',
        '  | CSR subject alternative names: DNS:app.example.com, URI:https[:]//app.example.com/x, email:ops@example.com',
      ]),
    );
    expect(lines.findIndex((line) => line.startsWith('  | CSR subject:'))).toBeLessThan(lines.indexOf('  | Certificate request (CSR):'));
    for (const shown of ['CSR subject', 'C=DE, O=Example  Corp, OU=IT+CN=app.example.com', 'EC P-256 (256 bits)', 'DNS:app.example.com']) {
      expect(html).toContain(shown);
    }
    // A CSR given with another method is not decoded: the email says so.
    const p12 = pendingRequest({ subject: { method: 'P12', subjectDn: 'CN=app.example.com', csr } });
    expect(approverEmail(p12, LINKS, { reminder: false }).text).toContain('  | CSR decoded: not decoded (only a P10 request is)');
  });

  it('names the kind and the requester in the subject', () => {
    const { subject } = approverEmail(pendingRequest(), LINKS, { reminder: false });
    expect(subject).toContain('Enroll a certificate');
    expect(subject).toContain('alice@example.com');
    expect(subject).not.toContain('Reminder');
  });

  it('says Reminder in the subject of a reminder', () => {
    const { subject, html } = approverEmail(pendingRequest(), LINKS, { reminder: true });
    expect(subject).toMatch(/^Reminder/);
    expect(subject).toContain('Enroll a certificate');
    expect(html).toContain('Reminder');
  });

  it('shows both links as buttons in the HTML part, attribute-escaped', () => {
    const { html } = approverEmail(pendingRequest(), LINKS, { reminder: false });
    const escaped = (url: string) => url.replaceAll('&', '&amp;');
    expect(html).toMatch(new RegExp(`<a href="${escapeRegExp(escaped(LINKS.approve))}"[^>]*>Approve</a>`));
    expect(html).toMatch(new RegExp(`<a href="${escapeRegExp(escaped(LINKS.reject))}"[^>]*>Reject</a>`));
  });

  it('shows the request, its subject fields and the requester in the HTML part', () => {
    const request = pendingRequest({
      approvals: [{ by: { id: 'email:carol@example.com', email: 'carol@example.com' }, at: '2026-11-03T09:30:00.000Z' }],
    });
    const { html, text } = approverEmail(request, LINKS, { reminder: false });
    for (const part of [html, text]) {
      expect(part).toContain(request.id);
      expect(part).toContain('Enroll a certificate');
      expect(part).toContain('2026-11-03 09:00 UTC');
      expect(part).toContain('2026-11-05 09:00 UTC');
      expect(part).toContain('New web server');
      expect(part).toContain('1 of 2');
      expect(part).toContain('carol@example.com');
      expect(part).toContain('Subject DN');
      expect(part).toContain('CN=www.example.com,O=Example');
      expect(part).toContain('BEGIN CERTIFICATE REQUEST');
      expect(part).toContain('alice@example.com');
      expect(part).toContain('user-alice');
    }
  });

  it('escapes everything user-provided: no subject field, name or justification appears raw', () => {
    const { html, text } = approverEmail(hostile(), LINKS, { reminder: false });
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<iframe');
    expect(html).not.toContain('<b>extra');
    expect(html).not.toContain('<u>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(html).toContain('x &amp; y');
    expect(text).toContain('<script>alert(1)</script>');
  });

  it('uses no scripts and loads nothing from elsewhere', () => {
    const { html } = approverEmail(pendingRequest(), LINKS, { reminder: false });
    expect(html).not.toMatch(/<script|<img|<link|<iframe|src=|url\(|@import/i);
    expect(html).not.toMatch(/<style/i);
  });

  it('labels a card subject as card information', () => {
    const { html } = approverEmail(
      pendingRequest({ kind: 'card.request', subject: { holderId: 'h-1', cardProfile: 'corporate' } }),
      LINKS,
      { reminder: false },
    );
    expect(html).toContain('>Card</h2>');
    expect(html).toContain('Card profile');
    expect(html).toContain('corporate');
  });
});

/** A request bob rejected with this reason (and comment). */
const rejectedBy = (reason: string, comment?: string) =>
  pendingRequest({
    state: 'rejected',
    decision: {
      decision: 'rejected',
      by: { id: 'bob', email: 'bob@example.com' },
      at: '2026-11-03T11:00:00.000Z',
      reason,
      ...(comment ? { comment } : {}),
    },
  });

describe('outcomeEmail', () => {
  it('a rejection reason of several lines cannot pose as a link line', () => {
    const request = rejectedBy('no\nApprove: https://evil.example/a');
    const lines = outcomeEmail(request).text.split(/\r\n|\r|\n/);
    expect(lines.filter((line) => /^\s*(Approve|Reject):/.test(line))).toEqual([]);
    expect(outcomeEmail(request).html).not.toContain('https://evil.example');
    expect(lines).toEqual(expect.arrayContaining(['Reason:', '    | no', '    | Approve: https[:]//evil[.]example/a']));
  });

  const bob = { id: 'email:bob@example.com', email: 'bob@example.com' };

  it('tells the requester of a rejection with its reason', () => {
    const request = pendingRequest({
      state: 'rejected',
      decision: { decision: 'rejected', by: bob, at: '2026-11-03T11:00:00.000Z', reason: 'Wrong <DN>' },
    });
    const email = outcomeEmail(request);
    expect(email.subject).toMatch(/^Rejected: Enroll a certificate/);
    expect(email.text.split('\n')).toContain('Reason: Wrong <DN>');
    expect(email.text).toContain('rejected by bob@example.com at 2026-11-03 11:00 UTC');
    expect(email.html).toContain('Wrong &lt;DN&gt;');
    expect(email.html).toContain('bob@example.com');
  });

  it('tells the requester of an approval and who approved', () => {
    const request = pendingRequest({
      state: 'approved',
      approvals: [
        { by: { id: 'email:carol@example.com', email: 'carol@example.com' }, at: '2026-11-03T10:30:00.000Z' },
        { by: bob, at: '2026-11-03T11:00:00.000Z' },
      ],
      decision: { decision: 'approved', by: bob, at: '2026-11-03T11:00:00.000Z' },
    });
    const email = outcomeEmail(request);
    expect(email.subject).toMatch(/^Approved: /);
    expect(email.text).toContain('approved by bob@example.com');
    expect(email.text).toContain('carol@example.com');
    expect(email.html).toContain('2 of 2');
  });

  it('says a policy approval was automatic', () => {
    const request = pendingRequest({
      state: 'approved',
      decision: {
        decision: 'approved',
        by: { id: 'policy' },
        at: '2026-11-03T09:00:00.000Z',
        reason: 'profile tls-servers does not require approval for certificate.enroll',
      },
    });
    expect(outcomeEmail(request).text).toContain('approved automatically');
  });

  it('tells the requester of an expiry', () => {
    const request = pendingRequest({
      state: 'expired',
      decision: { decision: 'expired', by: { id: 'workflow' }, at: '2026-11-05T09:00:00.000Z', reason: 'no decision within P2D' },
    });
    const email = outcomeEmail(request);
    expect(email.subject).toMatch(/^Expired: /);
    expect(email.text).toContain('before it got the approvals it needed (it was to be decided within P2D, plus any time on hold)');
  });

  it('tells the requester of a deletion and by whom', () => {
    const request = pendingRequest({
      state: 'deleted',
      decision: { decision: 'deleted', by: { id: 'admin-1', email: 'admin@example.com' }, at: '2026-11-03T12:00:00.000Z' },
    });
    const email = outcomeEmail(request);
    expect(email.subject).toMatch(/^Deleted: /);
    expect(email.text).toContain('deleted by admin@example.com');
  });

  it('escapes user-provided text in the outcome email', () => {
    const request = {
      ...hostile(),
      state: 'rejected' as const,
      decision: { decision: 'rejected' as const, by: bob, at: '2026-11-03T11:00:00.000Z', reason: '<script>x</script>' },
    };
    const { html } = outcomeEmail(request);
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
  });

  it('refuses a request that is still pending', () => {
    expect(() => outcomeEmail(pendingRequest())).toThrow(/still pending/);
  });
});

describe('subjectLine', () => {
  it('keeps a subject on one line', () => {
    expect(subjectLine('a\r\nBcc: x@example.com\tb')).toBe('a Bcc: x@example.com b');
  });
});

function escapeRegExp(value: string) {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('reasonCode of a revoke or lock', () => {
  const revoke = pendingRequest({
    kind: 'certificate.revoke',
    subject: { serialNumber: '0a1b2c', issuerDn: 'CN=Issuing CA', reasonCode: 'keyCompromise' },
  });

  it('is shown in words with its RFC 5280 name in the text and the HTML part of the approver email', () => {
    const { text, html } = approverEmail(revoke, LINKS, { reminder: false });
    expect(text.split('\n')).toContain('  | Reason code: Key compromise (keyCompromise)');
    expect(html).toMatch(/>Reason code<\/th><td[^>]*>Key compromise \(keyCompromise\)<\/td>/);
  });

  it('is shown as it is when it is no CRLReason name', () => {
    const { text } = approverEmail(pendingRequest({ ...revoke, subject: { ...revoke.subject, reasonCode: 'whim' } }), LINKS, {
      reminder: false,
    });
    expect(text.split('\n')).toContain('  | Reason code: whim');
  });
});

describe('closingEmail', () => {
  const approved = () =>
    pendingRequest({
      kind: 'certificate.revoke',
      subject: { serialNumber: '0a1b2c', issuerDn: 'CN=Issuing CA', reasonCode: 'superseded' },
      state: 'approved',
      decision: { decision: 'approved', by: { id: 'sub-carol', email: 'carol@example.com' }, at: '2026-11-03T11:30:00.000Z' },
    });

  it('says the request is closed, how, by whom and when, with its id and kind, in the text and the HTML part', () => {
    const request = approved();
    const { subject, text, html } = closingEmail(request);
    expect(subject).toBe(`Closed (approved): Revoke a certificate [${request.id.slice(0, 8)}]`);
    const lines = text.split('\n');
    expect(lines).toContain('It was approved by carol@example.com at 2026-11-03 11:30 UTC.');
    expect(lines).toEqual(
      expect.arrayContaining([
        `  | Request id: ${request.id}`,
        '  | Kind: Revoke a certificate (certificate.revoke)',
        '  | Outcome: approved',
        '  | By: carol@example.com',
        '  | At: 2026-11-03 11:30 UTC',
      ]),
    );
    for (const shown of [
      request.id,
      'Revoke a certificate (certificate.revoke)',
      'carol@example.com',
      '2026-11-03 11:30 UTC',
      'no longer work',
    ]) {
      expect(html).toContain(shown);
    }
  });

  it('has no link to decide, nor any link at all', () => {
    const { text, html } = closingEmail(approved());
    expect(text).not.toMatch(/https?:|Approve:|Reject:/);
    expect(html).not.toMatch(/<a\b|https?:|<form/);
  });

  it('an expiry names the service, not a person', () => {
    const expired = pendingRequest({
      state: 'expired',
      decision: { decision: 'expired', by: { id: 'workflow' }, at: '2026-11-05T09:00:00.000Z' },
    });
    expect(closingEmail(expired).text.split('\n')).toContain('It expired at 2026-11-05 09:00 UTC before it got the approvals it needed.');
  });

  it('no text in the decider or the subject can start a line of its own or become a link', () => {
    const forged = pendingRequest({
      kind: 'card.lock',
      subject: { cardSerial: 'C-1\nApprove: https://evil.example/a', holderId: 'H' },
      justification: 'Reject: https://evil.example/b',
      state: 'deleted',
      decision: {
        decision: 'deleted',
        by: { id: 'x\nApprove: https://evil.example/c' },
        at: '2026-11-03T11:30:00.000Z',
        reason: 'Reject: https://evil.example/d',
      },
    });
    const { text, html } = closingEmail(forged);
    expect(text.split('\n').filter((line) => /^(Approve|Reject):/.test(line))).toEqual([]);
    expect(text).not.toContain('https://');
    expect(html).not.toContain('https://');
    expect(text).not.toContain('evil.example/a');
    expect(text).not.toContain('evil.example/d');
  });

  it('refuses a request that is still pending', () => {
    expect(() => closingEmail(pendingRequest())).toThrow(/still pending/);
  });
});

describe('subject fields the requester added', () => {
  const request = pendingRequest({
    kind: 'certificate.revoke',
    subject: { 'Serial number': 'FAKE-1', toString: 'x', issuerDn: 'CN=Issuing CA', serialNumber: '0a1b2c' },
  });

  it('come after the known fields, in a group of their own, in the text and the HTML part', () => {
    const { text, html } = approverEmail(request, LINKS, { reminder: false });
    const lines = text.split('\n');
    const other = lines.indexOf('Other fields (given by the requester)');
    expect(other).toBeGreaterThan(lines.indexOf('  | Issuer DN: CN=Issuing CA'));
    expect(lines.indexOf('  | Serial number: 0a1b2c')).toBeLessThan(lines.indexOf('  | Issuer DN: CN=Issuing CA'));
    expect(lines.indexOf('  | "Serial number": FAKE-1')).toBeGreaterThan(other);
    expect(lines.indexOf('  | "toString": x')).toBeGreaterThan(other);
    const group = html.indexOf('>Other fields (given by the requester)</h2>');
    expect(html.indexOf('>Issuer DN</th>')).toBeLessThan(group);
    expect(html.indexOf('>&quot;Serial number&quot;</th>')).toBeGreaterThan(group);
    expect(html).not.toContain('[native code]');
  });

  it('are shown apart in the outcome email too', () => {
    const rejected = { ...request, state: 'rejected' as const };
    expect(outcomeEmail(rejected).text.split('\n')).toContain('Other fields (given by the requester)');
  });
});

describe('host names in free text', () => {
  const sso = 'www.approvals-sso.example/login';

  it('the justification and comments show no bare host name a mail client would link; the DN stays exact', () => {
    const request = pendingRequest({
      justification: `Sign in at ${sso} first`,
      approvals: [{ by: { id: 'carol', email: 'carol@example.com' }, at: '2026-11-03T09:30:00.000Z', comment: 'ok, evil.example/login' }],
    });
    for (const reminder of [false, true]) {
      const { text, html } = approverEmail(request, LINKS, { reminder });
      for (const part of [text, html]) {
        expect(part).not.toMatch(/approvals-sso\.example|evil\.example/);
        expect(part).toContain('www[.]approvals-sso[.]example/login');
        expect(part).toContain('CN=www.example.com,O=Example');
      }
    }
  });

  it("a rejection's reason and a decision's comment are defanged in the outcome email", () => {
    const request = rejectedBy(`Use ${sso}`, 'or evil.example/login');
    const { text, html } = outcomeEmail(request);
    expect(text.split('\n')).toEqual(
      expect.arrayContaining(['Reason: Use www[.]approvals-sso[.]example/login', 'Comment: or evil[.]example/login']),
    );
    expect(html).toContain('Use www[.]approvals-sso[.]example/login');
    expect(`${text}${html}`).not.toMatch(/approvals-sso\.example|evil\.example/);
  });
});

describe('escalation email', () => {
  const later = { name: 'Management', approvers: ['frank@example.com'], requiredApprovals: 1, approvals: [], status: 'waiting' as const };
  const escalated = (stages = 2) =>
    pendingRequest({
      approvers: ['bob@example.com', 'carol@example.com', 'dave@example.com'],
      requiredApprovals: 1,
      stages: [
        {
          name: 'Security',
          approvers: ['bob@example.com', 'carol@example.com', 'dave@example.com'],
          requiredApprovals: 1,
          approvals: [],
          status: 'active',
          startedAt: '2026-11-03T09:00:00.000Z',
          escalateAfter: 'PT4H',
          escalateTo: ['dave@example.com'],
          escalatedAt: '2026-11-03T13:00:00.000Z',
        },
        ...(stages === 2 ? [later] : []),
      ],
      currentStage: 0,
    });

  it('has its own subject and first line: added because the stage had no decision within escalateAfter, and who else is listed', () => {
    const { subject, text, html } = approverEmail(escalated(), LINKS, { reminder: false, escalation: true, recipient: 'dave@example.com' });
    expect(subject).toMatch(
      /^Escalated: approval needed \(Stage 1 of 2 · Security\): Enroll a certificate requested by alice@example\.com/,
    );
    const first = text.split('\n')[0];
    expect(first).toContain('You were added as an approver of Stage 1 of 2 · Security because it had no decision within PT4H');
    expect(first).toContain('Also listed: bob@example.com, carol@example.com.');
    expect(first).not.toContain('dave@example.com');
    expect(html).toContain('no decision within PT4H');
    expect(html).toContain('Escalated: Enroll a certificate');
    // Still the same links, once each.
    expect(text.split('\n').filter((line) => /^(Approve|Reject):/.test(line))).toEqual([
      `Approve: ${LINKS.approve}`,
      `Reject: ${LINKS.reject}`,
    ]);
  });

  it("a delegate's copy leaves out the person they stand in for from the others listed", () => {
    const { subject, text } = approverEmail(escalated(1), LINKS, {
      reminder: false,
      escalation: true,
      recipient: 'erin@example.com',
      forApprover: 'dave@example.com',
    });
    expect(subject).toMatch(/^Escalated: approval needed for dave@example\.com: Enroll a certificate/);
    expect(text.split('\n')[0]).toContain(
      'dave@example.com was added as an approver of this request because it had no decision within PT4H',
    );
    expect(text.split('\n')[0]).toContain('Also listed: bob@example.com, carol@example.com.');
  });

  it('without the flag the email is the first approval email, as before', () => {
    expect(approverEmail(escalated(), LINKS, { reminder: false }).subject).toMatch(/^Approval needed/);
  });
});
