import { type Api, cardRequest, profile, startApi, users } from '../helpers/stack';
import { about, linksOf, to, waitForEmails, waitForExecution, waitForState } from '../helpers/workflow';

let api: Api;

beforeAll(async () => {
  api = await startApi();
  await api.call('PUT', '/profiles/cards', {
    as: users.admin,
    body: profile({ approvers: [users.carol.email, users.dave.email], requiredApprovals: 1 }),
  });
  await api.call('PUT', '/profiles/quorum', {
    as: users.admin,
    body: profile({ approvers: [users.carol.email, users.dave.email], requiredApprovals: 2 }),
  });
  await api.call('PUT', '/profiles/fast', {
    as: users.admin,
    body: profile({ approvers: [users.carol.email], remindAfter: 'PT1S', expireAfter: 'PT2S' }),
  });
}, 120_000);

afterAll(async () => {
  await api?.stop();
});

async function pending(profileId = 'cards') {
  const request = (await api.call('POST', '/requests', { as: users.alice, body: cardRequest(profileId) })).body as { id: string };
  const [toCarol] = await waitForEmails(api, (mail) => to(users.carol.email)(mail) && about(request.id)(mail));
  return { id: request.id, links: linksOf(toCarol as never) };
}

const snapshot = async (id: string) => {
  const body = (await api.call('GET', `/requests/${id}`, { as: users.admin })).body;
  return {
    state: body.state,
    version: body.version,
    approvals: body.approvals,
    onHold: body.onHold,
    decisions: body.history.filter((entry: { type: string }) => !['notified', 'reminded'].includes(entry.type)).length,
  };
};

const post = (url: string, form: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });

function expectLinkHeaders(response: Response) {
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
}

test('GET and HEAD on a link, twenty times each, show a confirm page and change nothing', async () => {
  const { id, links } = await pending();
  const before = await snapshot(id);
  for (let index = 0; index < 20; index++) {
    const get = await fetch(links.approve);
    expect(get.status).toBe(200);
    expectLinkHeaders(get);
    const html = await get.text();
    expect(html).toMatch(/<form method="post"/);
    expect(html).toContain(id);
    const head = await fetch(links.reject, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expectLinkHeaders(head);
  }
  expect(await snapshot(id)).toEqual(before);
  expect(await fetch(links.reject).then((response) => response.text())).toMatch(/<textarea[^>]*name="reason"[^>]*required/);
});

test('POST twice on an approve link makes one decision; the second answers 409 saying what happened', async () => {
  const { id, links } = await pending();
  const first = await post(links.approve);
  expect(first.status).toBe(200);
  expectLinkHeaders(first);
  const second = await post(links.approve);
  expect(second.status).toBe(409);
  expectLinkHeaders(second);
  expect(await second.text()).toMatch(/approved/i);
  const after = (await api.call('GET', `/requests/${id}`, { as: users.admin })).body;
  expect(after.state).toBe('approved');
  expect(after.history.filter((entry: { type: string }) => entry.type === 'approved')).toHaveLength(1);
  expect(after.decision.by.email).toBe(users.carol.email);
  await waitForExecution(api, id);
});

test('with a quorum, the same approver approving twice by link gets 409 already approved', async () => {
  const { id, links } = await pending('quorum');
  expect((await post(links.approve)).status).toBe(200);
  const again = await post(links.approve);
  expect(again.status).toBe(409);
  expect(await again.text()).toMatch(/already approved/i);
  expect((await snapshot(id)).approvals).toHaveLength(1);
});

test('a reject link needs a reason (400, nothing decided) and then rejects with it', async () => {
  const { id, links } = await pending();
  const missing = await post(links.reject);
  expect(missing.status).toBe(400);
  expect((await snapshot(id)).state).toBe('requested');
  const rejected = await post(links.reject, { reason: 'holder left the company' });
  expect(rejected.status).toBe(200);
  const after = (await api.call('GET', `/requests/${id}`, { as: users.admin })).body;
  expect(after).toMatchObject({ state: 'rejected', decision: { reason: 'holder left the company', by: { email: users.carol.email } } });
});

describe('a link with any part altered is refused with 403 and changes nothing', () => {
  const alter: Array<[string, (url: URL, id: string) => void]> = [
    ['request id', (url, id) => (url.pathname = url.pathname.replace(id, '0b6e8a4e-8c1f-4d3e-9a57-1f2e3d4c5b6a'))],
    ['action', (url) => (url.pathname = url.pathname.replace('/approve', '/reject'))],
    ['approver (a link for carol used as dave)', (url) => url.searchParams.set('approver', users.dave.email)],
    ['expiry', (url) => url.searchParams.set('exp', String(Number(url.searchParams.get('exp')) + 3600))],
    ['key id', (url) => url.searchParams.set('kid', 'k2')],
    ['signature', (url) => url.searchParams.set('sig', `${(url.searchParams.get('sig') ?? '').slice(0, -2)}AA`)],
    ['missing signature', (url) => url.searchParams.delete('sig')],
  ];
  test.each(alter)('%s', async (_name, change) => {
    const { id, links } = await pending();
    const before = await snapshot(id);
    const url = new URL(links.approve);
    change(url, id);
    const shown = await fetch(url);
    expect(shown.status).toBe(403);
    expectLinkHeaders(shown);
    const posted = await post(url.toString(), { reason: 'x' });
    expect(posted.status).toBe(403);
    expect(await snapshot(id)).toEqual(before);
  });
});

test('a link past its expiry answers 410 and decides nothing', async () => {
  const { id, links } = await pending('fast');
  await waitForState(api, id, 'expired', 15_000);
  const shown = await fetch(links.approve);
  expect(shown.status).toBe(410);
  expectLinkHeaders(shown);
  expect((await post(links.approve)).status).toBe(410);
  expect((await snapshot(id)).state).toBe('expired');
});

test('links and emails never contain a task token', async () => {
  const { links } = await pending();
  for (const link of [links.approve, links.reject]) {
    const url = new URL(link);
    expect([...url.searchParams.keys()].sort()).toEqual(['approver', 'exp', 'kid', 'sig']);
    expect(link.length).toBeLessThan(300);
  }
});
