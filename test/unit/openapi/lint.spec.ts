/**
 * The document GET /openapi.json serves passes `redocly lint` with the recommended rules
 * (redocly.yaml): no error and no warning.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openApiDocument } from '../../../functions/openapi/document';

const ROOT = resolve(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');

function lint(document: unknown): {
  totals: { errors: number; warnings: number };
  problems: Array<{ ruleId: string; message: string; location: Array<{ pointer: string }> }>;
} {
  const dir = mkdtempSync(join(tmpdir(), 'approvals-openapi-'));
  try {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(document, null, 2));
    const run = spawnSync(process.execPath, [CLI, 'lint', '--format=json', '--config', join(ROOT, 'redocly.yaml'), file], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      timeout: 60_000,
    });
    const start = run.stdout.indexOf('{');
    if (start < 0) throw new Error(`redocly lint printed no report (exit ${run.status}):\n${run.stderr}`);
    return JSON.parse(run.stdout.slice(start));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the OpenAPI document passes redocly lint (recommended rules) without an error or a warning', () => {
  const report = lint(openApiDocument('http://127.0.0.1:3000'));
  expect(report.problems.map((problem) => `${problem.ruleId} at ${problem.location[0]?.pointer}: ${problem.message}`)).toEqual([]);
  expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
}, 60_000);

test('the lint does find problems: a broken document fails it', () => {
  const document = openApiDocument('http://127.0.0.1:3000') as { paths: Record<string, Record<string, { responses?: unknown }>> };
  const broken = {
    ...document,
    servers: [],
    paths: { ...document.paths, '/health': { get: { ...document.paths['/health']?.get, responses: undefined } } },
  };
  const report = lint(broken);
  expect(report.problems.map((problem) => problem.ruleId)).toEqual(expect.arrayContaining(['no-empty-servers']));
  expect(report.totals.errors + report.totals.warnings).toBeGreaterThan(0);
}, 60_000);
