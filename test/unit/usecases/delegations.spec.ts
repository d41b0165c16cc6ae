/**
 * `/me/delegation` (CONTRACT: Delegation): an approver sets, reads and removes their out-of-office
 * delegation; the delegate is resolved in the directory; bad times are a 400 naming the field.
 */
import { delegationBodySchema } from '../../../functions/domain/delegation';
import { DomainError } from '../../../functions/domain/errors';
import { parse } from '../../../functions/domain/validation';
import { deleteMyDelegation, getMyDelegation, putMyDelegation } from '../../../functions/usecases/delegations';
import type { Deps } from '../../../functions/usecases/ports';
import { alice, bob, carol, user } from '../../helpers/memory/fixtures';
import { MemoryDirectory } from '../../helpers/memory/memory-directory';
import { FakeClock, MemoryStore, RecordingMeter, sequentialIds } from '../../helpers/memory/memory-store';

const NOW = '2026-11-03T10:00:00.000Z';
const dave = user('dave', ['approvers']);

function setup() {
  const store = new MemoryStore();
  const directory = MemoryDirectory.fromIdentities(alice, bob, carol, dave);
  const clock = new FakeClock(NOW);
  const deps: Deps = { repository: store, directory, now: clock.now, newId: sequentialIds(), meter: new RecordingMeter() };
  return { store, directory, deps, clock };
}

const body = (value: unknown) => parse(delegationBodySchema, value);

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return error;
}

describe('PUT /me/delegation', () => {
  test('stores the delegation with the delegate resolved in the directory; GET shows it active', async () => {
    const { deps, store } = setup();
    const view = await putMyDelegation(deps, bob, body({ to: 'Carol@Example.com', until: '2026-11-10T10:00:00Z' }));
    expect(view).toEqual({ to: 'carol@example.com', from: NOW, until: '2026-11-10T10:00:00.000Z', createdAt: NOW, active: true });
    expect(store.delegations.get('bob')).toMatchObject({ delegator: { id: 'bob', email: 'bob@example.com' }, to: { id: 'carol' } });
    expect(await store.delegationsTo('carol')).toHaveLength(1);
    expect(await getMyDelegation(deps, bob)).toEqual(view);
  });

  test('a later from: stored, not active yet', async () => {
    const { deps } = setup();
    const view = await putMyDelegation(
      deps,
      bob,
      body({ to: 'carol@example.com', from: '2026-11-05T00:00:00Z', until: '2026-11-06T00:00:00Z' }),
    );
    expect(view.active).toBe(false);
    expect((await getMyDelegation(deps, bob)).from).toBe('2026-11-05T00:00:00.000Z');
  });

  test('replacing it moves the delegate side: the former delegate has no delegation from bob any more', async () => {
    const { deps, store } = setup();
    await putMyDelegation(deps, bob, body({ to: 'carol@example.com', until: '2026-11-10T10:00:00Z' }));
    await putMyDelegation(deps, bob, body({ to: 'dave@example.com', until: '2026-11-11T10:00:00Z' }));
    expect(await store.delegationsTo('carol')).toEqual([]);
    expect((await store.delegationsTo('dave')).map((d) => d.delegator.id)).toEqual(['bob']);
  });

  test.each([
    ['yourself', { to: 'bob@example.com', until: '2026-11-10T10:00:00Z' }, 'to', 'must be someone other than yourself'],
    ['yourself under a +tag', { to: 'bob+ooo@example.com', until: '2026-11-10T10:00:00Z' }, 'to', 'must be someone other than yourself'],
    [
      'until before from',
      { to: 'carol@example.com', from: '2026-11-05T00:00:00Z', until: '2026-11-04T00:00:00Z' },
      'until',
      'must be after from',
    ],
    [
      'until in the past',
      { to: 'carol@example.com', from: '2026-11-01T00:00:00Z', until: '2026-11-02T00:00:00Z' },
      'until',
      'must be in the future',
    ],
    ['longer than 90 days', { to: 'carol@example.com', until: '2027-03-01T00:00:00Z' }, 'until', 'must be at most 90 days after from'],
    [
      'from too far ahead',
      { to: 'carol@example.com', from: '2028-01-01T00:00:00Z', until: '2028-01-02T00:00:00Z' },
      'from',
      'must be at most 365 days ahead',
    ],
    [
      'a delegate nobody in the directory holds',
      { to: 'zed@example.com', until: '2026-11-10T10:00:00Z' },
      'to',
      'must be the verified email of an enabled user of the directory',
    ],
  ])('refused, 400 naming the field: %s', async (_name, value, field, message) => {
    const { deps, store } = setup();
    const error = await refusal(putMyDelegation(deps, bob, body(value)));
    expect(error.code).toBe('invalid_request');
    expect(error.details).toEqual([{ field, message }]);
    expect(store.delegations.size).toBe(0);
  });

  test('a delegate whose email is not verified, or who is disabled, is refused', async () => {
    const { deps, directory } = setup();
    directory.put({ sub: 'erin', email: 'erin@example.com', emailVerified: false });
    directory.put({ sub: 'finn', email: 'finn@example.com' }).disable('finn');
    for (const to of ['erin@example.com', 'finn@example.com']) {
      const error = await refusal(putMyDelegation(deps, bob, body({ to, until: '2026-11-10T10:00:00Z' })));
      expect(error.details).toEqual([{ field: 'to', message: 'must be the verified email of an enabled user of the directory' }]);
    }
  });

  test('the body is validated at the edge: unknown fields, a bad email, a bad time', () => {
    expect(() => body({ to: 'carol@example.com', until: '2026-11-10T10:00:00Z', extra: 1 })).toThrow('has unknown field(s): extra');
    expect(() => body({ to: 'not-an-email', until: '2026-11-10T10:00:00Z' })).toThrow(/^to must be an email address/);
    expect(() => body({ to: 'carol@example.com', until: 'tomorrow' })).toThrow(/^until must be an ISO 8601 date and time/);
    expect(() => body({ until: '2026-11-10T10:00:00Z' })).toThrow('to is required');
  });

  test('only approvers (as the directory knows them) have a delegation: 403 for others', async () => {
    const { deps, directory } = setup();
    expect((await refusal(putMyDelegation(deps, alice, body({ to: 'carol@example.com', until: '2026-11-10T10:00:00Z' })))).code).toBe(
      'forbidden',
    );
    directory.removeFromGroup('bob', 'approvers');
    expect((await refusal(getMyDelegation(deps, bob))).code).toBe('forbidden');
  });
});

