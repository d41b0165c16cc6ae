/**
 * The certificate request policy in the console: an admin edits it in the profile editor (the API's
 * messages on its fields), and an approver sees a flagged CSR's findings on the request page before
 * deciding. Screenshots under test-results/console-csr-policy/; axe-core's serious checks pass.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { waitFor } from '../../local/net';
import { assertChromium } from '../helpers/browser';
import { type ConsoleSession, chooseOption, chooseOptions, screenshot, seriousViolations, startConsole } from '../helpers/console-browser';
import { makeCsr } from '../helpers/csr';
import { profile, users } from '../helpers/stack';

const screenshots = join(__dirname, '..', '..', 'test-results', 'console-csr-policy');
let session: ConsoleSession;

beforeAll(async () => {
  assertChromium();
  session = await startConsole(screenshots);
  await session.api('PUT', '/profiles/tls', users.admin, profile({ name: 'TLS servers', approvers: [users.carol.email] }));
}, 180_000);

afterAll(async () => {
  await session?.stop();
});

const shot = (page: Page, name: string) => screenshot(page, join(screenshots, `${name}.png`));

/** The texts a field's aria-describedby points at: its description and its error. */
async function describedBy(page: Page, field: ReturnType<Page['getByRole']>): Promise<string> {
  const ids = ((await field.getAttribute('aria-describedby')) ?? '').split(/\s+/).filter(Boolean);
  const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).textContent()));
  return texts.join(' ');
}

test("an admin sets a profile's CSR policy; the API's message shows on the field it names", async () => {
  const page = await session.signIn(users.admin, '/profiles/tls/edit');
  await page.getByRole('heading', { name: 'Certificate request policy' }).waitFor();
  await chooseOption(page, page.getByRole('button', { name: /Enforcement/ }), /^Flag/);
  await chooseOptions(page, page.getByRole('button', { name: /Key algorithms/ }), ['RSA', 'EC']);
  const minRsa = page.getByRole('spinbutton', { name: 'Minimum RSA key size (bits)' });
  await minRsa.fill('512');
  await page.getByRole('textbox', { name: 'Allowed domains' }).fill('example.com\nexa_mple.org');
  await page.getByRole('button', { name: 'Save profile', exact: true }).click();
  await waitFor(async () => (await describedBy(page, minRsa)).includes('must be at least 1024'), {
    timeoutMs: 10_000,
    what: "the API's message on Minimum RSA key size",
  });
  expect(await describedBy(page, page.getByRole('textbox', { name: 'Allowed domains' }))).toContain(
    'Line 2: must be a domain such as example.com',
  );
  expect((await session.api('GET', '/profiles/tls', users.admin)).csrPolicy).toBeUndefined();
  expect(await seriousViolations(page)).toEqual([]);
  await shot(page, 'editor-refused');

  await minRsa.fill('2048');
  await page.getByRole('textbox', { name: 'Allowed domains' }).fill('example.com');
  await page.getByRole('spinbutton', { name: 'Maximum subject alternative names' }).fill('2');
  await page.getByRole('button', { name: 'Save profile', exact: true }).click();
  await page.waitForURL('**/console/profiles');
  expect((await session.api('GET', '/profiles/tls', users.admin)).csrPolicy).toEqual({
    enforce: 'flag',
    keyAlgorithms: ['RSA', 'EC'],
    minRsaBits: 2048,
    allowedDomains: ['example.com'],
    allowWildcards: false,
    maxSans: 2,
  });

  // Opened again, the editor shows the policy as stored.
  await page.goto(`${session.apiUrl}/console/profiles/tls/edit`);
  await expect(page.getByRole('spinbutton', { name: 'Minimum RSA key size (bits)' }).inputValue()).resolves.toBe('2048');
  expect(await page.getByRole('textbox', { name: 'Allowed domains' }).inputValue()).toBe('example.com');
  await shot(page, 'editor-saved');
});

test("an approver sees a flagged CSR's findings, with severity and plain words, above the request", async () => {
  await session.api(
    'PUT',
    '/profiles/tls-flag',
    users.admin,
    profile({
      approvers: [users.carol.email],
      csrPolicy: { enforce: 'flag', minRsaBits: 2048, allowedDomains: ['example.com'], maxSans: 2 },
    }),
  );
  const subjectDn = 'CN=*.example.com, O=Example';
  const csr = await makeCsr({
    subject: subjectDn,
    key: { rsa: 1024 },
    names: ['dns:*.example.com', 'dns:shop.evil.org', 'dns:example.com'],
  });
  const request = await session.api('POST', '/requests', users.alice, {
    kind: 'certificate.enroll',
    profileId: 'tls-flag',
    subject: { method: 'P10', subjectDn, csr },
  });
  expect(request.findings).toHaveLength(4);

  const page = await session.signIn(users.carol, `/requests/${request.id}`);
  const findings = page.getByRole('table').filter({ hasText: 'Severity' });
  await findings.waitFor();
  const rows = await findings.locator('tbody tr').allInnerTexts();
  expect(rows.map((row) => row.replace(/\s+/g, ' ').trim())).toEqual([
    'High The RSA key has 1024 bits; this profile needs at least 2048. key-too-small',
    'High "shop.evil.org" is not under the allowed domains (example.com). domain-not-allowed',
    'Medium "*.example.com" is a wildcard; this profile does not allow wildcard names. wildcard-not-allowed',
    'Low The CSR asks for 3 subject alternative names; this profile allows at most 2. too-many-sans',
  ]);
  await page.getByText("The CSR breaks this profile's certificate request policy (2 high). Check before you decide.").waitFor();
  // Above the request and its decision buttons' subject: the findings come before Request information.
  const [findingsTop, informationTop] = await Promise.all([
    findings.boundingBox(),
    page.getByRole('heading', { name: 'Request information' }).boundingBox(),
  ]);
  expect(findingsTop?.y ?? Number.POSITIVE_INFINITY).toBeLessThan(informationTop?.y ?? 0);
  await page.getByRole('button', { name: 'Approve', exact: true }).waitFor();
  expect(await seriousViolations(page)).toEqual([]);
  await shot(page, 'request-findings');
});
