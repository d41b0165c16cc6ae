import { ON_BEHALF_SCOPE } from '../../../functions/domain/bodies';
import { recordExecution } from '../../../functions/domain/execution';
import type { ApprovalRequest, Identity } from '../../../functions/domain/model';
import { receiptExpiry } from '../../../functions/domain/receipts';
import { issueReceipt, readReceipt, receiptJwks } from '../../../functions/usecases/receipts';
import { deliverCallback } from '../../../functions/usecases/workflow-steps/deliver-callback';
import { notifyOutcome } from '../../../functions/usecases/workflow-steps/notify-outcome';
import { compactVerify, createLocalJWKSet, decodeJwt } from 'jose';
import { admin, alice, bob, carol } from '../../helpers/memory/fixtures';
import { MemoryStore } from '../../helpers/memory/memory-store';
import { memoryReceipts } from '../../helpers/memory/receipts';
import { pendingRequest } from '../../helpers/memory/requests';
import { memoryStepDeps } from '../../helpers/memory/step-deps';

const APPROVED_AT = '2026-11-04T10:00:00.000Z';
const billing: Identity = { id: 'billing-system', email: '', groups: [], scopes: [ON_BEHALF_SCOPE] };
const hr: Identity = { ...billing, id: 'hr-system' };

const approved = (overrides: Partial<ApprovalRequest> = {}) =>
  pendingRequest({
    state: 'approved',
    client: 'billing-system',
    callbackUrl: 'https://hooks.example.com/approvals',
    approvalValidFor: 'PT1H',
    approvals: [{ by: { id: 'carol', email: 'carol@example.com' }, at: APPROVED_AT }],
    decision: { decision: 'approved', by: { id: 'carol', email: 'carol@example.com' }, at: APPROVED_AT },
    ...overrides,
  });

describe('signing in the workflow', () => {
  test('notify outcome signs the receipt once; a rerun and the callback reuse it, and the callback carries it', async () => {
    const request = approved();
    const store = new MemoryStore(request);
    const { deps, receipts, callbacks } = memoryStepDeps(store, { now: '2026-11-04T10:00:01.000Z' });
    await notifyOutcome(deps, request.id);
    await notifyOutcome(deps, request.id);
    await deliverCallback(deps, request.id);
    expect(receipts.signer.signatures).toBe(1);
    const stored = await receipts.store.getReceipt(request.id);
    expect(callbacks.calls[0]?.event).toMatchObject({ type: 'request.approved', receipt: stored?.receipt });
    const { keys } = await receiptJwks({ publicKeys: async () => [receipts.signer.jwk] });
    const { protectedHeader } = await compactVerify(stored?.receipt ?? '', createLocalJWKSet({ keys }));
    expect(protectedHeader).toMatchObject({ alg: 'ES256', kid: receipts.signer.kid });
    expect(decodeJwt(stored?.receipt ?? '').exp).toBe(receiptExpiry(APPROVED_AT, 'PT1H'));
  });

  test('the callback signs it when notify outcome could not, and a rejected request gets none', async () => {
    const request = approved();
    const rejected = approved({ id: '00000000-0000-4000-8000-000000000002', state: 'rejected', decision: undefined });
    const store = new MemoryStore(request, rejected);
    const { deps, receipts, callbacks } = memoryStepDeps(store, { now: '2026-11-04T10:00:01.000Z' });
    await deliverCallback(deps, request.id);
    await deliverCallback(deps, rejected.id);
    expect(receipts.signer.signatures).toBe(1);
    expect(callbacks.calls.map((call) => Boolean(call.event.receipt))).toEqual([true, false]);
  });

  test('a step reads no receipt: the request item as read carries it once signed, and before that it is signed at once', async () => {
    const request = approved();
    const store = new MemoryStore(request);
    const { deps, receipts, callbacks } = memoryStepDeps(store, { now: '2026-11-04T10:00:01.000Z' });
    await notifyOutcome(deps, request.id);
    expect((await store.getRequest(request.id))?.receipt).toBe((await receipts.store.getReceipt(request.id))?.receipt);
    receipts.store.gets = 0;
    await notifyOutcome(deps, request.id);
    await deliverCallback(deps, request.id);
    expect(receipts.store.gets).toBe(0);
    expect(receipts.store.puts).toBe(1);
    expect(receipts.signer.signatures).toBe(1);
    expect(callbacks.calls[0]?.event.receipt).toBe((await store.getRequest(request.id))?.receipt);
  });

  test('a step that read the request before another attempt stored the receipt keeps that one', async () => {
    const request = approved();
    const store = new MemoryStore(request);
    const { deps, receipts } = memoryStepDeps(store, { now: '2026-11-04T10:00:01.000Z' });
    const readBefore = await store.getRequest(request.id);
    const first = await issueReceipt(deps, request, readBefore);
    const second = await issueReceipt(deps, request, readBefore);
    expect(second.receipt).toBe(first.receipt);
    expect(receipts.store.receipts.size).toBe(1);
    expect(receipts.store.gets).toBe(0);
  });

  test('two steps signing at once store one receipt: the second keeps the first', async () => {
    const request = approved();
    const receipts = memoryReceipts();
    const deps = { receipts, now: () => '2026-11-04T10:00:01.000Z' };
    const [first, second] = await Promise.all([issueReceipt(deps, request), issueReceipt(deps, request)]);
    expect(second).toEqual(first);
    expect(receipts.store.receipts.size).toBe(1);
  });
});

