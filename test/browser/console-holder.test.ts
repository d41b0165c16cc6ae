/**
 * A card request names its holder as the user directory knows them: the holder signs in once with
 * their name (the local sign-in form writes it to the directory, as Cognito's `name` attribute), and
 * an approver then sees that name and email on the request page and in the Requests list, never what a
 * request body could claim. Screenshots under test-results/console-holder/; axe-core's serious checks.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { assertChromium } from '../helpers/browser';
import { type ConsoleSession, screenshot, seriousViolations, startConsole } from '../helpers/console-browser';
import { cardRequest, profile, users } from '../helpers/stack';

const screenshots = join(__dirname, '..', '..', 'test-results', 'console-holder');
const holly = { sub: 'holly', email: 'holly@example.com', name: 'Holly Holder' };
let session: ConsoleSession;

beforeAll(async () => {
  assertChromium();
  session = await startConsole(screenshots);
  await session.api('PUT', '/profiles/cards', users.admin, profile({ approvers: [users.carol.email], requiredApprovals: 1 }));
}, 180_000);

afterAll(async () => {
  await session?.stop();
});

const shot = (page: Page, name: string) => screenshot(page, join(screenshots, `${name}.png`));

test("the holder's name and email from the directory on the request page and in the Requests list", async () => {
  // The holder signs in once with their name: the local sign-in form writes it to the directory.
  const own = await session.signIn(holly, '/requests');
  await own.close();

  const request = await session.api(
    'POST',
    '/requests',
    users.alice,
    cardRequest('cards', { subject: { holderId: holly.sub, cardProfile: 'PIV standard' } }),
  );
  expect(request.holder).toEqual({ id: holly.sub, email: holly.email, name: holly.name });

  const page = await session.signIn(users.carol, `/requests/${request.id}`);
  const card = page.locator('[data-testid="subject-information"]');
  await card.getByText('Holder name', { exact: true }).waitFor();
  expect(await card.getByText(holly.name, { exact: true }).count()).toBe(1);
  expect(await card.getByText(holly.email, { exact: true }).count()).toBe(1);
  expect(await seriousViolations(page)).toEqual([]);
  await shot(page, 'request-holder');

  await page.goto(`${session.apiUrl}/console/requests?state=requested`);
  await page.getByText(`PIV standard for ${holly.name} (${holly.sub})`, { exact: true }).waitFor();
  expect(await seriousViolations(page)).toEqual([]);
  await shot(page, 'requests-holder');
}, 120_000);
