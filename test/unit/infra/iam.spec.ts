/**
 * Least privilege: every statement names its resources (no "*" but where AWS requires it),
 * each function gets exactly the actions and environment variables of its `needs`, and those
 * are exactly the AWS calls its code makes (CALLS below, read from the code, statement by statement).
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { FUNCTIONS, type Need, workflowSteps } from '../../../functions/registry';
import type { ServiceFunction } from '../../../infra/constructs/service-function';
import { defined, fixture, logicalId, props, resolveStackOutputs, resources } from '../../helpers/infra';

const { stateful, stateless, statefulTemplate, statelessTemplate, config } = fixture();

type Statement = { Effect: string; Action: string | string[]; Resource?: unknown; Principal?: unknown; Condition?: unknown };

/** Flattens an ARN expression to text: `Ref`/`GetAtt` become `${Id}` / `${Id.Attr}`. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Record<string, unknown>;
  if (typeof node.Ref === 'string') return `\${${node.Ref}}`;
  if (Array.isArray(node['Fn::GetAtt'])) return `\${${(node['Fn::GetAtt'] as string[]).join('.')}}`;
  if (typeof node['Fn::Sub'] === 'string') return node['Fn::Sub'];
  if (Array.isArray(node['Fn::Join'])) {
    const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map(text).join(separator);
  }
  throw new Error(`cannot read ${JSON.stringify(value)}`);
}

const functionProps = (fn: ServiceFunction, template: Template) => props(resources(template, 'AWS::Lambda::Function')[logicalId(fn)]);

const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

function statementsOf(template: Template) {
  const found: Array<{ policy: string; statement: Statement }> = [];
  for (const [id, policy] of Object.entries(resources(template, 'AWS::IAM::Policy'))) {
    for (const statement of (props(policy).PolicyDocument as { Statement: Statement[] }).Statement) found.push({ policy: id, statement });
  }
  for (const [id, role] of Object.entries(resources(template, 'AWS::IAM::Role'))) {
    for (const inline of list(role.Properties?.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>)) {
      for (const statement of inline.PolicyDocument.Statement) found.push({ policy: id, statement });
    }
  }
  for (const type of ['AWS::SNS::TopicPolicy']) {
    for (const [id, policy] of Object.entries(resources(template, type))) {
      for (const statement of (props(policy).PolicyDocument as { Statement: Statement[] }).Statement) found.push({ policy: id, statement });
    }
  }
  return found;
}

const all = [
  ...statementsOf(statefulTemplate).map((entry) => ({ ...entry, template: statefulTemplate })),
  ...statementsOf(statelessTemplate).map((entry) => ({ ...entry, template: statelessTemplate })),
];

/** Actions that AWS offers only on "*" and that the service needs. */
const XRAY_PUT = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
const STEP_FUNCTIONS_LOGGING_AND_TRACING = [
  'logs:CreateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:DescribeLogGroups',
  'logs:DescribeResourcePolicies',
  'logs:GetLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:UpdateLogDelivery',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  ...XRAY_PUT,
].sort();

const functionsWithRoles = (): Array<[string, ServiceFunction, Template]> => [
  ...Object.entries(stateless.apiFunctions).map(([name, fn]) => [name, fn, statelessTemplate] as [string, ServiceFunction, Template]),
  ...Object.entries(stateless.workflowFunctions).map(([name, fn]) => [name, fn, statelessTemplate] as [string, ServiceFunction, Template]),
  ['sesEvents', stateless.sesEventsFunction, statelessTemplate],
  ['reconciler', stateless.reconcilerFunction, statelessTemplate],
  ['streamConsumer', stateless.streamConsumer.function, statelessTemplate],
];

