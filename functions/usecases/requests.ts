/**
 * The API's reads and profile use cases: profiles, a request with its history, search, an
 * approver's tasks. Every change of a request is in functions/lifecycle/.
 */
import { forbidden, notFound } from '../domain/errors';
import type { ApprovalRequest, HistoryEntry, Identity } from '../domain/model';
import { isAdmin, isApprover } from '../domain/model';
import type { Profile, ProfileBody } from '../domain/profile';
import { canRead, emailIfCounted, isOpenFor } from '../domain/rules';
import { delegateMayRead } from './delegated-reads';
import { adminAsDirectorySays } from './people';
import type { Deps, FindStore, HistoryPage, HistoryQuery, Page, SearchPage, SearchQuery, StoredRequest } from './ports';

export async function putProfile(deps: Deps, who: Identity, id: string, body: ProfileBody): Promise<Profile> {
  if (!isAdmin(who)) throw forbidden('only admins may manage profiles');
  if (!isAdmin(await adminAsDirectorySays(deps.directory, who))) {
    throw forbidden('only admins may manage profiles (the directory does not list you in admins, or your user is disabled)');
  }
  return deps.repository.putProfile(id, body, deps.now());
}

export async function getProfile(deps: Deps, id: string): Promise<Profile> {
  const profile = await deps.repository.getProfile(id);
  if (!profile) throw notFound(`profile ${id} does not exist`);
  return profile;
}

/** Any signed-in user may read profiles (as getProfile); a page in id order. */
export function listProfiles(deps: Deps, query: { limit: number; cursor?: string }): Promise<Page<Profile>> {
  return deps.repository.listProfiles(query);
}

/** How many history entries `GET /requests/{id}` carries; `GET /requests/{id}/history` pages the rest. */
export const FIRST_HISTORY_PAGE = 100;

/** A request the caller may read (the requester, approvers, admins). */
async function readableRequest(deps: Deps, who: Identity, id: string): Promise<ApprovalRequest> {
  return readable(deps, await deps.repository.getRequest(id), who, id);
}

async function readable(deps: Deps, stored: StoredRequest | undefined, who: Identity, id: string): Promise<ApprovalRequest> {
  if (!stored) throw notFound(`request ${id} does not exist`);
  if (!canRead(stored.request, who) && !(await delegateMayRead(deps, who, stored.request))) {
    throw forbidden('only the requester, approvers, admins and delegates of its approvers may read this request');
  }
  return stored.request;
}

/**
 * The request with the first FIRST_HISTORY_PAGE history entries, oldest first, and the cursor of
 * the rest: one read of the store (one Query in DynamoDB) where the history fits in the page.
 */
export async function getRequestWithHistory(
  deps: Deps,
  who: Identity,
  id: string,
): Promise<ApprovalRequest & { history: HistoryEntry[]; historyNextCursor: string | null }> {
  const found = await deps.repository.getRequestWithHistory(id, { limit: FIRST_HISTORY_PAGE });
  const request = await readable(deps, found?.stored, who, id);
  const history = found?.history ?? { items: [], nextCursor: null };
  return { ...request, history: history.items, historyNextCursor: history.nextCursor };
}

/** A page of a request's history, oldest first, for whoever may read the request. */
export async function getRequestHistory(deps: Deps, who: Identity, id: string, page: HistoryQuery): Promise<HistoryPage> {
  await readableRequest(deps, who, id);
  return deps.repository.getHistory(id, page);
}

/**
 * Search, or with `find` the requests holding that value (`finds`: only the search function
 * carries the find store, which keeps it out of the other functions' bundles).
 */
export async function searchRequests(
  deps: Deps & { finds?: FindStore },
  who: Identity,
  query: Omit<SearchQuery, 'requesterId'> & { mine?: boolean; find?: string },
): Promise<SearchPage> {
  const everyone = (isApprover(who) || isAdmin(who)) && !query.mine;
  const { find, mine: _mine, ...filters } = query;
  const requesterId = everyone ? undefined : who.id;
  if (find !== undefined) {
    if (!deps.finds) throw new Error('searchRequests with find needs the find store');
    return deps.finds.find({ ...filters, requesterId, value: find });
  }
  return deps.repository.search({ ...query, requesterId });
}

/**
 * "What do you want to do": the pending requests on which the caller is listed and has not
 * approved yet, newest first, from the caller's task entries. Only members of the approvers
 * group with an email that counts (ASCII, `email_verified` true) may decide, so others have no
 * tasks: an empty page, not an error, as reading never depends on the email.
 */
export async function listTasks(deps: Deps, who: Identity, query: { limit: number; cursor?: string }): Promise<SearchPage> {
  const email = emailIfCounted(who);
  if (!isApprover(who) || !email) return { items: [], nextCursor: null };
  const page = await deps.repository.tasksOf(email, query);
  // One person, one vote: not a task where this person approved under another address either.
  return { ...page, items: page.items.filter((request) => isOpenFor(request, { id: who.id, email })) };
}
