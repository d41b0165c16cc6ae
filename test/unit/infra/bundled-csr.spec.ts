/**
 * The CSR reader as deployed: bundled with the functions' esbuild options, whose plugin marks the
 * PKCS#10 packages free of side effects (infra/side-effect-free.ts) so that esbuild drops the modules
 * of theirs nothing imports. Run beside the source on every kind of CSR the tests know, the bundle
 * must read each one the same way, and it must hold none of the schemas the service never reads.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';
import * as source from '../../../functions/domain/csr';
import { bundleFunction } from '../../../infra/bundle-function';
import { esbuildOptions } from '../../../infra/bundling';
import { PROJECT_ROOT } from '../../../infra/constructs/service-function';
import { makeCsr } from '../../helpers/csr';
import { assemblyDir } from '../../helpers/infra';

type Reader = typeof source;

const FIXTURES = join(__dirname, '../../fixtures/csr');

let bundled: Reader;
let inputs: string[];

beforeAll(async () => {
  const entry = join(PROJECT_ROOT, 'functions/domain/csr.ts');
  const result = await build({ ...esbuildOptions(entry), outfile: join(assemblyDir(), 'csr.js'), write: false, metafile: true });
  const [code] = result.outputFiles;
  if (!code) throw new Error('esbuild wrote no bundle');
  writeFileSync(code.path, code.contents);
  // Node's own require: the bundle as Lambda loads it, not through Jest's module registry.
  bundled = createRequire(code.path)(code.path) as Reader;
  // The modules with code in the bundle (the metafile's inputs also name those esbuild read and dropped).
  const output = Object.values(result.metafile.outputs).find((candidate) => candidate.entryPoint);
  inputs = Object.entries(output?.inputs ?? {}).flatMap(([file, { bytesInOutput }]) => (bytesInOutput > 0 ? [file] : []));
}, 30_000);

/** What a call gave: its value, or the error it threw as plain data (the bundle has its own error classes). */
function outcome(call: () => unknown): unknown {
  try {
    return { value: call() };
  } catch (error) {
    return { thrown: JSON.parse(JSON.stringify({ ...(error as object), message: (error as Error).message })) };
  }
}

const enroll = (csr: string, subjectDn: string) => ({ kind: 'certificate.enroll', subject: { method: 'P10', subjectDn, csr } });

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
  const read = (reader: Reader, pem: string) => ({
    problem: outcome(() => reader.csrProblem(pem)),
    summary: outcome(() => reader.describeCsr(pem)),
    facts: outcome(() => reader.csrFacts(pem)),
    create: outcome(() => reader.assertP10CsrParses(enroll(pem, source.describeCsr(pem)?.subject ?? 'CN=x'))),
  });
  for (const [name, pem] of all) expect({ name, ...read(bundled, pem) }).toEqual({ name, ...read(source, pem) });
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
  expect(x509.some((file) => file.endsWith('/name.js'))).toBe(true);
  expect(x509.some((file) => file.endsWith('/subject_alternative_name.js'))).toBe(true);
  for (const unread of ['/certificate.js', '/tbs_cert_list.js', '/crl_distribution_points.js', '/certificate_policies.js']) {
    expect(x509.filter((file) => file.endsWith(unread))).toEqual([]);
  }
});

test("its source map names the packages' files from the project, never from the build machine's folders", async () => {
  const out = assemblyDir();
  await bundleFunction(join(PROJECT_ROOT, 'functions/domain/csr.ts'), out);
  const { sources } = JSON.parse(readFileSync(join(out, 'index.js.map'), 'utf8')) as { sources: string[] };
  expect(sources).toContain('side-effect-free:node_modules/@peculiar/asn1-x509/build/es2015/name.js');
  // No absolute path, in a namespace or not (files of the project are named relative to the bundle).
  expect(sources.filter((source) => /^([\w-]+:)?\//.test(source))).toEqual([]);
}, 30_000);
