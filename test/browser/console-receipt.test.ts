/**
 * The receipt and the execution report on the console's request page, in a real browser against
 * `npm start`: the receipt decoded, checked in the browser against the service's JWKS (a tampered
 * one fails the check), and the acting system's report. Screenshots under test-results/console-receipt/.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { waitFor } from '../../local/net';
import { assertChromium } from '../helpers/browser';
import { type ConsoleSession, chooseOption, screenshot, seriousViolations, startConsole } from '../helpers/console-browser';
import { cardRequest, profile, users } from '../helpers/stack';

const screenshots = join(__dirname, '..', '..', 'test-results', 'console-receipt');
let session: ConsoleSession;

beforeAll(async () => {
  assertChromium();
  session = await startConsole(screenshots);
  await session.api('PUT', '/profiles/cards', users.admin, profile({ approvers: [users.carol.email], approvalValidFor: 'P30D' }));
}, 180_000);

afterAll(async () => {
  await session?.stop();
});

const shot = (page: Page, name: string) => screenshot(page, join(screenshots, `${name}.png`));

async function approvedRequest(holderId: string): Promise<{ id: string; receipt: string }> {
  const request = await session.api(
    'POST',
    '/requests',
    users.alice,
    cardRequest('cards', { subject: { holderId, cardProfile: 'PIV standard' } }),
  );
  await session.api('POST', `/requests/${request.id}/decisions`, users.carol, { decision: 'approve' });
  const { receipt } = await waitFor(
    () =>
      session.api('GET', `/requests/${request.id}/receipt`, users.alice).catch(() => undefined) as Promise<{ receipt: string } | undefined>,
    { timeoutMs: 30_000, what: 'the receipt to be signed' },
  );
  return { id: request.id, receipt };
}

test('the request page shows the receipt verified against the service keys, covering the subject, and the execution report', async () => {
  const request = await approvedRequest('receipt-holder');
  await session.api('POST', `/requests/${request.id}/execution`, users.admin, { status: 'succeeded', reference: 'serial 01AF' });
  const page = await session.signIn(users.alice, `/requests/${request.id}`);
  await page.getByText("Verifies against the service's keys", { exact: true }).waitFor();
  await page.getByText("Covers this request's subject", { exact: true }).waitFor();
  await page.getByText('carol@example.com', { exact: true }).first().waitFor();
  await page.getByRole('heading', { name: 'Execution report' }).waitFor();
  await page.getByText('Succeeded', { exact: true }).waitFor();
  await page.getByText('serial 01AF', { exact: true }).waitFor();
  expect(await seriousViolations(page)).toEqual([]);
  await shot(page, 'receipt-verified');
});

test('a receipt whose signature does not match the service keys is marked as failing', async () => {
  const request = await approvedRequest('tampered-holder');
  const page = await session.signIn(users.alice, `/requests/${request.id}`);
  // The API answers a receipt with another payload under the same signature, as a tampered copy would be.
  const [header, , signature] = request.receipt.split('.');
  const claims = JSON.parse(Buffer.from(request.receipt.split('.')[1] ?? '', 'base64url').toString('utf8'));
  const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, profileId: 'other' })).toString('base64url')}.${signature}`;
  await page.route(`**/requests/${request.id}/receipt`, (route) =>
    route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ receipt: tampered }) }),
  );
  await page.reload();
  await page.getByText("Does not verify against the service's keys", { exact: true }).waitFor();
  await page.getByText('The acting system has not reported yet.', { exact: true }).waitFor();
  expect(await seriousViolations(page)).toEqual([]);
  await shot(page, 'receipt-tampered');
});

test("the profile editor shows and keeps approvalValidFor: saving without touching it keeps the profile's, a new value is saved", async () => {
  const page = await session.signIn(users.admin, '/profiles/cards/edit');
  const amount = page.getByRole('spinbutton', { name: 'Approval valid for' });
  await amount.waitFor();
  expect(await amount.inputValue()).toBe('30');
  await page.getByRole('button', { name: 'Save profile', exact: true }).click();
  await page.waitForURL('**/console/profiles');
  expect((await session.api('GET', '/profiles/cards', users.admin)).approvalValidFor).toBe('P30D');

  await page.goto(`${session.apiUrl}/console/profiles/cards/edit`);
  await amount.fill('12');
  await chooseOption(page, page.getByRole('button', { name: /Approval valid for unit/ }), 'Hours');
  await shot(page, 'profile-approval-valid-for');
  await page.getByRole('button', { name: 'Save profile', exact: true }).click();
  await page.waitForURL('**/console/profiles');
  expect((await session.api('GET', '/profiles/cards', users.admin)).approvalValidFor).toBe('PT12H');
});
