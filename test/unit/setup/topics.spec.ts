/**
 * A unit folder's topics as one Jest file (test/helpers/topics.ts): every `<topic>.spec.ts` of the
 * folder runs, in name order, in a describe block of its name; a folder without one is an error.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTopics } from '../../helpers/topics';

const seen: string[] = [];
(globalThis as { topicsSeen?: string[] }).topicsSeen = seen;

describe('fixture', () => {
  runTopics(join(__dirname, '..', '..', 'fixtures', 'topics'));
});

test('each topic file is loaded in name order and its tests run under its name', () => {
  // The fixture folder also holds notes.md, which is not a topic.
  expect(seen).toEqual(['alpha loaded', 'beta loaded', 'topics fixture alpha runs', 'topics fixture beta runs']);
});

test('a folder without a topic file is an error that names it', () => {
  const empty = mkdtempSync(join(tmpdir(), 'topics-'));
  try {
    expect(() => runTopics(empty)).toThrow(`no <topic>.spec.ts in ${empty}`);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
