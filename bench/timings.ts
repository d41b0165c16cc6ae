/**
 * The wall time of each phase of `npm run bench`, in the order they ran, so that the report and
 * bench/results.json show where the minutes go.
 */
import { performance } from 'node:perf_hooks';
import { round } from './load';

export interface PhaseTiming {
  name: string;
  seconds: number;
}

export interface PhaseTimer {
  /** The phases timed so far, in the order they ended. */
  readonly phases: PhaseTiming[];
  /** Runs `body` as the phase `name` and records its wall time (also when it fails). */
  time<T>(name: string, body: () => Promise<T>): Promise<T>;
}

export function phaseTimer(now: () => number = () => performance.now()): PhaseTimer {
  const phases: PhaseTiming[] = [];
  return {
    phases,
    async time(name, body) {
      const t0 = now();
      try {
        return await body();
      } finally {
        phases.push({ name, seconds: round((now() - t0) / 1000, 1) });
      }
    },
  };
}

/** The report's table of phases: seconds and share of the whole run, and what no phase holds (starts, stops, writing). */
export function phaseTable(phases: readonly PhaseTiming[], totalSeconds: number): string[] {
  if (phases.length === 0) return [];
  const share = (seconds: number) => `${Math.round((100 * seconds) / totalSeconds)}%`;
  const timed = phases.reduce((sum, p) => sum + p.seconds, 0);
  const rest = Math.max(0, totalSeconds - timed);
  return [
    '### Where the minutes go',
    '',
    `Wall time of each phase of this run (${round(totalSeconds, 0)} s in all), in the order they ran.`,
    '',
    '| phase | seconds | share |',
    '|---|---|---|',
    ...phases.map((p) => `| ${p.name} | ${p.seconds} | ${share(p.seconds)} |`),
    `| outside the phases (report, process exits) | ${round(rest, 1)} | ${share(rest)} |`,
    '',
  ];
}
