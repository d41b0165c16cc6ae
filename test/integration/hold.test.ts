/**
 * Hold until on the local stack (DynamoDB Local, the workflow engine running the state machine, the
 * local SES): the hold's end is a round of the workflow that re-emails the approvers and moves the
 * expiry; requireCommentOn and release through the API.
 */
import { waitFor } from '../../local/net';
import { type Api, cardRequest, profile, startApi, users } from '../helpers/stack';
import { about, mailbox, waitForEmails } from '../helpers/workflow';

let api: Api;

beforeAll(async () => {
  // Rounds and retries wait a fifth of their real time; reminders, holds and expiry follow the real clock.
  api = await startApi({ timeScale: 0.2 });
  const approvers = [users.carol.email, users.dave.email];
  await api.call('PUT', '/profiles/held', {
    as: users.admin,
    // The wait runs to the expiry, a day away: only the outbox, ending it when the hold is placed, makes the hold's end a round.
    body: profile({ remindAfter: 'PT1H', expireAfter: 'P1D', maxReminders: 0, approvers }),
  });
  await api.call('PUT', '/profiles/strict', {
    as: users.admin,
    body: profile({ remindAfter: 'PT1H', expireAfter: 'P1D', approvers, requireCommentOn: ['approve', 'hold'] }),
  });
}, 120_000);

afterAll(async () => {
  await api?.stop();
});

const create = async (profileId: string) => {
  const response = await api.call('POST', '/requests', { as: users.alice, body: cardRequest(profileId) });
  expect(response.status).toBe(201);
  return response.body as { id: string; expiresAt: string };
};
const decide = (id: string, as: (typeof users)[keyof typeof users], body: unknown) =>
  api.call('POST', `/requests/${id}/decisions`, { as, body });
const read = async (id: string) => (await api.call('GET', `/requests/${id}`, { as: users.admin })).body;

test('a hold until a near time: at its end the approvers are emailed again and the expiry moves by the time held', async () => {
  const request = await create('held');
  await waitForEmails(api, about(request.id), 2);
  const until = new Date(Date.now() + 3000).toISOString();
  const held = await decide(request.id, users.carol, { decision: 'hold', until, comment: 'waiting for HR' });
  expect(held.status).toBe(200);
  expect(held.body).toMatchObject({ onHold: true, hold: { until, comment: 'waiting for HR' }, expiresAt: request.expiresAt });

  const again = await waitForEmails(api, (mail) => about(request.id)(mail) && /^Hold ended/.test(mail.subject), 2, 30_000);
  expect(again.map((mail) => mail.destination.to[0]).sort()).toEqual([users.carol.email, users.dave.email]);
  expect(again[0]?.body.text).toContain('The hold on this request ended');

  const after = await waitFor(
    async () => {
      const current = await read(request.id);
      return current.history.some((entry: { type: string }) => entry.type === 'hold-ended') ? current : undefined;
    },
    { timeoutMs: 10_000, what: 'the hold-ended entry', intervalMs: 100 },
  );
  expect(after).toMatchObject({ state: 'requested', onHold: false });
  const entry = after.history.find((item: { type: string }) => item.type === 'hold-ended');
  const heldMs = Date.parse(until) - Date.parse(held.body.hold.at);
  expect(entry.details).toMatchObject({ until, recipients: [users.carol.email, users.dave.email] });
  expect(Date.parse(after.expiresAt) - Date.parse(request.expiresAt)).toBe(heldMs);
  // maxReminders 0: the re-email is the only email after the first one
  expect((await mailbox(api)).filter(about(request.id))).toHaveLength(4);
});

test('an until out of range is 400 naming until and changes nothing; release ends a hold and a second release is 409', async () => {
  const request = await create('held');
  const tooLate = new Date(Date.now() + 31 * 86_400_000).toISOString();
  const refused = await decide(request.id, users.carol, { decision: 'hold', until: tooLate });
  expect(refused.status).toBe(400);
  expect(refused.body.error.details).toEqual([expect.objectContaining({ field: 'until' })]);
  expect((await read(request.id)).onHold).toBe(false);

  expect((await decide(request.id, users.dave, { decision: 'release' })).status).toBe(409);
  await decide(request.id, users.carol, { decision: 'hold', until: new Date(Date.now() + 60_000).toISOString() });
  const released = await decide(request.id, users.dave, { decision: 'release' });
  expect(released.status).toBe(200);
  expect(released.body).toMatchObject({ state: 'requested', onHold: false });
  expect((await read(request.id)).history.map((item: { type: string }) => item.type)).toContain('hold-released');
  expect((await decide(request.id, users.dave, { decision: 'release' })).status).toBe(409);
});

test('requireCommentOn: a profile refuses unknown values; an approval or hold without a comment is 400 naming comment', async () => {
  const bad = await api.call('PUT', '/profiles/bad', { as: users.admin, body: profile({ requireCommentOn: ['reject'] }) });
  expect(bad.status).toBe(400);
  expect(bad.body.error.details).toEqual([
    expect.objectContaining({ field: 'requireCommentOn.0', message: 'must be one of: approve, hold' }),
  ]);

  const request = await create('strict');
  for (const decision of ['approve', 'hold']) {
    const refused = await decide(request.id, users.carol, { decision, comment: '  ' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details).toEqual([expect.objectContaining({ field: 'comment' })]);
  }
  expect((await read(request.id)).version).toBe(1);
  const approved = await decide(request.id, users.carol, { decision: 'approve', comment: 'checked' });
  expect(approved.body.state).toBe('approved');
});
