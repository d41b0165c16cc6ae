import type { ApprovalRequest } from '../../../functions/domain/model';
import { approvalOf, assertNotParty, distinctPeople, keptApprovers, mailbox, partiesOf } from '../../../functions/domain/people';
import { pendingRequest } from '../../helpers/memory/requests';

describe('mailboxes', () => {
  test.each([
    ['name+tag@example.com', 'name@example.com'],
    ['Name+Tag+More@Example.COM', 'name@example.com'],
    ['NAME@example.com', 'name@example.com'],
    ['plain@example.com', 'plain@example.com'],
    // A leading + is not a tag (there is no name before it); a + in the domain is left alone.
    ['+tag@example.com', '+tag@example.com'],
    ['name@ex+ample.com', 'name@ex+ample.com'],
  ])('%s is the mailbox %s', (address, expected) => expect(mailbox(address)).toBe(expected));
});

describe('the parties of a request', () => {
  const request = (overrides: Partial<ApprovalRequest> = {}) =>
    pendingRequest({
      requester: { id: 'alice', email: 'alice@example.com' },
      subject: { holderId: 'hank', cardProfile: 'PIV' },
      ...overrides,
    });

  test('are the requester and the holder, by sub and by mailbox', () => {
    const parties = partiesOf(request({ holder: { id: 'hank', email: 'Hank+Card@example.com' } }));
    expect([...parties.ids].sort()).toEqual(['alice', 'hank']);
    expect([...parties.mailboxes].sort()).toEqual(['alice@example.com', 'hank@example.com']);
  });

  test.each([
    ['the requester by sub', { id: 'alice', email: 'a.smith@example.com' }, 'nobody may decide on a request they requested'],
    [
      'the requester by a +tag alias',
      { id: 'alice-2', email: 'alice+approvals@example.com' },
      'nobody may decide on a request they requested',
    ],
    [
      'the holder by subject.holderId',
      { id: 'hank', email: 'h@example.com' },
      'the holder of the card or certificate may not decide on its request',
    ],
    [
      'the holder, one of several people on one address',
      { id: 'zed', email: 'x@example.com', otherIds: ['hank'] },
      'the holder of the card or certificate may not decide on its request',
    ],
  ])('refuses %s', (_what, voter, message) => {
    expect(() => assertNotParty(request(), voter)).toThrow(message);
  });

  test('lets anyone else decide', () => {
    expect(() => assertNotParty(request(), { id: 'bob', email: 'bob@example.com' })).not.toThrow();
  });
});

describe('one person, one vote', () => {
  const approvals = [
    { by: { id: 'email:bob+x@example.com', email: 'bob+x@example.com' }, at: '2026-11-03T09:00:00.000Z' },
    { by: { id: 'carol', email: 'carol@example.com' }, at: '2026-11-03T09:00:00.000Z' },
  ];

  test('finds an approval by sub, or by mailbox', () => {
    expect(approvalOf({ approvals }, { id: 'bob', email: 'BOB@example.com' })).toBe(approvals[0]);
    expect(approvalOf({ approvals }, { id: 'carol', email: 'c.new@example.com' })).toBe(approvals[1]);
    expect(approvalOf({ approvals }, 'carol+pki@example.com')).toBe(approvals[1]);
    expect(approvalOf({ approvals }, { id: 'dave', email: 'dave@example.com' })).toBeUndefined();
  });
});

describe('the approvers a new request keeps', () => {
  const parties = { ids: new Set(['alice']), mailboxes: new Set(['alice@example.com']) };

  test("leave out the parties' mailboxes and the addresses they hold in the directory", () => {
    const owners = { 'a.smith@example.com': ['alice'], 'bob@example.com': ['bob'] };
    expect(keptApprovers(['alice+x@example.com', 'a.smith@example.com', 'bob@example.com'], parties, owners)).toEqual(['bob@example.com']);
  });

  test('count one person per mailbox and per directory user', () => {
    expect(distinctPeople(['bob@example.com', 'bob+x@example.com', 'carol@example.com'])).toBe(2);
    expect(distinctPeople(['bob@example.com', 'robert@example.com'], { 'bob@example.com': ['bob'], 'robert@example.com': ['bob'] })).toBe(
      1,
    );
    // Linked through a chain: x and y share a mailbox, y and z a directory user.
    expect(distinctPeople(['x@e.com', 'x+1@e.com', 'z@e.com'], { 'x+1@e.com': ['s'], 'z@e.com': ['s'] })).toBe(1);
  });
});
