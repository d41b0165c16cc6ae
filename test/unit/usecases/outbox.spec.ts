import type { ApprovalRequest } from '../../../functions/domain/model';
import { type RequestChange, relayBatch, relayChange } from '../../../functions/usecases/outbox';
import type { RoundBookkeeping } from '../../../functions/usecases/ports';
import { RecordingEvents, MemoryStats } from '../../helpers/memory/memory-stats';
import { RecordingWorkflow } from '../../helpers/memory/memory-store';
import { pendingRequest } from '../../helpers/memory/requests';

const pending = (id = 'r-1', overrides: Partial<ApprovalRequest> = {}) => pendingRequest({ id, ...overrides });
const ended = (state: ApprovalRequest['state'], id = 'r-1') => pending(id, { state, version: 2 });
const stored = (request: ApprovalRequest, rounds: RoundBookkeeping = {}) => ({ request, rounds });

const insert = (request: ApprovalRequest, id = '100'): RequestChange => ({ id, kind: 'insert', after: stored(request) });
const change = (before: ApprovalRequest, after: ApprovalRequest, rounds: RoundBookkeeping, id = '200'): RequestChange => ({
  id,
  kind: 'modify',
  before: stored(before, rounds),
  after: stored(after, rounds),
});

function setup() {
  const workflow = new RecordingWorkflow();
  const failed: string[] = [];
  return { workflow, failed, deps: { workflow, onFailed: (c: RequestChange) => failed.push(c.id) } };
}

describe('the outbox relays a stored change to the workflow', () => {
  test('a new request starts its workflow, named after the request', async () => {
    const { deps, workflow } = setup();
    expect(await relayChange(deps, insert(pending('r-7')))).toBe('started');
    expect(workflow.names).toEqual(['r-7']);
  });

  test('a request approved at once by policy starts its workflow too (it runs the outcome steps)', async () => {
    const { deps, workflow } = setup();
    await relayChange(deps, insert(ended('approved', 'r-8')));
    expect(workflow.names).toEqual(['r-8']);
  });

  test.each([
    ['approved', 'approved'],
    ['rejected', 'rejected'],
    ['expired', 'expired'],
    ['deleted', 'deleted'],
  ] as const)('a change to %s while a wait holds a task token ends that wait with the outcome', async (state, outcome) => {
    const { deps, workflow } = setup();
    expect(await relayChange(deps, change(pending(), ended(state), { taskToken: 'token-3' }))).toBe('signalled');
    expect(workflow.finished).toEqual([{ taskToken: 'token-3', outcome }]);
    expect(workflow.names).toEqual([]);
  });

  test('a wait already closed is not an error', async () => {
    const { deps, workflow } = setup();
    workflow.closedTokens.add('token-old');
    expect(await relayChange(deps, change(pending(), ended('approved'), { taskToken: 'token-old' }))).toBe('closed');
  });

  describe('a change of the hold of a pending request while a wait holds a task token ends that wait early, so the round plans again', () => {
    const until = '2026-11-04T10:00:00.000Z';
    const held = (version: number, holdUntil = until) =>
      pending('r-1', {
        onHold: true,
        hold: { by: { id: 'carol', email: 'carol@example.com' }, at: '2026-11-03T10:00:00.000Z', until: holdUntil },
        version,
      });
    test.each([
      ['a hold until a time placed', pending(), held(2)],
      ['a hold until another time', held(2), held(3, '2026-11-05T10:00:00.000Z')],
      ['a hold released (or ended by an approval, or by its time)', held(2), pending('r-1', { version: 3 })],
    ])('%s', async (_name, before, after) => {
      const { deps, workflow } = setup();
      expect(await relayChange(deps, change(before, after, { taskToken: 'token-5' }))).toBe('replanned');
      expect(workflow.replanned).toEqual(['token-5']);
      expect(workflow.finished).toEqual([]);
    });

    test('a hold without a time, bookkeeping while held, no wait running: nothing to plan again', async () => {
      const { deps, workflow } = setup();
      const untimed = pending('r-1', { onHold: true, hold: { by: { id: 'carol', email: 'carol@example.com' }, at: until }, version: 2 });
      expect(await relayChange(deps, change(pending(), untimed, { taskToken: 'token-5' }))).toBe('ignored');
      expect(await relayChange(deps, change(held(2), held(2), { taskToken: 'token-6' }))).toBe('ignored');
      expect(await relayChange(deps, change(pending(), held(2), {}))).toBe('ignored');
      expect(workflow.replanned).toEqual([]);
    });

    test('a wait already closed (the round that ended the hold) is not an error', async () => {
      const { deps, workflow } = setup();
      workflow.closedTokens.add('token-old');
      expect(await relayChange(deps, change(held(2), pending('r-1', { version: 3 }), { taskToken: 'token-old' }))).toBe('closed');
    });
  });

  test('anything else is ignored: a change that keeps it pending, a change of an ended request, no token, a removal', async () => {
    const { deps, workflow } = setup();
    const others: RequestChange[] = [
      change(pending(), pending('r-1', { onHold: true, version: 2 }), { taskToken: 'token-1' }),
      change(ended('approved'), ended('approved'), { taskToken: 'token-1', outcomeNotifiedAt: '2026-11-03T10:00:00.000Z' }),
      change(pending(), ended('approved'), {}),
      { id: '300', kind: 'remove', before: stored(pending()) },
    ];
    for (const other of others) expect(await relayChange(deps, other)).toBe('ignored');
    expect(workflow.names).toEqual([]);
    expect(workflow.finished).toEqual([]);
  });
});

