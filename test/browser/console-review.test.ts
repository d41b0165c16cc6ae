/**
 * The console as an approver, a PKI officer, a requester and an admin meet it: decisions confirmed in a
 * dialog with their comment, a P10's due diligence, what ended requests and policy approvals say, times
 * in the viewer's zone, durations in words, and a layout that fits 1440 px. Each journey saves a
 * screenshot under test-results/console-review/ and passes axe-core's serious checks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { formatLocal, formatUtc } from '../../console/src/time';
import { assertChromium } from '../helpers/browser';
import { type ConsoleSession, chooseOption, screenshot, seriousViolations, startConsole } from '../helpers/console-browser';
import { cardRequest, profile, type TestUser, users } from '../helpers/stack';

const screenshots = join(__dirname, '..', '..', 'test-results', 'console-review');
const fixture = (name: string) => readFileSync(join(__dirname, '..', 'fixtures', 'csr', name), 'utf8');
let session: ConsoleSession;

beforeAll(async () => {
  assertChromium();
  session = await startConsole(screenshots);
  await session.api(
    'PUT',
    '/profiles/cards',
    users.admin,
    profile({ approvers: [users.carol.email, users.dave.email], requiredApprovals: 1 }),
  );
}, 180_000);

afterAll(async () => {
  await session?.stop();
});

const api = (method: string, path: string, as: TestUser, body?: unknown) => session.api(method, path, as, body);
const shot = (page: Page, name: string, fullPage = true) => screenshot(page, join(screenshots, `${name}.png`), fullPage);
const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
const newCardRequest = (as: TestUser, holderId: string, profileId = 'cards', kind = 'card.request') =>
  api('POST', '/requests', as, {
    ...cardRequest(profileId, {
      subject: { holderId, cardProfile: 'PIV standard', ...(kind === 'card.request-multiple' ? { count: 3 } : {}) },
    }),
    kind,
  });
const enroll = (csr: string, subjectDn: string) =>
  api('POST', '/requests', users.alice, { kind: 'certificate.enroll', profileId: 'cards', subject: { method: 'P10', subjectDn, csr } });

test('Approve asks to confirm and sends its comment; Cancel decides nothing', async () => {
  const request = await newCardRequest(users.alice, 'approve-comment');
  const page = await signIn(users.carol, `/requests/${request.id}`);
  await button(page, 'Approve').click();
  const dialog = page.getByRole('dialog');
  await dialog.getByText('Yours is approval 1 of 1: the request will be approved.').waitFor();
  expect(await seriousViolations(page)).toEqual([]);
  await shot(page, 'approve-dialog', false);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'hidden' });
  expect((await api('GET', `/requests/${request.id}`, users.admin)).state).toBe('requested');

  await button(page, 'Approve').click();
  await dialog.getByLabel('Comment').fill('holder checked with HR');
  await dialog.getByRole('button', { name: 'Approve request' }).click();
  await page.getByText('Request approved.').waitFor();
  const approved = await api('GET', `/requests/${request.id}`, users.admin);
  expect(approved).toMatchObject({ state: 'approved', decision: { comment: 'holder checked with HR' } });
  expect(approved.approvals).toEqual([expect.objectContaining({ comment: 'holder checked with HR' })]);
  await page.getByText('carol@example.com at', { exact: false }).waitFor();
  await page.getByText(': holder checked with HR', { exact: false }).first().waitFor();
  await shot(page, 'approved-with-comment');
});

test('Put on hold takes a comment; the request stays pending and shows who held it and why', async () => {
  const request = await newCardRequest(users.alice, 'hold-comment');
  const page = await signIn(users.carol, `/requests/${request.id}`);
  await button(page, 'Put on hold').click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Comment').fill('waiting for the badge office');
  expect(await seriousViolations(page)).toEqual([]);
  await shot(page, 'hold-dialog', false);
  await dialog.getByRole('button', { name: 'Put on hold' }).click();
  await page.getByText('Request put on hold. It stays pending.').waitFor();
  expect(await api('GET', `/requests/${request.id}`, users.admin)).toMatchObject({
    state: 'requested',
    onHold: true,
    hold: { by: { id: 'carol' }, comment: 'waiting for the badge office' },
  });
  await page.getByText(': waiting for the badge office', { exact: false }).first().waitFor();
  await shot(page, 'held-with-comment');
});

test('an enrollment shows its due diligence: extensions, key fingerprint, signature check, and the PEM to view, copy and download', async () => {
  const pem = fixture('ec-p256-extensions.csr');
  const request = await enroll(pem, 'CN=device-17.example.com,O=Example');
  const page = await signIn(users.carol, `/requests/${request.id}`);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: session.apiUrl });
  for (const text of [
    'EC 256 bits (P-256)',
    'digitalSignature, keyEncipherment (critical)',
    'serverAuth, clientAuth',
    'Not a CA (end entity) (critical)',
    'ECDSA with SHA-256',
    "Verifies with the request's public key",
    // openssl req -pubkey -noout | openssl pkey -pubin -outform DER | openssl dgst -sha256 -c, upper-cased
    '41:F4:61:FB:F2:38:4C:DB:AD:8A:BF:5D:B3:43:9A:5F:D5:5D:E1:F1:7A:88:D0:96:6C:00:B1:C8:FA:A9:CC:26',
  ]) {
    await page.getByText(text, { exact: true }).first().waitFor();
  }
  await page.getByRole('button', { name: 'Certificate request (PEM)' }).click();
  expect((await page.locator('pre.pem').textContent())?.trim()).toBe(pem.trim());
  await shot(page, 'csr-due-diligence');
  expect(await seriousViolations(page)).toEqual([]);

  await button(page, 'Copy PEM').click();
  await page.getByText('PEM copied').waitFor();
  expect((await page.evaluate<string>('navigator.clipboard.readText()')).trim()).toBe(pem.trim());

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download .csr' }).click()]);
  expect(download.suggestedFilename()).toBe('device-17.example.com.csr');
  expect(readFileSync(await download.path(), 'utf8').trim()).toBe(pem.trim());
});

test('a request whose signature does not verify says so, and an algorithm the browser cannot verify says "not checked"', async () => {
  const altered = await enroll(fixture('ec-p256-bad-signature.csr'), 'CN=device-87.example.com,O=Example');
  const dsa = await enroll(fixture('dsa-2048.csr'), 'CN=dsa.example.com');
  const page = await signIn(users.carol, `/requests/${altered.id}`);
  await page.getByText('Does not verify: the request was altered or not signed by this key').waitFor();
  expect(await page.getByText("Verifies with the request's public key").count()).toBe(0);
  await shot(page, 'csr-bad-signature');

  await page.goto(`${session.apiUrl}/console/requests/${dsa.id}`);
  await page.getByText('Not checked: this browser cannot verify DSA with SHA-256 signatures').waitFor();
  await page.getByText('E3:AA:A2:E4:2B:F0:55:B4', { exact: false }).waitFor();
  expect(await seriousViolations(page)).toEqual([]);
  await shot(page, 'csr-not-checked');
});

test('policy approvals and ended requests say what is true, pending ones when they expire, in the viewer’s own time zone', async () => {
  await api('PUT', '/profiles/open', users.admin, profile({ requireApprovalFor: [] }));
  await api(
    'PUT',
    '/profiles/quick',
    users.admin,
    profile({ approvers: [users.carol.email], requireApprovalFor: ['card.request-multiple'], expireAfter: 'PT5H' }),
  );
  const policy = await newCardRequest(users.alice, 'by-policy', 'open');
  expect(policy).toMatchObject({ state: 'approved', decision: { by: { id: 'policy' } } });
  const rejected = await newCardRequest(users.alice, 'was-rejected');
  await api('POST', `/requests/${rejected.id}/decisions`, users.dave, { decision: 'reject', reason: 'duplicate' });
  const pending = await newCardRequest(users.alice, 'expires-soon', 'quick', 'card.request-multiple');
  const zone = { locale: 'en-GB', timeZone: 'Europe/Berlin' };

  const page = await signIn(users.carol, '/requests', { locale: zone.locale, timezoneId: zone.timeZone });
  const row = (holder: string) => page.locator('table tbody tr').filter({ hasText: holder });
  await row('by-policy').getByText('Approved by policy').waitFor();
  await row('by-policy').getByText('Not needed').waitFor();
  const decidedAt = formatLocal(policy.decision.at, zone);
  await row('by-policy').getByText(`Decided ${decidedAt} by policy`).waitFor();
  expect(await row('by-policy').getByText('0 of 1').count()).toBe(0);
  const rejectedAt = formatLocal((await api('GET', `/requests/${rejected.id}`, users.admin)).decision.at, zone);
  await row('was-rejected').getByText(`Decided ${rejectedAt} by dave@example.com`).waitFor();
  await row('expires-soon').getByText('Expires in 5 h').waitFor();
  // Created in Berlin time, the UTC time on hover.
  const created = row('expires-soon').locator(`time[datetime="${pending.createdAt}"]`);
  expect(await created.textContent()).toBe(formatLocal(pending.createdAt, zone));
  expect(await created.getAttribute('title')).toBe(formatUtc(pending.createdAt));
  expect(formatLocal(pending.createdAt, zone)).not.toBe(formatLocal(pending.createdAt, { locale: 'en-GB', timeZone: 'UTC' }));
  // The kind stays on one line, and the table fits the window.
  const kind = row('expires-soon').getByRole('link', { name: 'Request cards' });
  expect(await kind.evaluate((link) => link.getClientRects().length)).toBe(1);
  expect(await kind.evaluate((link) => link.getBoundingClientRect().height)).toBeLessThan(30);
  await shot(page, 'requests-ended-and-pending');
  expect(await overflowing(page)).toEqual([]);
  expect(await seriousViolations(page)).toEqual([]);

  await row('by-policy').getByRole('link').first().click();
  await page.waitForURL(`**/console/requests/${policy.id}`);
  await page.getByText('None needed: approved by policy').waitFor();
  await page.getByText(`Decided ${decidedAt} by policy`).waitFor();
  expect(await page.getByText('Approved by policy', { exact: true }).count()).toBe(1);
  expect(await page.getByText('0 of 1', { exact: false }).count()).toBe(0);
  expect(await page.getByText('Expires', { exact: true }).count()).toBe(0);
  await shot(page, 'request-approved-by-policy');
});

test('the Profiles table fits 1440 px and shows durations in words; the editor takes a number and a unit and sends ISO-8601', async () => {
  const many = Array.from({ length: 8 }, (_, n) => `approver.with.a.long.name.${n}@subsidiary.example.com`);
  await api('PUT', '/profiles/everything', users.admin, {
    ...profile({
      approvers: many,
      requireApprovalFor: [
        'card.request',
        'card.request-multiple',
        'card.deactivate',
        'card.reactivate',
        'card.lock',
        'certificate.enroll',
        'certificate.revoke',
        'certificate.lock',
      ],
    }),
    name: 'Every kind, many approvers',
    remindAfter: 'PT4H',
    expireAfter: 'P3D',
  });
  const page = await signIn(users.admin, '/profiles');
  const row = page.locator('table tbody tr').filter({ hasText: 'Every kind, many approvers' });
  await row.getByText('4 hours', { exact: true }).waitFor();
  await row.getByText('3 days', { exact: true }).waitFor();
  expect(await page.getByText('PT4H').count()).toBe(0);
  const wide = await overflowing(page);
  await shot(page, 'profiles-1440');
  expect(wide).toEqual([]);
  expect(await seriousViolations(page)).toEqual([]);

  await button(page, 'Create profile').click();
  await page.getByLabel('Profile ID').fill('badges');
  await page.getByLabel('Name').fill('Badges');
  await page.getByLabel('Approvers').fill('carol@example.com');
  await page.getByRole('spinbutton', { name: 'Remind after' }).fill('30');
  await chooseUnit(page, 'Remind after', 'Minutes');
  await page.getByRole('spinbutton', { name: 'Expire after' }).fill('361');
  await button(page, 'Save profile').click();
  await page.getByText('must be at most 360 days').waitFor();
  await expect(api('GET', '/profiles/badges', users.admin)).rejects.toThrow(/404/);
  await page.getByRole('spinbutton', { name: 'Expire after' }).fill('');
  await button(page, 'Save profile').click();
  await page.getByText('must be a whole number, 1 or more').waitFor();
  expect(await seriousViolations(page)).toEqual([]);
  await shot(page, 'profile-duration-error');

  await page.getByRole('spinbutton', { name: 'Expire after' }).fill('2');
  await button(page, 'Save profile').click();
  await page.waitForURL('**/console/profiles');
  expect(await api('GET', '/profiles/badges', users.admin)).toMatchObject({ remindAfter: 'PT30M', expireAfter: 'P2D' });
  await page.locator('table tbody tr').filter({ hasText: 'Badges' }).getByText('30 minutes', { exact: true }).waitFor();

  await page.goto(`${session.apiUrl}/console/profiles/badges/edit`);
  expect(await page.getByRole('spinbutton', { name: 'Remind after' }).inputValue()).toBe('30');
  expect(await page.getByRole('spinbutton', { name: 'Expire after' }).inputValue()).toBe('2');
  await page
    .getByRole('button', { name: /Remind after unit/ })
    .getByText('Minutes')
    .waitFor();
  await page
    .getByRole('button', { name: /Expire after unit/ })
    .getByText('Days')
    .waitFor();
  await shot(page, 'profile-editor');
});

test('"What do you want to do" is in the navigation of approvers and admins, not of requesters', async () => {
  const nav = (page: Page) => page.getByRole('navigation', { name: 'Side navigation' });
  const requester = await signIn(users.bob, '/requests');
  await nav(requester).getByRole('link', { name: 'Requests', exact: true }).waitFor();
  expect(await nav(requester).getByRole('link', { name: 'What do you want to do' }).count()).toBe(0);
  await shot(requester, 'requester-navigation', false);

  for (const user of [users.carol, users.admin]) {
    const page = await signIn(user, '/requests');
    await nav(page).getByRole('link', { name: 'What do you want to do' }).click();
    await page.waitForURL('**/console/tasks');
    await page.getByText('Requests waiting for your decision: open one to approve, reject or put it on hold', { exact: false }).waitFor();
  }
});

async function signIn(user: TestUser, path: string, options?: Parameters<ConsoleSession['signIn']>[2]) {
  return session.signIn(user, path, options);
}

async function chooseUnit(page: Page, field: string, unit: string) {
  await chooseOption(page, page.getByRole('button', { name: new RegExp(`${field} unit`) }), unit);
}

/** Every scrolling box around the page's table, and the page itself, wider than its box: none when the table fits. */
async function overflowing(page: Page) {
  // Measured with the side navigation open, the narrowest the content gets at this width.
  const open = page.getByRole('button', { name: 'Open side navigation' });
  if (await open.isVisible()) await open.click();
  await page.getByRole('navigation', { name: 'Side navigation' }).getByRole('link', { name: 'Requests', exact: true }).waitFor();
  return page.evaluate<string[]>(`(() => {
    const found = [];
    for (let element = document.querySelector('table'); element; element = element.parentElement) {
      if (element.scrollWidth > element.clientWidth + 1 && getComputedStyle(element).overflowX !== 'visible')
        found.push(element.tagName + '.' + element.className + ' ' + element.scrollWidth + ' > ' + element.clientWidth);
    }
    if (document.documentElement.scrollWidth > window.innerWidth) found.push('page ' + document.documentElement.scrollWidth + ' > ' + window.innerWidth);
    return found;
  })()`);
}
