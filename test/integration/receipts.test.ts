/**
 * Receipts and execution reports against the running local stack: the workflow signs the receipt
 * with the local KMS key when a request is approved, the calling system gets it in the callback
 * and from GET /requests/{id}/receipt, and verifies it exactly as the README shows (jose against
 * the JWKS); then it reports what it did (POST /requests/{id}/execution).
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import canonicalize from 'canonicalize';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { ON_BEHALF_SCOPE } from '../../functions/domain/bodies';
import { waitFor } from '../../local/net';
import { type Api, cardRequest, profile, startApi, users } from '../helpers/stack';

let api: Api;
let port: number;
/** The calling system's receiver: every callback it got, answered 204. */
const callbacks: Array<{ type: string; request: { id: string }; receipt?: string }> = [];
const receiver = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    callbacks.push(JSON.parse(body));
    res.statusCode = 204;
    res.end();
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  port = (receiver.address() as { port: number }).port;
  api = await startApi({ timeScale: 0.2, callbackUrlPrefixes: `http://127.0.0.1:${port}/hooks/` });
  await api.call('PUT', '/profiles/certs', { as: users.admin, body: profile({ approvalValidFor: 'PT1H' }) });
  await api.call('PUT', '/profiles/brief', { as: users.admin, body: profile({ approvalValidFor: 'PT1S' }) });
}, 120_000);

afterAll(async () => {
  await api?.stop();
  await new Promise((resolve) => receiver.close(resolve));
});

const systemToken = (client: string) => api.issuer.sign({ sub: client, scopes: [ON_BEHALF_SCOPE] });
const asSystem = async (client: string) => ({ authorization: `Bearer ${await systemToken(client)}` });

/** A request created by the calling system `billing-system` for alice, with a callback. */
async function createBySystem(profileId: string, subject = { holderId: 'h-100', cardProfile: 'PIV standard' }) {
  const created = await api.call('POST', '/requests', {
    headers: await asSystem('billing-system'),
    body: cardRequest(profileId, {
      subject,
      callbackUrl: `http://127.0.0.1:${port}/hooks/approvals`,
      onBehalfOf: { id: users.alice.sub, email: users.alice.email },
    }),
  });
  expect(created.status).toBe(201);
  return created.body as { id: string; subject: Record<string, unknown> };
}

async function approve(id: string): Promise<string> {
  expect((await api.call('POST', `/requests/${id}/decisions`, { as: users.carol, body: { decision: 'approve' } })).status).toBe(200);
  return waitFor(
    async () => {
      const response = await api.call('GET', `/requests/${id}/receipt`, { as: users.alice });
      return response.status === 200 ? (response.body.receipt as string) : undefined;
    },
    { timeoutMs: 20_000, what: `the receipt of ${id}` },
  );
}

/** What a CA does before it acts (README: Receipts): verify against the JWKS, then check it covers this subject. */
async function caVerifies(receipt: string, requestId: string, subject: unknown, options: { currentDate?: Date } = {}): Promise<JWTPayload> {
  const jwks = createRemoteJWKSet(new URL(`${api.stack.apiUrl}/.well-known/jwks.json`));
  const { payload } = await jwtVerify(receipt, jwks, { issuer: api.stack.apiUrl, subject: requestId, algorithms: ['ES256'], ...options });
  const digest = createHash('sha256')
    .update(canonicalize(subject) as string)
    .digest('base64url');
  if (payload.subjectDigest !== digest) throw new Error('the receipt does not cover this subject');
  return payload;
}

