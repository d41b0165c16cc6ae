/**
 * The one list of the service's functions. Everything that needs to know them reads it: the
 * local gateway and the CDK stack route the API operations, the workflow (CDK and the local
 * engine) invokes the workflow steps, the OpenAPI document describes the API operations, each
 * function's settings follow from its `needs` (commons/settings.ts) and the CDK stack turns the
 * same `needs` into least-privilege grants (infra/constructs/service-function.ts).
 *
 * Kinds: `api` (one route or more of the HTTP API), `workflow-step` (invoked by the workflow,
 * statemachines/approval.asl.json), `scheduled` (run on a schedule), `event` (fed by an event
 * source). Adding a function is one entry here; a test checks that every `handler.ts` under functions/
 * has an entry and that every entry's handler exists.
 */
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
  // ---- API operations: one function and one route per (method, path) ---------------------------
  {
    kind: 'api',
    name: 'health',
    methods: ['GET'],
    path: '/health',
    entry: 'functions/health/handler.ts',
    auth: 'none',
    access: 'anyone',
    needs: [],
  },
  {
    kind: 'api',
    name: 'openApi',
    methods: ['GET'],
    path: '/openapi.json',
    entry: 'functions/openapi/handler.ts',
    auth: 'none',
    access: 'anyone',
    needs: [],
  },
  {
    kind: 'api',
    name: 'putProfile',
    methods: ['PUT'],
    path: '/profiles/{id}',
    entry: 'functions/put-profile/handler.ts',
    auth: 'jwt',
    access: 'admins',
    needs: ['table:update'],
  },
  {
    kind: 'api',
    name: 'getProfile',
    methods: ['GET'],
    path: '/profiles/{id}',
    entry: 'functions/get-profile/handler.ts',
    auth: 'jwt',
    access: 'signed in',
    needs: ['table:get'],
  },
  {
    kind: 'api',
    name: 'listProfiles',
    methods: ['GET'],
    path: '/profiles',
    entry: 'functions/list-profiles/handler.ts',
    auth: 'jwt',
    access: 'signed in',
    needs: ['table:query'],
  },
  {
    kind: 'api',
    name: 'createRequest',
    methods: ['POST'],
    path: '/requests',
    entry: 'functions/create-request/handler.ts',
    auth: 'jwt',
    access: 'signed in',
    needs: ['table:get', 'table:put', 'callback:accept', 'directory:read'],
  },
  {
    kind: 'api',
    name: 'searchRequests',
    methods: ['GET'],
    path: '/requests',
    entry: 'functions/search-requests/handler.ts',
    auth: 'jwt',
    access: 'approvers and admins: all; others: their own',
    needs: ['table:search', 'table:query', 'table:get'],
  },
  // Before GET /requests/{id}: the local gateway takes the first route that matches, as API
  // Gateway takes the most specific one.
  {
    kind: 'api',
    name: 'exportRequests',
    methods: ['GET'],
    path: '/requests/export',
    entry: 'functions/export-requests/handler.ts',
    auth: 'jwt',
    access: 'approvers and admins',
    needs: ['table:search'],
  },
  {
    kind: 'api',
    name: 'getRequest',
    methods: ['GET'],
    path: '/requests/{id}',
    entry: 'functions/get-request/handler.ts',
    auth: 'jwt',
    access: 'requester, approvers, admins',
    needs: ['table:get', 'table:query'],
  },
  {
    kind: 'api',
    name: 'getRequestHistory',
    methods: ['GET'],
    path: '/requests/{id}/history',
    entry: 'functions/get-request-history/handler.ts',
    auth: 'jwt',
    access: 'requester, approvers, admins',
    needs: ['table:get', 'table:query'],
  },
  {
    kind: 'api',
    name: 'getEvidence',
    methods: ['GET'],
    path: '/requests/{id}/evidence',
    entry: 'functions/get-evidence/handler.ts',
    auth: 'jwt',
    access: 'requester, approvers, admins',
    needs: ['table:get', 'table:query'],
  },
  {
    kind: 'api',
    name: 'listTasks',
    methods: ['GET'],
    path: '/tasks',
    entry: 'functions/list-tasks/handler.ts',
    auth: 'jwt',
    access: 'approvers: the pending requests they are listed on and have not approved; delegates: those of their delegators',
    // directory:read: a delegator must still be an approver for their delegate to see their tasks.
    needs: ['table:query', 'table:get', 'directory:read'],
  },
  {
    kind: 'api',
    name: 'decideRequest',
    methods: ['POST'],
    path: '/requests/{id}/decisions',
    entry: 'functions/decide-request/handler.ts',
    auth: 'jwt',
    access: 'approvers of the current stage, or their delegates',
    // table:query: the delegations to the caller (the delegate's partition).
    needs: ['table:get', 'table:query', 'table:put', 'table:update', 'table:delete', 'directory:read'],
  },
  {
    kind: 'api',
    name: 'decideMany',
    methods: ['POST'],
    path: '/decisions',
    entry: 'functions/decide-many/handler.ts',
    auth: 'jwt',
    access: 'approvers: each item as POST /requests/{id}/decisions',
    needs: ['table:get', 'table:query', 'table:put', 'table:update', 'table:delete', 'directory:read'],
  },
  {
    kind: 'api',
    name: 'remindApprovers',
    methods: ['POST'],
    path: '/requests/{id}/reminders',
    entry: 'functions/remind-approvers/handler.ts',
    auth: 'jwt',
    access: 'the requester, while requested',
    needs: ['table:get', 'table:put', 'table:update', 'email:send', 'links:sign', 'directory:read'],
  },
  {
    kind: 'api',
    name: 'deleteRequest',
    methods: ['DELETE'],
    path: '/requests/{id}',
    entry: 'functions/delete-request/handler.ts',
    auth: 'jwt',
    access: 'admins, or the requester while requested',
    needs: ['table:get', 'table:put', 'table:update', 'table:delete'],
  },
  // An approver's out-of-office delegation (functions/usecases/delegations.ts); table:delete: a
  // replaced delegation's entry under its former delegate.
  {
    kind: 'api',
    name: 'putDelegation',
    methods: ['PUT'],
    path: '/me/delegation',
    entry: 'functions/put-delegation/handler.ts',
    auth: 'jwt',
    access: 'approvers: their own delegation',
    needs: ['table:get', 'table:put', 'table:delete', 'directory:read'],
  },
  {
    kind: 'api',
    name: 'getDelegation',
    methods: ['GET'],
    path: '/me/delegation',
    entry: 'functions/get-delegation/handler.ts',
    auth: 'jwt',
    access: 'approvers: their own delegation',
    needs: ['table:get', 'directory:read'],
  },
  {
    kind: 'api',
    name: 'deleteDelegation',
    methods: ['DELETE'],
    path: '/me/delegation',
    entry: 'functions/delete-delegation/handler.ts',
    auth: 'jwt',
    access: 'approvers: their own delegation',
    needs: ['table:get', 'table:delete', 'directory:read'],
  },
  {
    kind: 'api',
    name: 'linkPage',
    methods: ['GET', 'HEAD'],
    path: '/links/{id}/{action}',
    entry: 'functions/link-page/handler.ts',
    auth: 'none',
    access: 'holder of a signed link (the approver it names); shows a confirm page, changes nothing',
    needs: ['table:get', 'links:verify', 'directory:read'],
  },
  {
    kind: 'api',
    name: 'linkDecide',
    methods: ['POST'],
    path: '/links/{id}/{action}',
    entry: 'functions/link-decide/handler.ts',
    auth: 'none',
    access: 'holder of a signed link (the approver it names)',
    needs: ['table:get', 'table:put', 'table:update', 'table:delete', 'links:verify', 'directory:read'],
  },
  {
    kind: 'api',
    name: 'getStats',
    methods: ['GET'],
    path: '/stats',
    entry: 'functions/get-stats/handler.ts',
    auth: 'jwt',
    access: 'approvers, admins',
    needs: ['table:query'],
  },

  // ---- Receipts and execution reports (usecases/receipts.ts, lifecycle/execution.ts) ------------
  {
    kind: 'api',
    name: 'getReceipt',
    methods: ['GET'],
    path: '/requests/{id}/receipt',
    entry: 'functions/get-receipt/handler.ts',
    auth: 'jwt',
    access: 'requester, approvers, admins, the calling system that created the request',
    needs: ['table:get'],
  },
  {
    kind: 'api',
    name: 'receiptKeys',
    methods: ['GET'],
    path: '/.well-known/jwks.json',
    entry: 'functions/receipt-keys/handler.ts',
    auth: 'none',
    access: 'anyone',
    needs: ['receipts:publish'],
  },
  {
    kind: 'api',
    name: 'reportExecution',
    methods: ['POST'],
    path: '/requests/{id}/execution',
    entry: 'functions/report-execution/handler.ts',
    auth: 'jwt',
    access: 'the calling system that created the request, admins',
    needs: ['table:get', 'table:put', 'table:update'],
  },

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
