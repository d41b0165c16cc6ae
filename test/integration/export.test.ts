/**
 * GET /requests/export on the local stack: a creation-time range read back page by page, as CSV
 * (parsed with a CSV library) and as JSON Lines, with formula-like text neutralised.
 */
import { parse } from 'csv-parse/sync';
import { type Api, cardRequest, profile, startApi, users } from '../helpers/stack';

let api: Api;
const ids: string[] = [];
let from = '';
let to = '';
const REQUESTS = 45;
const FORMULA_REASON = '=HYPERLINK("http://evil.example","click"), then\n"quoted"';

beforeAll(async () => {
  // No outbox: these tests read stored requests; the workflow each create would start (tested in
  // workflow.test.ts and outbox.test.ts) only costs time here.
  api = await startApi({ outbox: false });
  expect((await api.call('PUT', '/profiles/export', { as: users.admin, body: profile() })).status).toBe(200);
  expect((await api.call('PUT', '/profiles/export-other', { as: users.admin, body: profile() })).status).toBe(200);
  // One request before the range: it must not be exported.
  await create('export');
  from = new Date().toISOString();
  for (let index = 0; index < REQUESTS; index++) ids.push((await create(index % 5 === 0 ? 'export-other' : 'export')).id);
  to = new Date(Date.now() + 1).toISOString();
  const rejected = await api.call('POST', `/requests/${ids[1]}/decisions`, {
    as: users.carol,
    body: { decision: 'reject', reason: FORMULA_REASON },
  });
  expect(rejected.status).toBe(200);
  expect((await api.call('POST', `/requests/${ids[2]}/decisions`, { as: users.dave, body: { decision: 'approve' } })).status).toBe(200);
  // One after the range.
  await create('export');
}, 120_000);

afterAll(async () => {
  await api?.stop();
});

async function create(profileId: string) {
  const response = await api.call('POST', '/requests', { as: users.alice, body: cardRequest(profileId) });
  expect(response.status).toBe(201);
  return response.body as { id: string };
}

const exportPath = (query: Record<string, string>) => `/requests/export?${new URLSearchParams({ from, to, ...query })}`;

/** A GET whose body is read as text, whatever its type (JSON Lines is not one JSON document). */
async function get(path: string, as: (typeof users)[keyof typeof users]) {
  const response = await fetch(`${api.stack.apiUrl}${path}`, { headers: { authorization: `Bearer ${await api.token(as)}` } });
  return { status: response.status, body: await response.text(), headers: response.headers };
}

/** Every page, following Next-Cursor; the texts of the pages in order. */
async function allPages(query: Record<string, string>, as = users.carol) {
  const pages: string[] = [];
  let cursor: string | null = null;
  do {
    const response = await get(exportPath({ ...query, ...(cursor ? { cursor } : {}) }), as);
    expect(response.status).toBe(200);
    pages.push(response.body);
    cursor = response.headers.get('next-cursor');
  } while (cursor);
  return pages;
}

test('CSV pages joined are one RFC 4180 file with a row per request created in the range, newest first', async () => {
  const pages = await allPages({ format: 'csv', limit: '10' });
  expect(pages.length).toBeGreaterThanOrEqual(5);
  const records = parse(pages.join(''), { columns: true }) as Array<Record<string, string>>;
  expect(records.map((record) => record.id)).toEqual([...ids].reverse());
  const rejected = records.find((record) => record.id === ids[1]);
  expect(rejected).toMatchObject({
    state: 'rejected',
    decidedBy: users.carol.email,
    reason: `'${FORMULA_REASON}`,
    requester: users.alice.email,
    profileId: 'export',
    kind: 'card.request',
  });
  expect(records.find((record) => record.id === ids[2])).toMatchObject({
    state: 'approved',
    stages: `Approval (approved, 1/1: ${users.dave.email})`,
  });
  for (const record of records) for (const cell of Object.values(record)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
});

test('the first CSV page answers as a download, with Next-Cursor while more remain', async () => {
  const response = await api.call('GET', exportPath({ limit: '40' }), { as: users.admin });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
  expect(response.headers.get('content-disposition')).toBe(`attachment; filename="requests-${from.slice(0, 10)}.csv"`);
  expect(response.headers.get('next-cursor')).toBeTruthy();
  const last = await api.call('GET', exportPath({ limit: '40', cursor: response.headers.get('next-cursor') as string }), {
    as: users.admin,
  });
  expect(parse(last.body as string)).toHaveLength(REQUESTS - 40);
  expect(last.headers.get('next-cursor')).toBeNull();
});

test('JSON Lines with filters: state and profile narrow the rows', async () => {
  const pages = await allPages({ format: 'jsonl', limit: '4', profileId: 'export-other' });
  const rows = pages
    .join('')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  expect(rows.map((row) => row.id)).toEqual(ids.filter((_, index) => index % 5 === 0).reverse());
  expect(rows[0]).toMatchObject({ profileId: 'export-other', state: 'requested', decidedBy: null, stages: [{ name: 'Approval' }] });
  const rejected = await get(exportPath({ format: 'jsonl', state: 'rejected' }), users.carol);
  const lines = rejected.body.split('\n').filter(Boolean);
  expect(lines.map((line) => JSON.parse(line))).toEqual([expect.objectContaining({ id: ids[1], reason: FORMULA_REASON })]);
  expect(rejected.headers.get('content-type')).toMatch(/^application\/jsonl/);
});

test('only approvers and admins may export', async () => {
  const response = await api.call('GET', exportPath({}), { as: users.alice });
  expect(response.status).toBe(403);
});

test.each([
  [{ from: '' }, 'from'],
  [{ to: 'yesterday' }, 'to'],
  [{ format: 'xlsx' }, 'format'],
  [{ limit: '1001' }, 'limit'],
  [{ cursor: 'forged' }, 'cursor'],
  [{ extra: '1' }, '(body)'],
])('a bad query (case %#) is 400 naming the field', async (query, field) => {
  const response = await api.call('GET', exportPath(query as Record<string, string>), { as: users.carol });
  expect(response.status).toBe(400);
  expect(response.body.error.message.startsWith(`${field} `)).toBe(true);
});

test('from must come before to', async () => {
  const response = await api.call('GET', `/requests/export?${new URLSearchParams({ from: to, to: from })}`, { as: users.carol });
  expect(response.status).toBe(400);
  expect(response.body.error.message).toMatch(/^to /);
});
