import type { StatsDeltas } from '../../../functions/domain/stats';
import type { StatsDay } from '../../../functions/domain/stats-report';
import type { EventsPort, ServiceEvent } from '../../../functions/usecases/events';
import type { StatsStore } from '../../../functions/usecases/stats';

/** The stats store in memory, with the DynamoDB adapter's rule: a request version is counted once. */
export class MemoryStats implements StatsStore {
  readonly buckets = new Map<string, Map<string, Record<string, number>>>();
  readonly marks = new Map<string, number>();

  async apply(requestId: string, version: number, profileId: string, deltas: StatsDeltas): Promise<'applied' | 'repeat'> {
    if ((this.marks.get(requestId) ?? -1) >= version) return 'repeat';
    this.marks.set(requestId, version);
    for (const scope of [profileId, '*']) {
      const days = this.buckets.get(scope) ?? new Map<string, Record<string, number>>();
      for (const [day, counters] of deltas) {
        const bucket = days.get(day) ?? {};
        for (const [name, by] of Object.entries(counters)) bucket[name] = (bucket[name] ?? 0) + by;
        days.set(day, bucket);
      }
      this.buckets.set(scope, days);
    }
    return 'applied';
  }

  async days(profileId: string | undefined, from: string, to: string): Promise<StatsDay[]> {
    const days = this.buckets.get(profileId ?? '*') ?? new Map();
    return [...days]
      .filter(([day]) => day >= from && day <= to)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([day, counters]) => ({ day, counters: { ...counters } }));
  }
}

/** An events port that records what it is given, failing while `failures` > 0. */
export class RecordingEvents implements EventsPort {
  readonly published: ServiceEvent[] = [];
  failures = 0;
  async publish(events: readonly ServiceEvent[]): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      throw Object.assign(new Error('refused'), { name: 'EventsNotPublished' });
    }
    this.published.push(...events);
  }
}
