/**
 * The function registry (functions/registry.ts) is complete and sound: every handler under
 * functions/ is one of its entries and every entry's handler exists; names, routes and ASL
 * substitutions are unique; the typed views split the list by kind; settings find every entry.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { needsOf } from '../../functions/commons/settings';
import {
  apiOperations,
  CALLING_SYSTEM_OPERATIONS,
  eventFunctions,
  FUNCTIONS,
  functionNamed,
  scheduledFunctions,
  workflowSteps,
} from '../../functions/registry';

const ROOT = path.resolve(__dirname, '..', '..');

/** Every `handler.ts` under functions/, as a path from the project root. */
function handlerFiles(): string[] {
  return readdirSync(path.join(ROOT, 'functions'), { recursive: true, encoding: 'utf8' })
    .filter((file) => path.basename(file) === 'handler.ts')
    .map((file) => path.posix.join('functions', file.split(path.sep).join('/')))
    .sort();
}

const entries: readonly string[] = FUNCTIONS.map((entry) => entry.entry);

test('every handler under functions/ is the entry of a registry function', () => {
  const handlers = handlerFiles();
  expect(handlers.length).toBeGreaterThan(10);
  expect(handlers.filter((file) => !entries.includes(file))).toEqual([]);
});

test("every registry entry's handler exists and exports `handler`", () => {
  const missing = FUNCTIONS.filter((entry) => !existsSync(path.join(ROOT, entry.entry))).map((entry) => entry.entry);
  expect(missing).toEqual([]);
  for (const entry of FUNCTIONS) expect(readFileSync(path.join(ROOT, entry.entry), 'utf8')).toMatch(/^export const handler\b/m);
});

test('names, handlers, routes and ASL substitutions are each unique', () => {
  const unique = (values: readonly string[]) => expect(new Set(values).size).toBe(values.length);
  unique(FUNCTIONS.map((entry) => entry.name));
  unique(entries);
  unique(apiOperations().flatMap((operation) => operation.methods.map((method) => `${method} ${operation.path}`)));
  unique(workflowSteps().map((step) => step.substitution));
});

test('the typed views split the list by kind, each entry in exactly one', () => {
  const views = [apiOperations(), workflowSteps(), scheduledFunctions(), eventFunctions()];
  expect(
    views
      .flat()
      .map((entry) => entry.name)
      .sort(),
  ).toEqual(FUNCTIONS.map((entry) => entry.name).sort());
  expect(apiOperations().every((entry) => entry.kind === 'api')).toBe(true);
  expect(workflowSteps().every((entry) => entry.kind === 'workflow-step')).toBe(true);
  expect(scheduledFunctions().map((entry) => entry.name)).toEqual(['reconciler']);
  expect(eventFunctions().map((entry) => entry.name)).toEqual(['sesEvents', 'streamConsumer']);
});

test('no API route is hidden by an earlier one (the local gateway takes the first match): /requests/export comes before /requests/{id}', () => {
  const operations = apiOperations();
  const pattern = (route: string) => new RegExp(`^${route.replace(/\{[^}]+\}/g, '[^/]+')}$`);
  const hidden = operations.flatMap((operation, index) =>
    operations
      .slice(0, index)
      .filter(
        (earlier) => earlier.methods.some((method) => operation.methods.includes(method)) && pattern(earlier.path).test(operation.path),
      )
      .map((earlier) => `${operation.path} after ${earlier.path}`),
  );
  expect(hidden).toEqual([]);
  const names = operations.map((operation) => operation.name);
  expect(names.indexOf('exportRequests')).toBeLessThan(names.indexOf('getRequest'));
});

test('every workflow step is a placeholder of the ASL file, and every placeholder a step', () => {
  const asl = readFileSync(path.join(ROOT, 'statemachines/approval.asl.json'), 'utf8');
  const placeholders = [...new Set([...asl.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1]))].sort();
  expect(
    workflowSteps()
      .map((step) => step.substitution)
      .sort(),
  ).toEqual(placeholders);
});

test('calling systems may call registered API operations only', () => {
  const names = apiOperations().map((operation) => operation.name);
  for (const name of CALLING_SYSTEM_OPERATIONS) expect(names).toContain(name);
});

test("settings find each function's needs by name, and refuse a name the registry does not have", () => {
  for (const entry of FUNCTIONS) expect(needsOf(entry.name)).toEqual(entry.needs);
  expect(() => functionNamed('noSuchFunction')).toThrow('configuration error: no function named noSuchFunction');
  expect(() => needsOf('noSuchFunction')).toThrow('no function named noSuchFunction');
});
