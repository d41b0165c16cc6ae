/**
 * Follows an ASL definition's path (JSONPath subset the approval workflow uses on its normal path:
 * Task, Choice, Pass without Parameters, Wait, Succeed, Fail) with a handler per Task state, and
 * names every state entered: a Standard workflow is billed one state transition per state entered.
 * A state it does not know (or a Choice operator) is an error, never a guess.
 */
export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
}
interface AslState {
  Type: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: Array<Record<string, unknown> & { Variable: string; Next: string }>;
  ResultSelector?: Record<string, string>;
  ResultPath?: string | null;
  Parameters?: unknown;
}
export type TaskHandler = (input: Record<string, unknown>) => Promise<unknown>;

/** The value at a simple path (`$.a.b`), or undefined. */
export function valueAt(data: unknown, path: string): unknown {
  if (path === '$') return data;
  if (!path.startsWith('$.')) throw new Error(`unsupported path ${path}`);
  return path
    .slice(2)
    .split('.')
    .reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), data);
}

function withResult(input: Record<string, unknown>, path: string | null | undefined, result: unknown): Record<string, unknown> {
  if (path === null) return input;
  if (path === undefined || path === '$') return result as Record<string, unknown>;
  const keys = path.slice(2).split('.');
  const copy = structuredClone(input);
  let at: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) {
    at[key] ??= {};
    at = at[key] as Record<string, unknown>;
  }
  at[keys[keys.length - 1] as string] = result;
  return copy;
}

function matches(rule: Record<string, unknown>, input: unknown): boolean {
  const value = valueAt(input, rule.Variable as string);
  if ('BooleanEquals' in rule) return value === rule.BooleanEquals;
  if ('IsPresent' in rule) return (value !== undefined) === rule.IsPresent;
  if ('NumericGreaterThan' in rule) return typeof value === 'number' && value > (rule.NumericGreaterThan as number);
  throw new Error(`unsupported Choice rule ${JSON.stringify(rule)}`);
}

/** Runs the definition from StartAt; returns the states entered, in order. */
export async function walk(
  definition: AslDefinition,
  handlers: Record<string, TaskHandler>,
  input: Record<string, unknown>,
): Promise<string[]> {
  const entered: string[] = [];
  let name: string | undefined = definition.StartAt;
  let data = input;
  while (name) {
    const state: AslState | undefined = definition.States[name];
    if (!state) throw new Error(`no state ${name}`);
    entered.push(name);
    if (entered.length > 1000) throw new Error('the walk does not end');
    if (state.Type === 'Task') {
      const handler = handlers[name];
      if (!handler) throw new Error(`no handler for the task ${name}`);
      const payload = await handler(data);
      const result = state.ResultSelector
        ? Object.fromEntries(
            Object.entries(state.ResultSelector).map(([key, path]) => [key.replace(/\.\$$/, ''), valueAt({ Payload: payload }, path)]),
          )
        : payload;
      data = withResult(data, state.ResultPath, result);
    } else if (state.Type === 'Choice') {
      name = state.Choices?.find((rule) => matches(rule, data))?.Next ?? state.Default;
      if (!name) throw new Error('a Choice without a match or Default');
      continue;
    } else if (state.Type === 'Pass' && state.Parameters !== undefined) {
      throw new Error(`unsupported Pass with Parameters: ${name}`);
    } else if (state.Type === 'Succeed' || state.Type === 'Fail') {
      return entered;
    } else if (state.Type !== 'Pass' && state.Type !== 'Wait') {
      throw new Error(`unsupported state type ${state.Type}`);
    }
    name = state.End ? undefined : state.Next;
  }
  return entered;
}
