/**
 * Stages in the console, in a real browser against `npm start`: the profile editor's stages, groups
 * and escalation (the API's 400 shown on the stage's field), and a request page listing its stages
 * (done, current with who is awaited, waiting). Screenshots under test-results/console-stages/.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { assertChromium } from '../helpers/browser';
import { type ConsoleSession, screenshot, seriousViolations, startConsole } from '../helpers/console-browser';
import { cardRequest, type TestUser, users } from '../helpers/stack';

const screenshots = join(__dirname, '..', '..', 'test-results', 'console-stages');
let session: ConsoleSession;
const pki1 = { sub: 'pki-1', email: 'pki1@example.com', groups: ['approvers', 'pki'] };
const pki2 = { sub: 'pki-2', email: 'pki2@example.com', groups: ['approvers', 'pki'] };

beforeAll(async () => {
  assertChromium();
  session = await startConsole(screenshots);
  // The group's members, in the user directory.
  for (const person of [pki1, pki2]) await session.api('GET', '/requests?limit=1', person);
}, 180_000);

afterAll(async () => {
  await session?.stop();
});

const api = (method: string, path: string, as: TestUser, body?: unknown) => session.api(method, path, as, body);
const shot = (page: Page, name: string) => screenshot(page, join(screenshots, `${name}.png`));
const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });

test('an admin edits a profile into two stages with a group and an escalation; the API refuses a quorum on that stage field', async () => {
  const page = await session.signIn(users.admin, '/profiles/new');
  await page.getByLabel('Profile ID').fill('pki');
  await page.getByLabel('Name', { exact: true }).fill('PKI');
  await page.getByLabel('Stage 1 title').fill('Team lead');
  await page.getByLabel('Stage 1 approvers').fill('carol@example.com');
  await button(page, 'Add stage').click();
  await page.getByLabel('Stage 2 title').fill('PKI officers');
  await page.getByLabel('Stage 2 approvers').fill('group:pki');
  await page.getByLabel('Stage 2 required approvals').fill('11');
  await page.getByRole('spinbutton', { name: 'Stage 2 escalate after' }).fill('2');
  await page.getByLabel('Stage 2 escalate to').fill('dave@example.com');
  await button(page, 'Save profile').click();
  // The API's message on the stage's field it names (stages.1.requiredApprovals).
  const quorum = page.getByRole('spinbutton', { name: 'Stage 2 required approvals' });
  await page.getByText('must be 1 to 10', { exact: true }).waitFor();
  const described = await quorum.getAttribute('aria-describedby');
  const texts = await Promise.all((described ?? '').split(' ').map((id) => page.locator(`[id="${id}"]`).textContent()));
  expect(texts.join(' ')).toContain('must be 1 to 10');
  await expect(api('GET', '/profiles/pki', users.admin)).rejects.toThrow(/404/);
  expect(await seriousViolations(page)).toEqual([]);
  await shot(page, 'profile-stage-error');

  await quorum.fill('2');
  await button(page, 'Save profile').click();
  await page.waitForURL('**/console/profiles');
  expect(await api('GET', '/profiles/pki', users.admin)).toMatchObject({
    stages: [
      { name: 'Team lead', approvers: ['carol@example.com'], requiredApprovals: 1 },
      { name: 'PKI officers', approvers: ['group:pki'], requiredApprovals: 2, escalateAfter: 'P2D', escalateTo: ['dave@example.com'] },
    ],
  });
  await page.goto(`${session.apiUrl}/console/profiles/pki/edit`);
  expect(await page.getByLabel('Stage 2 approvers').inputValue()).toBe('group:pki');
  expect(await page.getByRole('spinbutton', { name: 'Stage 2 escalate after' }).inputValue()).toBe('2');
  await shot(page, 'profile-stages');
});

test('a request page lists its stages: done, current with who is awaited, and the stage in the approvals count', async () => {
  await api('PUT', '/profiles/three', users.admin, {
    name: 'Three stages',
    requireApprovalFor: ['card.request'],
    remindAfter: 'PT4H',
    expireAfter: 'P3D',
    stages: [
      { name: 'Team lead', approvers: [users.carol.email], requiredApprovals: 1 },
      { name: 'PKI officers', approvers: ['group:pki'], requiredApprovals: 2 },
      { name: 'Security', approvers: [users.dave.email], requiredApprovals: 1 },
    ],
  });
  const request = await api(
    'POST',
    '/requests',
    users.alice,
    cardRequest('three', { subject: { holderId: 'stages-holder', cardProfile: 'PIV' } }),
  );
  await api('POST', `/requests/${request.id}/decisions`, users.carol, { decision: 'approve' });
  await api('POST', `/requests/${request.id}/decisions`, pki1, { decision: 'approve' });

  const page = await session.signIn(pki2, `/requests/${request.id}`);
  const table = page.getByRole('table', { name: 'Stages of this request' });
  await table.waitFor();
  const rows = table.locator('tbody tr');
  await expect(rows.nth(0).textContent()).resolves.toContain('Done');
  await expect(rows.nth(1).textContent()).resolves.toMatch(/Stage 2 of 3 · PKI officers.*Current.*1 of 2.*pki2@example\.com$/);
  await expect(rows.nth(2).textContent()).resolves.toContain('Waiting');
  await page.getByText('1 of 2 required in Stage 2 of 3 · PKI officers', { exact: true }).waitFor();
  expect(await seriousViolations(page)).toEqual([]);
  await shot(page, 'request-stages');

  // Tasks follow the current stage: pki2 has it, dave (stage 3) does not yet.
  const tasks = await api('GET', '/tasks', pki2);
  expect(tasks.items.map((item: { id: string }) => item.id)).toContain(request.id);
  expect((await api('GET', '/tasks', users.dave)).items.map((item: { id: string }) => item.id)).not.toContain(request.id);
});
