/**
 * The operators' console parts in a real browser against `npm start`: Approve selected and Reject
 * selected on Tasks (a result per request, one refused), Export on Requests (the downloaded file
 * read back), Download evidence and Send reminder on a request. Keyboard use, axe with no serious
 * or critical findings; screenshots under test-results/console-operators/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Download, Page } from 'playwright-core';
import { waitFor } from '../../local/net';
import { assertChromium } from '../helpers/browser';
import { type ConsoleSession, screenshot, seriousViolations, startConsole } from '../helpers/console-browser';
import { cardRequest, profile, type TestUser, users } from '../helpers/stack';

const screenshots = join(__dirname, '..', '..', 'test-results', 'console-operators');
let session: ConsoleSession;

beforeAll(async () => {
  assertChromium();
  session = await startConsole(screenshots);
  const approvers = [users.carol.email, users.dave.email];
  await session.api('PUT', '/profiles/ops', users.admin, profile({ approvers, requiredApprovals: 1 }));
  // Reminders of the workflow off; the requester's may go 30 seconds after the last email.
  await session.api(
    'PUT',
    '/profiles/nudge',
    users.admin,
    profile({ approvers, requiredApprovals: 1, remindAfter: 'PT30S', maxReminders: 0 }),
  );
}, 180_000);

afterAll(async () => {
  await session?.stop();
});

const api = (method: string, path: string, as: TestUser, body?: unknown) => session.api(method, path, as, body);
const shot = (page: Page, name: string) => screenshot(page, join(screenshots, `${name}.png`));
const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
const newRequest = (profileId: string, holderId: string) =>
  api('POST', '/requests', users.alice, cardRequest(profileId, { subject: { holderId, cardProfile: 'PIV standard' } }));
const checkbox = (page: Page, holderId: string) => page.getByRole('checkbox', { name: new RegExp(`${holderId}.*, by `) });
const downloaded = async (download: Download) => readFileSync((await download.path()) as string, 'utf8');

test('Tasks: select several by mouse and keyboard, Approve selected, a result per request with the refused one named', async () => {
  const first = await newRequest('ops', 'batch-holder-1');
  const second = await newRequest('ops', 'batch-holder-2');
  const third = await newRequest('ops', 'batch-holder-3');
  const page = await session.signIn(users.carol, '/tasks');
  await checkbox(page, 'batch-holder-1').check();
  // By keyboard: focus the row's check box and press Space.
  await checkbox(page, 'batch-holder-2').focus();
  await page.keyboard.press('Space');
  await checkbox(page, 'batch-holder-3').check();
  await page.getByText('(3 selected)').waitFor();
  expect(await seriousViolations(page)).toEqual([]);
  await shot(page, 'tasks-selected');
  // Meanwhile another approver decides the third: its result is the single route's 409.
  await api('POST', `/requests/${third.id}/decisions`, users.dave, { decision: 'approve' });

  await button(page, 'Approve selected').click();
  const dialog = page.getByRole('dialog');
  await dialog.getByText('Approve 3 requests').waitFor();
  await dialog.getByRole('textbox', { name: 'Comment' }).fill('checked in bulk');
  expect(await seriousViolations(page)).toEqual([]);
  await dialog.getByRole('button', { name: 'Approve selected', exact: true }).click();
  await page.getByText('2 of 3 decided. The results below name each request.').waitFor();
  const results = page.getByRole('table', { name: 'Results of the decisions' });
  await results.getByText('Approved', { exact: true }).first().waitFor();
  await results.getByText(/^409: request is approved/).waitFor();
  expect(await results.getByText('Approved', { exact: true }).count()).toBe(2);
  for (const request of [first, second]) {
    expect(await api('GET', `/requests/${request.id}`, users.admin)).toMatchObject({
      state: 'approved',
      approvals: [{ by: { id: users.carol.sub }, comment: 'checked in bulk' }],
    });
  }
  expect(await seriousViolations(page)).toEqual([]);
  await shot(page, 'tasks-results');
}, 180_000);

test('Tasks: Reject selected asks for one reason and sends it for each', async () => {
  const first = await newRequest('ops', 'reject-holder-1');
  const second = await newRequest('ops', 'reject-holder-2');
  const page = await session.signIn(users.carol, '/tasks');
  await checkbox(page, 'reject-holder-1').check();
  await checkbox(page, 'reject-holder-2').check();
  await button(page, 'Reject selected').click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Reject selected', exact: true }).click();
  await dialog.getByText('Enter the reason for rejecting these requests.').waitFor();
  expect((await api('GET', `/requests/${first.id}`, users.admin)).state).toBe('requested');
  await shot(page, 'tasks-reject-reason');
  await dialog.getByRole('textbox', { name: 'Reason' }).fill('duplicate orders');
  await page.keyboard.press('Tab');
  await dialog.getByRole('button', { name: 'Reject selected', exact: true }).click();
  await page.getByText('2 of 2 decided. The results below name each request.').waitFor();
  for (const request of [first, second]) {
    expect(await api('GET', `/requests/${request.id}`, users.admin)).toMatchObject({
      state: 'rejected',
      decision: { reason: 'duplicate orders' },
    });
  }
});

test('Requests: Export downloads every request of the chosen days as CSV and as JSON Lines', async () => {
  const request = await newRequest('ops', '=HYPERLINK("x")');
  const page = await session.signIn(users.carol, '/requests');
  await button(page, 'Export').click();
  const dialog = page.getByRole('dialog');
  await dialog.getByText('Export requests').waitFor();
  expect(await seriousViolations(page)).toEqual([]);
  await shot(page, 'export-dialog');
  const [csv] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Download', exact: true }).click()]);
  expect(csv.suggestedFilename()).toMatch(/^requests-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/);
  const rows = parse(await downloaded(csv), { columns: true }) as Array<Record<string, string>>;
  const row = rows.find((candidate) => candidate.id === request.id);
  expect(row).toMatchObject({ state: 'requested', requester: users.alice.email, profileId: 'ops' });
  const searched = await api('GET', `/requests?limit=100`, users.admin);
  expect(rows.length).toBe(searched.items.length);
  await dialog.getByText(/^Downloaded requests-/).waitFor();

  await dialog.getByRole('radio', { name: /JSON Lines/ }).check();
  const [jsonl] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Download', exact: true }).click()]);
  const lines = (await downloaded(jsonl)).split('\n').filter(Boolean);
  expect(lines.map((line) => JSON.parse(line).id)).toEqual(rows.map((candidate) => candidate.id));
});

test('a request: its requester sends a reminder naming the awaited approvers, and downloads the evidence', async () => {
  const request = await newRequest('nudge', 'nudge-holder');
  // The reminder may go once the approval emails went out, remindAfter (30 s) before now.
  const notified = await waitFor(
    async () =>
      ((await api('GET', `/requests/${request.id}`, users.admin)).history as Array<{ type: string; at: string }>).find(
        (entry) => entry.type === 'notified',
      ),
    { timeoutMs: 20_000, what: 'the approval emails', intervalMs: 200 },
  );
  const page = await session.signIn(users.alice, `/requests/${request.id}`);
  await waitFor(async () => Date.now() > Date.parse(notified.at) + 30_500, {
    timeoutMs: 45_000,
    what: 'remindAfter to pass',
    intervalMs: 200,
  });
  await button(page, 'Send reminder').click();
  const dialog = page.getByRole('dialog');
  const awaited = dialog.getByRole('list', { name: 'Awaited approvers' });
  expect(await awaited.getByRole('listitem').allTextContents()).toEqual([users.carol.email, users.dave.email]);
  expect(await seriousViolations(page)).toEqual([]);
  await shot(page, 'reminder-dialog');
  await dialog.getByRole('button', { name: 'Send reminder', exact: true }).click();
  await page.getByText(`Reminder sent to ${users.carol.email}, ${users.dave.email}.`).waitFor();
  await dialog.waitFor({ state: 'hidden' });
  // At once again: too soon after the last email.
  await button(page, 'Send reminder').click();
  await dialog.getByRole('button', { name: 'Send reminder', exact: true }).click();
  await page.getByText('Send reminder refused (429)').waitFor();
  await page.getByText('The approvers were emailed less than 30 seconds ago. You can send a reminder from', { exact: false }).waitFor();
  await shot(page, 'reminder-refused');

  const [file] = await Promise.all([page.waitForEvent('download'), button(page, 'Download evidence').click()]);
  expect(file.suggestedFilename()).toBe(`evidence-${request.id}.json`);
  const evidence = JSON.parse(await downloaded(file));
  expect(evidence.request.id).toBe(request.id);
  expect(
    evidence.emails.filter((email: { requestedBy?: string }) => email.requestedBy === 'requester').map((email: { to: string }) => email.to),
  ).toEqual([users.carol.email, users.dave.email]);
  expect(await seriousViolations(page)).toEqual([]);
  await shot(page, 'request-evidence');

  // An approver sees Download evidence but not Send reminder.
  const approver = await session.signIn(users.carol, `/requests/${request.id}`);
  await button(approver, 'Download evidence').waitFor();
  expect(await button(approver, 'Send reminder').count()).toBe(0);
  // remindAfter is waited out once (30 s) on a machine that may be busy.
}, 240_000);
