/**
 * Figures a test measured (load held, faults survived, inputs tried), one JSON file per test file
 * under .reliability/; the reporter renders them into docs/reliability.md after the run.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

export const FIGURES_DIR = resolve(__dirname, '../../../.reliability');

export function recordFigures(testFile: string, key: string, figures: Record<string, unknown>): void {
  mkdirSync(FIGURES_DIR, { recursive: true });
  const file = join(FIGURES_DIR, `${basename(testFile).replace(/\.test\.ts$/, '')}.json`);
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    all = {};
  }
  all[key] = { ...figures, at: new Date().toISOString() };
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
}
