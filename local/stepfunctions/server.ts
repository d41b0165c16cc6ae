/**
 * A local Step Functions: runs ASL definitions (JSONPath) with aws-local-stepfunctions,
 * behind an HTTP endpoint speaking the Step Functions JSON protocol, so that
 * `new SFNClient({ endpoint: url })` (or AWS_ENDPOINT_URL_SFN) works unchanged.
 *
 * Why an engine of its own: `npm start` and the tests run the workflow's ASL file as the cloud
 * does, in the same Node process, from npm alone (no Docker, no Java download). The npm library
 * aws-local-stepfunctions interprets ASL (paths, Parameters and intrinsics, Choice, Wait, Retry,
 * Catch) but offers no Step Functions API, no task tokens, no persistence across restarts and no
 * execution history in AWS's shape, and differs from AWS on timeouts. This engine adds those
 * around it and leaves the ASL interpretation to it.
 *
 * What it relies on in the library (version pinned exactly in package.json): its documented
 * `StateMachine#run` with local Task handlers, a context and an event log (`result`, `abort`,
 * `eventLogs`); and, undocumented, what library.ts lists (the `isRetryable`/`isCatchable` flags its
 * Retry/Catch read, its unexported States.Timeout error, the shape of its ExecutionError and of its
 * event log) and the behaviours definition.ts rewrites the definition around (Parameters evaluated
 * before the handler, TimeoutSecondsPath, its 60 s default Task timeout, timers above 2^31-1 ms,
 * unscaled SecondsPath). To upgrade it: change the pinned version, re-read those two files against
 * the library's changes, and run test/unit/local/stepfunctions*.test.ts and the workflow
 * integration tests (test/integration/workflow*.test.ts, restart.test.ts).
 *
 * Tasks call in-process functions: `arn:aws:states:::lambda:invoke` returns
 * `{ ExecutedVersion, Payload, StatusCode }` like AWS; `...lambda:invoke.waitForTaskToken`
 * issues a fresh task token per attempt (`$$.Task.Token`) and waits for SendTaskSuccess /
 * SendTaskFailure.
 *
 * The parts: types.ts (what callers see), definition.ts (rewrites of the definition for the
 * library), library.ts (workarounds for the library's internals), runner.ts (executions from
 * start to end), run.ts (a machine and a run), tasks.ts (task invocation, task tokens, timeouts),
 * history.ts (GetExecutionHistory's events), store.ts (persistence), api.ts (the actions).
 */
import { type AwsJsonAction, AwsServiceError, startAwsJsonServer } from '../aws-json-server';
import { stepFunctionsActions } from './api';
import { ExecutionRunner } from './runner';
import type { StepFunctionsFault, StepFunctionsServer, StepFunctionsServerOptions } from './types';

export type {
  LocalFunction,
  LocalStateMachineOptions,
  StepFunctionsFault,
  StepFunctionsServer,
  StepFunctionsServerOptions,
} from './types';

const FAULT_ERRORS = {
  unavailable: () => new AwsServiceError('ServiceUnavailable', 'Service Unavailable', 503),
  throttle: () => new AwsServiceError('ThrottlingException', 'Rate exceeded', 400),
};

/** The actions, each answering the fault's error while a fault names it. */
function withFaults(actions: Record<string, AwsJsonAction>, fault: () => StepFunctionsFault | undefined): Record<string, AwsJsonAction> {
  return Object.fromEntries(
    Object.entries(actions).map(([name, action]) => [
      name,
      (body: Record<string, unknown>) => {
        const current = fault();
        if (current?.actions.includes(name)) throw FAULT_ERRORS[current.error]();
        return action(body);
      },
    ]),
  );
}

export async function startStepFunctionsServer(options: StepFunctionsServerOptions): Promise<StepFunctionsServer> {
  const runner = new ExecutionRunner(options);
  await runner.init();
  let fault: StepFunctionsFault | undefined;
  const http = await startAwsJsonServer({
    port: options.port,
    host: options.host ?? '127.0.0.1',
    targetPrefix: 'AWSStepFunctions',
    jsonVersion: '1.0',
    actions: withFaults(stepFunctionsActions(runner), () => fault),
    log: options.log,
  });
  runner.resume();
  let closing: Promise<void> | undefined;
  return {
    url: http.url,
    port: http.port,
    setFault(next) {
      fault = next && { actions: [...next.actions], error: next.error };
    },
    region: runner.region,
    accountId: runner.accountId,
    stateMachineArn: (name) => runner.stateMachineArn(name),
    executionArn: (stateMachineName, executionName) => runner.executionArn(stateMachineName, executionName),
    close() {
      closing ??= (async () => {
        const serverClosed = http.close();
        await runner.shutdown();
        await serverClosed;
      })();
      return closing;
    },
  };
}