describe('every IAM statement names its resources', () => {
  test('no action wildcard anywhere', () => {
    for (const { statement } of all) for (const action of list(statement.Action)) expect(action).not.toContain('*');
  });

  test('"*" as a resource only for X-Ray and Step Functions log delivery, exactly where expected', () => {
    const stars = all.filter(({ statement }) => list(statement.Resource).includes('*'));
    const functionRolePolicies = new Set(
      [...functionsWithRoles().map(([, fn]) => fn), ...stateful.node.findAll().filter((c) => c.node.id === 'Generator')].map((fn) =>
        logicalId(defined((fn as ServiceFunction).role, 'role').node.findChild('DefaultPolicy')),
      ),
    );
    const stateMachinePolicy = logicalId(stateless.stateMachine.role.node.findChild('DefaultPolicy'));
    expect(stars.length).toBe(functionRolePolicies.size + 1);
    for (const { policy, statement } of stars) {
      expect(statement.Effect).toBe('Allow');
      const actions = list(statement.Action).sort();
      if (policy === stateMachinePolicy) expect(actions).toEqual(STEP_FUNCTIONS_LOGGING_AND_TRACING);
      else {
        expect(functionRolePolicies.has(policy)).toBe(true);
        expect(actions).toEqual(XRAY_PUT);
      }
    }
  });

  test('no other resource contains a wildcard but the console files the console deployment replaces (their names carry content hashes) and the executions of the one state machine, for DescribeExecution only', () => {
    const consoleFiles = `\${${logicalId(stateless.console.bucket)}.Arn}/console/*`;
    const deploymentPolicy = logicalId(
      defined(stateless.console.node.tryFindChild('DeploymentRole'), 'DeploymentRole').node.findChild('DefaultPolicy'),
    );
    const executions = `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:execution:${stateless.stateMachineName}:*`;
    const resourcesNamed = all
      .flatMap(({ policy, statement }) => list(statement.Resource).map((resource) => ({ policy, statement, resource })))
      .filter(({ resource }) => resource !== '*');
    expect(resourcesNamed.length).toBeGreaterThan(0);
    const wildcards = resourcesNamed.filter(({ resource }) => text(resolveStackOutputs(resource, statefulTemplate)).includes('*'));
    const [executionGrants, others] = [
      wildcards.filter(({ resource }) => text(resolveStackOutputs(resource, statefulTemplate)) === executions),
      wildcards.filter(({ resource }) => text(resolveStackOutputs(resource, statefulTemplate)) !== executions),
    ];
    expect(executionGrants.length).toBeGreaterThan(0);
    for (const { statement } of executionGrants) expect(list(statement.Action)).toEqual(['states:DescribeExecution']);
    expect(others.map(({ policy, statement, resource }) => [policy, list(statement.Action).sort(), text(resource)])).toEqual([
      [deploymentPolicy, ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'], consoleFiles],
    ]);
  });
});

describe('each function gets exactly what its needs say', () => {
  const table = `\${${logicalId(stateful.table)}.Arn}`;
  const stateMachineArn = `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:${stateless.stateMachineName}`;
  const linkKeys = `\${${logicalId(stateful.linkKeys)}}`;
  const callbackKeys = `\${${logicalId(stateful.callbackKeys)}}`;
  const identity = `arn:\${AWS::Partition}:ses:\${AWS::Region}:\${AWS::AccountId}:identity/${config.senderEmail}`;
  const configurationSet = `arn:\${AWS::Partition}:ses:\${AWS::Region}:\${AWS::AccountId}:configuration-set/${config.prefix}`;

  const userPool = `\${${logicalId(stateful.userPool)}.Arn}`;
  const receiptKey = `\${${logicalId(stateful.node.findChild('ReceiptKeys').node.findChild('Key1'))}.Arn}`;
  const indexes = [`${table}/index/byRequester`, `${table}/index/byState`];
  /** The test's own statement of each need: actions → resources, and environment variables. */
  const EXPECTED: Record<Need, { grants: Record<string, string[]>; env: string[] }> = {
    'table:get': { grants: { 'dynamodb:GetItem': [table] }, env: ['TABLE_NAME'] },
    'table:query': { grants: { 'dynamodb:Query': [table] }, env: ['TABLE_NAME'] },
    'table:search': { grants: { 'dynamodb:Query': indexes }, env: ['TABLE_NAME'] },
    'table:put': { grants: { 'dynamodb:PutItem': [table] }, env: ['TABLE_NAME'] },
    'table:update': { grants: { 'dynamodb:UpdateItem': [table] }, env: ['TABLE_NAME'] },
    'table:delete': { grants: { 'dynamodb:DeleteItem': [table] }, env: ['TABLE_NAME'] },
    'workflow:start': { grants: { 'states:StartExecution': [stateMachineArn] }, env: ['STATE_MACHINE_ARN'] },
    'workflow:task': {
      grants: { 'states:SendTaskSuccess': [stateMachineArn], 'states:SendTaskFailure': [stateMachineArn] },
      env: ['STATE_MACHINE_ARN'],
    },
    'links:sign': { grants: { 'secretsmanager:GetSecretValue': [linkKeys] }, env: ['LINK_KEYS_SECRET_ID'] },
    'links:verify': { grants: { 'secretsmanager:GetSecretValue': [linkKeys] }, env: ['LINK_KEYS_SECRET_ID'] },
    'callback:sign': { grants: { 'secretsmanager:GetSecretValue': [callbackKeys] }, env: ['CALLBACK_KEYS_SECRET_ID'] },
    'email:send': {
      grants: { 'ses:SendEmail': [identity, configurationSet] },
      env: ['SENDER_EMAIL', 'PUBLIC_BASE_URL', 'SES_CONFIGURATION_SET'],
    },
    'callback:accept': { grants: {}, env: ['CALLBACK_URL_PREFIXES'] },
    'receipts:sign': { grants: { 'kms:Sign': [receiptKey] }, env: ['RECEIPT_SIGNING_KEY_ARN', 'PUBLIC_BASE_URL'] },
    'receipts:publish': { grants: { 'kms:GetPublicKey': [receiptKey] }, env: ['RECEIPT_KEY_ARNS'] },
    'directory:read': {
      grants: {
        'cognito-idp:AdminListGroupsForUser': [userPool],
        'cognito-idp:ListUsers': [userPool],
        'cognito-idp:ListUsersInGroup': [userPool],
      },
      env: ['USER_POOL_ID'],
    },
    'events:put': { grants: { 'events:PutEvents': [`\${${logicalId(stateless.eventBus)}.Arn}`] }, env: ['EVENT_BUS_NAME'] },
    'table:due': { grants: { 'dynamodb:Query': [`${table}/index/byDue`] }, env: ['TABLE_NAME'] },
    'workflow:describe': {
      grants: {
        'states:DescribeExecution': [
          `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:execution:${stateless.stateMachineName}:*`,
        ],
      },
      env: ['STATE_MACHINE_ARN'],
    },
  };
  const ALWAYS = {
    'logs:CreateLogStream': ['LOG GROUP'],
    'logs:PutLogEvents': ['LOG GROUP'],
    'xray:PutTelemetryRecords': ['*'],
    'xray:PutTraceSegments': ['*'],
  };

  const needsOf: Record<string, readonly Need[]> = Object.fromEntries(FUNCTIONS.map((entry) => [entry.name, entry.needs]));
  const queue = `\${${logicalId(stateless.emailEventsQueue)}.Arn}`;
  const stream = `\${${logicalId(stateful.table)}.StreamArn}`;
  const failures = `\${${logicalId(stateless.streamConsumer.failures)}.Arn}`;
  /** Grants a function has besides its needs. */
  const EXTRA: Record<string, Record<string, string[]>> = {
    sesEvents: { 'sqs:DeleteMessage': [queue], 'sqs:GetQueueAttributes': [queue], 'sqs:ReceiveMessage': [queue] },
    // The stream mapping reads the table's stream and sends what it gives up on to the on-failure queue.
    streamConsumer: {
      'dynamodb:DescribeStream': [stream],
      'dynamodb:GetRecords': [stream],
      'dynamodb:GetShardIterator': [stream],
      'dynamodb:ListStreams': [stream],
      'sqs:GetQueueAttributes': [failures],
      'sqs:GetQueueUrl': [failures],
      'sqs:SendMessage': [failures],
    },
  };

  /** The directory adapter's reads (functions/adapters/cognito-directory.ts): users by sub and by email, groups, members. */
  const DIRECTORY = ['cognito-idp:AdminListGroupsForUser', 'cognito-idp:ListUsers', 'cognito-idp:ListUsersInGroup'];
  /**
   * What each function's code calls, read from the code (repository methods → DynamoDB actions;
   * TransactWriteItems is authorised per item: its Puts need PutItem, its Updates UpdateItem).
   * A need added without a call, or a call without a need, fails here.
   */
  const CALLS: Record<string, string[]> = {
    health: [],
    openApi: [],
    putProfile: ['dynamodb:UpdateItem', ...DIRECTORY], // putProfile: UpdateCommand; the admin checked in the directory
    getProfile: ['dynamodb:GetItem'], // getProfile
    listProfiles: ['dynamodb:Query'], // listProfiles: Query of the profiles partition
    // idempotency/profile/replay gets; transaction of Puts (request, history, idempotency, task entries); start
    createRequest: ['dynamodb:GetItem', 'dynamodb:PutItem', ...DIRECTORY],
    // tasksOf: Query of the approver's task partition, GetItem of each request; the delegations to the caller, their delegators' tasks
    listTasks: ['dynamodb:GetItem', 'dynamodb:Query', ...DIRECTORY],
    // search: byState shards or byRequester; find: a Query of the value's find partition, GetItem of each request
    getStats: ['dynamodb:Query'], // DynamoStats.days: a Query of one stats partition
    searchRequests: ['dynamodb:GetItem', 'dynamodb:Query'], // Query on the table and its search indexes (checked below)
    getRequest: ['dynamodb:GetItem', 'dynamodb:Query'], // the request, then the first history page: a Query of its collection
    getRequestHistory: ['dynamodb:GetItem', 'dynamodb:Query'], // the request (read rules), then a history page
    // changeRequest: its transaction Updates the request, Puts history and Deletes the task entries it closes
    // and a Query of the delegations to the caller (delegationsTo)
    decideRequest: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem', ...DIRECTORY],
    // changeRequest, as decideRequest; an admin checked in the directory
    deleteRequest: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', ...DIRECTORY],
    // the caller's delegation (GetItem); a transaction Puts both sides and Deletes a replaced delegate's entry
    putDelegation: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', ...DIRECTORY],
    getDelegation: ['dynamodb:GetItem', ...DIRECTORY],
    deleteDelegation: ['dynamodb:DeleteItem', 'dynamodb:GetItem'], // a transaction Deletes both sides; the token's sub names the delegation
    getEvidence: ['dynamodb:GetItem', 'dynamodb:Query'], // the request (read rules), then every history page
    // each item through decideAsUser, as decideRequest
    decideMany: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem', ...DIRECTORY],
    // search with a creation-time range: Queries of the byState shards only
    exportRequests: ['dynamodb:Query@indexes'],
    // the request, the reminder claim and bookkeeping (UpdateItem), the history entry, link keys, the emails
    remindApprovers: [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'secretsmanager:GetSecretValue',
      'ses:SendEmail',
      ...DIRECTORY,
    ],
    linkPage: ['dynamodb:GetItem', 'secretsmanager:GetSecretValue', ...DIRECTORY],
    linkDecide: [
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'secretsmanager:GetSecretValue',
      ...DIRECTORY,
    ],
    // plan round: get, reminders (setRoundBookkeeping, appendHistory), expiry through changeRequest
    planRound: [
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'secretsmanager:GetSecretValue',
      'ses:SendEmail',
      ...DIRECTORY,
    ],
    awaitDecision: [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'secretsmanager:GetSecretValue',
      'ses:SendEmail',
      'states:SendTaskFailure',
      'states:SendTaskSuccess',
      ...DIRECTORY,
    ],
    // the receipt: its stored item (GetItem), else kms:Sign and a conditional PutItem
    notifyOutcome: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'ses:SendEmail', 'kms:Sign'],
    deliverCallback: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'secretsmanager:GetSecretValue', 'kms:Sign'],
    getReceipt: ['dynamodb:GetItem'], // the request (read rules), then its receipt item
    receiptKeys: ['kms:GetPublicKey'], // the public half of each listed key
    // the receipt item (its exp), then changeRequest: an Update of the request and a Put of the history entry
    reportExecution: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    sesEvents: ['dynamodb:GetItem', 'dynamodb:PutItem', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
    // reconcile: dueRequests (Query on byDue), getRequest, bookkeeping updates, expiry through
    // changeRequest (transaction of an Update, Puts and the task entries' Deletes; answers a stored token),
    // DescribeExecution, StartExecution
    reconciler: [
      'dynamodb:Query@indexes',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'states:DescribeExecution',
      'states:StartExecution',
      'states:SendTaskFailure',
      'states:SendTaskSuccess',
    ],
    // relayBatch: StartExecution for a new request, SendTaskSuccess/Failure for a request that ended,
    // PutEvents for its events, UpdateItem for the /stats counters (DynamoStats.apply's transaction);
    // the stream reads and the on-failure queue are the mapping's (EXTRA)
    streamConsumer: [
      'events:PutEvents',
      'dynamodb:UpdateItem',
      'states:StartExecution',
      'states:SendTaskFailure',
      'states:SendTaskSuccess',
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
    ],
  };
  const UNUSED = [
    'dynamodb:BatchWriteItem',
    'dynamodb:BatchGetItem',
    'dynamodb:ConditionCheckItem',
    'dynamodb:DescribeTable',
    'dynamodb:Scan',
    'states:SendTaskHeartbeat',
  ];

  function grantsOf(fn: ServiceFunction, template: Template) {
    const policyId = logicalId(defined(fn.role, 'role').node.findChild('DefaultPolicy'));
    const logGroup = `\${${(functionProps(fn, template).LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref}.Arn}`;
    const grants: Record<string, Set<string>> = {};
    for (const { policy, statement } of all.filter((entry) => entry.template === template)) {
      if (policy !== policyId) continue;
      for (const action of list(statement.Action)) {
        grants[action] ??= new Set();
        for (const resource of list(statement.Resource)) {
          const arn = text(resolveStackOutputs(resource, statefulTemplate));
          grants[action].add(arn === logGroup ? 'LOG GROUP' : arn);
        }
      }
    }
    return Object.fromEntries(Object.entries(grants).map(([action, arns]) => [action, [...arns].sort()]));
  }

  test.each(functionsWithRoles())('%s', (name, fn, template) => {
    const needs = defined(needsOf[name], `needs of ${name}`);
    const expected: Record<string, Set<string>> = {};
    const env = new Set(['NODE_OPTIONS']);
    for (const [action, arns] of Object.entries(ALWAYS)) expected[action] = new Set(arns);
    for (const [action, arns] of Object.entries(EXTRA[name] ?? {})) expected[action] = new Set(arns);
    for (const need of needs) {
      for (const [action, arns] of Object.entries(EXPECTED[need].grants)) {
        expected[action] ??= new Set();
        for (const arn of arns) expected[action].add(arn);
      }
      for (const variable of EXPECTED[need].env) env.add(variable);
    }
    expect(grantsOf(fn, template)).toEqual(
      Object.fromEntries(Object.entries(expected).map(([action, arns]) => [action, [...arns].sort()])),
    );

    const variables = (functionProps(fn, template).Environment as { Variables: Record<string, unknown> }).Variables;
    expect(Object.keys(variables).sort()).toEqual([...env].sort());
  });

  test.each(functionsWithRoles())('%s may call exactly what its code calls, statement by statement', (name, fn, template) => {
    const calls = defined(CALLS[name], `the calls of ${name}`);
    const granted = Object.entries(grantsOf(fn, template))
      .filter(([action]) => !(action in ALWAYS))
      .map(([action, arns]) =>
        action === 'dynamodb:Query' && arns.every((arn) => arn.includes('/index/')) ? 'dynamodb:Query@indexes' : action,
      )
      .sort();
    expect(granted).toEqual([...calls].sort());
    for (const action of UNUSED) expect(granted).not.toContain(action);
    // Only search reads the search indexes, and only the reconciler the byDue index; nobody else gets an index ARN.
    const indexArns = Object.values(grantsOf(fn, template))
      .flat()
      .filter((arn) => arn.includes('/index/'));
    expect(indexArns.length > 0).toBe(name === 'searchRequests' || name === 'exportRequests' || name === 'reconciler');
    if (name === 'reconciler') expect(indexArns).toEqual([`${table}/index/byDue`]);
    if (name === 'searchRequests' || name === 'exportRequests') expect(indexArns).not.toContain(`${table}/index/byDue`);
  });

  test('no API function may call Step Functions: the outbox starts workflows and ends waits', () => {
    for (const fn of Object.values(stateless.apiFunctions)) {
      expect(Object.keys(grantsOf(fn, statelessTemplate)).filter((action) => action.startsWith('states:'))).toEqual([]);
    }
  });

  test("the stream consumer may start this state machine's executions and answer its tasks, and nothing else of Step Functions", () => {
    const grants = grantsOf(stateless.streamConsumer.function, statelessTemplate);
    const states = Object.entries(grants).filter(([action]) => action.startsWith('states:'));
    expect(states.map(([action]) => action).sort()).toEqual(['states:SendTaskFailure', 'states:SendTaskSuccess', 'states:StartExecution']);
    for (const [, arns] of states) expect(arns).toEqual([stateMachineArn]);
  });

  test('only the stream consumer may put events, and only on the stack’s own bus, named in the outputs', () => {
    const bus = `\${${logicalId(stateless.eventBus)}.Arn}`;
    for (const [name, fn] of functionsWithRoles()) {
      const puts = grantsOf(fn, statelessTemplate)['events:PutEvents'];
      expect([name, puts]).toEqual([name, name === 'streamConsumer' ? [bus] : undefined]);
    }
    const outputs = statelessTemplate.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.EventBusName?.Value).toEqual({ Ref: logicalId(stateless.eventBus) });
    expect(Object.keys(resources(statelessTemplate, 'AWS::Events::EventBus'))).toEqual([logicalId(stateless.eventBus)]);
    expect(resources(statelessTemplate, 'AWS::Events::EventBus')[logicalId(stateless.eventBus)]?.Properties?.Name).toBe(
      `${config.prefix}-events`,
    );
  });

  test('STATE_MACHINE_ARN is the ARN of the workflow (same name), built without a reference to it', () => {
    const machine = resources(statelessTemplate, 'AWS::StepFunctions::StateMachine')[logicalId(stateless.stateMachine)];
    expect(machine?.Properties?.StateMachineName).toBe(stateless.stateMachineName);
    for (const [name, fn] of functionsWithRoles()) {
      const variables = (functionProps(fn, statelessTemplate).Environment as { Variables: Record<string, unknown> }).Variables;
      if (!variables.STATE_MACHINE_ARN) continue;
      expect([name, text(variables.STATE_MACHINE_ARN)]).toEqual([name, stateMachineArn]);
    }
  });

  test('the workflow may invoke exactly its task functions, unqualified', () => {
    const policyId = logicalId(stateless.stateMachine.role.node.findChild('DefaultPolicy'));
    const invoke = all.filter(({ policy, statement }) => policy === policyId && list(statement.Action).includes('lambda:InvokeFunction'));
    expect(invoke).toHaveLength(1);
    expect(list(defined(invoke[0], 'the invoke statement').statement.Action)).toEqual(['lambda:InvokeFunction']);
    const expected = Object.values(stateless.workflowFunctions)
      .map((fn) => `\${${logicalId(fn)}.Arn}`)
      .sort();
    expect(list(defined(invoke[0], 'the invoke statement').statement.Resource).map(text).sort()).toEqual(expected);
    expect(expected).toHaveLength(workflowSteps().length);
  });

  test('the key generator may read and write the two signing-key secrets only', () => {
    const generator = stateful.node.findAll().find((c) => c.node.id === 'Generator') as ServiceFunction;
    expect(grantsOf(generator, statefulTemplate)).toEqual({
      ...Object.fromEntries(Object.entries(ALWAYS).map(([action, arns]) => [action, arns])),
      'secretsmanager:GetSecretValue': [callbackKeys, linkKeys].sort(),
      'secretsmanager:PutSecretValue': [callbackKeys, linkKeys].sort(),
    });
  });
});
