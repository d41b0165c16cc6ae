/**
 * The README stays the newcomer's page (at most 250 lines), and every relative link in the README,
 * infra/README.md and docs/ points at a file that exists, so moving a page cannot leave a dead link.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { reportFileFor } from '../../../bench/run';

const ROOT = resolve(__dirname, '../../..');
const README_MAX_LINES = 250;

/** Markdown files of the README, infra/README.md and docs/, its subfolders included. */
function pages(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return walk(path);
      return name.endsWith('.md') ? [path] : [];
    });
  return [join(ROOT, 'README.md'), join(ROOT, 'infra', 'README.md'), ...walk(join(ROOT, 'docs'))];
}

/** The targets of `[text](target)` and `![alt](target)` outside code blocks and code spans. */
function relativeLinks(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
  const targets = [...prose.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((match) => match[1]);
  return targets.filter(
    (target): target is string => target !== undefined && !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('#'),
  );
}

test(`README.md has at most ${README_MAX_LINES} lines`, () => {
  const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').length;
  expect(lines).toBeLessThanOrEqual(README_MAX_LINES);
});

test('every relative link of the README, infra/README.md and docs/ points at an existing file', () => {
  const dead: string[] = [];
  const files = pages();
  for (const file of files) {
    for (const target of relativeLinks(readFileSync(file, 'utf8'))) {
      const path = resolve(dirname(file), decodeURIComponent(target.split('#')[0] ?? ''));
      if (!existsSync(path)) dead.push(`${relative(ROOT, file)}: ${target}`);
    }
  }
  expect(files.length).toBeGreaterThan(5);
  expect(dead).toEqual([]);
});

test('the link finder sees links and images, and skips URLs, anchors and code', () => {
  const markdown = [
    'See [the API](docs/api.md#routes) and ![a chart](../bench/chart.svg "chart").',
    '[outside](https://example.org/x.md), [anchor](#words), `[in code](nowhere.md)`',
    '```',
    '[in a block](nowhere-either.md)',
    '```',
  ].join('\n');
  expect(relativeLinks(markdown)).toEqual(['docs/api.md#routes', '../bench/chart.svg']);
});

test('the benchmark writes its report to docs/performance.md, or beside its outputs when they go elsewhere', () => {
  expect(reportFileFor()).toBe(resolve('docs', 'performance.md'));
  expect(reportFileFor('/tmp/bench-out')).toBe('/tmp/bench-out/report.md');
});
