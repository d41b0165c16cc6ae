import { WORKFLOW_ACTOR } from '../../functions/domain/model';
import type { HistoryEntry } from './api';
import { actingText } from './format';
import { show } from './pages/request/show';

/**
 * The paging of a request's history: GET /requests/{id} returns the oldest entries first (at most 100)
 * and `historyNextCursor` leads to the newer ones, so what is missing is the latest (the decision).
 */
export const HISTORY_MORE_BUTTON = 'Show newer entries';

/** Under the history while more entries wait: the newest are not shown yet. */
export const historyNote = (more: boolean): string | undefined =>
  more ? `Oldest first. The newest entries (the latest decisions) are not shown yet: ${HISTORY_MORE_BUTTON} loads them.` : undefined;

type Entry = Pick<HistoryEntry, 'actor' | 'details'>;

/** A delegate's entry records the approver they acted for in `details.for` (the service's own entries name whom an email was for). */
const actedFor = (entry: Entry) => {
  if (entry.actor.id === WORKFLOW_ACTOR.id) return undefined;
  const value = entry.details?.for;
  return value && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string'
    ? (value as { id: string; email?: string })
    : undefined;
};

/** Who made the entry: "dave@example.com for carol@example.com" where a delegate acted for an approver. */
export const historyWho = (entry: Entry): string => actingText({ by: entry.actor, for: actedFor(entry) });

/** The entry's details as "name: value; …", without the empty ones (and without `for`, named with the actor). */
export function historyDetails(entry: Entry): string {
  return Object.entries(entry.details ?? {})
    .filter(([name, value]) => value !== undefined && value !== null && value !== '' && !(name === 'for' && actedFor(entry)))
    .map(([name, value]) => `${name}: ${show(value)}`)
    .join('; ');
}
