/**
 * Builds the app as `cdk synth` does (the context of cdk.json, same stacks), without
 * bundling the functions, and gives tests the stacks and their templates.
 *
 * CloudFormation's own template validation (aws-cdk-lib's built-in check, made an error by
 * `validateAgainstDefaultRules` in cdk.json) is on for `fixture()` and `stacksWith()`: each
 * configuration is synthesized once, validated in the same synth (a finding throws where the
 * templates are read), and shared by every topic of test/unit/infra (validation.spec.ts names them).
 * `buildApp` leaves it off unless asked: its engine costs seconds to load per test file. cdk-nag's
 * checks run in the same synth for the configurations nag.spec.ts checks (NAG_CHECKED).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { build, type Metafile, type OutputFile } from 'esbuild';
import { FUNCTION_ENTRIES } from '../../bench/bundles';
import { esbuildOptions } from '../../infra/bundling';
import { PROJECT_ROOT } from '../../infra/constructs/service-function';
import { createStacks, type ServiceStacks } from '../../infra/stacks';

/**
 * A stand-in for the built console (one index.html): the tests synthesize the same stacks whether or
 * not `npm run build:console` ran (a fresh clone has no console/dist), without copying and hashing
 * the real build in every synth. console.spec.ts covers a missing build.
 */
export const CONSOLE_BUILD_FIXTURE = path.join(PROJECT_ROOT, 'test', 'fixtures', 'console-dist');

/** The service's stacks as `cdk synth` makes them, with the console stand-in. */
export const createTestStacks = (app: App, pinned?: Pinned): ServiceStacks =>
  createStacks(app, { pinned, consoleBuildDir: CONSOLE_BUILD_FIXTURE });

export const cdkContext = (): Record<string, unknown> =>
  (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

export interface Fixture extends ServiceStacks {
  app: App;
  stateful: ServiceStacks['stateful'];
  statefulTemplate: Template;
  statelessTemplate: Template;
}

/**
 * What the test apps leave out of `cdk synth`'s work, none of it in the templates: bundling, and the
 * stack traces the CDK records in the cloud assembly's metadata (each construct's creation stack, each
 * annotation's): capturing them cost seconds in the infra tests, where Jest's source-map support
 * rewrites every captured frame. `CDK_DEBUG=1` still records creation stacks.
 */
export const TEST_SYNTH_CONTEXT = {
  'aws:cdk:bundling-stacks': [],
  'aws:cdk:disable-creation-stack-traces': true,
  'aws:cdk:disable-stack-trace': true,
};

let assemblies: string | undefined;

/**
 * A new folder for one test app's cloud assembly, under one folder for them all that
 * `removeAssemblies` deletes (test/unit/infra/infra.test.ts, after its topics). An app given no
 * folder makes its own in the temporary folder, as `cdk.out<random>`, as soon as it is constructed,
 * and leaves it there: about 50 of them a run, 160 MB with the assets they stage.
 */
export function assemblyDir(): string {
  assemblies ??= mkdtempSync(path.join(tmpdir(), 'approvals-cdk-'));
  return mkdtempSync(path.join(assemblies, 'app-'));
}

/** Deletes every folder `assemblyDir` made. */
export function removeAssemblies(): void {
  if (assemblies) rmSync(assemblies, { recursive: true, force: true });
  assemblies = undefined;
}

export function buildApp(context: Record<string, unknown> = {}, options: { validate?: boolean; outdir?: string } = {}): App {
  return new App({
    outdir: options.outdir ?? assemblyDir(),
    builtinCloudFormationValidation: options.validate ?? false,
    context: { ...cdkContext(), ...TEST_SYNTH_CONTEXT, ...context },
  });
}

let cached: Fixture | undefined;

export function fixture(): Fixture {
  cached ??= synthesized({});
  return cached;
}

export type Pinned = Record<string, { account: string; region: string }>;

/** A certificate in the account the production settings below are pinned to. */
export const CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:111122223333:certificate/0a1b2c3d-1111-2222-3333-444455556666';
/**
 * A production deployment's settings (a custom API domain, an existing sender identity) and the
 * account and region `prod` is pinned to: several topics synthesize them, and validation.spec.ts
 * runs CloudFormation's validation on them.
 */
export const PRODUCTION_CONTEXT = {
  stage: 'prod',
  senderEmail: 'approvals@pki.corp-a.net',
  senderIdentity: 'existing',
  callbackUrls: 'https://console.pki.corp-a.net/callback',
  apiDomain: 'approvals.pki.corp-a.net',
  apiCertificateArn: CERTIFICATE_ARN,
};
export const PRODUCTION_PIN: Pinned = { prod: { account: '111122223333', region: 'eu-west-1' } };

const variants = new Map<string, Fixture>();

/** Both stacks and their templates for other settings (one app per settings and test file). */
export function stacksWith(context: Record<string, unknown>, pinned?: Pinned): Fixture {
  const key = JSON.stringify([context, pinned]);
  const built = variants.get(key) ?? synthesized(context, pinned);
  variants.set(key, built);
  return built;
}

/**
 * The configurations whose shared stacks also run cdk-nag's AWS Solutions checks in their synth, as
 * infra/app.ts does on every synth (nag.spec.ts proves they pass): a finding throws where the
 * templates are read. The other configurations leave them out (they cost about half a second each).
 */
const NAG_CHECKED = new Set([JSON.stringify([{}, undefined]), JSON.stringify([PRODUCTION_CONTEXT, PRODUCTION_PIN])]);

/** A configuration's app, stacks and templates, checked by CloudFormation's validation (and cdk-nag: NAG_CHECKED). */
function synthesized(context: Record<string, unknown>, pinned?: Pinned): Fixture {
  const app = buildApp(context, { validate: true });
  const stacks = createTestStacks(app, pinned);
  if (NAG_CHECKED.has(JSON.stringify([context, pinned]))) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return {
    app,
    ...stacks,
    statefulTemplate: Template.fromStack(stacks.stateful),
    statelessTemplate: Template.fromStack(stacks.stateless),
  };
}

/** Whether cdk-nag's AWS Solutions checks run in the app's synth. */
export const nagChecked = (app: App): boolean =>
  (app as unknown as { _validationPlugins: unknown[] })._validationPlugins.some((plugin) => plugin instanceof AwsSolutionsChecks);

/** The logical id a construct's CloudFormation resource has in its stack. */
export function logicalId(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(construct).getLogicalId(element);
}

export type Resource = { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string };

export function resources(template: Template, type: string): Record<string, Resource> {
  return template.findResources(type) as Record<string, Resource>;
}

/** `{ "Fn::GetAtt": [id, "Arn"] }` */
export const getAttArn = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

/**
 * Replaces each cross-stack reference (`Fn::GetStackOutput` of the stateful stack) by the
 * value of that output in the stateful template, e.g. `{ Ref: "UserPoolUserClient..." }`.
 */
export function resolveStackOutputs(value: unknown, statefulTemplate: Template): unknown {
  const outputs = statefulTemplate.toJSON().Outputs as Record<string, { Value: unknown }>;
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node && typeof node === 'object') {
      const reference = (node as Record<string, { OutputName?: string }>)['Fn::GetStackOutput'];
      if (reference?.OutputName) {
        const output = outputs[reference.OutputName];
        if (!output) throw new Error(`no output ${reference.OutputName} in the stateful stack`);
        return output.Value;
      }
      return Object.fromEntries(Object.entries(node).map(([key, child]) => [key, walk(child)]));
    }
    return node;
  };
  return walk(value);
}

