import type { PutEventsCommand, PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { EventsNotPublished, eventBridgeEvents } from '../../../functions/adapters/eventbridge';
import type { ServiceEvent } from '../../../functions/usecases/events';

const event = (n: number): ServiceEvent => ({
  source: 'approvals',
  detailType: 'Approved',
  detail: JSON.stringify({ request: { id: `r-${n}` } }),
  time: '2026-12-01T09:00:00.000Z',
  requestId: `r-${n}`,
});

/** A PutEvents that refuses the entries whose request id is in `refuse` for as many calls as `refusals` says. */
function fakeEventBridge(refusals: Record<string, number>) {
  const calls: string[][] = [];
  const send = async (command: PutEventsCommand) => {
    const entries = command.input.Entries ?? [];
    calls.push(entries.map((entry) => JSON.parse(entry.Detail ?? '{}').request.id));
    const results: PutEventsResultEntry[] = entries.map((entry) => {
      const id = JSON.parse(entry.Detail ?? '{}').request.id as string;
      if ((refusals[id] ?? 0) > 0) {
        refusals[id] = (refusals[id] ?? 0) - 1;
        return { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' };
      }
      return { EventId: `e-${id}` };
    });
    return { FailedEntryCount: results.filter((result) => result.ErrorCode).length, Entries: results };
  };
  return { calls, client: { send } as never };
}

const noPause = async () => {};

describe('the EventBridge events port', () => {
  test('sends each event to the bus named, with its source, detail-type, detail and time', async () => {
    let input: PutEventsCommand['input'] | undefined;
    const client = {
      send: async (command: PutEventsCommand) => {
        input = command.input;
        return { FailedEntryCount: 0, Entries: [{ EventId: 'e' }] };
      },
    };
    await eventBridgeEvents('bus-1', client as never, noPause).publish([event(1)]);
    expect(input?.Entries).toEqual([
      {
        EventBusName: 'bus-1',
        Source: 'approvals',
        DetailType: 'Approved',
        Detail: '{"request":{"id":"r-1"}}',
        Time: new Date('2026-12-01T09:00:00.000Z'),
      },
    ]);
  });

  test('sends again only the entries PutEvents refused, until they are taken', async () => {
    const fake = fakeEventBridge({ 'r-2': 2 });
    await eventBridgeEvents('bus', fake.client, noPause).publish([event(1), event(2), event(3)]);
    expect(fake.calls).toEqual([['r-1', 'r-2', 'r-3'], ['r-2'], ['r-2']]);
  });

  test('throws, naming the error codes, when entries are still refused after the retries (the stream delivers the record again)', async () => {
    const fake = fakeEventBridge({ 'r-1': 100 });
    const publishing = eventBridgeEvents('bus', fake.client, noPause).publish([event(1), event(2)]);
    await expect(publishing).rejects.toThrow(EventsNotPublished);
    await expect(publishing).rejects.toThrow('ThrottlingException');
    expect(fake.calls).toEqual([['r-1', 'r-2'], ['r-1'], ['r-1'], ['r-1']]);
  });

  test('splits more than 10 events into calls of at most 10 (PutEvents’ limit)', async () => {
    const fake = fakeEventBridge({});
    await eventBridgeEvents('bus', fake.client, noPause).publish(Array.from({ length: 12 }, (_, n) => event(n)));
    expect(fake.calls.map((call) => call.length)).toEqual([10, 2]);
  });
});
