import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeCsr } from '../../../functions/domain/csr';
import { confirmPage, describeConflict, errorPage, LINK_PAGE_HEADERS, resultPage } from '../../../functions/links/pages';
import { pendingRequest } from '../../helpers/links/fixtures';

const bob = { id: 'email:bob@example.com', email: 'bob@example.com' };

describe('confirmPage', () => {
  it('shows the CSR decoded: subject, key algorithm and size, SANs', () => {
    const csr = readFileSync(join(__dirname, '../../fixtures/csr/rsa-3072.csr'), 'utf8');
    const html = confirmPage(
      pendingRequest({ subject: { method: 'P10', subjectDn: 'CN=web.example.com,O=Example', csr }, csr: describeCsr(csr) }),
      'approve',
      'bob@example.com',
    );
    for (const shown of [
      'CSR subject',
      'CN=web.example.com, O=Example',
      'RSA 3072 bits',
      'DNS:web.example.com, DNS:www.example.com, IP:10.0.0.1',
    ]) {
      expect(html).toContain(shown);
    }
  });

  it('shows a form that posts to the page itself (no action attribute) with a confirm button', () => {
    const html = confirmPage(pendingRequest(), 'approve', 'bob@example.com');
    expect(html).toContain('<form method="post">');
    expect(html).not.toMatch(/<form[^>]*action=/);
    expect(html).toMatch(/<button type="submit"[^>]*>Approve request<\/button>/);
    expect(html).toContain('name="comment"');
    expect(html).not.toContain('name="reason"');
  });

  it('requires a reason on the reject form', () => {
    const html = confirmPage(pendingRequest(), 'reject', 'bob@example.com');
    expect(html).toMatch(/<textarea id="reason" name="reason" required[^>]*>/);
    expect(html).toMatch(/<button type="submit"[^>]*>Reject request<\/button>/);
  });

  it('shows the same request information as the email', () => {
    const html = confirmPage(pendingRequest(), 'approve', 'bob@example.com');
    for (const text of [
      '6f1c2b9e-3c1d-4e8a-9b7f-0a1b2c3d4e5f',
      'Enroll a certificate',
      'New web server',
      '0 of 2',
      'CN=www.example.com,O=Example',
      'alice@example.com',
      'user-alice',
    ]) {
      expect(html).toContain(text);
    }
  });

  it('escapes user-provided text and what the approver typed', () => {
    const request = pendingRequest({ justification: '<script>alert(1)</script>', subject: { method: 'ACME', subjectDn: '<img src=x>' } });
    const html = confirmPage(request, 'reject', 'bob@example.com', { error: 'reason <b>', reason: '</textarea><script>', comment: '"x"' });
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('</textarea><script');
    expect(html).toContain('&lt;/textarea&gt;&lt;script&gt;');
  });

  it('uses no JavaScript and nothing from elsewhere', () => {
    const html = confirmPage(pendingRequest(), 'reject', 'bob@example.com');
    expect(html).not.toMatch(/<script|\son[a-z]+=|javascript:|<link|<img|src=|@import|url\(/i);
  });

  it('tells that the request is on hold and can still be decided', () => {
    const html = confirmPage(
      pendingRequest({ onHold: true, hold: { by: bob, at: '2026-11-03T09:30:00.000Z', comment: 'waiting for HR' } }),
      'approve',
      'carol@example.com',
    );
    expect(html).toContain('On hold, since 2026-11-03 09:30 UTC by bob@example.com: waiting for HR');
  });

  it('tells until when a request is on hold', () => {
    const hold = { by: bob, at: '2026-11-03T09:30:00.000Z', until: '2026-11-04T08:00:00.000Z' };
    const html = confirmPage(pendingRequest({ onHold: true, hold }), 'approve', 'carol@example.com');
    expect(html).toContain('On hold until 2026-11-04 08:00 UTC, since 2026-11-03 09:30 UTC by bob@example.com. You can still decide.');
  });

  it('requires the comment to approve where the profile says so', () => {
    const strict = pendingRequest({ requireCommentOn: ['approve'] });
    expect(confirmPage(strict, 'approve', 'bob@example.com')).toMatch(
      /\(required for this request\)<\/span><\/label><textarea id="comment" name="comment" maxlength="2000" required>/,
    );
    expect(confirmPage(strict, 'reject', 'bob@example.com')).toMatch(/<textarea id="comment" name="comment" maxlength="2000">/);
  });
});

describe('resultPage and errorPage', () => {
  it('shows the message and the request after a decision', () => {
    const html = resultPage(pendingRequest({ state: 'rejected' }), 'You rejected <this> request.');
    expect(html).toContain('<h1>Request rejected</h1>');
    expect(html).toContain('You rejected &lt;this&gt; request.');
    expect(html).toContain('alice@example.com');
  });

  it('shows a title and message, escaped, and no stack', () => {
    const html = errorPage(409, 'Already <decided>', 'by <b>x</b>');
    expect(html).toContain('Already &lt;decided&gt;');
    expect(html).toContain('by &lt;b&gt;x&lt;/b&gt;');
    expect(html).not.toContain('<form');
  });
});

describe('describeConflict', () => {
  it('lets a listed approver decide a pending request they have not approved', () => {
    expect(describeConflict(pendingRequest(), 'bob@example.com')).toBeUndefined();
  });

  it('says the approver already approved a request still waiting for others', () => {
    const request = pendingRequest({ approvals: [{ by: bob, at: '2026-11-03T09:30:00.000Z' }] });
    expect(describeConflict(request, 'Bob@example.com')).toEqual({
      title: 'Already approved by you',
      message: 'You already approved this request at 2026-11-03 09:30 UTC. It has 1 of 2 approvals and is waiting for the others.',
    });
  });

  it('says who approved and when', () => {
    const request = pendingRequest({ state: 'approved', decision: { decision: 'approved', by: bob, at: '2026-11-03T10:00:00.000Z' } });
    expect(describeConflict(request, 'carol@example.com')?.message).toBe(
      'This request was approved by bob@example.com at 2026-11-03 10:00 UTC.',
    );
  });

  it('says who rejected, when, and why', () => {
    const request = pendingRequest({
      state: 'rejected',
      decision: { decision: 'rejected', by: bob, at: '2026-11-03T10:00:00.000Z', reason: 'wrong DN' },
    });
    expect(describeConflict(request, 'carol@example.com')?.message).toBe(
      'This request was rejected by bob@example.com at 2026-11-03 10:00 UTC. Reason: wrong DN',
    );
  });

  it('says when a request expired or was deleted', () => {
    const expired = pendingRequest({
      state: 'expired',
      decision: { decision: 'expired', by: { id: 'workflow' }, at: '2026-11-05T09:00:00.000Z' },
    });
    const deleted = pendingRequest({
      state: 'deleted',
      decision: { decision: 'deleted', by: { id: 'u', email: 'alice@example.com' }, at: '2026-11-03T12:00:00.000Z' },
    });
    expect(describeConflict(expired, 'bob@example.com')?.message).toBe('This request expired at 2026-11-05 09:00 UTC without a decision.');
    expect(describeConflict(deleted, 'bob@example.com')?.message).toBe(
      'This request was deleted by alice@example.com at 2026-11-03 12:00 UTC.',
    );
  });
});

describe('LINK_PAGE_HEADERS', () => {
  it('forbids caching, referrers, framing, sniffing and anything but inline styles', () => {
    expect(LINK_PAGE_HEADERS).toEqual({
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'Content-Security-Policy':
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
    });
  });
});

describe('reasonCode on the link page', () => {
  it('shows a revoke reason in words with its RFC 5280 name', () => {
    const html = confirmPage(
      pendingRequest({
        kind: 'certificate.lock',
        subject: { serialNumber: '0a1b2c', issuerDn: 'CN=Issuing CA', reasonCode: 'cACompromise' },
      }),
      'approve',
      'bob@example.com',
    );
    expect(html).toMatch(/>Reason code<\/th><td[^>]*>CA compromise \(cACompromise\)<\/td>/);
  });
});

describe('the request on the link page', () => {
  it("shows the kind's known subject fields first and the requester's other keys apart, quoted", () => {
    const request = pendingRequest({
      kind: 'certificate.revoke',
      subject: { 'Issuer DN': 'CN=Fake CA', toString: 'x', serialNumber: '0a1b2c', issuerDn: 'CN=Issuing CA' },
    });
    const html = confirmPage(request, 'approve', 'bob@example.com');
    const group = html.indexOf('>Other fields (given by the requester)</h2>');
    expect(group).toBeGreaterThan(html.indexOf('>Issuer DN</th><td'));
    expect(html.indexOf('>&quot;Issuer DN&quot;</th>')).toBeGreaterThan(group);
    expect(html.indexOf('>&quot;toString&quot;</th>')).toBeGreaterThan(group);
  });

  it('shows no bare host name of the justification or a comment as it is; the DN exactly', () => {
    const request = pendingRequest({
      justification: 'log in at www.approvals-sso.example/login',
      approvals: [{ by: bob, at: '2026-11-03T09:30:00.000Z', comment: 'see evil.example/login' }],
    });
    const html = confirmPage(request, 'approve', 'carol@example.com');
    expect(html).not.toMatch(/approvals-sso\.example|evil\.example/);
    expect(html).toContain('www[.]approvals-sso[.]example/login');
    expect(html).toContain('CN=www.example.com,O=Example');
  });
});
