import fc from 'fast-check';
import { DETAIL_TYPES, type DetailType, detailTypesOf, eventDetail, MAX_EVENT_BYTES } from '../../../functions/domain/events';
import { type ApprovalRequest, OUTCOMES, type State } from '../../../functions/domain/model';
import { pendingRequest } from '../../helpers/memory/requests';

/** A request as stored (`currentStage`, `execution` on the request). */
type Staged = ApprovalRequest;
const client = { id: 'ca-client' };
const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 9, minute)).toISOString();
const request = (overrides: Partial<Staged> = {}): Staged => pendingRequest(overrides) as Staged;
const ended = (state: State, overrides: Partial<Staged> = {}) =>
  request({ state, version: 2, currentStage: null, decision: { decision: state as never, by: { id: 'bob' }, at: at(5) }, ...overrides });

describe('the events of a stored change, from the images before and after it', () => {
  test('a new request: Approval Request Created', () => {
    expect(detailTypesOf(undefined, request())).toEqual(['Approval Request Created']);
  });

  test('a new request at its first stage: only created (the first stage starts with the request)', () => {
    expect(detailTypesOf(undefined, request({ currentStage: 0 }))).toEqual(['Approval Request Created']);
  });

  test('a request stored before stages (no currentStage) was at its first stage: moving to the second starts a stage', () => {
    expect(detailTypesOf(request(), request({ currentStage: 0, version: 2 }))).toEqual([]);
    expect(detailTypesOf(request(), request({ currentStage: 1, version: 2 }))).toEqual(['Stage Started']);
  });

  test('a new request approved at once by policy: created; approved once its receipt is stored with it', () => {
    const byPolicy = ended('approved', { version: 1, decision: { decision: 'approved', by: { id: 'policy' }, at: at(0) } });
    expect(detailTypesOf(undefined, byPolicy)).toEqual(['Approval Request Created']);
    expect(detailTypesOf(byPolicy, byPolicy, { now: true })).toEqual(['Approved']);
  });

  test('an approval: Approved when its receipt is stored (the workflow signs it after), once', () => {
    const approved = ended('approved');
    expect(detailTypesOf(request({ currentStage: 1 }), approved)).toEqual([]);
    expect(detailTypesOf(approved, approved, { now: true })).toEqual(['Approved']);
    expect(detailTypesOf(approved, { ...approved }, { was: true, now: true })).toEqual([]);
    // A receipt stored in the same change as the approval (not how the service writes, but the rule holds).
    expect(detailTypesOf(request({ currentStage: 1 }), approved, { now: true })).toEqual(['Approved']);
  });

  test.each([
    ['rejected', 'Rejected'],
    ['expired', 'Expired'],
    ['deleted', 'Deleted'],
  ] as const)('a pending request that became %s: %s, and nothing else', (state, type) => {
    expect(detailTypesOf(request({ currentStage: 1 }), ended(state))).toEqual([type]);
  });

  test('the next stage of a pending request: Stage Started', () => {
    expect(detailTypesOf(request({ currentStage: 0 }), request({ currentStage: 1, version: 2 }))).toEqual(['Stage Started']);
  });

  test('an execution report on an approved request: Executed; a second, different report: Executed again', () => {
    const approved = ended('approved');
    const reported = { ...approved, version: 3, execution: { status: 'failed' as const, by: client, at: at(9) } };
    expect(detailTypesOf(approved, reported)).toEqual(['Executed']);
    expect(
      detailTypesOf(reported, { ...reported, version: 4, execution: { status: 'succeeded' as const, by: client, at: at(10) } }),
    ).toEqual(['Executed']);
  });

  test('no event for bookkeeping, a hold, an approval short of the quorum, or a repeat of the same image', () => {
    const pending = request({ currentStage: 0 });
    expect(detailTypesOf(pending, { ...pending })).toEqual([]);
    expect(detailTypesOf(pending, { ...pending, version: 2, onHold: true, hold: { by: { id: 'bob' }, at: at(3) } })).toEqual([]);
    expect(detailTypesOf(pending, { ...pending, version: 2, approvals: [{ by: { id: 'bob' }, at: at(4) }] })).toEqual([]);
    const approved = ended('approved');
    expect(detailTypesOf(approved, { ...approved })).toEqual([]);
    expect(detailTypesOf(approved, undefined)).toEqual([]);
  });

  test('property: every change gives exactly the detail-types of what changed, each at most once, in a fixed order', () => {
    const stage = fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined });
    const execution = fc.option(fc.constantFrom('succeeded' as const, 'failed' as const), { nil: undefined });
    const image = fc.record({ state: fc.constantFrom<State>('requested', ...OUTCOMES), stage, execution, signed: fc.boolean() });
    fc.assert(
      fc.property(fc.option(image, { nil: undefined }), image, (was, now) => {
        const build = (i: { state: State; stage?: number; execution?: 'succeeded' | 'failed' }) =>
          request({
            state: i.state,
            currentStage: i.state === 'requested' ? i.stage : null,
            ...(i.execution ? { execution: { status: i.execution, by: client, at: at(1) } } : {}),
          });
        const before = was && build(was);
        const after = build(now);
        const expected: DetailType[] = [];
        if (!before) expected.push('Approval Request Created');
        if (before && now.state === 'requested' && now.stage !== undefined && (before.currentStage ?? 0) !== now.stage)
          expected.push('Stage Started');
        if (now.state === 'approved' && now.signed && !(was?.state === 'approved' && was.signed)) expected.push('Approved');
        if (now.state !== 'requested' && now.state !== 'approved' && now.state !== before?.state)
          expected.push(({ rejected: 'Rejected', expired: 'Expired', deleted: 'Deleted' } as const)[now.state]);
        if (now.execution && now.execution !== was?.execution) expected.push('Executed');
        const types = detailTypesOf(before, after, { was: was?.signed, now: now.signed });
        expect(types).toEqual(expected);
        expect(new Set(types).size).toBe(types.length);
        expect(types.every((type) => DETAIL_TYPES.includes(type))).toBe(true);
      }),
    );
  });
});

describe('the detail of an event', () => {
  test('is the request and, when given, its receipt', () => {
    const approved = ended('approved');
    expect(eventDetail(approved, 'a.b.c')).toEqual({ request: approved, receipt: 'a.b.c' });
    expect(eventDetail(approved)).toEqual({ request: approved });
  });

  test('of a request too big for one event leaves out its largest fields, named in omitted, and fits', () => {
    const big = request({ subject: { holderId: 'E-1', notes: 'x'.repeat(300_000) }, justification: 'y'.repeat(10) });
    const detail = eventDetail(big, 'a.b.c');
    expect(detail.omitted).toEqual(['subject']);
    expect(detail.request).not.toHaveProperty('subject');
    expect(detail.request).toMatchObject({ id: big.id, state: 'requested', justification: 'y'.repeat(10) });
    expect(detail.receipt).toBe('a.b.c');
    expect(Buffer.byteLength(JSON.stringify(detail))).toBeLessThan(MAX_EVENT_BYTES);
  });
});
