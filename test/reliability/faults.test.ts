/**
 * Faults on the real path, against `npm start` as a child process: SES failing or throttling
 * the next N sends, DynamoDB Local paused (SIGSTOP) across a request's reminder and expiry, and
 * a calling system's receiver down for minutes. Whatever fails, no email and no outcome is lost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { holdsFor, processState, waitFor } from '../helpers/reliability/checks';
import { recordFigures } from '../helpers/reliability/figures';
import {
  call,
  clearFaults,
  failNextSends,
  faultsLeft,
  isApproverEmail,
  isReminder,
  pool,
  type StoredEmail,
  sentTo,
} from '../helpers/reliability/http';
import { type MailWatch, watchMail } from '../helpers/reliability/mailwatch';
import { eventsOf, type Receiver, startReceiver } from '../helpers/reliability/receiver';
import { EXPIRY_BOUND_MS, scaled } from '../helpers/reliability/scale';
import { type NpmService, startNpmService } from '../helpers/reliability/service';
import { type Minter, minter, type Person } from '../helpers/reliability/tokens';

const PAUSE_MS = scaled(40_000, 15_000);
const RECEIVER_DOWN_MS = scaled(120_000, 20_000);
const SES_FAILURES = scaled(12, 6);

const admin: Person = { sub: 'admin-1', email: 'admin@example.com', groups: ['admins'] };
const karol: Person = { sub: 'karol', email: 'karol@example.com', groups: ['approvers'] };
const dave: Person = { sub: 'dave', email: 'dave@example.com', groups: ['approvers'] };
const alice: Person = { sub: 'alice', email: 'alice@example.com' };
const CLIENT = 'billing-system';

let dataDir: string;
let service: NpmService;
let mint: Minter;
let mail: MailWatch;
let receiver: Receiver;
let dynamoPaused: number | undefined;

const profile = (overrides: Record<string, unknown>) => ({
  name: 'Faults',
  requireApprovalFor: ['card.request'],
  approvers: [karol.email, dave.email],
  requiredApprovals: 1,
  remindAfter: 'PT1H',
  expireAfter: 'P2D',
  ...overrides,
});

beforeAll(async () => {
  receiver = await startReceiver();
  dataDir = mkdtempSync(join(tmpdir(), 'approvals-faults-'));
  service = await startNpmService({ dataDir, env: { CALLBACK_URL_PREFIXES: `${receiver.url}/hooks/` } });
  mint = await minter(dataDir);
  // The listed approvers, and the user a calling system creates for, are directory users (the token command put them there).
  for (const person of [karol, dave, alice]) mint.enter(person);
  const token = await mint.person(admin);
  expect((await call(service.apiUrl, 'PUT', '/profiles/faults', { token, body: profile({}) })).status).toBe(200);
  expect(
    (
      await call(service.apiUrl, 'PUT', '/profiles/pause', {
        token,
        body: profile({ approvers: [karol.email], remindAfter: 'PT5S', expireAfter: 'PT15S' }),
      })
    ).status,
  ).toBe(200);
  mail = watchMail(service.mailUrl, 1000);
}, 180_000);

afterAll(async () => {
  if (dynamoPaused) {
    try {
      process.kill(dynamoPaused, 'SIGCONT');
    } catch {
      // gone
    }
  }
  mail?.stop();
  if (service) await clearFaults(service.mailUrl);
  await service?.stop();
  await receiver?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const firstEmailTo = (address: string) => (email: StoredEmail) => sentTo(address)(email) && isApproverEmail(email) && !isReminder(email);

async function historyTypes(id: string): Promise<string> {
  const reply = await call(service.apiUrl, 'GET', `/requests/${id}`, { token: await mint.person(admin) });
  return (reply.body?.history ?? []).map((entry: { type: string }) => entry.type).join(', ');
}

async function createAsClient(profileId: string, callbackPath: string) {
  const reply = await call(service.apiUrl, 'POST', '/requests', {
    token: await mint.client(CLIENT),
    body: {
      kind: 'card.request',
      profileId,
      subject: { holderId: 'E-7', cardProfile: 'PIV' },
      callbackUrl: `${receiver.url}/hooks/${callbackPath}`,
      onBehalfOf: { id: alice.sub, email: alice.email },
    },
  });
  expect(reply.status).toBe(201);
  return reply.body as { id: string; expiresAt: string };
}

test.each(['fail', 'throttle'] as const)(
  'SES failing the next N sends (%s): no email is lost and no approver gets two first emails',
  async (error) => {
    await failNextSends(service.mailUrl, SES_FAILURES, error);
    const token = await mint.person(alice);
    const ids = await pool(Array.from({ length: 3 }), 3, async (_, i) => {
      const reply = await call(service.apiUrl, 'POST', '/requests', {
        token,
        body: { kind: 'card.request', profileId: 'faults', subject: { holderId: `E-ses-${error}-${i}`, cardProfile: 'PIV' } },
      });
      expect(reply.status).toBe(201);
      return reply.body.id as string;
    });
    for (const id of ids) {
      await mail.until(
        id,
        (emails) => [karol, dave].every((a) => emails.some(firstEmailTo(a.email))),
        3 * 60_000,
        'both approvers to be emailed',
      );
    }
    expect(await faultsLeft(service.mailUrl)).toBe(0);
    await failNextSends(service.mailUrl, SES_FAILURES, error);
    for (const id of ids) {
      expect(
        (
          await call(service.apiUrl, 'POST', `/requests/${id}/decisions`, {
            token: await mint.person(karol),
            body: { decision: 'approve' },
          })
        ).status,
      ).toBe(200);
    }
    for (const id of ids) {
      await mail.until(
        id,
        (emails) => emails.some((email) => sentTo(alice.email)(email) && /approved/i.test(email.subject)),
        3 * 60_000,
        'the requester to be told',
      );
    }
    expect(await faultsLeft(service.mailUrl)).toBe(0);
    await holdsFor(
      () => ids.every((id) => [karol, dave].every((a) => mail.about(id).filter(firstEmailTo(a.email)).length === 1)),
      3000,
      'exactly one first email per approver',
    );
    recordFigures(__filename, `ses-${error}`, { failedSends: 2 * SES_FAILURES, requests: ids.length, emailsLost: 0 });
  },
  15 * 60_000,
);

test(
  'DynamoDB Local paused (SIGSTOP) across a reminder and the expiry: the request still expires within the bound and its callback is delivered',
  async () => {
    const request = await createAsClient('pause', 'pause');
    await mail.until(request.id, (emails) => emails.some(firstEmailTo(karol.email)), 2 * 60_000, 'the first email');
    const pid = service.dynamoPid();
    const pausedAt = Date.now();
    process.kill(pid, 'SIGSTOP');
    dynamoPaused = pid;
    try {
      await waitFor(async () => processState(pid) === 'T', { timeoutMs: 5000, what: 'DynamoDB Local to stop' });
      // The fault lasts PAUSE_MS, across the reminder and expiry times; nothing may resume it earlier.
      await holdsFor(() => processState(pid) === 'T', PAUSE_MS - (Date.now() - pausedAt), 'DynamoDB Local stays stopped', 1000);
    } finally {
      process.kill(pid, 'SIGCONT');
      dynamoPaused = undefined;
    }
    const resumedAt = Date.now();
    expect(resumedAt - pausedAt).toBeGreaterThanOrEqual(PAUSE_MS);
    expect(resumedAt).toBeGreaterThan(Date.parse(request.expiresAt));

    const deadline = Date.parse(request.expiresAt) + EXPIRY_BOUND_MS - Date.now();
    const token = await mint.person(admin);
    await waitFor(async () => (await call(service.apiUrl, 'GET', `/requests/${request.id}`, { token })).body?.state === 'expired', {
      timeoutMs: Math.max(deadline, 1000),
      what: `request ${request.id} to be expired within 10 minutes of its expiresAt`,
      intervalMs: 1000,
    });
    const expiredAfter = (Date.now() - Date.parse(request.expiresAt)) / 1000;
    const event = await waitFor(
      async () => eventsOf(receiver).find(({ event: body }) => body.request?.id === request.id && body.type === 'request.expired')?.event,
      {
        timeoutMs: Math.max(Date.parse(request.expiresAt) + EXPIRY_BOUND_MS - Date.now(), 60_000),
        what: 'the request.expired callback',
        intervalMs: 1000,
      },
    );
    expect(event.request.state).toBe('expired');
    await mail.until(
      request.id,
      (emails) => emails.some((email) => sentTo(alice.email)(email) && /expired/i.test(email.subject)),
      5 * 60_000,
      'the requester to be told',
    );
    recordFigures(__filename, 'dynamodb-paused', {
      pausedSeconds: Math.round(PAUSE_MS / 1000),
      expiredSecondsAfterExpiresAt: Math.round(expiredAfter),
      boundSeconds: EXPIRY_BOUND_MS / 1000,
      callbackDelivered: true,
    });
  },
  20 * 60_000,
);

test(
  'the callback receiver down for minutes, then up: the event is delivered',
  async () => {
    receiver.setMode('down');
    const request = await createAsClient('faults', 'down');
    const decided = await call(service.apiUrl, 'POST', `/requests/${request.id}/decisions`, {
      token: await mint.person(dave),
      body: { decision: 'reject', reason: 'not now' },
    });
    expect(decided.status).toBe(200);
    const downAt = Date.now();
    await waitFor(async () => Date.now() - downAt >= RECEIVER_DOWN_MS && receiver.refused >= 2, {
      timeoutMs: RECEIVER_DOWN_MS + 5 * 60_000,
      what: 'the receiver to be down long enough, with attempts made',
      intervalMs: 1000,
    }).catch(async (error) => {
      throw new Error(`${(error as Error).message}; ${receiver.refused} attempt(s); history: ${await historyTypes(request.id)}`);
    });
    const attemptsWhileDown = receiver.refused;
    receiver.setMode('ok');
    const upAt = Date.now();
    const hit = await waitFor(async () => receiver.received.find((entry) => entry.body.includes(request.id)), {
      timeoutMs: 8 * 60_000,
      what: 'the callback after the receiver came back',
      intervalMs: 1000,
    });
    expect(JSON.parse(hit.body)).toMatchObject({ type: 'request.rejected', request: { id: request.id, state: 'rejected' } });
    recordFigures(__filename, 'receiver-down', {
      downSeconds: Math.round((upAt - downAt) / 1000),
      attemptsWhileDown,
      deliveredSecondsAfterUp: Math.round((hit.at - upAt) / 1000),
    });
  },
  30 * 60_000,
);
