/**
 * The infra tests, one Jest file (test/helpers/topics.ts): each topic is in `<topic>.spec.ts` and runs
 * in a describe block of its name here. Loading the CDK and synthesizing the stacks cost about a second
 * per Jest file (every file starts from an empty module registry), so one file pays it once: when the
 * topics were 16 files they took 24 s, and 14 s as one. One topic: `npm test -- test/unit/infra -t '^iam '`.
 */
import { functionBundles, removeAssemblies } from '../../helpers/infra';
import { runTopics } from '../../helpers/topics';

// esbuild bundles every function in its own process (seconds of its own): started before the topics
// synthesize their stacks, it runs beside them. The topics that use the bundles await the same run
// and see its error, if any.
functionBundles().catch(() => undefined);

runTopics(__dirname);

afterAll(removeAssemblies);
