/**
 * The console's Dashboard against `npm start`: GET /stats drawn as Cloudscape charts, the figures
 * those of the requests the test made, the profile chosen by keyboard alone, the charts named for a
 * screen reader, axe-core's serious checks clean. The screenshot goes to test-results/console-dashboard/.
 */
import { join } from 'node:path';
import { waitFor } from '../../local/net';
import { assertChromium } from '../helpers/browser';
import { type ConsoleSession, screenshot, seriousViolations, startConsole } from '../helpers/console-browser';
import { cardRequest, profile, users } from '../helpers/stack';

const screenshots = join(__dirname, '..', '..', 'test-results', 'console-dashboard');
let session: ConsoleSession;

beforeAll(async () => {
  assertChromium();
  session = await startConsole(screenshots);
  for (const id of ['cards', 'badges'])
    await session.api(
      'PUT',
      `/profiles/${id}`,
      users.admin,
      profile({ name: id === 'cards' ? 'Smart cards' : 'Badges', approvers: [users.carol.email, users.dave.email] }),
    );
}, 180_000);

afterAll(async () => {
  await session?.stop();
});

const create = (profileId: string, holderId: string) =>
  session.api('POST', '/requests', users.alice, cardRequest(profileId, { subject: { holderId, cardProfile: 'PIV standard' } }));

test('the Dashboard draws the statistics of the requests made, per profile chosen by keyboard, with charts a screen reader can name', async () => {
  // cards: 2 approved, 1 rejected, 2 pending; badges: 1 pending.
  const cards = [];
  for (let n = 0; n < 5; n++) cards.push(await create('cards', `dash-${n}`));
  await create('badges', 'dash-badge');
  for (const request of cards.slice(0, 2))
    await session.api('POST', `/requests/${request.id}/decisions`, users.carol, { decision: 'approve' });
  await session.api('POST', `/requests/${cards[2].id}/decisions`, users.dave, { decision: 'reject', reason: 'not needed' });
  // The counters follow the stream: wait until the API counts every change.
  await waitFor(async () => (await session.api('GET', '/stats', users.admin)).counts.rejected === 1, {
    timeoutMs: 20_000,
    what: 'the counters',
  });

  const page = await session.signIn(users.carol, '/dashboard');
  await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
  const summary = (label: string) => page.locator('dt', { hasText: label }).locator('xpath=following-sibling::dd[1]');
  await waitFor(async () => (await summary('Requests created').textContent()) === '6', {
    timeoutMs: 10_000,
    what: 'all profiles: 6 requests',
  });
  expect(await summary('Pending now').textContent()).toBe('3');
  expect(await page.getByRole('img', { name: 'Requests by state' }).or(page.getByLabel('Requests by state')).count()).toBeGreaterThan(0);
  expect(await page.getByText('Pending: 3, Approved: 2, Rejected: 1, Expired: 0, Deleted: 0').count()).toBeGreaterThan(0);

  // Keyboard only: from Refresh, Tab to the profile field, open it, go down to Smart cards, pick it.
  await page.getByRole('button', { name: 'Refresh' }).focus();
  await page.keyboard.press('Tab');
  expect(await page.evaluate<string>(`document.activeElement?.textContent ?? ''`)).toContain('All profiles');
  await page.keyboard.press('Enter');
  await page.getByRole('option', { name: /Smart cards/ }).waitFor();
  // Down the list as a screen reader user goes, hearing each option (the one aria-activedescendant names).
  const highlighted = () =>
    page.evaluate<string>(`(() => {
      const id = document.activeElement?.getAttribute('aria-activedescendant');
      return id ? (document.getElementById(id)?.textContent ?? '') : '';
    })()`);
  for (let presses = 0; presses < 4 && !(await highlighted()).includes('Smart cards'); presses++) await page.keyboard.press('ArrowDown');
  expect(await highlighted()).toContain('Smart cards');
  await page.keyboard.press('Enter');
  await waitFor(async () => (await summary('Requests created').textContent()) === '5', { timeoutMs: 10_000, what: 'cards: 5 requests' });
  expect(await summary('Pending now').textContent()).toBe('2');
  expect(await page.getByText('Pending: 2, Approved: 2, Rejected: 1, Expired: 0, Deleted: 0').count()).toBeGreaterThan(0);
  expect(await page.getByText('Under 1 day: 2, 1 to 3 days: 0, 3 to 7 days: 0, Over 7 days: 0').count()).toBeGreaterThan(0);

  // The decisions as a table too: today has 2 approvals and 1 rejection.
  await page.getByRole('button', { name: 'Decisions per day as a table' }).click();
  const today = new Date().toISOString().slice(0, 10);
  const row = page.getByRole('row', { name: new RegExp(today) });
  expect((await row.getByRole('cell').allTextContents()).map((text) => text.trim())).toEqual(['2', '1', '0']);

  expect(await seriousViolations(page)).toEqual([]);
  await screenshot(page, join(screenshots, 'dashboard.png'));
});
