/**
 * Generated and mutated inputs over every route: bad input is a 4xx, never a 5xx, and every
 * error answer of the API has the contract's error shape. Then hostile subjects generated with
 * fast-check (test/helpers/hostile.ts) sent to POST /requests: zero 5xx, and the approver email of
 * every created request holds exactly the service's own Approve and Reject lines.
 */
import { sendHostileCreates } from '../helpers/hostile';
import { recordFigures } from '../helpers/reliability/figures';
import { generate, type Input, prng } from '../helpers/reliability/fuzz';
import { about, call, isErrorShape, linksOf, pool, waitForEmails } from '../helpers/reliability/http';
import { type InProcess, startInProcess } from '../helpers/reliability/inprocess';
import { scaled } from '../helpers/reliability/scale';

const INPUTS = scaled(10_000, 500);
const HOSTILE_SUBJECTS = scaled(10_000, 500);
const SEED = Number(process.env.RELIABILITY_SEED ?? 20261126);

let stack: InProcess;
let tokens: Record<Input['as'], string | undefined>;
let seeds: { profileId: string; requestId: string; link: string };

beforeAll(async () => {
  stack = await startInProcess({ CALLBACK_URL_PREFIXES: 'http://127.0.0.1:9/hooks/' });
  // The listed approvers are enabled directory users in the approvers group (the token command put them there).
  for (const sub of ['karol', 'dave']) stack.mint.enter({ sub, email: `${sub}@example.com`, groups: ['approvers'] });
  tokens = {
    admin: await stack.mint.person({ sub: 'admin-1', email: 'admin@example.com', groups: ['admins'] }),
    approver: await stack.mint.person({ sub: 'karol', email: 'karol@example.com', groups: ['approvers'] }),
    requester: await stack.mint.person({ sub: 'alice', email: 'alice@example.com' }),
    client: await stack.mint.client('billing-system'),
    unverified: await stack.mint.person({ sub: 'karol', email: 'karol@example.com', groups: ['approvers'] }, { email_verified: false }),
    none: undefined,
    garbage: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
  };
  const profile = {
    name: 'Fuzz',
    requireApprovalFor: ['card.request'],
    approvers: ['karol@example.com', 'dave@example.com'],
    requiredApprovals: 1,
    remindAfter: 'PT1H',
    expireAfter: 'P2D',
  };
  expect((await call(stack.apiUrl, 'PUT', '/profiles/fuzz', { token: tokens.admin, body: profile })).status).toBe(200);
  const created = await call(stack.apiUrl, 'POST', '/requests', {
    token: tokens.requester,
    body: { kind: 'card.request', profileId: 'fuzz', subject: { holderId: 'E-1', cardProfile: 'PIV' } },
  });
  expect(created.status).toBe(201);
  const [email] = await waitForEmails(stack.mailUrl, about(created.body.id), 1, 60_000);
  const link = new URL(linksOf(email as never).approve);
  seeds = { profileId: 'fuzz', requestId: created.body.id, link: `${link.pathname}${link.search}` };
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

test(
  `${INPUTS} generated and mutated inputs over every route: zero 5xx, every API error in the contract's shape`,
  async () => {
    const rng = prng(SEED);
    const inputs = Array.from({ length: INPUTS }, () => generate(rng, seeds));
    const started = Date.now();
    const byRoute: Record<string, Record<string, number>> = {};
    const serverErrors: Array<{ input: Input; status: number; text: string }> = [];
    const unshaped: Array<{ input: Input; status: number; text: string }> = [];
    await pool(inputs, 8, async (input) => {
      const token = tokens[input.as];
      const reply = await call(stack.apiUrl, input.method, input.path, { token, raw: input.body, headers: input.headers });
      const counts = byRoute[input.route] ?? {};
      byRoute[input.route] = counts;
      const bucket = `${Math.floor(reply.status / 100)}xx`;
      counts[bucket] = (counts[bucket] ?? 0) + 1;
      const sample = { input: { ...input, body: input.body?.slice(0, 300) }, status: reply.status, text: reply.text.slice(0, 300) };
      if (reply.status >= 500) serverErrors.push(sample);
      const isLinkPage = input.route.includes('/links/') && (reply.headers.get('content-type') ?? '').startsWith('text/html');
      if (reply.status >= 400 && reply.status < 500 && input.method !== 'HEAD' && !isLinkPage && !isErrorShape(reply))
        unshaped.push(sample);
    });
    const seconds = (Date.now() - started) / 1000;
    const routes = Object.keys(byRoute).sort();
    expect(routes.length).toBeGreaterThanOrEqual(13);
    // One sample per route, so that one common fault does not hide the others.
    const perRoute = (list: typeof serverErrors) => [...new Map(list.map((sample) => [sample.input.route, sample])).values()];
    expect({ serverErrors: serverErrors.length, samples: perRoute(serverErrors) }).toEqual({ serverErrors: 0, samples: [] });
    expect({ unshapedErrors: unshaped.length, samples: perRoute(unshaped) }).toEqual({ unshapedErrors: 0, samples: [] });
    recordFigures(__filename, 'fuzz', {
      inputs: INPUTS,
      seed: SEED,
      routes: routes.length,
      serverErrors: serverErrors.length,
      inputsPerSecond: Math.round(INPUTS / seconds),
      statusesByRoute: byRoute,
    });
  },
  20 * 60_000,
);

test(
  `${HOSTILE_SUBJECTS} hostile subjects (fast-check) to POST /requests: zero 5xx, no forged line in any approver email`,
  async () => {
    const profile = {
      name: 'Fuzz subjects',
      requireApprovalFor: ['card.request'],
      approvers: ['karol@example.com'],
      requiredApprovals: 1,
      remindAfter: 'PT1H',
      expireAfter: 'P2D',
    };
    expect((await call(stack.apiUrl, 'PUT', '/profiles/fuzz-subjects', { token: tokens.admin, body: profile })).status).toBe(200);
    const run = await sendHostileCreates({
      apiUrl: stack.apiUrl,
      mailUrl: stack.mailUrl,
      token: tokens.requester as string,
      profileId: 'fuzz-subjects',
      approver: 'karol@example.com',
      runs: HOSTILE_SUBJECTS,
      seed: SEED,
      batch: 500,
      concurrency: 16,
    });
    expect({ serverErrors: run.serverErrors.length, samples: run.serverErrors.slice(0, 3) }).toEqual({ serverErrors: 0, samples: [] });
    expect({ forgedEmails: run.forged.length, samples: run.forged.slice(0, 3) }).toEqual({ forgedEmails: 0, samples: [] });
    expect(run.sent).toBe(HOSTILE_SUBJECTS);
    expect(run.created).toBeGreaterThan(HOSTILE_SUBJECTS / 10);
    recordFigures(__filename, 'hostileSubjects', {
      inputs: HOSTILE_SUBJECTS,
      seed: SEED,
      created: run.created,
      refused: run.refused,
      serverErrors: run.serverErrors.length,
      forgedEmails: run.forged.length,
      seconds: Math.round(run.seconds),
      mailSeconds: Math.round(run.mailSeconds),
      inputsPerSecond: Math.round(HOSTILE_SUBJECTS / run.seconds),
    });
  },
  20 * 60_000,
);
