/**
 * Hold until and release in the console, in a real browser against `npm start`: the hold dialog's
 * end date and time (the API's 400 shown on that field), "On hold until" on the request page, the
 * Release button, and a comment the profile requires. Screenshots under test-results/console-hold/.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { formatLocal } from '../../console/src/time';
import { assertChromium } from '../helpers/browser';
import { type ConsoleSession, chooseOptions, screenshot, seriousViolations, startConsole } from '../helpers/console-browser';
import { cardRequest, profile, type TestUser, users } from '../helpers/stack';

const screenshots = join(__dirname, '..', '..', 'test-results', 'console-hold');
let session: ConsoleSession;

beforeAll(async () => {
  assertChromium();
  session = await startConsole(screenshots);
  const approvers = [users.carol.email, users.dave.email];
  await session.api('PUT', '/profiles/cards', users.admin, profile({ approvers, requiredApprovals: 1 }));
  await session.api('PUT', '/profiles/strict', users.admin, profile({ approvers, requiredApprovals: 1, requireCommentOn: ['approve'] }));
}, 180_000);

afterAll(async () => {
  await session?.stop();
});

const api = (method: string, path: string, as: TestUser, body?: unknown) => session.api(method, path, as, body);
const shot = (page: Page, name: string) => screenshot(page, join(screenshots, `${name}.png`));
const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
const newRequest = (profileId: string, holderId: string) =>
  api('POST', '/requests', users.alice, cardRequest(profileId, { subject: { holderId, cardProfile: 'PIV standard' } }));

/** A local date (YYYY/MM/DD, as the date picker takes it) and time (HH:mm) `days` days from now at 10:00. */
function localDay(days: number): { day: string; iso: string } {
  const date = new Date();
  date.setDate(date.getDate() + days);
  date.setHours(10, 0, 0, 0);
  const pad = (value: number) => String(value).padStart(2, '0');
  return { day: `${date.getFullYear()}/${pad(date.getMonth() + 1)}/${pad(date.getDate())}`, iso: date.toISOString() };
}

async function holdUntil(page: Page, days: number) {
  const dialog = page.getByRole('dialog');
  await dialog.getByPlaceholder('YYYY/MM/DD').fill(localDay(days).day);
  await dialog.getByPlaceholder('hh:mm').fill('10:00');
  await dialog.getByRole('button', { name: 'Put on hold', exact: true }).click();
}

test('an approver holds until a date and time: a date too far is refused on the field, then the page says On hold until, and another approver releases', async () => {
  const request = await newRequest('cards', 'hold-until-holder');
  const page = await session.signIn(users.carol, `/requests/${request.id}`);
  await button(page, 'Put on hold').click();
  const dialog = page.getByRole('dialog');
  await dialog.getByText('On hold until', { exact: true }).waitFor();
  await holdUntil(page, 40);
  // the API's 400 names until: the message is on the date field, and the dialog stays open
  await dialog.getByText('until must be at most 30 days ahead', { exact: true }).waitFor();
  expect((await api('GET', `/requests/${request.id}`, users.admin)).onHold).toBe(false);
  await shot(page, 'hold-until-refused');

  await dialog.getByPlaceholder('YYYY/MM/DD').fill('');
  await dialog.getByPlaceholder('YYYY/MM/DD').fill(localDay(2).day);
  await dialog.getByRole('textbox', { name: 'Comment' }).fill('waiting for HR');
  await dialog.getByRole('button', { name: 'Put on hold', exact: true }).click();
  await page.getByText('Request put on hold until the time you chose.', { exact: false }).waitFor();
  const held = await api('GET', `/requests/${request.id}`, users.admin);
  expect(held).toMatchObject({ state: 'requested', onHold: true, hold: { until: localDay(2).iso, comment: 'waiting for HR' } });
  const shown = formatLocal(localDay(2).iso);
  await page.getByText(`On hold until ${shown}`, { exact: true }).waitFor();
  await button(page, 'Release hold').waitFor();
  // a held request offers Release hold instead of a second hold
  expect(await button(page, 'Put on hold').count()).toBe(0);
  // the expiry waits while held: it moves later by the whole hold
  const due = new Date(Date.parse(held.expiresAt) + Date.parse(held.hold.until) - Date.parse(held.hold.at)).toISOString();
  await page.getByText(`${formatLocal(due)} (in`, { exact: false }).waitFor();
  await page.getByText('if the hold lasts until its end', { exact: false }).waitFor();
  expect(await seriousViolations(page)).toEqual([]);
  await shot(page, 'held-until');

  const other = await session.signIn(users.dave, `/requests/${request.id}`);
  await button(other, 'Release hold').click();
  await other.getByText('Hold released. Reminders resume.', { exact: true }).waitFor();
  expect(await api('GET', `/requests/${request.id}`, users.admin)).toMatchObject({ state: 'requested', onHold: false });
  // the message shows once the page has reloaded the request: never beside the Release button it had
  expect(await button(other, 'Release hold').count()).toBe(0);
  await button(other, 'Put on hold').waitFor();
  await other.getByText('hold-released', { exact: false }).first().waitFor();
  await shot(other, 'released');
});

test('a profile that requires a comment to approve: the dialog says so and will not send without one', async () => {
  const request = await newRequest('strict', 'strict-holder');
  const page = await session.signIn(users.carol, `/requests/${request.id}`);
  await button(page, 'Approve').click();
  const dialog = page.getByRole('dialog');
  await dialog.getByText("Required for this request's profile.", { exact: false }).waitFor();
  await dialog.getByRole('button', { name: 'Approve request', exact: true }).click();
  await dialog.getByText('A comment is required to approve this request.', { exact: true }).waitFor();
  expect((await api('GET', `/requests/${request.id}`, users.admin)).state).toBe('requested');
  await shot(page, 'comment-required');
  await dialog.getByRole('textbox', { name: 'Comment' }).fill('identity checked in person');
  await dialog.getByRole('button', { name: 'Approve request', exact: true }).click();
  await page.getByText('Request approved.', { exact: true }).waitFor();
  expect(await api('GET', `/requests/${request.id}`, users.admin)).toMatchObject({
    state: 'approved',
    decision: { comment: 'identity checked in person' },
  });
});

test('the profile editor keeps and edits the comments a profile requires', async () => {
  const page = await session.signIn(users.admin, '/profiles/strict/edit');
  const field = page.getByRole('button', { name: /Comment required to/ });
  await page.getByText('Comment required to', { exact: true }).waitFor();
  await page.getByText('Approve', { exact: true }).waitFor();
  await chooseOptions(page, field, ['Put on hold']);
  await shot(page, 'profile-comment-required');
  await button(page, 'Save profile').click();
  await page.waitForURL('**/console/profiles');
  expect((await api('GET', '/profiles/strict', users.admin)).requireCommentOn).toEqual(['approve', 'hold']);
});
