/**
 * The CDK app: the stateful stack (data and identities) and the stateless stack
 * (functions, API, workflow, alarms), with cdk-nag's AWS Solutions checks run on
 * every synth. Settings come from context: see infra/config.ts and infra/README.md.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createStacks } from './stacks';

const app = new App();
createStacks(app);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