describe('reading a receipt', () => {
  const setup = async (request: ApprovalRequest) => {
    const receipts = memoryReceipts();
    if (request.state === 'approved') await issueReceipt({ receipts, now: () => APPROVED_AT }, request);
    return { repository: new MemoryStore(request), receipts: receipts.store };
  };

  test('the requester, approvers, admins and the creating calling system read it; others get 403', async () => {
    const request = approved();
    const deps = await setup(request);
    for (const who of [alice, carol, admin, billing]) expect((await readReceipt(deps, who, request.id)).receipt).toMatch(/^ey/);
    for (const who of [{ ...bob, groups: [] }, hr])
      await expect(readReceipt(deps, who, request.id)).rejects.toMatchObject({ code: 'forbidden' });
  });

  test('is 409 before the request is approved (and for a rejected one)', async () => {
    for (const request of [pendingRequest(), approved({ state: 'rejected' })]) {
      await expect(readReceipt(await setup(request), alice, request.id)).rejects.toMatchObject({ code: 'conflict' });
    }
  });
});

describe('execution reports', () => {
  const exp = receiptExpiry(APPROVED_AT, 'PT1H');
  const before = '2026-11-04T10:30:00.000Z';

  test('the creating calling system records executed; a second succeeded is 409', () => {
    const change = recordExecution(approved(), billing, { status: 'succeeded', reference: 'serial 01' }, exp, before);
    expect(change.request).toMatchObject({
      state: 'approved',
      execution: { status: 'succeeded', reference: 'serial 01', by: { id: 'billing-system' } },
    });
    expect(change.history).toMatchObject({ type: 'executed', actor: { id: 'billing-system' }, details: { reference: 'serial 01' } });
    expect(change.outcome).toBeUndefined();
    expect(() => recordExecution(change.request, billing, { status: 'succeeded' }, exp, before)).toThrow(/already reported/);
    expect(() => recordExecution(change.request, admin, { status: 'failed' }, exp, before)).toThrow(/already reported/);
  });

  test('a failed report may be followed by another (history execution-failed)', () => {
    const failed = recordExecution(approved(), billing, { status: 'failed', details: { error: 'CA offline' } }, exp, before);
    expect(failed.history.type).toBe('execution-failed');
    expect(recordExecution(failed.request, admin, { status: 'succeeded' }, exp, before).history.type).toBe('executed');
  });

  test('a lapsed approval (the receipt expired) is 409, from its exp on', () => {
    const atExpiry = new Date(exp * 1000).toISOString();
    expect(() => recordExecution(approved(), billing, { status: 'succeeded' }, exp, atExpiry)).toThrow(/lapsed/);
    expect(() => recordExecution(approved(), admin, { status: 'succeeded' }, exp, atExpiry)).toThrow(/lapsed/);
  });

  test('another calling system, the requester or an approver is 403; a request not approved is 409', () => {
    for (const who of [hr, alice, carol]) {
      expect(() => recordExecution(approved(), who, { status: 'succeeded' }, exp, before)).toThrow(/only the calling system/);
    }
    // A person whose sub happens to be the client id, without the calling systems' scope, is not that system.
    expect(() => recordExecution(approved(), { ...billing, scopes: [] }, { status: 'succeeded' }, exp, before)).toThrow(
      /only the calling system/,
    );
    for (const state of ['requested', 'rejected', 'expired', 'deleted'] as const) {
      expect(() => recordExecution(approved({ state }), billing, { status: 'succeeded' }, exp, before)).toThrow(/only an approved request/);
    }
  });
});