describe('GET and DELETE /me/delegation', () => {
  test('none: 404; once ended: 404', async () => {
    const { deps, clock } = setup();
    expect((await refusal(getMyDelegation(deps, bob))).code).toBe('not_found');
    await putMyDelegation(deps, bob, body({ to: 'carol@example.com', until: '2026-11-04T10:00:00Z' }));
    clock.advance(86_400);
    expect((await refusal(getMyDelegation(deps, bob))).code).toBe('not_found');
  });

  test('DELETE removes both sides; a second DELETE is 404', async () => {
    const { deps, store } = setup();
    await putMyDelegation(deps, bob, body({ to: 'carol@example.com', until: '2026-11-10T10:00:00Z' }));
    await deleteMyDelegation(deps, bob);
    expect(store.delegations.size).toBe(0);
    expect(await store.delegationsTo('carol')).toEqual([]);
    expect((await refusal(deleteMyDelegation(deps, bob))).code).toBe('not_found');
  });

  test('an approver taken out of the approvers group still ends their own delegation; nobody ends another’s', async () => {
    const { deps, store, directory } = setup();
    await putMyDelegation(deps, bob, body({ to: 'carol@example.com', until: '2026-11-10T10:00:00Z' }));
    directory.removeFromGroup('bob', 'approvers');
    const formerApprover = { ...bob, groups: [] };
    expect((await refusal(deleteMyDelegation(deps, carol))).code).toBe('not_found');
    expect(store.delegations.size).toBe(1);
    await deleteMyDelegation(deps, formerApprover);
    expect(store.delegations.size).toBe(0);
  });
});
