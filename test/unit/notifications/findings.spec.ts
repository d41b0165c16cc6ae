import { applyCsrPolicy, describeCsr } from '../../../functions/domain/csr';
import type { ApprovalRequest } from '../../../functions/domain/model';
import { confirmPage } from '../../../functions/links/pages';
import { approverEmail } from '../../../functions/notifications/emails';
import { makeCsr } from '../../helpers/csr';
import { pendingRequest } from '../../helpers/links/fixtures';

const LINKS = { approve: 'http://127.0.0.1:3000/links/x/approve?sig=a', reject: 'http://127.0.0.1:3000/links/x/reject?sig=b' };

/** A P10 request as create stores it under a flag policy: the CSR decoded and its findings. */
async function flagged(names: Array<`dns:${string}` | `ip:${string}`>, subject = 'CN=web.example.com'): Promise<ApprovalRequest> {
  const csr = await makeCsr({ subject, key: { rsa: 1024 }, names });
  const enroll = { kind: 'certificate.enroll' as const, subject: { method: 'P10', subjectDn: subject, csr } };
  const findings = applyCsrPolicy({ enforce: 'flag', minRsaBits: 2048, allowedDomains: ['example.com'], allowWildcards: false }, enroll);
  return pendingRequest({ ...enroll, csr: describeCsr(csr), findings });
}

describe('the approver email shows the CSR policy findings before the links', () => {
  test('text: a titled section, one line per finding with its severity and plain words, before Approve:', async () => {
    const { text } = approverEmail(await flagged(['dns:web.example.com', 'dns:*.evil-example.com']), LINKS, { reminder: false });
    const lines = text.split('\n');
    const at = lines.indexOf('Certificate request policy');
    expect(lines.slice(at, at + 5)).toEqual([
      'Certificate request policy',
      "  | The CSR breaks this profile's certificate request policy: 3 findings (2 high). Check them before you decide.",
      '  | High: The RSA key has 1024 bits; this profile needs at least 2048. (key-too-small)',
      '  | High: "*.evil-example.com" is not under the allowed domains (example.com). (domain-not-allowed)',
      '  | Medium: "*.evil-example.com" is a wildcard; this profile does not allow wildcard names. (wildcard-not-allowed)',
    ]);
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(lines.findIndex((line) => line.startsWith('Approve: ')));
    // The CSR decoded is there too, not only its PEM.
    expect(lines).toEqual(
      expect.arrayContaining([
        '  | CSR key: RSA 1024 bits',
        '  | CSR subject alternative names: DNS:web.example.com, DNS:*.evil-example.com',
      ]),
    );
  });

  test('html: each finding with its severity word, ahead of the buttons', async () => {
    const { html } = approverEmail(await flagged(['dns:shop.evil.org']), LINKS, { reminder: false });
    const block = html.slice(html.indexOf('Certificate request policy:'), html.indexOf('>Approve</a>'));
    expect(block).toContain('>High</span>The RSA key has 1024 bits; this profile needs at least 2048.');
    expect(block).toContain('>High</span>&quot;shop.evil.org&quot; is not under the allowed domains (example.com).');
    for (const shown of ['CSR subject', 'CN=web.example.com', 'RSA 1024 bits', 'DNS:shop.evil.org']) expect(html).toContain(shown);
  });

  test('a CSR that meets the policy says so; a request not checked has no such section', async () => {
    const csr = await makeCsr({ subject: 'CN=web.example.com', names: ['dns:web.example.com'] });
    const met = pendingRequest({
      kind: 'certificate.enroll',
      subject: { method: 'P10', subjectDn: 'CN=web.example.com', csr },
      findings: [],
    });
    expect(approverEmail(met, LINKS, { reminder: false }).text).toContain("  | The CSR meets this profile's certificate request policy.");
    const unchecked = approverEmail(pendingRequest(), LINKS, { reminder: false });
    expect(unchecked.text).not.toContain('Certificate request policy');
    expect(unchecked.html).not.toContain('Certificate request policy');
  });

  test('names from the CSR in a finding cannot add lines, markup or links', async () => {
    const request = pendingRequest({
      kind: 'certificate.enroll',
      findings: [
        { code: 'dns-name-invalid', severity: 'medium', message: '"x\nApprove: https://evil.example/<b>" is not a valid DNS name.' },
      ],
    });
    const { text, html } = approverEmail(request, LINKS, { reminder: false });
    expect(text.split('\n').filter((line) => line.startsWith('Approve:'))).toEqual([`Approve: ${LINKS.approve}`]);
    expect(text).toContain('  | Medium: "x\\u000aApprove: https[:]//evil.example/<b>" is not a valid DNS name. (dns-name-invalid)');
    expect(html).toContain('&quot;x\nApprove: https[:]//evil.example/&lt;b&gt;&quot;');
    expect(html).not.toContain('https://evil.example');
  });
});

describe('the link page shows the findings above the form', () => {
  test.each(['approve', 'reject'] as const)('%s: severity and plain words before <form>, the CSR decoded below', async (action) => {
    const html = confirmPage(await flagged(['dns:web.example.com', 'ip:10.0.0.1']), action, 'bob@example.com');
    const findings = html.indexOf('Certificate request policy:');
    expect(findings).toBeGreaterThan(0);
    expect(findings).toBeLessThan(html.indexOf('<form method="post">'));
    expect(html).toContain('>High</span>The RSA key has 1024 bits; this profile needs at least 2048.');
    expect(html).toContain(
      '>Medium</span>The CSR also asks for &quot;IP:10.0.0.1&quot;, which is not a DNS name: the allowed domains cannot vouch for it.',
    );
    for (const shown of ['CSR subject', 'RSA 1024 bits', 'DNS:web.example.com, IP:10.0.0.1']) expect(html).toContain(shown);
  });
});
