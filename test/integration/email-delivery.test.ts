/**
 * The first approval emails as SES answers them: throttled (the workflow step is deferred and
 * retried, each approver emailed once) or refused (recorded, the others still emailed). The
 * workflow steps run by the test on a stack without the outbox, so no workflow races them.
 */
import { EmailFailed } from '../../functions/usecases/senders';
import { type Api, cardRequest, profile, startApi, users } from '../helpers/stack';

let api: Api;

beforeAll(async () => {
  api = await startApi({ outbox: false });
  await api.call('PUT', '/profiles/quorum', {
    as: users.admin,
    body: profile({ requiredApprovals: 2, approvers: [users.carol.email, users.dave.email, users.erin.email] }),
  });
}, 120_000);

afterAll(async () => {
  await api?.stop();
});

describe('email delivery', () => {
  /** A pending request stored without a workflow (this stack has no outbox), so that only the test sends its emails. */
  async function storedWithoutWorkflow(id: string) {
    const { Repository } = await import('../../functions/adapters/dynamodb/repository');
    const { documentClient } = await import('../../functions/adapters/clients');
    const { createRequest } = await import('../../functions/domain/rules');
    const profileRecord = (await api.call('GET', '/profiles/quorum', { as: users.admin })).body;
    const requester = { id: users.alice.sub, email: users.alice.email, groups: [] };
    const change = createRequest(id, cardRequest('quorum') as never, profileRecord, requester, new Date().toISOString());
    await new Repository(documentClient(), api.stack.tableName).createRequest(change);
    return change.request;
  }

  test('when SES throttles the first approval emails, the workflow step is retried later and each approver gets exactly one', async () => {
    const { stepDeps } = await import('../../functions/approval-steps/deps');
    const { EVERY_STEP_ADAPTER } = await import('../../functions/approval-steps/adapters');
    const { awaitDecision } = await import('../../functions/usecases/workflow-steps/await-decision');
    const request = await storedWithoutWorkflow('6f1c3a7e-2b4d-4e8f-9a1b-3c5d7e9f1a2b');
    const delivered: string[] = [];
    let throttled = false;
    const send = async (email: { to: string }) => {
      if (email.to === users.dave.email && !throttled) {
        throttled = true;
        throw new EmailFailed('ThrottlingException', true);
      }
      delivered.push(email.to);
      return 'message-id';
    };
    const deps = { ...stepDeps(undefined, EVERY_STEP_ADAPTER), send };
    await expect(awaitDecision(deps, request.id, 'token-1')).rejects.toMatchObject({ name: 'Approvals.EmailDeferred' });
    expect(delivered).toEqual([users.carol.email]);
    await awaitDecision(deps, request.id, 'token-2');
    expect(delivered.sort()).toEqual([users.carol.email, users.dave.email, users.erin.email].sort());
    await awaitDecision(deps, request.id, 'token-3');
    expect(delivered).toHaveLength(3);
    const history = (await api.call('GET', `/requests/${request.id}`, { as: users.admin })).body.history;
    expect(history.filter((entry: { type: string }) => entry.type === 'notified')).toHaveLength(1);
  });

  test('an address SES refuses is recorded in the history and the other approvers are still emailed', async () => {
    const { stepDeps } = await import('../../functions/approval-steps/deps');
    const { EVERY_STEP_ADAPTER } = await import('../../functions/approval-steps/adapters');
    const { awaitDecision } = await import('../../functions/usecases/workflow-steps/await-decision');
    const request = await storedWithoutWorkflow('7a2d4b8f-3c5e-4f9a-8b2c-4d6e8f0a2b3c');
    const delivered: string[] = [];
    const send = async (email: { to: string }) => {
      if (email.to === users.erin.email) throw new EmailFailed('MessageRejected', false);
      delivered.push(email.to);
      return 'message-id';
    };
    await awaitDecision({ ...stepDeps(undefined, EVERY_STEP_ADAPTER), send }, request.id, 'token-1');
    expect(delivered.sort()).toEqual([users.carol.email, users.dave.email]);
    const history = (await api.call('GET', `/requests/${request.id}`, { as: users.admin })).body.history;
    expect(history.find((entry: { type: string }) => entry.type === 'notification-failed')).toMatchObject({
      details: { recipient: users.erin.email, purpose: 'approval', error: 'MessageRejected' },
    });
  });
});
