/**
 * Jest reporter of the reliability suite: after a run of every reliability test file, it writes
 * the outcome of each test and the figures the tests recorded (.reliability/*.json) into
 * docs/reliability.md, between the "last-run" markers. A run of some tests only, or at another
 * RELIABILITY_SCALE than 1, leaves the document as it is (a scaled run's table goes to
 * .reliability/last-run.md).
 */
const { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { join, relative, resolve } = require('node:path');

const ROOT = resolve(__dirname, '../../..');
const FIGURES = join(ROOT, '.reliability');
const DOC = join(ROOT, 'docs', 'reliability.md');
const START = '<!-- last-run:start -->';
const END = '<!-- last-run:end -->';

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

function figureRows(figures) {
  const rows = [];
  for (const [file, entries] of Object.entries(figures)) {
    for (const [name, values] of Object.entries(entries)) {
      const shown = Object.entries(values)
        .filter(([key]) => key !== 'at')
        .map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : value}`)
        .join('; ');
      rows.push(`| ${file} | ${name} | ${shown} |`);
    }
  }
  return rows;
}

class ReliabilityReporter {
  onRunStart() {
    rmSync(FIGURES, { recursive: true, force: true });
  }

  onRunComplete(_contexts, results) {
    const suiteDir = join(ROOT, 'test', 'reliability');
    const files = readdirSync(suiteDir).filter((name) => name.endsWith('.test.ts'));
    const ran = new Set(results.testResults.map((file) => relative(suiteDir, file.testFilePath)));
    if (!files.every((name) => ran.has(name)) || results.numPendingTests > 0 || !existsSync(DOC)) {
      console.log('reliability report: not every reliability test ran; docs/reliability.md left as it is');
      return;
    }
    const figures = {};
    if (existsSync(FIGURES)) {
      for (const name of readdirSync(FIGURES).filter((entry) => entry.endsWith('.json'))) {
        figures[name.replace(/\.json$/, '')] = JSON.parse(readFileSync(join(FIGURES, name), 'utf8'));
      }
    }
    const elapsed = Date.now() - results.startTime;
    const lines = [
      START,
      `Run of ${new Date(results.startTime).toISOString()} (RELIABILITY_SCALE=${process.env.RELIABILITY_SCALE ?? '1'}, ${seconds(elapsed)} in all):`,
      `${results.numPassedTests} passed, ${results.numFailedTests} failed of ${results.numTotalTests} tests.`,
      '',
      '| file | test | result | time |',
      '|---|---|---|---|',
    ];
    for (const file of results.testResults) {
      for (const test of file.testResults) {
        const title = [...test.ancestorTitles, test.title].join(' › ').replace(/\|/g, '\\|');
        lines.push(`| ${relative(suiteDir, file.testFilePath)} | ${title} | ${test.status} | ${seconds(test.duration ?? 0)} |`);
      }
    }
    const rows = figureRows(figures);
    lines.push('', 'Figures recorded by passing tests:', '');
    if (rows.length) lines.push('| file | measure | figures |', '|---|---|---|', ...rows);
    else lines.push('(none: no test that records figures passed)');
    lines.push(END);
    // Only a run at the full figures (RELIABILITY_SCALE=1) describes the service in the docs.
    if (Number(process.env.RELIABILITY_SCALE ?? '1') !== 1) {
      mkdirSync(FIGURES, { recursive: true });
      writeFileSync(join(FIGURES, 'last-run.md'), `${lines.join('\n')}\n`);
      console.log(
        `reliability report: a scaled run; see ${relative(ROOT, join(FIGURES, 'last-run.md'))} (docs/reliability.md keeps the last full run)`,
      );
      return;
    }
    const doc = readFileSync(DOC, 'utf8');
    const from = doc.indexOf(START);
    const to = doc.indexOf(END);
    if (from < 0 || to < from) {
      console.log('reliability report: markers not found in docs/reliability.md');
      return;
    }
    writeFileSync(DOC, doc.slice(0, from) + lines.join('\n') + doc.slice(to + END.length));
    console.log('reliability report: docs/reliability.md updated');
  }
}

module.exports = ReliabilityReporter;
