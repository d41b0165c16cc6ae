/**
 * What the scale model reads from the synthesized template: the stacks built in process as the
 * infra tests build them (test/helpers/infra.ts: cdk.json's context, no bundling), then each
 * function's memory, the table's billing, indexes and stream, the stream consumer's batch size and
 * the workflow's type, read from the templates' resources.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ServiceFunction } from '../../infra/constructs/service-function';
import { buildApp, createTestStacks, removeAssemblies } from '../../test/helpers/infra';

export interface TemplateFacts {
  /** Memory (MB) and architecture of each registry function, by its name. */
  functions: Record<string, { memoryMb: number; architecture: string; tracing: string }>;
  table: { billingMode: string; indexes: Array<{ name: string; projection: string }>; streamView: string };
  streamBatchSize: number;
  stateMachineType: string;
  /** The HTTP API stage's default route throttle (requests per second, burst). */
  routeThrottle: { rate: number; burst: number };
}

type Resource = { Type: string; Properties: Record<string, any> };

export function readTemplate(): TemplateFacts {
  const app = buildApp();
  const stacks = createTestStacks(app);
  const resources = (stack: Stack) => Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
  let stateful: Record<string, Resource>;
  let stateless: Record<string, Resource>;
  try {
    stateful = resources(stacks.stateful);
    stateless = resources(stacks.stateless);
  } finally {
    removeAssemblies();
  }
  const all = { ...stateful, ...stateless };
  const functions: TemplateFacts['functions'] = {};
  for (const construct of app.node.findAll()) {
    if (!(construct instanceof ServiceFunction) || !construct.registryName) continue;
    const stack = Stack.of(construct);
    const id = stack.getLogicalId(construct.node.defaultChild as never);
    const props = (stack === stacks.stateful ? stateful : stateless)[id]?.Properties;
    if (!props) throw new Error(`no template resource for ${construct.registryName}`);
    functions[construct.registryName] = {
      memoryMb: Number(props.MemorySize),
      architecture: String(props.Architectures?.[0] ?? 'x86_64'),
      tracing: String(props.TracingConfig?.Mode ?? 'PassThrough'),
    };
  }
  const only = (type: string) => {
    const found = Object.values(all).filter((r) => r.Type === type);
    if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
    return (found[0] as Resource).Properties;
  };
  const table = only('AWS::DynamoDB::GlobalTable');
  const consumer = Object.values(all).find(
    (r) => r.Type === 'AWS::Lambda::EventSourceMapping' && JSON.stringify(r.Properties.EventSourceArn).includes('StreamArn'),
  );
  if (!consumer) throw new Error('no event source mapping on the table stream');
  const stage = only('AWS::ApiGatewayV2::Stage');
  const routeThrottle = {
    rate: Number(stage.DefaultRouteSettings?.ThrottlingRateLimit),
    burst: Number(stage.DefaultRouteSettings?.ThrottlingBurstLimit),
  };
  return {
    functions,
    routeThrottle,
    table: {
      billingMode: String(table.BillingMode),
      indexes: (table.GlobalSecondaryIndexes as Array<{ IndexName: string; Projection: { ProjectionType: string } }>).map((index) => ({
        name: index.IndexName,
        projection: index.Projection.ProjectionType,
      })),
      streamView: String(table.StreamSpecification?.StreamViewType),
    },
    streamBatchSize: Number(consumer.Properties.BatchSize),
    stateMachineType: String(only('AWS::StepFunctions::StateMachine').StateMachineType),
  };
}
