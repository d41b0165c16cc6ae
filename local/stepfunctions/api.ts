/**
 * The Step Functions actions the service and its tests use, in the JSON protocol
 * (`X-Amz-Target: AWSStepFunctions.<Action>`), with AWS's validation errors:
 * StartExecution, DescribeExecution, ListExecutions, GetExecutionHistory, StopExecution,
 * SendTaskSuccess, SendTaskFailure, ListStateMachines and DescribeStateMachine. Anything else
 * answers UnknownOperationException.
 */
import { randomUUID } from 'node:crypto';
import { type AwsJsonAction, AwsServiceError, epochSeconds, optionalInteger, optionalString, requireString } from '../aws-json-server';
import type { HistoryEvent } from './history';
import type { Attempt, Machine } from './run';
import type { ExecutionRunner } from './runner';
import { EXECUTION_STATUSES, type StoredExecution } from './store';
import { isWellFormedTaskToken } from './tokens';

const MAX_INPUT_BYTES = 256 * 1024;

function validateExecutionName(name: string): void {
  let bad = name.length < 1 || name.length > 80;
  for (const char of name) {
    const code = char.codePointAt(0) ?? 0;
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f) || /\s/.test(char) || '<>{}[]?*"#%\\^|~`$&,;:/'.includes(char)) bad = true;
  }
  if (bad) throw new AwsServiceError('InvalidName', `Invalid Name: '${name}'`);
}

function limitLength(value: string | undefined, field: string, max: number): string | undefined {
  if (value !== undefined && value.length > max)
    throw new AwsServiceError('ValidationException', `Value at '${field}' must have length less than or equal to ${max}`);
  return value;
}

/** `nextToken` of the list actions: the offset of the next page, base64url-encoded. */
function pageStart(body: Record<string, unknown>): number {
  const nextToken = optionalString(body, 'nextToken');
  if (nextToken === undefined) return 0;
  const text = Buffer.from(nextToken, 'base64url').toString('utf8');
  if (!/^\d{1,15}$/.test(text)) throw new AwsServiceError('InvalidToken', 'Invalid Token: nextToken');
  return Number(text);
}

function page<T>(items: T[], offset: number, maxResults: number): { items: T[]; nextToken?: string } {
  const result: { items: T[]; nextToken?: string } = { items: items.slice(offset, offset + maxResults) };
  if (offset + maxResults < items.length) result.nextToken = Buffer.from(String(offset + maxResults)).toString('base64url');
  return result;
}

function historyEvent(event: HistoryEvent, includeData: boolean): Record<string, unknown> {
  const result: Record<string, unknown> = {
    timestamp: epochSeconds(event.timestamp),
    type: event.type,
    id: event.id,
    previousEventId: event.previousEventId,
  };
  if (event.details) {
    const value = { ...event.details.value };
    if (!includeData) {
      for (const field of ['input', 'output', 'parameters']) delete value[field];
    }
    result[event.details.key] = value;
  }
  return result;
}

