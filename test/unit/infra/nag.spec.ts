/**
 * cdk-nag's AWS Solutions checks pass with zero unacknowledged findings, and every
 * acknowledgement is needed, scoped to the construct it is about, and explains itself.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import {
  assemblyDir,
  buildApp,
  createTestStacks,
  fixture,
  nagChecked,
  PRODUCTION_CONTEXT,
  PRODUCTION_PIN,
  stacksWith,
} from '../../helpers/infra';

const ACK = 'aws:cdk:acknowledged-rules';

/** A new app of cdk.json's settings with cdk-nag as its only validation (CloudFormation's own is validation.spec.ts's). */
function checkedApp() {
  const outdir = assemblyDir();
  const app = buildApp({}, { outdir });
  createTestStacks(app);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, outdir };
}

/** Every acknowledgement: construct path, rule id, reason. */
function acknowledgements(root: IConstruct) {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === ACK)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^Annotation::/, ''),
          reason,
        })),
      ),
  );
}

/**
 * The shared stacks of cdk.json's settings and of production (test/helpers/infra.ts) are synthesized
 * with the checks, as infra/app.ts does: a finding throws where their templates are read.
 */
describe('cdk-nag AwsSolutions', () => {
  const { app } = fixture();

  test('synth passes the checks (a finding would throw)', () => {
    expect(() => fixture()).not.toThrow();
    expect(nagChecked(fixture().app)).toBe(true);
  });

  test('production settings with a custom domain pass the checks too', () => {
    const prod = () => stacksWith(PRODUCTION_CONTEXT, PRODUCTION_PIN);
    expect(prod).not.toThrow();
    expect(nagChecked(prod().app)).toBe(true);
  });

  test('only these rules are acknowledged, each with a reason a reviewer can check', () => {
    const acks = acknowledgements(app);
    expect([...new Set(acks.map((ack) => ack.id))].sort()).toEqual([
      'AwsSolutions-APIG4',
      'AwsSolutions-CFR1',
      'AwsSolutions-CFR2',
      'AwsSolutions-CFR3',
      'AwsSolutions-CFR4',
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[Resource::<ConsoleFiles2D43986C.Arn>/console/*]',
      // The reconciler's DescribeExecution: the executions of this one state machine.
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:approvals-dev-approval:*]',
      'AwsSolutions-L1',
      'AwsSolutions-S1',
      'AwsSolutions-SMG4',
      // The stream mapping's on-failure queue is itself where failures end up.
      'AwsSolutions-SQS3',
    ]);
    for (const ack of acks) {
      expect(ack.reason.length).toBeGreaterThan(60);
      // Scoped to the construct concerned, never to a stack or the app.
      expect(ack.path.split('/').length).toBeGreaterThan(1);
    }
  });

  test('every acknowledgement answers a real finding on its construct', () => {
    const acks = acknowledgements(app);
    const original = Validations.prototype.acknowledge;
    Validations.prototype.acknowledge = function ignore() {};
    let findings: Array<{ rule: string; path: string }> = [];
    try {
      const unacknowledged = checkedApp();
      expect(nagChecked(unacknowledged.app)).toBe(true);
      expect(() => unacknowledged.app.synth()).toThrow(/validation-report.json/);
      const report = JSON.parse(readFileSync(path.join(unacknowledged.outdir, 'validation-report.json'), 'utf8')) as {
        pluginReports: Array<{ violations: Array<{ ruleName: string; violatingConstructs: Array<{ constructPath: string }> }> }>;
      };
      findings = report.pluginReports.flatMap((plugin) =>
        plugin.violations.flatMap((violation) =>
          violation.violatingConstructs.map((construct) => ({ rule: violation.ruleName, path: construct.constructPath })),
        ),
      );
    } finally {
      Validations.prototype.acknowledge = original;
    }
    expect(findings.length).toBeGreaterThan(0);
    for (const ack of acks) {
      const answered = findings.filter(
        (finding) => finding.rule === ack.id && (finding.path === ack.path || finding.path.startsWith(`${ack.path}/`)),
      );
      expect([ack.path, ack.id, answered.length > 0]).toEqual([ack.path, ack.id, true]);
    }
    for (const finding of findings) {
      const covered = acks.some((ack) => finding.rule === ack.id && finding.path.startsWith(`${ack.path}/`));
      expect([finding.path, finding.rule, covered]).toEqual([finding.path, finding.rule, true]);
    }
  });
});
