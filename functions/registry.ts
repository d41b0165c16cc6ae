/**
 * The one list of the service's functions. Everything that needs to know them reads it: the
 * local gateway and the CDK stack route the API operations, the workflow (CDK and the local
 * engine) invokes the workflow steps, the OpenAPI document describes the API operations, each
 * function's settings follow from its `needs` (commons/settings.ts) and the CDK stack turns the
 * same `needs` into least-privilege grants (infra/constructs/service-function.ts).
 *
 * Kinds: `api` (one route or more of the HTTP API), `workflow-step` (invoked by the workflow,
 * statemachines/approval.asl.json), `scheduled` (run on a schedule), `event` (fed by an event
 * source). Adding a function is one entry here, or in registry-api.ts for an API operation; a
 * test checks that every `handler.ts` under functions/ has an entry and that every entry's handler
 * exists.
 */
import { API_OPERATIONS } from './registry-api';
import type { ApiOperation, EventFunction, ScheduledFunction, ServiceFunctionEntry, WorkflowStep } from './registry-types';

export type * from './registry-types';

/**
 * The outbox's consumer (functions/usecases/outbox.ts): the table's stream feeds it through an
 * event source mapping (its filter: adapters/dynamodb/stream.ts), and it starts workflows and ends
 * waits. Reading the stream is the mapping's grant, not a need.
 */
const streamConsumer = {
  kind: 'event',
  name: 'streamConsumer',
  entry: 'functions/stream-consumer/handler.ts',
  // events:put and table:update: the events and the /stats counters of each change (usecases/events.ts, usecases/stats.ts).
  needs: ['workflow:start', 'workflow:task', 'events:put', 'table:update'],
} as const;

export const FUNCTIONS = [
  // ---- API operations: one function and one route per (method, path), in route order (registry-api.ts)
  ...API_OPERATIONS,

  // ---- Workflow steps: the functions statemachines/approval.asl.json invokes --------------------
  {
    kind: 'workflow-step',
    name: 'planRound',
    // table:delete: an expiry closes the approvers' task entries.
    entry: 'functions/approval-steps/plan-round/handler.ts',
    substitution: 'PlanRoundFunctionArn',
    needs: ['table:get', 'table:put', 'table:update', 'table:delete', 'email:send', 'links:sign', 'directory:read'],
  },
  {
    kind: 'workflow-step',
    name: 'awaitDecision',
    entry: 'functions/approval-steps/await-decision/handler.ts',
    substitution: 'AwaitDecisionFunctionArn',
    needs: ['table:get', 'table:put', 'table:update', 'workflow:task', 'email:send', 'links:sign', 'directory:read'],
  },
  {
    kind: 'workflow-step',
    name: 'notifyOutcome',
    entry: 'functions/approval-steps/notify-outcome/handler.ts',
    substitution: 'NotifyOutcomeFunctionArn',
    // receipts:sign: an approved request's receipt is signed here, before the callback.
    needs: ['table:get', 'table:put', 'table:update', 'email:send', 'receipts:sign'],
  },
  {
    kind: 'workflow-step',
    name: 'deliverCallback',
    entry: 'functions/approval-steps/deliver-callback/handler.ts',
    substitution: 'DeliverCallbackFunctionArn',
    // receipts:sign: the callback on request.approved carries the receipt (signed here if notify outcome could not).
    needs: ['table:get', 'table:put', 'table:update', 'callback:sign', 'receipts:sign'],
  },

  // ---- Scheduled and event functions: each wired to its trigger by its construct in infra/constructs ----
  // The workflow's backstop (functions/usecases/reconcile.ts): repairs requests whose check is due;
  // table:delete: an expiry closes the approvers' task entries.
  {
    kind: 'scheduled',
    name: 'reconciler',
    entry: 'functions/reconciler/handler.ts',
    needs: ['table:get', 'table:put', 'table:update', 'table:delete', 'table:due', 'workflow:describe', 'workflow:start', 'workflow:task'],
  },
  // SES delivery problems (configuration set → SNS → SQS → here); the queue's poller permissions are the stack's, not a need.
  { kind: 'event', name: 'sesEvents', entry: 'functions/ses-events/handler.ts', needs: ['table:get', 'table:put'] },
  streamConsumer,
] as const satisfies readonly ServiceFunctionEntry[];

export type FunctionName = (typeof FUNCTIONS)[number]['name'];
type Of<Kind extends ServiceFunctionEntry['kind']> = Extract<(typeof FUNCTIONS)[number], { kind: Kind }>;
export type ApiOperationName = Of<'api'>['name'];
export type WorkflowStepName = Of<'workflow-step'>['name'];

const ofKind = <Kind extends ServiceFunctionEntry['kind']>(kind: Kind) =>
  (FUNCTIONS as readonly ServiceFunctionEntry[]).filter(
    (entry): entry is Extract<ServiceFunctionEntry, { kind: Kind }> => entry.kind === kind,
  );

/** The HTTP API's operations, in route order. */
export const apiOperations = (): readonly ApiOperation[] => ofKind('api');
/** The functions the workflow invokes. */
export const workflowSteps = (): readonly WorkflowStep[] => ofKind('workflow-step');
/** The functions run on a schedule. */
export const scheduledFunctions = (): readonly ScheduledFunction[] => ofKind('scheduled');
/** The functions fed by an event source. */
export const eventFunctions = (): readonly EventFunction[] => ofKind('event');

/**
 * Each kind's Lambda timeout, in seconds: the CDK stack gives it to every function of the kind
 * (infra/constructs/service-function.ts), and the local stack fails an invocation of a workflow
 * step, the stream consumer or the reconciler that runs longer, as Lambda does (local/lambda.ts).
 * A workflow step's is within the ASL's TimeoutSeconds (60) for each task; one reconciler run
 * repairs at most RECONCILE_BATCH requests, a few calls each.
 */
export const TIMEOUT_SECONDS = { api: 10, 'workflow-step': 30, scheduled: 120, event: 30 } as const satisfies Record<
  ServiceFunctionEntry['kind'],
  number
>;

/** The entry named `name`; an unknown name is a programming error. */
export function functionNamed(name: string): ServiceFunctionEntry {
  const entry = (FUNCTIONS as readonly ServiceFunctionEntry[]).find((candidate) => candidate.name === name);
  if (!entry) throw new Error(`configuration error: no function named ${name}`);
  return entry;
}

/**
 * Operations that calling systems (the machine client's access tokens) may call; every other
 * route takes people's tokens only. The CDK stack gives these routes the authorizer that also
 * accepts the machine client, and the local gateway refuses a calling system's token (401)
 * on every other route, from this same list.
 */
export const CALLING_SYSTEM_OPERATIONS: readonly string[] = ['createRequest', 'getReceipt', 'reportExecution'] satisfies ApiOperationName[];

/** The stream consumer and the batch rules of its event source mapping, which the local stream poller follows too. */
export const STREAM_CONSUMER_FUNCTION = {
  ...streamConsumer,
  stream: {
    batchSize: 10,
    /** Retries of a failed record before it goes to the on-failure queue. */
    retryAttempts: 10,
    /**
     * A record older than this goes to the on-failure queue instead: the reconciler's first look at a
     * new or ended request comes later (usecases/checks.ts, START_CHECK_SECONDS), so the two never
     * start the same request's workflow twice.
     */
    maxRecordAgeSeconds: 180,
    bisectBatchOnError: true,
  },
} as const;