describe('a batch of changes', () => {
  test('all relayed: no failures', async () => {
    const { deps, workflow } = setup();
    const result = await relayBatch(deps, [insert(pending('a'), '1'), insert(pending('b'), '2')]);
    expect(result).toEqual({ batchItemFailures: [] });
    expect(workflow.names).toEqual(['a', 'b']);
  });

  test('stops at the first change that fails and names it, so the stream delivers it again with every later one', async () => {
    const { deps, workflow, failed } = setup();
    const start = workflow.start.bind(workflow);
    workflow.start = async (request, name) => {
      if (request.id === 'b') throw Object.assign(new Error('down'), { name: 'ServiceUnavailable' });
      return start(request, name);
    };
    const result = await relayBatch(deps, [insert(pending('a'), '1'), insert(pending('b'), '2'), insert(pending('c'), '3')]);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '2' }] });
    expect(workflow.names).toEqual(['a']);
    expect(failed).toEqual(['2']);
  });

  test('a wait that cannot be ended (Step Functions down) is a failure of that record', async () => {
    const { deps, workflow } = setup();
    workflow.failFinishWith = Object.assign(new Error('down'), { name: 'ServiceUnavailable' });
    const result = await relayBatch(deps, [change(pending(), ended('rejected'), { taskToken: 'token-1' }, '9')]);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '9' }] });
  });
});

describe('after the workflow, each change is published as events and counted', () => {
  const decided = (state: 'approved' | 'rejected', id = 'r-1') =>
    pending(id, {
      state,
      version: 2,
      updatedAt: '2026-11-03T10:00:00.000Z',
      decision: { decision: state, by: { id: 'bob' }, at: '2026-11-03T10:00:00.000Z' },
      ...(state === 'approved' ? { approvals: [{ by: { id: 'bob' }, at: '2026-11-03T10:00:00.000Z' }] } : {}),
    });
  const withStats = () => {
    const base = setup();
    const events = new RecordingEvents();
    const stats = new MemoryStats();
    return { ...base, events, stats, deps: { ...base.deps, events, stats } };
  };
  const types = (events: RecordingEvents) => events.published.map((event) => `${event.requestId} ${event.detailType}`);

  test('in stream order, each with its request and the receipt on an approval', async () => {
    const { deps, events } = withStats();
    const approval = { ...change(pending('a'), decided('approved', 'a'), {}, '3'), receipt: 'h.p.s' };
    expect(await relayBatch(deps, [insert(pending('a'), '1'), insert(pending('b'), '2'), approval])).toEqual({ batchItemFailures: [] });
    expect(types(events)).toEqual(['a Approval Request Created', 'b Approval Request Created', 'a Approved']);
    const last = events.published[2];
    expect(JSON.parse(last?.detail ?? '')).toEqual({ request: decided('approved', 'a'), receipt: 'h.p.s' });
    expect(last).toMatchObject({ source: 'approvals', time: '2026-11-03T10:00:00.000Z' });
  });

  test('an approval is published once its receipt is stored with it, carrying it; a replay or a later change adds no second', async () => {
    const { deps, events } = withStats();
    const approved = decided('approved', 'a');
    const approval = change(pending('a'), approved, {}, '2');
    const signed = { ...change(approved, approved, {}, '3'), receipt: 'h.p.s' };
    const later = { ...change(approved, { ...approved, version: 3 }, {}, '4'), receipt: 'h.p.s', wasSigned: true };
    await relayBatch(deps, [insert(pending('a'), '1'), approval]);
    expect(types(events)).toEqual(['a Approval Request Created']);
    await relayBatch(deps, [signed, later]);
    expect(types(events)).toEqual(['a Approval Request Created', 'a Approved']);
    expect(JSON.parse(events.published[1]?.detail ?? '')).toEqual({ request: approved, receipt: 'h.p.s' });
  });

  test('a publish that fails names the record, which is delivered again: its events then come (at least once), counted once', async () => {
    const { deps, events, stats, failed } = withStats();
    const batch = [insert(pending('a'), '1'), change(pending('a'), decided('rejected', 'a'), {}, '2')];
    await relayBatch(deps, batch);
    events.failures = 1;
    // The stream delivers the whole batch again (a replay): the first record's events come twice, its counts once.
    expect(await relayBatch(deps, batch)).toEqual({ batchItemFailures: [{ itemIdentifier: '1' }] });
    expect(failed).toEqual(['1']);
    expect(await relayBatch(deps, batch)).toEqual({ batchItemFailures: [] });
    expect(types(events)).toEqual(['a Approval Request Created', 'a Rejected', 'a Approval Request Created', 'a Rejected']);
    const [day] = await stats.days('cards', '2026-11-03', '2026-11-03');
    // One hour to decide: bucket floor(4 · log2(3600)) = 47.
    expect(day?.counters).toEqual({ c_requested: 0, p_09: 0, c_rejected: 1, d_reject: 1, h_47: 1 });
  });

  test('a change that calls for no event and no count publishes and writes nothing', async () => {
    const { deps, events, stats } = withStats();
    await relayBatch(deps, [change(pending(), pending('r-1', { version: 2 }), { notifiedAt: '2026-11-03T09:01:00.000Z' })]);
    expect(events.published).toEqual([]);
    expect(stats.marks.size).toBe(0);
  });
});
