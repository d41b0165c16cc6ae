/**
 * Who is who on a request, free of any I/O: the use cases resolve people in the user directory and
 * hand the result to these rules as data.
 * - A person deciding (a voter) is known by their directory `sub` and the address they decide under.
 * - The requester and the holder of the card or certificate never approve, by sub or by any address.
 * - One person, one vote: an approval counts once per sub and once per mailbox.
 * - For these comparisons (not for whether an address is listed) `name+tag@domain` is the mailbox
 *   `name@domain`, lower-cased.
 */
import { forbidden } from './errors';
import type { Approval, ApprovalRequest } from './model';

/** The mailbox an address delivers to: lower-cased, with a `+tag` of its local part left out. */
export function mailbox(address: string): string {
  const lower = address.trim().toLowerCase();
  const at = lower.lastIndexOf('@');
  if (at <= 0) return lower;
  const plus = lower.indexOf('+');
  return plus > 0 && plus < at ? `${lower.slice(0, plus)}${lower.slice(at)}` : lower;
}

/**
 * A person deciding, as the directory resolved them: `id` is their sub (recorded on the decision),
 * `email` the address they decide under; `otherIds` the subs of further directory users holding
 * that same verified address (a link names an address, not a person).
 */
export interface Voter {
  id: string;
  email: string;
  otherIds?: readonly string[];
  /** The directory groups the person is in (for the `group:` entries of a stage), when the directory said. */
  groups?: readonly string[];
}

const idsOf = (voter: Voter) => [voter.id, ...(voter.otherIds ?? [])];

/** The request's requester and holder: their subs and mailboxes (the holder as recorded, or as the subject names them). */
export function partiesOf(request: Pick<ApprovalRequest, 'requester' | 'holder' | 'subject'>): {
  ids: Set<string>;
  mailboxes: Set<string>;
} {
  const ids = new Set<string>([request.requester.id]);
  const mailboxes = new Set<string>([mailbox(request.requester.email)]);
  const { holderId, holderEmail } = request.subject as { holderId?: unknown; holderEmail?: unknown };
  if (typeof holderId === 'string' && holderId) ids.add(holderId);
  if (typeof holderEmail === 'string' && holderEmail) mailboxes.add(mailbox(holderEmail));
  if (request.holder?.id) ids.add(request.holder.id);
  if (request.holder?.email) mailboxes.add(mailbox(request.holder.email));
  return { ids, mailboxes };
}

/** Forbidden when the voter is the request's requester or holder, by any of their subs or by mailbox. */
export function assertNotParty(request: ApprovalRequest, voter: Voter): void {
  const requester = idsOf(voter).includes(request.requester.id) || mailbox(voter.email) === mailbox(request.requester.email);
  if (requester) throw forbidden('nobody may decide on a request they requested');
  const parties = partiesOf(request);
  if (idsOf(voter).some((id) => parties.ids.has(id)) || parties.mailboxes.has(mailbox(voter.email))) {
    throw forbidden('the holder of the card or certificate may not decide on its request');
  }
}

/**
 * This person's approval of the request, if any: one with one of their subs, or under an address
 * of the same mailbox, cast by them or for them by a delegate. A bare address (an approver's task entry) compares by mailbox only.
 */
export function approvalOf(request: Pick<ApprovalRequest, 'approvals'>, voter: Voter | string): Approval | undefined {
  const person: Voter = typeof voter === 'string' ? { id: '', email: voter } : voter;
  const ids = idsOf(person).filter(Boolean);
  const box = mailbox(person.email);
  const isPerson = (actor: { id: string; email?: string }) => ids.includes(actor.id) || (actor.email && mailbox(actor.email) === box);
  // A delegate's approval is also the delegator's vote (`for`, domain/delegation.ts).
  return request.approvals.find((approval) => isPerson(approval.by) || (approval.for && isPerson(approval.for)));
}

/**
 * The listed addresses a new request keeps: none that folds to the requester's or the holder's
 * mailbox, none held in the directory by the requester or the holder (`owners`: the subs of the
 * directory users whose verified email is each address).
 */
export function keptApprovers(
  addresses: readonly string[],
  parties: { ids: ReadonlySet<string>; mailboxes: ReadonlySet<string> },
  owners: Readonly<Record<string, readonly string[]>> = {},
): string[] {
  return addresses.filter(
    (address) => !parties.mailboxes.has(mailbox(address)) && !(owners[address] ?? []).some((sub) => parties.ids.has(sub)),
  );
}

/**
 * Who each address stands for, as a key: addresses of one mailbox are one person, and so are
 * addresses held by the same directory user (`owners`: the subs holding each address). An address
 * nobody holds yet counts as its mailbox.
 */
export function personKeys(
  addresses: readonly string[],
  owners: Readonly<Record<string, readonly string[]>> = {},
): (address: string) => string {
  const parent = new Map<string, string>();
  const find = (key: string): string => {
    let root = key;
    while (parent.get(root) !== root) root = parent.get(root) ?? root;
    parent.set(key, root);
    return root;
  };
  const node = (key: string) => {
    if (!parent.has(key)) parent.set(key, key);
    return key;
  };
  const union = (a: string, b: string) => parent.set(find(node(a)), find(node(b)));
  for (const address of addresses) {
    const box = node(`mailbox:${mailbox(address)}`);
    for (const sub of owners[address] ?? []) union(box, `sub:${sub}`);
  }
  return (address) => find(node(`mailbox:${mailbox(address)}`));
}

/** How many distinct people the addresses stand for (personKeys). One person has one vote, so this bounds the approvals a request can get. */
export function distinctPeople(addresses: readonly string[], owners: Readonly<Record<string, readonly string[]>> = {}): number {
  return new Set(addresses.map(personKeys(addresses, owners))).size;
}
