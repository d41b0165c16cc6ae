/**
 * Turns an ASL definition into the one handed to aws-local-stepfunctions, working
 * around the library where it differs from AWS:
 *
 * - Every Task runs through a local handler, which receives the state input after
 *   InputPath AND Parameters (already evaluated by the library, `$$` and intrinsics
 *   included). Parameters are wrapped as `{ params: <original Parameters> }` (or
 *   `{ "params.$": "$" }` without Parameters) so the library still evaluates them, plus
 *   `"timeoutSeconds.$": <TimeoutSecondsPath>` so that path is read from the state
 *   input as in AWS (the library reads it from the Parameters output instead).
 * - Task timeouts are enforced by the engine, not the library: the library applies a
 *   60 s timeout to a Task without TimeoutSeconds (AWS: none), and any timer above
 *   2^31-1 ms fires at once in Node. Each Task gets TimeoutSeconds = 2147483 (the
 *   longest the library can wait) as a backstop, and the real timeout is kept aside.
 * - The machine's top-level TimeoutSeconds is removed (the approval machine's 364 days
 *   would overflow setTimeout and time every execution out after 1 ms) and enforced by
 *   the engine with a long timer.
 * - Only Lambda invocations (`lambda:invoke`, `.waitForTaskToken`) and states without nested
 *   machines are supported (no Parallel or Map): that is what statemachines/ uses.
 * - `timeScale` multiplies the durations the engine or the definition controls
 *   (Task and execution timeouts, Retry IntervalSeconds/MaxDelaySeconds, Wait Seconds and
 *   SecondsPath). The library reads a Wait's SecondsPath itself, unscaled, so under a time
 *   scale such a Wait runs as a Task whose local handler waits the scaled time: Parameters
 *   evaluate the path, `ResultPath: null` passes the input on as a Wait does, and the
 *   history still names it a Wait (`scaledWaits`).
 */
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';

export const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
export const LAMBDA_INVOKE_WAIT = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:([A-Za-z0-9_-]+)(?::[A-Za-z0-9$_-]+)?$/;
const UNSUPPORTED_STATES = ['Parallel', 'Map'];

/** The longest TimeoutSeconds the library can arm without overflowing setTimeout. */
export const LIBRARY_MAX_TIMEOUT_SECONDS = 2_147_483;

export type TaskKind = 'invoke' | 'callback';

export interface TaskInfo {
  stateName: string;
  kind: TaskKind;
  /** From the original definition (before timeScale). */
  timeoutSeconds?: number;
  timeoutSecondsPath?: string;
  /** The constant FunctionName, when known before running. */
  functionName?: string;
}

export interface PreparedDefinition {
  runnable: StateMachineDefinition;
  tasks: Map<string, TaskInfo>;
  /** Wait states with a SecondsPath that run as a Task under a time scale (see above). */
  scaledWaits: Set<string>;
  /** The machine's TimeoutSeconds, before timeScale. */
  timeoutSeconds?: number;
  warnings: string[];
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Replaces `${Name}` with the substitution (JSON-escaped); an unknown name is an error. */
export function substitute(text: string, substitutions: Record<string, string>): string {
  const missing = new Set<string>();
  const result = text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, name: string) => {
    if (!Object.hasOwn(substitutions, name)) {
      missing.add(name);
      return whole;
    }
    return JSON.stringify(substitutions[name]).slice(1, -1);
  });
  if (missing.size > 0) throw new Error(`No substitution for ${[...missing].map((name) => `\${${name}}`).join(', ')}`);
  return result;
}

/** The function name in a Lambda ARN, or the value itself. */
export function lambdaFunctionName(nameOrArn: string): string {
  return LAMBDA_ARN.exec(nameOrArn)?.[1] ?? nameOrArn;
}

function scaleRetriers(state: Json, timeScale: number): void {
  if (timeScale === 1 || !Array.isArray(state.Retry)) return;
  state.Retry = state.Retry.map((retrier: unknown) => {
    if (!isObject(retrier)) return retrier;
    const scaled: Json = {
      ...retrier,
      IntervalSeconds: (typeof retrier.IntervalSeconds === 'number' ? retrier.IntervalSeconds : 1) * timeScale,
    };
    if (typeof retrier.MaxDelaySeconds === 'number') scaled.MaxDelaySeconds = retrier.MaxDelaySeconds * timeScale;
    return scaled;
  });
}

/** A Wait with SecondsPath as a Task that the engine's handler runs for the scaled time. */
function scaledWait(stateName: string, state: Json): Json {
  if ('InputPath' in state) throw new Error(`Wait ${stateName}: InputPath with SecondsPath is not supported under a time scale`);
  const { Type: _type, SecondsPath, ...rest } = state;
  return {
    ...rest,
    Type: 'Task',
    Resource: LAMBDA_INVOKE,
    Parameters: { 'seconds.$': SecondsPath },
    ResultPath: null,
    TimeoutSeconds: LIBRARY_MAX_TIMEOUT_SECONDS,
  };
}

