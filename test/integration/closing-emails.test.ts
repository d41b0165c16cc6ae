import { type Api, cardRequest, profile, startApi, users } from '../helpers/stack';
import { about, mailbox, to, waitForEmails, waitForExecution } from '../helpers/workflow';
import { EmailFailed } from '../../functions/usecases/senders';

let api: Api;

beforeAll(async () => {
  api = await startApi({ timeScale: 0.2 });
  // frank is listed but not in the approvers group: he is never emailed, so nothing closes for him.
  await api.call('PUT', '/profiles/cards', { as: users.admin, body: profile() });
}, 120_000);

afterAll(async () => {
  await api?.stop();
});

const closing = (requestId: string) => (mail: Awaited<ReturnType<typeof mailbox>>[number]) =>
  about(requestId)(mail) && /^Closed/.test(mail.subject);

test('after one approver approves, each approver who was emailed and did not decide gets exactly one closing email', async () => {
  const created = await api.call('POST', '/requests', { as: users.alice, body: cardRequest('cards') });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  await waitForEmails(api, (mail) => about(id)(mail) && /^Approval needed/.test(mail.subject), 3);
  expect((await api.call('POST', `/requests/${id}/decisions`, { as: users.carol, body: { decision: 'approve' } })).status).toBe(200);
  await waitForExecution(api, id);
  await waitForEmails(api, (mail) => to(users.alice.email, /approved/i)(mail) && about(id)(mail));

  const closings = (await mailbox(api)).filter(closing(id));
  expect(closings.map((mail) => mail.destination.to[0]).sort()).toEqual([users.dave.email, users.erin.email]);
  for (const mail of closings) {
    expect(mail.subject).toMatch(/^Closed \(approved\): Request a smart card/);
    expect(mail.body.text).toContain(`It was approved by ${users.carol.email}`);
    expect(mail.body.text + mail.body.html).not.toMatch(/\/links\//);
  }
  const history = (await api.call('GET', `/requests/${id}`, { as: users.admin })).body.history as Array<{ type: string; details?: any }>;
  expect(history.filter((entry) => entry.type === 'notified' && entry.details?.purpose === 'closing')).toEqual([
    expect.objectContaining({
      details: { recipients: [users.dave.email, users.erin.email], purpose: 'closing', state: 'approved', subject: closings[0]?.subject },
    }),
  ]);
}, 60_000);

test('the outcome step retried on DynamoDB after SES throttled a closing email sends nobody a second one', async () => {
  const { stepDeps } = await import('../../functions/approval-steps/deps');
  const { EVERY_STEP_ADAPTER } = await import('../../functions/approval-steps/adapters');
  const { notifyOutcome } = await import('../../functions/usecases/workflow-steps/notify-outcome');
  const { changeRequest } = await import('../../functions/lifecycle/change');
  const { createRequest, deleteRequest } = await import('../../functions/domain/rules');
  const profileRecord = (await api.call('GET', '/profiles/cards', { as: users.admin })).body;
  const alice = { id: users.alice.sub, email: users.alice.email, groups: [] };
  // A request stored without a workflow, emailed to carol, dave and erin, then deleted by dave (an admin here).
  // Step Functions refuses the outbox's start meanwhile: this test runs the outcome step itself.
  api.stack.setWorkflowFault({ actions: ['StartExecution'], error: 'unavailable' });
  const id = '8b3e5c9a-4d6f-4a0b-9c3d-5e7f9a1b3c4d';
  const { Repository } = await import('../../functions/adapters/dynamodb/repository');
  const { documentClient } = await import('../../functions/adapters/clients');
  const deps = stepDeps(undefined, EVERY_STEP_ADAPTER);
  await new Repository(documentClient(), api.stack.tableName).createRequest(
    createRequest(id, cardRequest('cards') as never, profileRecord, alice, new Date().toISOString()),
  );
  for (const approver of [users.carol.email, users.dave.email, users.erin.email]) {
    expect(await deps.repository.claimApprovalEmail(id, approver, new Date().toISOString(), new Date(0).toISOString())).toBe(true);
    await deps.repository.settleApprovalEmail(id, approver, `sent:${new Date().toISOString()}`);
  }
  const daveAdmin = { id: users.dave.sub, email: users.dave.email, groups: ['admins'] };
  await changeRequest(deps, id, (request, now) => deleteRequest(request, daveAdmin, now));
  // Ended: no approval email nor reminder may be claimed any more (a step still sending stops).
  expect(await deps.repository.claimApprovalEmail(id, users.bob.email, new Date().toISOString(), new Date(0).toISOString())).toBe(false);
  expect(await deps.repository.claimReminder(id, users.carol.email, 1)).toBe(false);

  const delivered: string[] = [];
  let calls = 0;
  const send = async (email: { to: string; tags: Record<string, string> }) => {
    if (++calls === 2) {
      throw new EmailFailed('ThrottlingException', true);
    }
    delivered.push(`${email.tags.purpose} ${email.to}`);
    return 'message-id';
  };
  await expect(notifyOutcome({ ...deps, send }, id)).rejects.toMatchObject({ name: 'Approvals.EmailDeferred' });
  expect(delivered).toEqual([`closing ${users.carol.email}`]);
  await notifyOutcome({ ...deps, send }, id);
  await notifyOutcome({ ...deps, send }, id);
  // dave deleted it: he decided, so he gets none.
  expect(delivered.sort()).toEqual([`closing ${users.carol.email}`, `closing ${users.erin.email}`, `outcome ${users.alice.email}`]);
  api.stack.setWorkflowFault(undefined);
}, 60_000);
