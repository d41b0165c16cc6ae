/**
 * The events port on Amazon EventBridge: PutEvents on the stack's own bus (EVENT_BUS_NAME), the
 * endpoint from the SDK's settings (`AWS_ENDPOINT_URL_EVENTBRIDGE` locally). PutEvents can take a
 * call and refuse some entries of it (`FailedEntryCount`, each failed entry's `ErrorCode`): those
 * entries, and only those, are sent again a few times; if some still fail, it throws, so the stream
 * record is delivered again (its events are then published again: at least once).
 */
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { EventsPort, ServiceEvent } from '../usecases/events';
import { CLIENT_CONFIG } from './clients';

/** PutEvents takes at most 10 entries per call. */
const MAX_ENTRIES = 10;
/** Calls for the entries that failed, after the first. */
const RETRIES_OF_FAILED_ENTRIES = 3;

let client: EventBridgeClient | undefined;
export const eventBridgeClient = () => (client ??= new EventBridgeClient(CLIENT_CONFIG));

/** Raised when entries are still refused after the retries; names their error codes only. */
export class EventsNotPublished extends Error {
  constructor(readonly errorCodes: string[]) {
    super(`EventBridge refused ${errorCodes.length} event(s): ${[...new Set(errorCodes)].join(', ')}`);
    this.name = 'EventsNotPublished';
  }
}

const entryOf = (bus: string, event: ServiceEvent): PutEventsRequestEntry => ({
  EventBusName: bus,
  Source: event.source,
  DetailType: event.detailType,
  Detail: event.detail,
  Time: new Date(event.time),
});

export function eventBridgeEvents(
  busName: string,
  send: Pick<EventBridgeClient, 'send'> = eventBridgeClient(),
  pause: (attempt: number) => Promise<void> = (attempt) => new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt)),
): EventsPort {
  return {
    async publish(events) {
      for (let start = 0; start < events.length; start += MAX_ENTRIES) {
        let entries = events.slice(start, start + MAX_ENTRIES).map((event) => entryOf(busName, event));
        let codes: string[] = [];
        for (let attempt = 0; attempt <= RETRIES_OF_FAILED_ENTRIES && entries.length > 0; attempt++) {
          if (attempt > 0) await pause(attempt);
          const answer = await send.send(new PutEventsCommand({ Entries: entries }));
          const results = answer.Entries ?? [];
          if (!answer.FailedEntryCount) {
            entries = [];
            break;
          }
          // Entries of the answer are in the order of the request's.
          const failed = entries.flatMap((entry, index) =>
            results[index]?.EventId && !results[index]?.ErrorCode ? [] : [{ entry, code: results[index]?.ErrorCode ?? 'Unknown' }],
          );
          codes = failed.map(({ code }) => code);
          entries = failed.map(({ entry }) => entry);
        }
        if (entries.length > 0) throw new EventsNotPublished(codes);
      }
    },
  };
}
