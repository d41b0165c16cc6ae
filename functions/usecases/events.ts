/**
 * The outbox's events: each stored change of a request becomes the EventBridge events its images
 * call for (domain/events.ts), published after the change is stored (the stream only tells stored
 * changes) and at least once: a publish that fails throws, the stream consumer names the record as
 * failed and the stream delivers it again, so an event can come twice, never not at all (within the
 * stream mapping's retries and record age; after those the record goes to the on-failure queue).
 * Consumers tell repeats apart by `request.id`, `request.version` and the detail-type.
 */
import { type DetailType, EVENT_SOURCE, eventDetail } from '../domain/events';
import { detailTypesOf } from '../domain/events';
import type { RequestChange } from './outbox';

/** One event as the service publishes it (the entry of a PutEvents call, bus aside). */
export interface ServiceEvent {
  source: typeof EVENT_SOURCE;
  detailType: DetailType;
  /** The detail's JSON: `{"request", "receipt"?, "omitted"?}`. */
  detail: string;
  /** When the change happened (the request's `updatedAt`). */
  time: string;
  /** The request id, for the event's `resources`-free routing and the logs. */
  requestId: string;
}

/** The events port: publishes every event given, or throws (nothing is known to be lost then: the caller retries all). */
export interface EventsPort {
  publish(events: readonly ServiceEvent[]): Promise<void>;
}

/** The events of one stored change, in the order they happened (none for most bookkeeping changes). */
export function eventsOf(change: RequestChange): ServiceEvent[] {
  const after = change.after;
  if (!after) return [];
  const types = detailTypesOf(change.before?.request, after.request, { was: change.wasSigned, now: change.receipt !== undefined });
  if (types.length === 0) return [];
  return types.map((detailType) => {
    // The receipt travels with the events about an approval that it proves.
    const withReceipt = detailType === 'Approved' || detailType === 'Executed' ? change.receipt : undefined;
    return {
      source: EVENT_SOURCE,
      detailType,
      detail: JSON.stringify(eventDetail(after.request, withReceipt)),
      time: after.request.updatedAt,
      requestId: after.request.id,
    };
  });
}

/** Publishes the events of one change; how many were published. */
export async function publishChange(events: EventsPort, change: RequestChange): Promise<number> {
  const batch = eventsOf(change);
  if (batch.length > 0) await events.publish(batch);
  return batch.length;
}
