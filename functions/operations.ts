/**
 * The one list of HTTP operations. The local gateway routes with it and the CDK
 * stack makes one route and one function per entry from it, so they cannot drift.
 */
export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

/**
 * What a function's code calls; the CDK stack turns each into one least-privilege grant.
 * Table needs name the DynamoDB action: `table:get` GetItem, `table:query` Query on the table
 * (an item collection), `table:search` Query on the search indexes only, `table:put` PutItem,
 * `table:update` UpdateItem, `table:delete` DeleteItem (transactions are authorised per item action:
 * a change that closes approvers' task entries deletes them).
 */
export type TableNeed = 'table:get' | 'table:query' | 'table:search' | 'table:put' | 'table:update' | 'table:delete';
export type Need = TableNeed | 'workflow:start' | 'workflow:task' | 'links:verify' | 'callback:accept' | 'directory:read';

export interface Operation {
  /** Unique name; also the function's logical name. */
  name: string;
  methods: Method[];
  /** API Gateway route path, with `{param}` placeholders. */
  path: string;
  /** Handler module from the project root; it exports `handler`. */
  entry: string;
  /** `jwt`: the JWT authorizer guards the route; `none`: public (health, signed links). */
  auth: 'jwt' | 'none';
  /** Who may call, as documented; the use case enforces it. */
  access: string;
  needs: Need[];
}

export const OPERATIONS: readonly Operation[] = [
  { name: 'health', methods: ['GET'], path: '/health', entry: 'functions/health/handler.ts', auth: 'none', access: 'anyone', needs: [] },
  {
    name: 'openApi',
    methods: ['GET'],
    path: '/openapi.json',
    entry: 'functions/openapi/handler.ts',
    auth: 'none',
    access: 'anyone',
    needs: [],
  },
  {
    name: 'putProfile',
    methods: ['PUT'],
    path: '/profiles/{id}',
    entry: 'functions/put-profile/handler.ts',
    auth: 'jwt',
    access: 'admins',
    needs: ['table:update'],
  },
  {
    name: 'getProfile',
    methods: ['GET'],
    path: '/profiles/{id}',
    entry: 'functions/get-profile/handler.ts',
    auth: 'jwt',
    access: 'signed in',
    needs: ['table:get'],
  },
  {
    name: 'listProfiles',
    methods: ['GET'],
    path: '/profiles',
    entry: 'functions/list-profiles/handler.ts',
    auth: 'jwt',
    access: 'signed in',
    needs: ['table:query'],
  },
  {
    name: 'createRequest',
    methods: ['POST'],
    path: '/requests',
    entry: 'functions/create-request/handler.ts',
    auth: 'jwt',
    access: 'signed in',
    needs: ['table:get', 'table:put', 'callback:accept', 'directory:read'],
  },
  {
    name: 'searchRequests',
    methods: ['GET'],
    path: '/requests',
    entry: 'functions/search-requests/handler.ts',
    auth: 'jwt',
    access: 'approvers and admins: all; others: their own',
    needs: ['table:search', 'table:query', 'table:get'],
  },
  {
    name: 'getRequest',
    methods: ['GET'],
    path: '/requests/{id}',
    entry: 'functions/get-request/handler.ts',
    auth: 'jwt',
    access: 'requester, approvers, admins',
    needs: ['table:get', 'table:query'],
  },
  {
    name: 'getRequestHistory',
    methods: ['GET'],
    path: '/requests/{id}/history',
    entry: 'functions/get-request-history/handler.ts',
    auth: 'jwt',
    access: 'requester, approvers, admins',
    needs: ['table:get', 'table:query'],
  },
  {
    name: 'listTasks',
    methods: ['GET'],
    path: '/tasks',
    entry: 'functions/list-tasks/handler.ts',
    auth: 'jwt',
    access: 'approvers: the pending requests they are listed on and have not approved',
    needs: ['table:query', 'table:get'],
  },
  {
    name: 'decideRequest',
    methods: ['POST'],
    path: '/requests/{id}/decisions',
    entry: 'functions/decide-request/handler.ts',
    auth: 'jwt',
    access: 'approvers listed on the request',
    needs: ['table:get', 'table:put', 'table:update', 'table:delete', 'directory:read'],
  },
  {
    name: 'deleteRequest',
    methods: ['DELETE'],
    path: '/requests/{id}',
    entry: 'functions/delete-request/handler.ts',
    auth: 'jwt',
    access: 'admins, or the requester while requested',
    needs: ['table:get', 'table:put', 'table:update', 'table:delete'],
  },
  {
    name: 'linkPage',
    methods: ['GET', 'HEAD'],
    path: '/links/{id}/{action}',
    entry: 'functions/link-page/handler.ts',
    auth: 'none',
    access: 'holder of a signed link (the approver it names); shows a confirm page, changes nothing',
    needs: ['table:get', 'links:verify', 'directory:read'],
  },
  {
    name: 'linkDecide',
    methods: ['POST'],
    path: '/links/{id}/{action}',
    entry: 'functions/link-decide/handler.ts',
    auth: 'none',
    access: 'holder of a signed link (the approver it names)',
    needs: ['table:get', 'table:put', 'table:update', 'table:delete', 'links:verify', 'directory:read'],
  },
];

/**
 * Operations that calling systems (the machine client's access tokens) may call; every other
 * route takes people's tokens only. The CDK stack gives these routes the authorizer that also
 * accepts the machine client, and the local gateway refuses a calling system's token (401)
 * on every other route, from this same list.
 */
export const CALLING_SYSTEM_OPERATIONS: readonly string[] = ['createRequest'];
