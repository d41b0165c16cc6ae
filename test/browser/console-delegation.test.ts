/**
 * Out of office in the console, in a real browser against `npm start`: an approver sets a delegate
 * (the API's 400 shown on the field it names), the delegate's Tasks page (linked in the navigation
 * though he is no approver) shows the delegated request marked with whom it is for, the delegate approves it for the approver, the approver
 * removes the delegation, and the profile editor's Delegation checkbox. Screenshots under
 * test-results/console-delegation/.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { assertChromium } from '../helpers/browser';
import { type ConsoleSession, screenshot, seriousViolations, startConsole } from '../helpers/console-browser';
import { cardRequest, profile, type TestUser, users } from '../helpers/stack';

const screenshots = join(__dirname, '..', '..', 'test-results', 'console-delegation');
let session: ConsoleSession;

beforeAll(async () => {
  assertChromium();
  session = await startConsole(screenshots);
  await session.api(
    'PUT',
    '/profiles/away',
    users.admin,
    profile({ approvers: [users.carol.email, users.dave.email], requiredApprovals: 1 }),
  );
}, 180_000);

afterAll(async () => {
  await session?.stop();
});

const api = (method: string, path: string, as: TestUser, body?: unknown) => session.api(method, path, as, body);
const shot = (page: Page, name: string) => screenshot(page, join(screenshots, `${name}.png`));
const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });

/** A local date (YYYY/MM/DD, as the date picker takes it) `days` days from now. */
function localDay(days: number): string {
  const date = new Date();
  date.setDate(date.getDate() + days);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}/${pad(date.getMonth() + 1)}/${pad(date.getDate())}`;
}

test('an approver hands over to a delegate, who sees the delegated task, approves it for them, and the approver removes the delegation', async () => {
  const page = await session.signIn(users.carol, '/out-of-office');
  await page.getByRole('heading', { name: 'Out of office', exact: true }).waitFor();
  await page.getByText('You have no delegation', { exact: false }).waitFor();

  // To herself: the API's 400 names `to`, and the message is on that field.
  await page.getByLabel('Delegate').fill('Carol+away@example.com');
  // The second date picker is Until's (From's is first).
  await page.getByPlaceholder('YYYY/MM/DD').nth(1).fill(localDay(3));
  await button(page, 'Set delegation').click();
  await page.getByText('must be someone other than yourself', { exact: true }).waitFor();
  expect(await seriousViolations(page)).toEqual([]);
  await shot(page, 'refused-yourself');

  // Bob is a user of the directory outside the approvers group: as Carol's delegate he reads and decides her requests.
  await page.getByLabel('Delegate').fill(users.bob.email);
  await button(page, 'Set delegation').click();
  await page.getByText('Active', { exact: true }).waitFor();
  await page.getByText(users.bob.email, { exact: true }).waitFor();
  expect(await api('GET', '/me/delegation', users.carol)).toMatchObject({ to: users.bob.email, active: true });
  expect(await seriousViolations(page)).toEqual([]);
  await shot(page, 'delegation-active');

  const request = await api(
    'POST',
    '/requests',
    users.alice,
    cardRequest('away', { subject: { holderId: 'deleg-holder', cardProfile: 'PIV' } }),
  );
  const tasks = await session.signIn(users.bob, '/tasks');
  await tasks.getByText(`Delegated: for ${users.carol.email}`, { exact: true }).waitFor();
  // Bob is no approver: the Tasks link is in his navigation because work is handed over to him.
  await tasks.getByRole('navigation').getByRole('link', { name: 'What do you want to do', exact: true }).waitFor();
  expect(await seriousViolations(tasks)).toEqual([]);
  await shot(tasks, 'delegate-tasks');

  await tasks.getByRole('link', { name: 'Request card' }).first().click();
  await tasks.getByText(`Deciding for ${users.carol.email} (out of office)`, { exact: true }).waitFor();
  expect(await seriousViolations(tasks)).toEqual([]);
  await shot(tasks, 'delegate-request');
  await button(tasks, 'Approve').click();
  await tasks.getByRole('dialog').getByRole('button', { name: 'Approve request', exact: true }).click();
  await tasks.getByText('Request approved.', { exact: false }).waitFor();
  const approved = await api('GET', `/requests/${request.id}`, users.admin);
  expect(approved.approvals).toEqual([
    expect.objectContaining({
      by: { id: users.bob.sub, email: users.bob.email },
      for: { id: users.carol.sub, email: users.carol.email },
    }),
  ]);

  await button(page, 'Remove delegation').click();
  await page.getByText('You have no delegation', { exact: false }).waitFor();
  await expect(api('GET', '/me/delegation', users.carol)).rejects.toThrow(/404/);
});

test("the profile editor's Delegation checkbox saves allowDelegation", async () => {
  const page = await session.signIn(users.admin, '/profiles/away/edit');
  const checkbox = page.getByRole('checkbox', { name: 'Allow delegates to decide' });
  await checkbox.waitFor();
  expect(await checkbox.isChecked()).toBe(true);
  await checkbox.uncheck();
  // No axe check here: the editor's kind tokens (Cloudscape's multiselect) carry a finding of their own.
  await shot(page, 'profile-delegation');
  await button(page, 'Save profile').click();
  await page.waitForURL('**/console/profiles');
  expect((await api('GET', '/profiles/away', users.admin)).allowDelegation).toBe(false);
});
