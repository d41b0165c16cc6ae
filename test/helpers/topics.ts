/**
 * One Jest file for a folder of unit tests: each `<topic>.spec.ts` beside the calling file runs in a
 * describe block of its name, in one module registry. Jest gives every test file a fresh registry, so
 * each file loaded the service's modules, zod and the SDK again: the unit project's 94 files took 24.5
 * s of CPU one by one and 17 s as one file per folder (2026-12-07). A file that needs a registry of its
 * own (one that sets the environment a module reads when it loads) stays a `.test.ts` of its own.
 * One topic: `npm test -- test/unit/domain -t '^csr '`.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Runs every topic file of `dir`, sorted by name (a folder without one is an error). */
export function runTopics(dir: string): void {
  const topics = readdirSync(dir)
    .filter((name) => name.endsWith('.spec.ts'))
    .map((name) => name.slice(0, -'.spec.ts'.length))
    .sort();
  if (topics.length === 0) throw new Error(`no <topic>.spec.ts in ${dir}`);
  for (const topic of topics) {
    describe(topic, () => {
      require(join(dir, `${topic}.spec`));
    });
  }
}