function prepareStates(
  states: unknown,
  tasks: Map<string, TaskInfo>,
  scaledWaits: Set<string>,
  warnings: string[],
  timeScale: number,
): Json {
  if (!isObject(states)) throw new Error('States must be an object');
  const out: Json = {};
  for (const [stateName, original] of Object.entries(states)) {
    if (!isObject(original)) throw new Error(`State ${stateName} must be an object`);
    const state: Json = { ...original };
    if (UNSUPPORTED_STATES.includes(String(state.Type)))
      throw new Error(`State ${stateName}: ${String(state.Type)} is not supported locally`);
    switch (state.Type) {
      case 'Task': {
        const resource = String(state.Resource);
        const kind: TaskKind | undefined = resource === LAMBDA_INVOKE ? 'invoke' : resource === LAMBDA_INVOKE_WAIT ? 'callback' : undefined;
        if (!kind)
          throw new Error(
            `Task ${stateName}: resource ${resource} is not supported locally (only ${LAMBDA_INVOKE} and ${LAMBDA_INVOKE_WAIT})`,
          );
        if (tasks.has(stateName)) throw new Error(`State name ${stateName} is used twice`);
        const info: TaskInfo = { stateName, kind };
        if (typeof state.TimeoutSeconds === 'number') info.timeoutSeconds = state.TimeoutSeconds;
        if (typeof state.TimeoutSecondsPath === 'string') info.timeoutSecondsPath = state.TimeoutSecondsPath;
        if (isObject(state.Parameters) && typeof state.Parameters.FunctionName === 'string')
          info.functionName = lambdaFunctionName(state.Parameters.FunctionName);
        if ('HeartbeatSeconds' in state || 'HeartbeatSecondsPath' in state) {
          warnings.push(`Task ${stateName}: HeartbeatSeconds is not enforced locally`);
        }
        const wrapper: Json = 'Parameters' in state ? { params: state.Parameters } : { 'params.$': '$' };
        if (info.timeoutSecondsPath !== undefined) wrapper['timeoutSeconds.$'] = info.timeoutSecondsPath;
        state.Parameters = wrapper;
        delete state.TimeoutSecondsPath;
        delete state.HeartbeatSeconds;
        delete state.HeartbeatSecondsPath;
        state.TimeoutSeconds = LIBRARY_MAX_TIMEOUT_SECONDS;
        scaleRetriers(state, timeScale);
        tasks.set(stateName, info);
        break;
      }
      case 'Wait': {
        if (timeScale !== 1 && typeof state.SecondsPath === 'string') {
          scaledWaits.add(stateName);
          out[stateName] = scaledWait(stateName, state);
          continue;
        }
        if (timeScale !== 1 && typeof state.Seconds === 'number') state.Seconds = state.Seconds * timeScale;
        if (typeof state.Seconds === 'number' && state.Seconds > LIBRARY_MAX_TIMEOUT_SECONDS) {
          warnings.push(`Wait ${stateName}: more than ${LIBRARY_MAX_TIMEOUT_SECONDS} s overflows the library's timer`);
        }
        break;
      }
      default:
        break;
    }
    out[stateName] = state;
  }
  return out;
}

/**
 * Parses (after substitutions), validates with the library's validator (asl-validator),
 * and rewrites the definition as described above.
 */
export function prepareDefinition(
  rawText: string,
  substitutions: Record<string, string>,
  timeScale = 1,
  validate = true,
): PreparedDefinition {
  if (!(timeScale > 0)) throw new Error('timeScale must be a positive number');
  const text = substitute(rawText, substitutions);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`Definition is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(parsed)) throw new Error('Definition must be a JSON object');
  if (parsed.QueryLanguage === 'JSONata') throw new Error('JSONata is not supported locally: use JSONPath');
  // Validates the definition as written (throws with the validator's messages).
  if (validate) new StateMachine(structuredClone(parsed) as unknown as StateMachineDefinition);

  const tasks = new Map<string, TaskInfo>();
  const scaledWaits = new Set<string>();
  const warnings: string[] = [];
  const runnable: Json = { ...parsed, States: prepareStates(parsed.States, tasks, scaledWaits, warnings, timeScale) };
  const timeoutSeconds = typeof parsed.TimeoutSeconds === 'number' ? parsed.TimeoutSeconds : undefined;
  delete runnable.TimeoutSeconds;
  return { runnable: runnable as unknown as StateMachineDefinition, tasks, scaledWaits, timeoutSeconds, warnings };
}