export function stepFunctionsActions(runner: ExecutionRunner): Record<string, AwsJsonAction> {
  const machineByArn = (arn: string): Machine => {
    if (!/^arn:aws[a-z-]*:states:[^:]+:\d{12}:stateMachine:[^:]+$/.test(arn))
      throw new AwsServiceError('InvalidArn', `Invalid Arn: '${arn}'`);
    const machine = runner.machine(arn);
    if (!machine) throw new AwsServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  };
  const executionByArn = (arn: string): StoredExecution => {
    if (!/^arn:aws[a-z-]*:states:[^:]+:\d{12}:execution:[^:]+:[^:]+$/.test(arn))
      throw new AwsServiceError('InvalidArn', `Invalid Arn: '${arn}'`);
    const record = runner.execution(arn);
    if (!record) throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return record;
  };
  const attemptOf = (body: Record<string, unknown>): Attempt => {
    const token = requireString(body, 'taskToken');
    if (token.length > 2048 || !isWellFormedTaskToken(token)) throw new AwsServiceError('InvalidToken', 'Invalid Token');
    const attempt = runner.attemptByToken(token);
    if (!attempt) throw new AwsServiceError('TaskTimedOut', 'Task Timed Out');
    return attempt;
  };

  return {
    StartExecution: async (body) => {
      const machine = machineByArn(requireString(body, 'stateMachineArn'));
      const name = optionalString(body, 'name') ?? randomUUID();
      validateExecutionName(name);
      const input = optionalString(body, 'input') ?? '{}';
      if (Buffer.byteLength(input) > MAX_INPUT_BYTES)
        throw new AwsServiceError('InvalidExecutionInput', `Input is larger than ${MAX_INPUT_BYTES} bytes`);
      try {
        JSON.parse(input);
      } catch {
        throw new AwsServiceError('InvalidExecutionInput', 'Invalid State Machine Execution Input: not valid JSON');
      }
      const record = await runner.start(machine, name, input);
      if (record === 'conflict')
        throw new AwsServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${runner.executionArn(machine.name, name)}'`);
      return { executionArn: record.executionArn, startDate: epochSeconds(new Date(record.startDate)) };
    },

    DescribeExecution: (body) => {
      const record = executionByArn(requireString(body, 'executionArn'));
      const result: Record<string, unknown> = {
        executionArn: record.executionArn,
        stateMachineArn: record.stateMachineArn,
        name: record.name,
        status: record.status,
        startDate: epochSeconds(new Date(record.startDate)),
        input: record.input,
        inputDetails: { included: true },
      };
      if (record.stopDate) result.stopDate = epochSeconds(new Date(record.stopDate));
      if (record.output !== undefined) {
        result.output = record.output;
        result.outputDetails = { included: true };
      }
      if (record.error !== undefined) result.error = record.error;
      if (record.cause !== undefined) result.cause = record.cause;
      return result;
    },

    ListExecutions: (body) => {
      const machine = machineByArn(requireString(body, 'stateMachineArn'));
      const statusFilter = optionalString(body, 'statusFilter');
      if (statusFilter !== undefined && !(EXECUTION_STATUSES as readonly string[]).concat('PENDING_REDRIVE').includes(statusFilter)) {
        throw new AwsServiceError(
          'ValidationException',
          `Value '${statusFilter}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set`,
        );
      }
      const matching = runner.executionsOf(machine.arn).filter((record) => statusFilter === undefined || record.status === statusFilter);
      const { items, nextToken } = page(matching, pageStart(body), optionalInteger(body, 'maxResults', 0, 1000) || 100);
      return {
        executions: items.map((record) => ({
          executionArn: record.executionArn,
          stateMachineArn: record.stateMachineArn,
          name: record.name,
          status: record.status,
          startDate: epochSeconds(new Date(record.startDate)),
          ...(record.stopDate ? { stopDate: epochSeconds(new Date(record.stopDate)) } : {}),
        })),
        ...(nextToken ? { nextToken } : {}),
      };
    },

    GetExecutionHistory: (body) => {
      const record = executionByArn(requireString(body, 'executionArn'));
      const reverseOrder = body.reverseOrder === true;
      const includeData = body.includeExecutionData !== false;
      const events = [...runner.history(record.executionArn)];
      if (reverseOrder) events.reverse();
      const { items, nextToken } = page(events, pageStart(body), optionalInteger(body, 'maxResults', 0, 1000) || 100);
      return { events: items.map((event) => historyEvent(event, includeData)), ...(nextToken ? { nextToken } : {}) };
    },

    StopExecution: async (body) => {
      const record = executionByArn(requireString(body, 'executionArn'));
      const error = limitLength(optionalString(body, 'error'), 'error', 256);
      const cause = limitLength(optionalString(body, 'cause'), 'cause', 32768);
      const stopped = await runner.stop(record, { error, cause });
      return { stopDate: epochSeconds(new Date(stopped.stopDate ?? Date.now())) };
    },

    ListStateMachines: (body) => {
      const machines = runner.allMachines();
      const { items, nextToken } = page(machines, pageStart(body), optionalInteger(body, 'maxResults', 0, 1000) || 100);
      return {
        stateMachines: items.map((machine) => ({
          stateMachineArn: machine.arn,
          name: machine.name,
          type: 'STANDARD',
          creationDate: epochSeconds(machine.creationDate),
        })),
        ...(nextToken ? { nextToken } : {}),
      };
    },

    DescribeStateMachine: (body) => {
      const machine = machineByArn(requireString(body, 'stateMachineArn'));
      return {
        stateMachineArn: machine.arn,
        name: machine.name,
        status: 'ACTIVE',
        definition: machine.definition,
        roleArn: `arn:aws:iam::${runner.accountId}:role/local-stepfunctions`,
        type: 'STANDARD',
        creationDate: epochSeconds(machine.creationDate),
        loggingConfiguration: { level: 'OFF', includeExecutionData: false },
        tracingConfiguration: { enabled: false },
      };
    },

    SendTaskSuccess: (body) => {
      const attempt = attemptOf(body);
      const output = requireString(body, 'output');
      let value: unknown;
      try {
        value = JSON.parse(output);
      } catch {
        throw new AwsServiceError('InvalidOutput', 'Invalid Output: not valid JSON');
      }
      attempt.succeed(value);
      return {};
    },

    SendTaskFailure: (body) => {
      const attempt = attemptOf(body);
      const error = limitLength(optionalString(body, 'error'), 'error', 256);
      const cause = limitLength(optionalString(body, 'cause'), 'cause', 32768);
      const failure = new Error(cause ?? '');
      failure.name = error ?? 'States.TaskFailed';
      attempt.fail(failure);
      return {};
    },
  };
}
