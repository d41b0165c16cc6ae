/**
 * The shapes of the function registry's entries (functions/registry.ts): what each kind of
 * function declares, and the needs every function may have.
 */
export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

/**
 * What a function's code calls; the CDK stack turns each into one least-privilege grant and the
 * settings into the environment variables it brings. Table needs name the DynamoDB action:
 * `table:get` GetItem, `table:query` Query on the table (an item collection), `table:search` Query
 * on the search indexes only, `table:put` PutItem, `table:update` UpdateItem, `table:delete`
 * DeleteItem (transactions are authorised per item action: a change that closes approvers' task
 * entries deletes them), `table:due` Query on the sparse byDue index only (the reconciler).
 */
export type TableNeed = 'table:get' | 'table:query' | 'table:search' | 'table:put' | 'table:update' | 'table:delete' | 'table:due';
export type Need =
  | TableNeed
  | 'workflow:start'
  | 'workflow:task'
  | 'workflow:describe'
  | 'links:sign'
  | 'links:verify'
  | 'callback:sign'
  | 'callback:accept'
  /** Reads of the user directory: who may still decide and get emails. */
  | 'directory:read'
  | 'email:send'
  /** Signs receipts with the current receipt key (kms:Sign only); `iss` is the API's public URL. */
  | 'receipts:sign'
  /** Reads the public halves of the receipt keys still listed (kms:GetPublicKey only). */
  | 'receipts:publish';

interface FunctionBase {
  /** Unique name; also the function's logical name (`<Name>Function` in the CDK stack). */
  readonly name: string;
  /** Handler module from the project root; it exports `handler`. */
  readonly entry: string;
  readonly needs: readonly Need[];
}

export interface ApiOperation extends FunctionBase {
  readonly kind: 'api';
  readonly methods: readonly Method[];
  /** API Gateway route path, with `{param}` placeholders. */
  readonly path: string;
  /** `jwt`: the JWT authorizer guards the route; `none`: public (health, signed links). */
  readonly auth: 'jwt' | 'none';
  /** Who may call, as documented; the use case enforces it. */
  readonly access: string;
}

export interface WorkflowStep extends FunctionBase {
  readonly kind: 'workflow-step';
  /**
   * The `${...}` name in the ASL that the CDK stack replaces with the function's ARN and the
   * local engine with the function's name.
   */
  readonly substitution: string;
}

/** Run on a schedule (EventBridge Scheduler in the cloud, a timer locally). */
export interface ScheduledFunction extends FunctionBase {
  readonly kind: 'scheduled';
}

/** Fed by an event source (a queue, a stream); its construct in infra/constructs wires the source. */
export interface EventFunction extends FunctionBase {
  readonly kind: 'event';
}

export type ServiceFunctionEntry = ApiOperation | WorkflowStep | ScheduledFunction | EventFunction;
