import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { localIssuer } from '../../local/identity';
import { waitFor } from '../../local/net';
import { type RunningService, startService } from '../helpers/process';
import { cardRequest, profile, putDirectoryUser, users } from '../helpers/stack';
import { assertChromium, launchChromium, pageOptions } from '../helpers/browser';

const dataDir = mkdtempSync(join(tmpdir(), 'approvals-browser-'));
let service: RunningService | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  assertChromium();
  // The people the tests act as, in the user directory as the token command puts them.
  for (const user of Object.values(users)) putDirectoryUser(dataDir, user);
  service = await startService(dataDir);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await service?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function api(method: string, path: string, as: (typeof users)[keyof typeof users], body?: unknown) {
  const issuer = await localIssuer(dataDir);
  const response = await fetch(`${service?.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${await issuer.sign(as)}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  return (await response.json()) as any;
}

test('an approver opens the email in the web mailbox, clicks Approve, confirms, and the requester is told', async () => {
  await api('PUT', '/profiles/cards', users.admin, profile({ approvers: [users.carol.email] }));
  const request = await api('POST', '/requests', users.alice, cardRequest('cards'));
  expect(request.state).toBe('requested');

  const page = await (browser as Browser).newPage(pageOptions);
  await page.goto(service?.mailUrl ?? '');
  const email = page.locator('.email', { hasText: 'Approval needed' }).filter({ hasText: users.carol.email });
  const approve = email.frameLocator('.email-html iframe').getByRole('link', { name: 'Approve', exact: true });
  // The mailbox's page (aws-ses-v2-local's own) once opened the HTML view without the link in a
  // CI run on a busy machine: the view is opened again, on the page reloaded, until the link shows.
  await waitFor(
    async () => {
      await email.waitFor({ timeout: 20_000 });
      await email.getByRole('button', { name: 'Toggle HTML view' }).click();
      const shown = await approve.waitFor({ timeout: 10_000 }).then(
        () => true,
        () => false,
      );
      if (!shown) await page.reload();
      return shown;
    },
    { timeoutMs: 90_000, what: "the approval email's Approve link in the mailbox's HTML view" },
  );

  const [confirmPage] = await Promise.all([page.context().waitForEvent('page'), approve.click()]);
  await confirmPage.waitForLoadState();
  await confirmPage.getByRole('heading', { name: /Approve this request/ }).waitFor();
  expect(await confirmPage.content()).toContain('PIV standard');
  expect((await api('GET', `/requests/${request.id}`, users.admin)).state).toBe('requested');

  await confirmPage.getByRole('button', { name: 'Approve request' }).click();
  await confirmPage.getByText(/request is now approved/i).waitFor();
  expect((await api('GET', `/requests/${request.id}`, users.admin)).state).toBe('approved');

  await page.reload();
  await page
    .locator('.email', { hasText: /Approved/ })
    .filter({ hasText: users.alice.email })
    .waitFor({ timeout: 20_000 });
  await waitFor(
    async () =>
      (await api('GET', `/requests/${request.id}`, users.admin)).history.some(
        (entry: { type: string; details?: { purpose?: string } }) => entry.type === 'notified' && entry.details?.purpose === 'outcome',
      ),
    {
      timeoutMs: 10_000,
      what: 'the outcome notification in the history',
    },
  );
});
