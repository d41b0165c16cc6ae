/**
 * The gate's identity holes as they were reproduced against a running stack, replayed end to end
 * (local user directory, links from the local SES, the workflow engine): each must hold now.
 */
import { ON_BEHALF_SCOPE } from '../../functions/domain/bodies';
import { type Api, cardRequest, profile, startApi, users } from '../helpers/stack';
import { about, linksOf, mailbox, to, waitForEmails } from '../helpers/workflow';

let api: Api;

/** An address of Carol's that the directory does not know as hers. */
const carolAtWork = 'c.smith@example.com';
const plus = { sub: 'plus', email: 'plus@example.com', groups: ['approvers'] };
const plusAlias = 'plus+approvals@example.com';

beforeAll(async () => {
  api = await startApi();
  api.directory.put(plus);
  await api.call('PUT', '/profiles/carol-listed', {
    as: users.admin,
    body: profile({ approvers: [users.carol.email, users.dave.email, users.erin.email], requiredApprovals: 1 }),
  });
  await api.call('PUT', '/profiles/alias', {
    as: users.admin,
    body: profile({ approvers: [plusAlias, users.dave.email], requiredApprovals: 1 }),
  });
}, 120_000);

afterAll(async () => {
  await api?.stop();
});

const post = (url: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });

const state = async (id: string) => (await api.call('GET', `/requests/${id}`, { as: users.admin })).body;

test('a calling system naming Carol under another address is refused (400); named by sub only, Carol is the requester: no link, no approver', async () => {
  const client = await api.issuer.sign({ sub: 'billing-system', scopes: [ON_BEHALF_SCOPE] });
  const created = await fetch(`${api.stack.apiUrl}/requests`, {
    method: 'POST',
    headers: { authorization: `Bearer ${client}`, 'content-type': 'application/json' },
    body: JSON.stringify(cardRequest('carol-listed', { onBehalfOf: { id: users.carol.sub, email: carolAtWork } })),
  });
  // The directory says Carol's verified email is carol@…: another address for her sub is refused.
  expect(created.status).toBe(400);
  expect(((await created.json()) as { error: { message: string } }).error.message).toMatch(/onBehalfOf\.email/);

  const omitted = await fetch(`${api.stack.apiUrl}/requests`, {
    method: 'POST',
    headers: { authorization: `Bearer ${client}`, 'content-type': 'application/json' },
    body: JSON.stringify(cardRequest('carol-listed', { onBehalfOf: { id: users.carol.sub } })),
  });
  expect(omitted.status).toBe(201);
  const request = (await omitted.json()) as { id: string; requester: { email: string }; approvers: string[] };
  expect(request.requester.email).toBe(users.carol.email);
  expect(request.approvers).not.toContain(users.carol.email);
  await waitForEmails(api, (mail) => about(request.id)(mail), 2);
  expect((await mailbox(api)).filter((mail) => about(request.id)(mail) && to(users.carol.email)(mail))).toEqual([]);
});

test('a +tag alias of the requester is the requester: left out of the approvers, no link to it', async () => {
  const created = await api.call('POST', '/requests', { as: plus, body: cardRequest('alias') });
  expect(created.status).toBe(201);
  expect(created.body.approvers).toEqual([users.dave.email]);
  await waitForEmails(api, (mail) => about(created.body.id)(mail) && to(users.dave.email)(mail));
  expect((await mailbox(api)).filter((mail) => about(created.body.id)(mail) && to(plusAlias)(mail))).toEqual([]);
});

test('one person, two addresses: approved by link under the old address, then by API under the new one, is one vote (409)', async () => {
  const ivy = { sub: 'ivy', email: 'ivy.old@example.com', groups: ['approvers'] };
  api.directory.put(ivy);
  await api.call('PUT', '/profiles/two', {
    as: users.admin,
    body: profile({ approvers: [ivy.email, 'ivy@example.com', users.dave.email], requiredApprovals: 2 }),
  });
  const created = await api.call('POST', '/requests', { as: users.alice, body: cardRequest('two') });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  const [toIvy] = await waitForEmails(api, (mail) => about(id)(mail) && to(ivy.email)(mail));
  expect((await post(linksOf(toIvy as never).approve)).status).toBe(200);
  // Her address changes in the directory; the profile lists the new one too.
  const renamed = { ...ivy, email: 'ivy@example.com' };
  api.directory.put(renamed);
  const again = await api.call('POST', `/requests/${id}/decisions`, { as: renamed, body: { decision: 'approve' } });
  expect(again.status).toBe(409);
  const now = await state(id);
  expect(now.state).toBe('requested');
  expect(now.approvals.map((approval: { by: { id: string } }) => approval.by.id)).toEqual([ivy.sub]);
});

test('an approver disabled in the directory, or taken out of approvers, can no longer decide by link (403) or API', async () => {
  // People of this test only: no function has looked them up before, so no cached answer (10 s) hides the change.
  const gina = { sub: 'gina', email: 'gina@example.com', groups: ['approvers'] };
  const hank = { sub: 'hank', email: 'hank@example.com', groups: ['approvers'] };
  api.directory.put(gina);
  api.directory.put(hank);
  await api.call('PUT', '/profiles/leavers', {
    as: users.admin,
    body: profile({ approvers: [gina.email, hank.email], requiredApprovals: 1 }),
  });
  const created = await api.call('POST', '/requests', { as: users.alice, body: cardRequest('leavers') });
  const id = created.body.id as string;
  const [toGina] = await waitForEmails(api, (mail) => about(id)(mail) && to(gina.email)(mail));
  const [toHank] = await waitForEmails(api, (mail) => about(id)(mail) && to(hank.email)(mail));
  api.directory.disable(gina.sub);
  api.directory.setGroups(hank.sub, []);

  expect((await fetch(linksOf(toGina as never).approve)).status).toBe(403);
  expect((await post(linksOf(toGina as never).approve)).status).toBe(403);
  expect((await post(linksOf(toHank as never).approve)).status).toBe(403);
  // Hank's token still says approvers: the directory, not the token, decides.
  const byApi = await api.call('POST', `/requests/${id}/decisions`, { as: hank, body: { decision: 'approve' } });
  expect(byApi.status).toBe(403);
  const now = await state(id);
  expect(now.state).toBe('requested');
  expect(now.approvals).toEqual([]);
}, 60_000);

test("a card request shows its holder's name and email from the directory, never the ones the body claims", async () => {
  api.directory.put({ sub: 'holly', email: 'holly@example.com', name: 'Holly Holder' });
  const claimed = await api.call('POST', '/requests', {
    as: users.alice,
    body: { ...cardRequest('carol-listed', { subject: { holderId: 'holly', cardProfile: 'PIV' } }), holder: { name: 'Mallory' } },
  });
  expect(claimed.status).toBe(400);
  expect(JSON.stringify(claimed.body.error)).toMatch(/holder/);
  const created = await api.call('POST', '/requests', {
    as: users.alice,
    body: cardRequest('carol-listed', {
      subject: { holderId: 'holly', cardProfile: 'PIV', name: 'Mallory', email: 'mallory@example.com' },
    }),
  });
  expect(created.status).toBe(201);
  const expected = { id: 'holly', email: 'holly@example.com', name: 'Holly Holder' };
  expect(created.body.holder).toEqual(expected);
  expect((await state(created.body.id)).holder).toEqual(expected);
  // Recorded at create: a later change of name in the directory does not rewrite the request.
  api.directory.put({ sub: 'holly', email: 'holly@example.com', name: 'Holly Renamed' });
  expect((await state(created.body.id)).holder).toEqual(expected);
});
