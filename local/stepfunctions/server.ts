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
import { startAwsJsonServer } from '../aws-json-server';
import { stepFunctionsActions } from './api';
import { ExecutionRunner } from './runner';
import type { StepFunctionsServer, StepFunctionsServerOptions } from './types';

export type { LocalFunction, LocalStateMachineOptions, StepFunctionsServer, StepFunctionsServerOptions } from './types';

export async function startStepFunctionsServer(options: StepFunctionsServerOptions): Promise<StepFunctionsServer> {
  const runner = new ExecutionRunner(options);
  await runner.init();
  const http = await startAwsJsonServer({
    port: options.port,
    host: options.host ?? '127.0.0.1',
    targetPrefix: 'AWSStepFunctions',
    jsonVersion: '1.0',
    actions: stepFunctionsActions(runner),
    log: options.log,
  });
  runner.resume();
  let closing: Promise<void> | undefined;
  return {
    url: http.url,
    port: http.port,
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
