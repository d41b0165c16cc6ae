import { type App, Tags } from 'aws-cdk-lib';
import { type DeploymentConfig, type PINNED_ENVIRONMENTS, readConfig } from '../config';
import { StatefulStack } from './stateful-stack';
import { StatelessStack } from './stateless-stack';

export { StatefulStack } from './stateful-stack';
export { StatelessStack } from './stateless-stack';

export interface ServiceStacks {
  readonly config: DeploymentConfig;
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

/** Both stacks of one stage, joined by typed props. Used by infra/app.ts and the infra tests. */
export function createStacks(
  app: App,
  options: { pinned?: typeof PINNED_ENVIRONMENTS /** @default console/dist */; consoleBuildDir?: string } = {},
): ServiceStacks {
  const config = readConfig(app, options.pinned);
  const env = config.env;
  const stateful = new StatefulStack(app, `Approvals-${config.stage}-Stateful`, {
    config,
    env,
    description: `Approval service (${config.stage}): table, user pool, signing keys, SES identity. Retained on delete.`,
    terminationProtection: config.production,
  });
  const stateless = new StatelessStack(app, `Approvals-${config.stage}-Stateless`, {
    config,
    env,
    stateful,
    ...(options.consoleBuildDir ? { consoleBuildDir: options.consoleBuildDir } : {}),
    description: `Approval service (${config.stage}): functions, HTTP API, approval workflow, alarms.`,
    terminationProtection: config.production,
  });
  stateless.addStackDependency(stateful);
  for (const stack of [stateful, stateless]) {
    Tags.of(stack).add('app', 'approvals');
    Tags.of(stack).add('stage', config.stage);
  }
  return { config, stateful, stateless };
}
