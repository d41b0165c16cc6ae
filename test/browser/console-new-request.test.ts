/**
 * A requester creates requests in the console: the New request button on the Requests page, a form per
 * kind, a P10's CSR chosen as a file and shown decoded before sending, the API's messages on the fields,
 * and a double click that creates one request. Screenshots under test-results/console-new-request/.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { assertChromium } from '../helpers/browser';
import { type ConsoleSession, chooseOption, screenshot, seriousViolations, startConsole } from '../helpers/console-browser';
import { profile, users } from '../helpers/stack';

const screenshots = join(__dirname, '..', '..', 'test-results', 'console-new-request');
const csrFile = join(__dirname, '..', 'fixtures', 'csr', 'ec-p256-extensions.csr');
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
const field = (page: Page, label: string) => page.getByLabel(label, { exact: true });

/** The text of everything a field's input is described by (its description and its error). */
async function described(page: Page, label: string) {
  const ids = ((await field(page, label).getAttribute('aria-describedby')) ?? '').split(/\s+/).filter(Boolean);
  const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).textContent()));
  return texts.join(' ');
}

/** Opens a Cloudscape select by its form field's label and picks the option with this text. */
async function choose(page: Page, label: string, option: string | RegExp) {
  await chooseOption(page, page.getByRole('button', { name: new RegExp(`^${label}`) }), option);
}

/** From the Requests page, as a requester with no groups, to the form. */
async function openForm() {
  const page = await session.signIn(users.alice, '/requests');
  await page.getByRole('link', { name: 'New request' }).waitFor();
  await shot(page, 'requests-with-new-request');
  await page.getByRole('link', { name: 'New request' }).click();
  await page.waitForURL(/\/console\/requests\/new$/);
  await page.getByRole('heading', { name: 'New request', level: 1 }).waitFor();
  return page;
}

const createdId = (page: Page) => /\/console\/requests\/([^/?]+)$/.exec(new URL(page.url()).pathname)?.[1];

test('a requester creates a request for several cards; a double click creates one request', async () => {
  const page = await openForm();
  await choose(page, 'Kind', /^Request several smart cards/);
  await choose(page, 'Profile', /^Smart cards/);
  await field(page, 'Holder ID').fill('form-holder-7');
  await field(page, 'Card profile').fill('PIV standard');
  await field(page, 'Number of cards').fill('3');
  await field(page, 'Justification').fill('new team of three');
  expect(await seriousViolations(page)).toEqual([]);
  await shot(page, 'card-form');

  const keys: (string | undefined)[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/requests') keys.push(request.headers()['idempotency-key']);
  });
  await page.getByRole('button', { name: 'Create request', exact: true }).dblclick();
  await page.waitForURL((url) => /\/console\/requests\/(?!new$)[^/]+$/.test(url.pathname));
  const id = createdId(page);
  await page.getByText('form-holder-7', { exact: true }).first().waitFor();
  await shot(page, 'card-created');

  const mine = await session.api('GET', '/requests?kind=card.request-multiple&limit=100', users.alice);
  const made = mine.items.filter((item: any) => item.subject.holderId === 'form-holder-7');
  expect(made).toHaveLength(1);
  // Whatever reached the API carried the form's one key.
  expect(keys.length).toBeGreaterThan(0);
  expect(new Set(keys)).toEqual(new Set([expect.stringMatching(/^[0-9a-f-]{36}$/)]));
  expect(made[0]).toMatchObject({
    id,
    profileId: 'cards',
    requester: { id: users.alice.sub },
    subject: { holderId: 'form-holder-7', cardProfile: 'PIV standard', count: 3 },
    justification: 'new team of three',
  });
});

test('a P10 enrollment shows its CSR decoded, the API’s refusal on Subject DN, then creates the request', async () => {
  const page = await openForm();
  await choose(page, 'Kind', /^Enroll a certificate/);
  await choose(page, 'Profile', /^Smart cards/);
  await field(page, 'Subject DN').fill('CN=someone-else.example.com,O=Example');
  await page
    .locator('input[type="file"]')
    .setInputFiles({ name: 'key.der', mimeType: 'application/octet-stream', buffer: Buffer.from([0x30, 0x82, 0x01]) });
  await page.getByText('This file is not a PEM certificate request (-----BEGIN CERTIFICATE REQUEST-----).').waitFor();
  await page.locator('input[type="file"]').setInputFiles(csrFile);
  for (const text of ['CN=device-17.example.com, O=Example', 'EC 256 bits (P-256)', "Verifies with the request's public key"]) {
    await page.getByText(text, { exact: true }).first().waitFor();
  }
  await expect(page.getByText('This file is not a PEM certificate request', { exact: false }).count()).resolves.toBe(0);

  await page.getByRole('button', { name: 'Create request', exact: true }).click();
  const refusal = page.getByText(/^does not name the subject of the CSR/);
  await refusal.waitFor();
  // The message sits on the Subject DN field: its input is described by it.
  expect(await described(page, 'Subject DN')).toContain('does not name the subject of the CSR (CN=device-17.example.com');
  expect(await seriousViolations(page)).toEqual([]);
  await shot(page, 'enroll-refused');
  const before = await session.api('GET', '/requests?kind=certificate.enroll&limit=100', users.alice);
  expect(before.items).toEqual([]);

  await field(page, 'Subject DN').fill('CN=device-17.example.com,O=Example');
  await expect(refusal.count()).resolves.toBe(0);
  await page.getByRole('button', { name: 'Create request', exact: true }).click();
  await page.waitForURL((url) => /\/console\/requests\/(?!new$)[^/]+$/.test(url.pathname));
  await page.getByText('EC 256 bits (P-256)', { exact: true }).first().waitFor();
  await shot(page, 'enroll-created');
  const created = await session.api('GET', `/requests/${createdId(page)}`, users.alice);
  expect(created).toMatchObject({
    kind: 'certificate.enroll',
    state: 'requested',
    subject: { method: 'P10', subjectDn: 'CN=device-17.example.com,O=Example' },
  });
  expect(created.subject.csr).toContain('-----BEGIN CERTIFICATE REQUEST-----');
});
