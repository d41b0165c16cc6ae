/**
 * A local Step Functions: runs ASL definitions (JSONPath) with aws-local-stepfunctions,
 * behind an HTTP endpoint speaking the Step Functions JSON protocol, so that
 * `new SFNClient({ endpoint: url })` (or AWS_ENDPOINT_URL_SFN) works unchanged.
 *
 * Tasks call in-process functions: `arn:aws:states:::lambda:invoke` returns
 * `{ ExecutedVersion, Payload, StatusCode }` like AWS; `...lambda:invoke.waitForTaskToken`
 * issues a fresh task token per attempt (`$$.Task.Token`) and waits for SendTaskSuccess /
 * SendTaskFailure.
 *
 * The parts: types.ts (what callers see), definition.ts (rewrites of the definition for the
 * library), library.ts (workarounds for the library's internals), runner.ts (executions,
 * tasks, tokens, history), store.ts (persistence), api.ts (the actions).
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