describe('receipt', () => {
  test('is 409 while pending; once approved, the calling system verifies it against the JWKS, and the callback carried it', async () => {
    const request = await createBySystem('certs');
    const pending = await api.call('GET', `/requests/${request.id}/receipt`, { as: users.alice });
    expect(pending.status).toBe(409);
    const receipt = await approve(request.id);

    const payload = await caVerifies(receipt, request.id, request.subject);
    const stored = (await api.call('GET', `/requests/${request.id}`, { as: users.alice })).body;
    expect(payload).toMatchObject({
      iss: api.stack.apiUrl,
      sub: request.id,
      kind: 'card.request',
      profileId: 'certs',
      approvals: [{ by: { id: users.carol.sub, email: users.carol.email }, at: stored.approvals[0].at, stage: 0 }],
      approvedAt: stored.decision.at,
    });
    expect(payload.exp).toBe(Math.floor(Date.parse(stored.decision.at) / 1000) + 3600);
    const jwks = (await api.call('GET', '/.well-known/jwks.json')).body;
    expect(jwks.keys.map((key: { kid: string }) => key.kid)).toContain(decodeProtectedHeader(receipt).kid);

    // The creating calling system, approvers and admins read the same receipt; another person may not.
    for (const headers of [await asSystem('billing-system')]) {
      expect((await api.call('GET', `/requests/${request.id}/receipt`, { headers })).body).toEqual({ receipt });
    }
    for (const as of [users.carol, users.admin])
      expect((await api.call('GET', `/requests/${request.id}/receipt`, { as })).body).toEqual({ receipt });
    expect((await api.call('GET', `/requests/${request.id}/receipt`, { as: users.bob })).status).toBe(403);
    expect((await api.call('GET', `/requests/${request.id}/receipt`, { headers: await asSystem('hr-system') })).status).toBe(403);

    const callback = await waitFor(async () => callbacks.find((event) => event.request.id === request.id), {
      timeoutMs: 20_000,
      what: 'the callback',
    });
    expect(callback).toMatchObject({ type: 'request.approved', receipt });
  });

  test('a tampered receipt, one signed with another key, an expired one and one for another subject do not verify', async () => {
    const request = await createBySystem('certs', { holderId: 'h-200', cardProfile: 'PIV standard' });
    const receipt = await approve(request.id);
    const [header, body, signature] = receipt.split('.');
    const claims = decodeJwt(receipt);

    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, profileId: 'other' })).toString('base64url')}.${signature}`;
    await expect(caVerifies(tampered, request.id, request.subject)).rejects.toMatchObject({
      code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    });

    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const forged = await new SignJWT(claims).setProtectedHeader(decodeProtectedHeader(receipt) as { alg: string }).sign(privateKey);
    await expect(caVerifies(forged, request.id, request.subject)).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });

    const afterExpiry = new Date(((claims.exp ?? 0) + 1) * 1000);
    await expect(caVerifies(receipt, request.id, request.subject, { currentDate: afterExpiry })).rejects.toMatchObject({
      code: 'ERR_JWT_EXPIRED',
    });
    await expect(caVerifies(receipt, request.id, { ...request.subject, holderId: 'h-201' })).rejects.toThrow(/does not cover this subject/);
    expect(body).toBeDefined();
  });

  test('is signed once: a rerun of the workflow steps finds it stored', async () => {
    const request = await createBySystem('certs', { holderId: 'h-300', cardProfile: 'PIV standard' });
    const receipt = await approve(request.id);
    const { notifyOutcome } = await import('../../functions/usecases/workflow-steps/notify-outcome');
    const { stepDeps } = await import('../../functions/approval-steps/deps');
    const { sesMailerOf } = await import('../../functions/approval-steps/adapters');
    const { receiptIssuerOf } = await import('../../functions/approval-steps/receipts');
    await notifyOutcome(stepDeps('notifyOutcome', { send: sesMailerOf, receipts: receiptIssuerOf }), request.id);
    expect((await api.call('GET', `/requests/${request.id}/receipt`, { as: users.alice })).body).toEqual({ receipt });
  });
});

describe('execution report', () => {
  const report = async (id: string, body: unknown, headers?: Record<string, string>, as?: (typeof users)[keyof typeof users]) =>
    api.call('POST', `/requests/${id}/execution`, { body, ...(headers ? { headers } : {}), ...(as ? { as } : {}) });

  test('only the creating calling system or an admin reports; 409 while pending and after a succeeded; history executed', async () => {
    const request = await createBySystem('certs', { holderId: 'h-400', cardProfile: 'PIV standard' });
    const billing = await asSystem('billing-system');
    expect((await report(request.id, { status: 'succeeded' }, billing)).status).toBe(409);
    await approve(request.id);

    expect((await report(request.id, { status: 'succeeded' }, await asSystem('hr-system'))).status).toBe(403);
    expect((await report(request.id, { status: 'succeeded' }, undefined, users.alice)).status).toBe(403);
    const bad = await report(request.id, { status: 'done' }, billing);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('status');

    const failed = await report(request.id, { status: 'failed', details: 'CA offline' }, billing);
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({
      state: 'approved',
      execution: { status: 'failed', details: 'CA offline', by: { id: 'billing-system' } },
    });
    const done = await report(request.id, { status: 'succeeded', reference: 'serial 01AF' }, billing);
    expect(done.status).toBe(200);
    expect(done.body.execution).toMatchObject({ status: 'succeeded', reference: 'serial 01AF' });
    const again = await report(request.id, { status: 'succeeded' }, undefined, users.admin);
    expect(again.status).toBe(409);

    const history = (await api.call('GET', `/requests/${request.id}`, { as: users.alice })).body.history as Array<{ type: string }>;
    expect(history.map((entry) => entry.type).filter((type) => type.startsWith('execut'))).toEqual(['execution-failed', 'executed']);
  });

  test('an admin may report; once the receipt has expired the approval has lapsed: 409', async () => {
    const request = await createBySystem('brief', { holderId: 'h-500', cardProfile: 'PIV standard' });
    const receipt = await approve(request.id);
    const exp = decodeJwt(receipt).exp ?? 0;
    await waitFor(async () => Date.now() >= exp * 1000, { timeoutMs: 5_000, what: 'the receipt to expire' });
    const lapsed = await report(request.id, { status: 'succeeded' }, await asSystem('billing-system'));
    expect(lapsed.status).toBe(409);
    expect(lapsed.body.error.message).toMatch(/lapsed/);
    expect((await report(request.id, { status: 'succeeded' }, undefined, users.admin)).status).toBe(409);

    const other = await createBySystem('certs', { holderId: 'h-501', cardProfile: 'PIV standard' });
    await approve(other.id);
    expect((await report(other.id, { status: 'succeeded' }, undefined, users.admin)).status).toBe(200);
  });
});
