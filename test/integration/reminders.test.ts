/**
 * POST /requests/{id}/reminders on the local stack: the requester's reminder reaches the awaited
 * approvers through the local SES, and the rate limit answers 429 with Retry-After.
 */
import { randomUUID } from 'node:crypto';
import { waitFor } from '../../local/net';
import { type Api, cardRequest, profile, startApi, users } from '../helpers/stack';
import { about, mailbox, waitForEmails } from '../helpers/workflow';

let api: Api;

beforeAll(async () => {
  api = await startApi();
  // Reminders of the workflow off (maxReminders 0): only the requester's go out.
  const put = await api.call('PUT', '/profiles/nudge', {
    as: users.admin,
    body: profile({
      approvers: [users.carol.email, users.dave.email, users.erin.email],
      requiredApprovals: 2,
      remindAfter: 'PT2S',
      expireAfter: 'P1D',
      maxReminders: 0,
    }),
  });
  expect(put.status).toBe(200);
}, 120_000);

afterAll(async () => {
  await api?.stop();
});

const create = async () => {
  const response = await api.call('POST', '/requests', { as: users.alice, body: cardRequest('nudge') });
  expect(response.status).toBe(201);
  return response.body as { id: string };
};
const remind = (id: string, as: (typeof users)[keyof typeof users] = users.alice) => api.call('POST', `/requests/${id}/reminders`, { as });
const reminders = async (id: string) =>
  (await mailbox(api)).filter((mail) => about(id)(mail) && /Reminder/.test(mail.subject)).map((mail) => mail.destination.to[0]);

test('the requester reminds the awaited approvers; sooner than remindAfter after the last email is 429 with Retry-After', async () => {
  const request = await create();
  const early = await remind(request.id);
  expect(early.status).toBe(429);
  expect(early.body.error.code).toBe('too_many_requests');
  expect(Number(early.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(Number(early.headers.get('retry-after'))).toBeLessThanOrEqual(2);

  await waitForEmails(api, about(request.id), 3);
  expect((await api.call('POST', `/requests/${request.id}/decisions`, { as: users.carol, body: { decision: 'approve' } })).status).toBe(
    200,
  );
  // The first 200 once remindAfter has passed since the approval emails; each 429 before it sends nothing.
  const sent = await waitFor(
    async () => {
      const response = await remind(request.id);
      if (response.status === 429) return undefined;
      return response;
    },
    { timeoutMs: 10_000, what: 'a reminder to be allowed', intervalMs: 250 },
  );
  expect(sent.status).toBe(200);
  expect(sent.body).toMatchObject({ sent: true, skipped: [] });
  expect([...sent.body.recipients].sort()).toEqual([users.dave.email, users.erin.email]);
  const emails = await waitFor(async () => ((await reminders(request.id)).length === 2 ? reminders(request.id) : undefined), {
    timeoutMs: 5_000,
    what: 'the reminders in the mailbox',
    intervalMs: 100,
  });
  expect(emails.sort()).toEqual([users.dave.email, users.erin.email]);

  const again = await remind(request.id);
  expect(again.status).toBe(429);
  expect(Number(again.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(await reminders(request.id)).toHaveLength(2);

  const read = await api.call('GET', `/requests/${request.id}`, { as: users.alice });
  expect(read.body.history.filter((entry: { type: string }) => entry.type === 'reminded')).toEqual([
    expect.objectContaining({
      actor: { id: users.alice.sub, email: users.alice.email },
      details: expect.objectContaining({ requestedBy: 'requester' }),
    }),
  ]);
}, 30_000);

test('only the requester may remind, and only while the request is pending', async () => {
  const request = await create();
  expect((await remind(request.id, users.bob)).status).toBe(403);
  expect((await remind(request.id, users.carol)).status).toBe(403);
  expect((await remind(randomUUID())).status).toBe(404);
  expect((await api.call('POST', '/requests/not-a-uuid/reminders', { as: users.alice })).status).toBe(400);
  expect((await api.call('DELETE', `/requests/${request.id}`, { as: users.alice })).status).toBe(200);
  const ended = await remind(request.id);
  expect(ended.status).toBe(409);
  expect(ended.body.error.message).toMatch(/deleted/);
});
