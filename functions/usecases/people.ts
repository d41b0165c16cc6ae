/**
 * People as the user directory knows them: the use cases look them up here and hand the result to
 * the domain rules (domain/people.ts) as data. Nothing a token, a caller, a link or a profile says
 * about a person is taken on trust where the directory can say it.
 */
import { forbidden, invalid } from '../domain/errors';
import { type ApprovalRequest, type Identity, isAdmin, isApprover, isAsciiEmail } from '../domain/model';
import { assertNotParty, type Voter } from '../domain/people';
import { assertInCurrentStage, type GroupMembers } from '../domain/stages';
import { countedEmail, hasApproved } from '../domain/rules';
import type { Directory, DirectoryUser } from './directory';

/** The directory group whose members may decide. */
export const APPROVERS_GROUP = 'approvers';
/** The directory group whose members manage profiles and may delete any pending request. */
export const ADMINS_GROUP = 'admins';

/** The user's groups when they may decide now (enabled, in `approvers`); undefined otherwise. */
async function groupsIfApprover(directory: Directory, user: DirectoryUser): Promise<string[] | undefined> {
  if (!user.enabled) return undefined;
  const groups = await directory.groupsOf(user.username);
  return groups.includes(APPROVERS_GROUP) ? groups : undefined;
}

/**
 * The people of `group:` entries, resolved now: per group, its enabled members with a verified
 * email who are also in `approvers` (only they may decide, so only they count towards a quorum and
 * are emailed; deciding checks both groups again).
 */
export async function groupMembers(directory: Directory, names: readonly string[]): Promise<GroupMembers> {
  const unique = [...new Set(names)];
  if (unique.length === 0) return {};
  const [approvers, ...groups] = await Promise.all([APPROVERS_GROUP, ...unique].map((name) => directory.membersOf(name)));
  const mayDecide = new Set((approvers ?? []).filter((user) => user.enabled).map((user) => user.sub));
  return Object.fromEntries(
    unique.map((name, index) => [
      name,
      (groups[index] ?? []).flatMap((user) =>
        user.enabled && user.email && mayDecide.has(user.sub) ? [{ sub: user.sub, email: user.email }] : [],
      ),
    ]),
  );
}

/**
 * The caller with `admins` only where the directory says so now: an enabled user of that sub in
 * `admins`. A token carries its groups for up to an hour after a removal; managing profiles (which
 * decide whether approval is needed at all) and deleting others' requests are checked here.
 */
export async function adminAsDirectorySays(directory: Directory, who: Identity): Promise<Identity> {
  if (!isAdmin(who)) return who;
  const user = await directory.userBySub(who.id);
  if (user?.enabled && (await directory.groupsOf(user.username)).includes(ADMINS_GROUP)) return who;
  return { ...who, groups: who.groups.filter((group) => group !== ADMINS_GROUP) };
}

/** The directory users whose verified email is this address (compared lower-cased). */
async function holdersOf(directory: Directory, address: string): Promise<DirectoryUser[]> {
  const email = address.toLowerCase();
  return (await directory.usersByEmail(email)).filter((user) => user.email === email);
}

/**
 * The caller of a decision through the API, as the directory knows them: in the token's
 * `approvers` group, with an email that counts, and in the directory a user with that sub, enabled,
 * in `approvers`, whose verified email is the token's. Anything else is 403.
 */
export async function resolveCaller(directory: Directory, who: Identity): Promise<Voter> {
  if (!isApprover(who)) throw forbidden('only members of the approvers group may decide');
  const email = countedEmail(who);
  const user = await directory.userBySub(who.id);
  if (!user) throw forbidden('you are not a user of the directory');
  if (!user.enabled) throw forbidden('your user is disabled in the directory');
  const groups = await groupsIfApprover(directory, user);
  if (!groups) throw forbidden('only members of the approvers group may decide (the directory does not list you in it)');
  if (user.email !== email) throw forbidden("the token's email is not your verified email in the directory");
  return { id: user.sub, email, groups };
}

/**
 * The person behind a link's approver address: the enabled directory users whose verified email it
 * is and who are in `approvers` (the first by sub is recorded; all of them count for the rules).
 * None: 403, the address no longer belongs to someone who may decide.
 */
export async function resolveAddress(directory: Directory, address: string): Promise<Voter | undefined> {
  const eligible: DirectoryUser[] = [];
  const groups = new Set<string>();
  for (const user of await holdersOf(directory, address)) {
    const of = await groupsIfApprover(directory, user);
    if (of) eligible.push(user);
    for (const group of of ?? []) groups.add(group);
  }
  const subs = eligible.map((user) => user.sub).sort();
  const [id, ...otherIds] = subs;
  if (id === undefined) return undefined;
  return { id, email: address.toLowerCase(), ...(otherIds.length > 0 ? { otherIds } : {}), groups: [...groups].sort() };
}

