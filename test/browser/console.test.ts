/**
 * The operator console in a real browser (Debian's Chromium) against `npm start`: sign-in through
 * the local OpenID provider's form, then the journeys of approvers, requesters and admins. Each
 * journey saves a screenshot under test-results/console/; axe-core checks the main pages.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, loadOrCreateKey, localIssuer } from '../../local/identity';
import { waitFor } from '../../local/net';
import { type RunningService, startService } from '../helpers/process';
import { cardRequest, profile, putDirectoryUser, type TestUser, users } from '../helpers/stack';
import { assertChromium, launchChromium, pageOptions } from '../helpers/browser';
import { chooseOption, seriousViolations } from '../helpers/console-browser';

const screenshots = join(__dirname, '..', '..', 'test-results', 'console');
const dataDir = mkdtempSync(join(tmpdir(), 'approvals-console-'));
let service: RunningService;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  assertChromium();
  mkdirSync(screenshots, { recursive: true });
  // The people the tests act as, in the user directory as the token command puts them.
  for (const user of Object.values(users)) putDirectoryUser(dataDir, user);
  service = await startService(dataDir);
  // npm start builds the console when it is missing or stale; the page is there once it answers 200.
  await waitFor(async () => (await fetch(`${service.apiUrl}/console/`)).status === 200, {
    timeoutMs: 120_000,
    what: 'the console to be built',
  });
  browser = await launchChromium();
  await api('PUT', '/profiles/cards', users.admin, profile({ approvers: [users.carol.email, users.dave.email], requiredApprovals: 1 }));
}, 180_000);

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
  await service?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function api(method: string, path: string, as: TestUser, body?: unknown) {
  const issuer = await localIssuer(dataDir);
  const response = await fetch(`${service.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${await issuer.sign(as)}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  const parsed = (await response.json()) as any;
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(parsed)}`);
  return parsed;
}

const newRequest = (as: TestUser, subject: Record<string, unknown> = {}) =>
  api(
    'POST',
    '/requests',
    as,
    cardRequest('cards', { subject: { holderId: `h-${Math.random().toString(36).slice(2, 8)}`, cardProfile: 'PIV standard', ...subject } }),
  );

/** Opens a console address in a fresh browser and signs in on the provider's form. */
async function signIn(user: TestUser, path: string): Promise<Page> {
  const context = await browser.newContext(pageOptions);
  contexts.push(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${service.apiUrl}/console${path}`);
  await page.locator('input[name="sub"]').fill(user.sub);
  await page.locator('input[name="email"]').fill(user.email);
  await page.locator('input[name="groups"]').fill((user.groups ?? []).join(','));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.href.startsWith(`${service.apiUrl}/console${path.split('?')[0]}`));
  await page.locator('#top-nav').getByText(user.email, { exact: true }).locator('visible=true').first().waitFor();
  page.on('close', () => expect(errors).toEqual([]));
  return page;
}

/** The text that describes a number field (its hint and its error), as assistive technology reads it. */
async function describedBy(page: Page, label: string): Promise<string> {
  const ids = (await page.getByRole('spinbutton', { name: label, exact: true }).getAttribute('aria-describedby')) ?? '';
  const texts = await Promise.all(
    ids
      .split(/\s+/)
      .filter(Boolean)
      .map((id) =>
        page
          .locator(`[id="${id}"]`)
          .textContent()
          .catch(() => ''),
      ),
  );
  return texts.map((text) => text ?? '').join(' ');
}

async function shot(page: Page, name: string, fullPage = true) {
  // A full-page screenshot of a scrolled page draws the sticky top navigation mid-page.
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage });
}
const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
/** Approve and Put on hold ask to confirm in a dialog. */
async function approve(page: Page) {
  await button(page, 'Approve').click();
  await page.getByRole('dialog').getByRole('button', { name: 'Approve request', exact: true }).click();
}
async function hold(page: Page) {
  await button(page, 'Put on hold').click();
  await page.getByRole('dialog').getByRole('button', { name: 'Put on hold', exact: true }).click();
}
const stateOf = async (id: string) => (await api('GET', `/requests/${id}`, users.admin)).state as string;

test('an approver signs in, filters requested, opens a certificate request with its CSR decoded, approves, and the requester is emailed', async () => {
  const csr = readFileSync(join(__dirname, '..', 'fixtures', 'csr', 'rsa-3072.csr'), 'utf8');
  const request = await api('POST', '/requests', users.alice, {
    kind: 'certificate.enroll',
    profileId: 'cards',
    subject: { method: 'P10', subjectDn: 'CN=web.example.com,O=Example', csr },
    justification: 'new web server',
  });
  const approvedEarlier = await newRequest(users.bob);
  await api('POST', `/requests/${approvedEarlier.id}/decisions`, users.dave, { decision: 'approve' });
  await api('POST', '/requests', users.bob, {
    kind: 'certificate.revoke',
    profileId: 'cards',
    subject: { serialNumber: '4f1a09c2', issuerDn: 'CN=Example Issuing CA' },
  });
  const held = await newRequest(users.erin, { holderId: 'E-2044' });
  await api('POST', `/requests/${held.id}/decisions`, users.dave, { decision: 'hold', comment: 'waiting for HR' });

  const page = await signIn(users.carol, '/requests?state=requested');
  // The provider's ID token: Cognito's claims, the token command's key, issuer and audience.
  const idToken = String(
    await page.evaluate(
      "JSON.parse(sessionStorage.getItem(Object.keys(sessionStorage).find((key) => key.startsWith('oidc.user:')))).id_token",
    ),
  );
  expect(decodeProtectedHeader(idToken)).toMatchObject({ alg: 'ES256', kid: (await loadOrCreateKey(dataDir)).kid });
  expect(decodeJwt(idToken)).toMatchObject({
    iss: LOCAL_ISSUER,
    aud: LOCAL_AUDIENCE,
    sub: 'carol',
    email: 'carol@example.com',
    email_verified: true,
    'cognito:groups': ['approvers'],
  });
  const rows = page.locator('table tbody tr');
  await rows.filter({ hasText: 'CN=web.example.com,O=Example' }).waitFor();
  expect(await rows.filter({ hasText: approvedEarlier.subject.holderId }).count()).toBe(0);
  await rows.filter({ hasText: 'E-2044' }).getByText('On hold').waitFor();
  expect(await rows.count()).toBe(3);
  expect(await seriousViolations(page)).toEqual([]);
  await shot(page, 'requests');

  await rows.filter({ hasText: 'CN=web.example.com,O=Example' }).getByRole('link', { name: 'Enroll certificate' }).click();
  await page.waitForURL(`**/console/requests/${request.id}`);
  await page.getByRole('heading', { name: 'Certificate information' }).waitFor();
  for (const text of [
    'Request information',
    'Requester information',
    'CN=web.example.com, O=Example',
    'RSA 3072 bits',
    'DNS:www.example.com',
    'RSASSA-PKCS1-v1_5 with SHA-256',
    'alice@example.com',
  ]) {
    await page.getByText(text, { exact: false }).first().waitFor();
  }
  await page.getByText('carol@example.com, dave@example.com', { exact: true }).waitFor();
  expect(await seriousViolations(page)).toEqual([]);
  await shot(page, 'request');

  await approve(page);
  await page.getByText('Request approved.').waitFor();
  await page.getByText('Approved', { exact: true }).first().waitFor();
  expect(await button(page, 'Approve').count()).toBe(0);
  expect(await stateOf(request.id)).toBe('approved');
  await waitFor(
    async () => {
      const store = (await (await fetch(`${service.mailUrl}/store`)).json()) as {
        emails: Array<{ subject: string; destination: { to: string[] } }>;
      };
      return store.emails.some((email) => email.destination.to.includes(users.alice.email) && /approved/i.test(email.subject));
    },
    { timeoutMs: 20_000, what: "the requester's approved email in the mailbox" },
  );
  await shot(page, 'approved');
});

test('reject without a reason is refused in the dialog; with one it rejects', async () => {
  const request = await newRequest(users.alice);
  const page = await signIn(users.carol, `/requests/${request.id}`);
  await button(page, 'Reject').click();
  const dialog = page.getByRole('dialog');
  await button(page, 'Reject request').click();
  await dialog.getByText('A reason is required to reject a request.').waitFor();
  expect(await stateOf(request.id)).toBe('requested');
  await shot(page, 'reject-without-reason', false);

  await dialog.getByLabel('Reason').fill('not a current employee');
  await button(page, 'Reject request').click();
  await page.getByText('Request rejected.').waitFor();
  await page.getByText('Rejected', { exact: true }).first().waitFor();
  const rejected = await api('GET', `/requests/${request.id}`, users.admin);
  expect(rejected.state).toBe('rejected');
  expect(rejected.decision.reason).toBe('not a current employee');
  await shot(page, 'rejected');
});

test('put on hold keeps the request pending, marked on hold on the request and in the list', async () => {
  const request = await newRequest(users.alice, { holderId: 'held-holder' });
  const page = await signIn(users.carol, `/requests/${request.id}`);
  await hold(page);
  await page.getByText('Request put on hold.', { exact: false }).waitFor();
  await page.getByText('On hold', { exact: true }).first().waitFor();
  const held = await api('GET', `/requests/${request.id}`, users.admin);
  expect(held).toMatchObject({ state: 'requested', onHold: true });
  // Still pending: the decisions stay offered.
  await button(page, 'Approve').waitFor();
  await shot(page, 'held');

  await page.getByRole('link', { name: 'Requests', exact: true }).first().click();
  const row = page.locator('table tbody tr').filter({ hasText: 'held-holder' });
  await row.getByText('On hold', { exact: true }).waitFor();
});

test('hold, then the request shows on Tasks marked on hold, and the approver approves from there', async () => {
  const request = await newRequest(users.alice, { holderId: 'task-holder' });
  const other = await newRequest(users.alice, { holderId: 'task-other' });
  const page = await signIn(users.carol, `/requests/${request.id}`);
  await hold(page);
  await page.getByText('Request put on hold.', { exact: false }).waitFor();

  await page.getByRole('link', { name: 'What do you want to do', exact: true }).first().click();
  await page.waitForURL('**/console/tasks');
  const rows = page.locator('table tbody tr');
  const row = rows.filter({ hasText: 'task-holder' });
  await row.getByText('On hold', { exact: true }).waitFor();
  expect(await rows.filter({ hasText: 'task-other' }).getByText('On hold', { exact: true }).count()).toBe(0);
  // Newest first: the request created after the held one comes first.
  const holders = await rows.allInnerTexts();
  expect(holders.findIndex((text) => text.includes('task-other'))).toBeLessThan(holders.findIndex((text) => text.includes('task-holder')));
  await shot(page, 'tasks-on-hold');

  await row.getByRole('link').first().click();
  await page.waitForURL(`**/console/requests/${request.id}`);
  await approve(page);
  await page.getByText('Request approved.').waitFor();
  expect(await stateOf(request.id)).toBe('approved');

  await page.getByRole('link', { name: 'What do you want to do', exact: true }).first().click();
  await page.waitForURL('**/console/tasks');
  await rows.filter({ hasText: 'task-other' }).waitFor();
  expect(await rows.filter({ hasText: 'task-holder' }).count()).toBe(0);
  expect(await stateOf(other.id)).toBe('requested');
  await shot(page, 'tasks-after-approve');
});

test('a history longer than 100 entries shows the first page, then the newer entries from GET /requests/{id}/history', async () => {
  const request = await newRequest(users.alice, { holderId: 'long-history' });
  for (let n = 1; n <= 100; n++)
    await api('POST', `/requests/${request.id}/decisions`, users.carol, { decision: 'hold', comment: `hold ${n}` });
  const comments = (entries: Array<{ details?: { comment?: string } }>) => entries.map((entry) => entry.details?.comment);
  const first = await api('GET', `/requests/${request.id}`, users.admin);
  expect(first.history).toHaveLength(100);
  expect(first.historyNextCursor).toEqual(expect.any(String));
  // created, then 100 holds (and the approvers' notification): the last hold is past the first page.
  expect(comments(first.history)).not.toContain('hold 100');

  const page = await signIn(users.carol, `/requests/${request.id}`);
  const history = page.getByRole('list', { name: 'History, oldest first' });
  await history.getByText('comment: hold 1', { exact: true }).waitFor();
  expect(await history.locator('li').count()).toBe(100);
  expect(await history.getByText('comment: hold 100', { exact: true }).count()).toBe(0);
  await button(page, 'Show newer entries').click();
  await history.getByText('comment: hold 100', { exact: true }).waitFor();
  const rest = await api('GET', `/requests/${request.id}/history?cursor=${first.historyNextCursor}`, users.admin);
  expect(rest.nextCursor).toBeNull();
  expect(await history.locator('li').count()).toBe(100 + rest.items.length);
  expect(await button(page, 'Show newer entries').count()).toBe(0);
  await shot(page, 'long-history');
}, 120_000);

test('an admin deletes a pending request', async () => {
  const request = await newRequest(users.alice);
  const page = await signIn(users.admin, `/requests/${request.id}`);
  // an admin who is not an approver gets Delete, never Approve (checked once the page has loaded)
  await button(page, 'Delete request').waitFor();
  expect(await button(page, 'Approve').count()).toBe(0);
  await button(page, 'Delete request').click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
  await page.getByText('Request deleted.', { exact: false }).waitFor();
  await page.getByText('Deleted', { exact: true }).first().waitFor();
  expect(await stateOf(request.id)).toBe('deleted');
  expect(await button(page, 'Delete request').count()).toBe(0);
  await shot(page, 'deleted');
});

test('a requester sees only their own requests, and no decision buttons on them', async () => {
  const own = await newRequest(users.bob, { holderId: 'bob-own' });
  await newRequest(users.alice, { holderId: 'alice-other' });
  const page = await signIn(users.bob, '/requests');
  await page.getByText('Your requests, newest first.').waitFor();
  await page.locator('table tbody tr').filter({ hasText: 'bob-own' }).waitFor();
  expect(await page.locator('table tbody tr').filter({ hasText: 'alice-other' }).count()).toBe(0);
  const requesters = await page.locator('table tbody tr td:nth-child(3)').allInnerTexts();
  expect(new Set(requesters)).toEqual(new Set([users.bob.email]));
  await shot(page, 'requester-list');

  await page.locator('table tbody tr').filter({ hasText: 'bob-own' }).getByRole('link').click();
  await page.waitForURL(`**/console/requests/${own.id}`);
  await page.getByRole('heading', { name: 'Card information' }).waitFor();
  for (const name of ['Approve', 'Reject', 'Put on hold']) expect(await button(page, name).count()).toBe(0);
  // The requester may still withdraw a pending request.
  await button(page, 'Delete request').waitFor();
  await shot(page, 'requester-request');
});

test('an approver finds a request by its card serial in the Find box; the address keeps the find', async () => {
  const wanted = await newRequest(users.alice, { holderId: 'find-holder-1' });
  await api(
    'POST',
    '/requests',
    users.bob,
    cardRequest('cards', { kind: 'card.lock', subject: { cardSerial: 'CS-FIND-7', holderId: 'find-holder-2' } }),
  );
  const page = await signIn(users.carol, '/requests');
  await page.locator('table tbody tr').filter({ hasText: 'find-holder-1' }).waitFor();
  await page.getByRole('searchbox', { name: 'Find', exact: true }).fill(' CS-FIND-7 ');
  await page.waitForURL((url) => url.searchParams.get('find') === 'CS-FIND-7');
  await page.locator('table tbody tr').filter({ hasText: 'find-holder-2' }).waitFor();
  await page.locator('table tbody tr').filter({ hasText: 'find-holder-1' }).waitFor({ state: 'detached' });
  expect(await page.locator('table tbody tr').count()).toBe(1);
  expect(await seriousViolations(page)).toEqual([]);
  await shot(page, 'requests-find');

  await page.getByRole('searchbox', { name: 'Find', exact: true }).fill(wanted.id);
  await page.waitForURL((url) => url.searchParams.get('find') === wanted.id);
  await page.locator('table tbody tr').filter({ hasText: 'find-holder-1' }).waitFor();
  expect(await page.locator('table tbody tr').count()).toBe(1);
  await page.getByRole('searchbox', { name: 'Find', exact: true }).fill('nothing-holds-this');
  await page.getByText('No request matches what you are looking for.').waitFor();
});

test('an approver narrows the Requests page to a date range of created days; the address keeps the days', async () => {
  await newRequest(users.alice, { holderId: 'range-holder-1' });
  const page = await signIn(users.carol, '/requests');
  await page.locator('table tbody tr').filter({ hasText: 'range-holder-1' }).waitFor();
  const day = (offsetDays: number) => {
    const date = new Date(Date.now() + offsetDays * 86_400_000);
    return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
  };
  /** Types a day into one end of the range and waits until the page's address holds it. */
  const pick = async (name: string, param: string, value: string) => {
    const input = page.getByRole('textbox', { name, exact: true });
    await input.click();
    await input.pressSequentially(value.replaceAll('-', ''));
    await input.press('Enter');
    await page.waitForURL((url) => url.searchParams.get(param) === value);
  };
  // From tomorrow: nothing was created yet.
  await pick('Created from', 'from', day(1));
  await page.getByText('No requests match these filters.').waitFor();
  // From yesterday to today: today's requests are back, and the address says so.
  await page.getByRole('textbox', { name: 'Created from', exact: true }).fill('');
  await page.waitForURL((url) => !url.searchParams.has('from'));
  await pick('Created from', 'from', day(-1));
  await pick('Created to', 'to', day(0));
  expect(new URL(page.url()).searchParams.get('from')).toBe(day(-1));
  await page.locator('table tbody tr').filter({ hasText: 'range-holder-1' }).waitFor();
  expect(await seriousViolations(page)).toEqual([]);
  await shot(page, 'requests-date-range');
});

test('a decision that lost a race shows the API conflict as a message and the page shows the new state', async () => {
  const request = await newRequest(users.alice);
  const page = await signIn(users.carol, `/requests/${request.id}`);
  await button(page, 'Approve').waitFor();
  await api('POST', `/requests/${request.id}/decisions`, users.dave, { decision: 'reject', reason: 'duplicate' });

  await approve(page);
  await page.getByText('Approve refused (409)').waitFor();
  await page.getByText('request is rejected, no longer pending').waitFor();
  await page.getByText('Rejected', { exact: true }).first().waitFor();
  expect(await button(page, 'Approve').count()).toBe(0);
  await shot(page, 'conflict');
});

test('an admin creating a profile with durations the API refuses sees its message on that field', async () => {
  const page = await signIn(users.admin, '/profiles');
  await page.getByRole('heading', { name: 'Profiles' }).waitFor();
  expect(await seriousViolations(page)).toEqual([]);
  await shot(page, 'profiles');

  await button(page, 'Create profile').click();
  await page.getByLabel('Profile ID').fill('badges');
  await page.getByLabel('Name').fill('Badges');
  await page.getByLabel('Approvers').fill('carol@example.com');
  await page.getByRole('spinbutton', { name: 'Expire after' }).fill('1');
  await chooseOption(page, page.getByRole('button', { name: /Expire after unit/ }), 'Hours');
  await button(page, 'Save profile').click();
  // The API's message, on the field it names: 4 hours (the default) is not shorter than 1 hour.
  await waitFor(async () => (await describedBy(page, 'Remind after')).includes('must be shorter than Expire after'), {
    timeoutMs: 10_000,
    what: "the API's message on the Remind after field",
  });
  expect(await describedBy(page, 'Expire after')).not.toContain('must be');
  await expect(api('GET', '/profiles/badges', users.admin)).rejects.toThrow(/404/);
  expect(await seriousViolations(page)).toEqual([]);
  await shot(page, 'profile-invalid-duration');

  await page.getByRole('spinbutton', { name: 'Expire after' }).fill('3');
  await chooseOption(page, page.getByRole('button', { name: /Expire after unit/ }), 'Days');
  await button(page, 'Save profile').click();
  await page.waitForURL('**/console/profiles');
  expect((await api('GET', '/profiles/badges', users.admin)).expireAfter).toBe('P3D');
});

test('the tasks page says what it waits for and passes the accessibility check; signing out asks for sign-in again', async () => {
  const page = await signIn(users.carol, '/tasks');
  await page.getByRole('heading', { name: 'What do you want to do' }).waitFor();
  await page.locator('table').waitFor();
  // A locator, not waitForFunction: the console's CSP (script-src 'self') refuses the string it evaluates.
  await page.getByText('Loading requests').first().waitFor({ state: 'hidden' });
  expect(await seriousViolations(page)).toEqual([]);
  await shot(page, 'tasks');

  await page.locator('#top-nav').getByRole('button', { name: users.carol.email }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await page.getByText('You are signed out.').waitFor();
  await button(page, 'Sign in again').click();
  // The provider asks who you are again rather than reusing the last sign-in.
  await page.locator('input[name="sub"]').waitFor();
});

test("Sign out ends the provider's session too: the next visit to the console asks who you are instead of signing the last person in", async () => {
  const page = await signIn(users.dave, '/requests');
  const endSession: string[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname.startsWith('/session/end')) endSession.push(request.url());
  });
  await page.locator('#top-nav').getByRole('button', { name: users.dave.email }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  // Through the provider's end-session endpoint (RP-initiated logout) and back to the console.
  await page.waitForURL(`${service.apiUrl}/console/signed-out`);
  await page.getByText('You are signed out.').waitFor();
  const ended = new URL(defined(endSession[0]));
  expect(ended.searchParams.get('post_logout_redirect_uri')).toBe(`${service.apiUrl}/console/signed-out`);
  expect(ended.searchParams.get('id_token_hint')).toBeTruthy();
  await shot(page, 'signed-out');

  // The next person at this browser opens the console: the provider shows its form, nobody is signed in.
  await page.goto(`${service.apiUrl}/console/requests`);
  await page.locator('input[name="sub"]').waitFor();
  expect(await page.locator('input[name="sub"]').inputValue()).toBe('');
  await expect(page.locator('#top-nav').count()).resolves.toBe(0);
  await shot(page, 'sign-in-after-sign-out');
});

function defined<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('the console did not go through the provider end-session endpoint');
  return value;
}
