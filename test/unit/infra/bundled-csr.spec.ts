/**
 * The CSR reader as deployed: bundled with the functions' esbuild options, whose plugin marks the
 * PKCS#10 packages free of side effects (infra/side-effect-free.ts) so that esbuild drops the modules
 * of theirs nothing imports. Run by node (not through Jest's module registry) beside the source on every
 * kind of CSR the tests know, the bundle must read each one the same way, and it must hold none of the
 * schemas the service never reads.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as source from '../../../functions/domain/csr';
import { bundleFunction } from '../../../infra/bundle-function';
import { PROJECT_ROOT } from '../../../infra/constructs/service-function';
import { isPackageSource } from '../../../infra/source-map';
import { makeCsr } from '../../helpers/csr';
import { assemblyDir } from '../../helpers/infra';

const FIXTURES = join(__dirname, '../../fixtures/csr');

let bundle: string;
/** The modules the bundle holds (esbuild's metafile), and the files its source map names. */
let inputs: string[];
let sources: string[];

beforeAll(async () => {
  // As a function's asset is bundled (infra/bundle-function.ts): index.js and its source map.
  const out = assemblyDir();
  ({ inputs } = await bundleFunction(join(PROJECT_ROOT, 'functions/domain/csr.ts'), out));
  bundle = join(out, 'index.js');
  sources = (JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as { sources: string[] }).sources;
}, 30_000);

type Case = { name: string; pem: string; subjectDn: string };

/**
 * What each call gives for each CSR, from `reader` (`require` of the module): its value, or the error it
 * threw as plain data. The same function runs in this process on the source and in node on the bundle.
 */
function readAll(reader: typeof source, cases: Case[]) {
  const outcome = (call: () => unknown) => {
    try {
      return { value: call() };
    } catch (error) {
      return { thrown: JSON.parse(JSON.stringify({ ...(error as object), message: (error as Error).message })) };
    }
  };
  return cases.map(({ name, pem, subjectDn }) => ({
    name,
    problem: outcome(() => reader.csrProblem(pem)),
    summary: outcome(() => reader.describeCsr(pem)),
    facts: outcome(() => reader.csrFacts(pem)),
    create: outcome(() => reader.assertP10CsrParses({ kind: 'certificate.enroll', subject: { method: 'P10', subjectDn, csr: pem } })),
  }));
}

/** readAll on the bundle, in a node process of its own: the bundle loaded by Node as Lambda loads it, not by Jest. */
function readAllBundled(cases: Case[]): unknown {
  const input = join(assemblyDir(), 'cases.json');
  writeFileSync(input, JSON.stringify(cases));
  const script = `const readAll = ${readAll.toString()};
    const cases = JSON.parse(require('node:fs').readFileSync(${JSON.stringify(input)}, 'utf8'));
    process.stdout.write(JSON.stringify(readAll(require(${JSON.stringify(bundle)}), cases)));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
}

async function csrs(): Promise<Array<[string, string]>> {
  const fixtures = readdirSync(FIXTURES).map((name): [string, string] => [name, readFileSync(join(FIXTURES, name), 'utf8')]);
  return [
    ...fixtures,
    [
      'RSA 2048, every kind of name',
      await makeCsr({
        subject: 'CN=web.example.com, O=Example',
        key: { rsa: 2048 },
        names: ['dns:web.example.com', 'ip:10.0.0.1', 'email:a@example.com', 'url:https://web.example.com/'],
      }),
    ],
    ['P-256, IPv6', await makeCsr({ subject: 'CN=six.example.com', key: { ec: 'P-256' }, names: ['ip:2001:db8::1'] })],
    ['Ed25519', await makeCsr({ subject: 'CN=ed.example.com', key: 'Ed25519', names: ['dns:ed.example.com'] })],
    [
      'two subjectAltNames',
      await makeCsr({ subject: 'CN=www.good.example', names: ['dns:www.good.example'], moreNames: ['dns:login.bank.example'] }),
    ],
  ];
}

test('reads every CSR as the source does: the problem, the summary for people, the facts a policy checks, and a P10 create', async () => {
  const all = await csrs();
  const cases = all.map(([name, pem]) => ({ name, pem, subjectDn: source.describeCsr(pem)?.subject ?? 'CN=x' }));
  expect(readAllBundled(cases)).toEqual(JSON.parse(JSON.stringify(readAll(source, cases))));
  // The CSRs compared hold what the bundle could lose: every kind of name and key, and some that do not parse.
  const summaries = all.map(([, pem]) => source.describeCsr(pem));
  expect(summaries.flatMap((summary) => summary?.subjectAlternativeNames ?? [])).toEqual(
    expect.arrayContaining(['DNS:web.example.com', 'IP:10.0.0.1', 'IP:2001:db8::1', 'email:a@example.com', 'URI:https://web.example.com/']),
  );
  expect(summaries.map((summary) => summary?.key)).toEqual(expect.arrayContaining(['RSA 2048 bits', 'EC P-256 (256 bits)', 'Ed25519']));
  expect(summaries).toContain(undefined);
}, 60_000);

test('holds the schemas it reads and none of those it never reads (certificates, CRLs, other extensions)', () => {
  const x509 = inputs.filter((file) => file.includes('@peculiar/asn1-x509/'));
  expect(x509).toContain('side-effect-free:node_modules/@peculiar/asn1-x509/build/es2015/name.js');
  expect(x509.some((file) => file.endsWith('/subject_alternative_name.js'))).toBe(true);
  for (const unread of ['/certificate.js', '/tbs_cert_list.js', '/crl_distribution_points.js', '/certificate_policies.js']) {
    expect(x509.filter((file) => file.endsWith(unread))).toEqual([]);
  }
});

test("names the packages' files from the project, never from the build machine's folders; its source map maps the service's files alone", () => {
  // No absolute path, in a namespace or not (the packages' files, as the metafile names them).
  expect(inputs.filter((file) => file.includes('node_modules/@peculiar/')).length).toBeGreaterThan(10);
  expect(inputs.filter((file) => /^([\w-]+:)?\//.test(file))).toEqual([]);
  // The map (infra/source-map.ts) names the service's files, relative to the bundle, and no package's.
  expect(sources.some((source) => source.endsWith('functions/domain/csr.ts'))).toBe(true);
  expect(sources.filter(isPackageSource)).toEqual([]);
  expect(sources.filter((source) => /^([\w-]+:)?\//.test(source))).toEqual([]);
});

test('a stack trace from the bundle, with source maps on as deployed, names the line of the service that threw', () => {
  const script = `try { require(${JSON.stringify(bundle)}).describeCsr(42); } catch (error) { process.stdout.write(error.stack); }`;
  const stack = execFileSync(process.execPath, ['--enable-source-maps', '-e', script], { encoding: 'utf8' });
  expect(stack).toMatch(/functions\/domain\/csr\.ts:\d+:\d+/);
});