export async function resolveLinkVoter(directory: Directory, address: string): Promise<Voter> {
  const voter = await resolveAddress(directory, address);
  if (!voter) throw forbidden('this link is for an address that no enabled member of the approvers group holds any more');
  return voter;
}

/**
 * The listed addresses that may get an approval email or a reminder now: held by an enabled member
 * of `approvers` (the link would work), neither the requester nor the holder, for an address the
 * current stage has only through `group:` entries still in one of those groups (domain/stages.ts
 * assertInCurrentStage), and not that person approving already under another address. `skipped`:
 * the addresses nobody who may decide holds.
 */
export async function emailableApprovers(
  directory: Directory,
  request: ApprovalRequest,
  addresses: readonly string[],
): Promise<{ recipients: string[]; skipped: string[] }> {
  const recipients: string[] = [];
  const skipped: string[] = [];
  for (const address of addresses) {
    const voter = await resolveAddress(directory, address);
    if (!voter || isParty(request, voter) || !inCurrentStage(request, voter)) skipped.push(address);
    else if (!hasApproved(request, voter)) recipients.push(address);
  }
  return { recipients, skipped };
}

/** Whether a rule's assertion holds (it throws when it does not). */
function holds(assertion: () => void): boolean {
  try {
    assertion();
    return true;
  } catch {
    return false;
  }
}

const isParty = (request: ApprovalRequest, voter: Voter) => !holds(() => assertNotParty(request, voter));
const inCurrentStage = (request: ApprovalRequest, voter: Voter) => holds(() => assertInCurrentStage(request, voter));

/**
 * The subs of the directory users whose email attribute is each address, verified or not: to leave
 * out the requester's and the holder's addresses (erring on their side) and count distinct people.
 */
export async function ownersOf(directory: Directory, addresses: readonly string[]): Promise<Record<string, string[]>> {
  const entries = await Promise.all(
    [...new Set(addresses)].map(async (address) => [address, (await directory.usersByEmail(address)).map((user) => user.sub)] as const),
  );
  return Object.fromEntries(entries);
}

/**
 * The requester a calling system names: `onBehalfOf.id` must be a directory user, and
 * `onBehalfOf.email`, when given, that user's verified email; when omitted it is the directory's.
 */
export async function onBehalfRequester(directory: Directory, onBehalfOf: { id: string; email?: string }): Promise<Identity> {
  const user = await directory.userBySub(onBehalfOf.id);
  if (!user) {
    throw invalid(`onBehalfOf.id ${onBehalfOf.id} is not a user of the directory`, [
      { field: 'onBehalfOf.id', message: 'must be the id (sub) of a user of the directory' },
    ]);
  }
  if (!user.email) {
    throw invalid(`onBehalfOf.id ${onBehalfOf.id} has no verified email in the directory`, [
      { field: 'onBehalfOf.email', message: 'the user has no verified email in the directory' },
    ]);
  }
  if (onBehalfOf.email !== undefined && onBehalfOf.email.toLowerCase() !== user.email) {
    throw invalid(`onBehalfOf.email is not the verified email of user ${onBehalfOf.id} in the directory`, [
      { field: 'onBehalfOf.email', message: "must be the user's verified email in the directory (or left out)" },
    ]);
  }
  return { id: user.sub, email: user.email, emailVerified: true, groups: [] };
}

/**
 * The holder of the card or certificate as the directory knows them: `subject.holderId` when it
 * is a user's sub (with their email, verified or not), and `subject.holderEmail` (with the sub of the one
 * user holding it, if any); with that user's name where the directory has one (never taken from the
 * request). Undefined when the subject names neither.
 */
export async function resolveHolder(
  directory: Directory,
  subject: Record<string, unknown>,
): Promise<{ id?: string; email?: string; name?: string } | undefined> {
  const { holderId, holderEmail } = subject;
  const byId = typeof holderId === 'string' && holderId ? await directory.userBySub(holderId) : undefined;
  const email =
    typeof holderEmail === 'string' && isAsciiEmail(holderEmail) && holderEmail.includes('@') ? holderEmail.toLowerCase() : undefined;
  const byEmail = email && !byId ? (await holdersOf(directory, email)).sort((a, b) => (a.sub < b.sub ? -1 : 1))[0] : undefined;
  const user = byId ?? byEmail;
  const id = user?.sub;
  // An unverified address of the holder still leaves their mailbox out (it never lets anyone decide).
  const address = byId?.email ?? byId?.unverifiedEmail ?? email;
  if (!id && !address) return undefined;
  return { ...(id ? { id } : {}), ...(address ? { email: address } : {}), ...(user?.name ? { name: user.name } : {}) };
}