/** The value, or a failed test naming what was missing. */
export function defined<T>(value: T | null | undefined, what = 'value'): T {
  if (value === undefined || value === null) throw new Error(`expected ${what} to be defined`);
  return value;
}

/** A resource's Properties (empty when the resource or its properties are missing). */
export const props = (resource: Resource | undefined): Record<string, unknown> => resource?.Properties ?? {};

/** Every function's bundle as esbuild makes it with the deployed options (infra/bundling.ts), by function name. */
export interface FunctionBundle {
  code: OutputFile;
  /** The modules it holds (paths relative to the project, as esbuild's metafile names them). */
  inputs: string[];
}

let bundles: Promise<Map<string, FunctionBundle>> | undefined;

/**
 * Every function's bundle, from one esbuild run shared by the infra topics (no code splitting, so each
 * output is its function's own bundle; no source map, so the sizes are the code's). In memory: a topic
 * that runs one writes it where it needs it.
 */
export function functionBundles(): Promise<Map<string, FunctionBundle>> {
  bundles ??= build({
    ...esbuildOptions(path.resolve(PROJECT_ROOT, FUNCTION_ENTRIES[0]?.entry ?? '')),
    entryPoints: Object.fromEntries(FUNCTION_ENTRIES.map((fn) => [fn.name, path.resolve(PROJECT_ROOT, fn.entry)])),
    absWorkingDir: PROJECT_ROOT,
    outdir: path.join(PROJECT_ROOT, 'bundles'),
    write: false,
    metafile: true,
  }).then((result) => {
    const outputs: Metafile['outputs'] = Object.fromEntries(
      Object.entries(result.metafile.outputs).map(([file, output]) => [path.resolve(PROJECT_ROOT, file), output]),
    );
    return new Map(
      result.outputFiles.map((code) => [path.basename(code.path, '.js'), { code, inputs: Object.keys(outputs[code.path]?.inputs ?? {}) }]),
    );
  });
  return bundles;
}
