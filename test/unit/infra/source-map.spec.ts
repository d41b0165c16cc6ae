/**
 * The functions' source maps (infra/source-map.ts): every position of the service's own code maps
 * where esbuild's whole map maps it, and no position of a package's code maps anywhere, read by
 * Node's own source map reader (the one `--enable-source-maps` uses).
 */
import { SourceMap as NodeSourceMap } from 'node:module';
import * as path from 'node:path';
import { decode } from '@jridgewell/sourcemap-codec';
import { build } from 'esbuild';
import { esbuildOptions } from '../../../infra/bundling';
import { PROJECT_ROOT } from '../../../infra/constructs/service-function';
import { DEPLOYED_SOURCE_MAP, isPackageSource, ownCodeOnly, type SourceMap } from '../../../infra/source-map';

let whole: SourceMap;
let own: SourceMap;

beforeAll(async () => {
  // A handler with middy and Powertools: packages, and the service's code between them on the same lines.
  const entry = path.join(PROJECT_ROOT, 'functions/health/handler.ts');
  const { outputFiles } = await build({
    ...esbuildOptions(entry),
    entryPoints: { index: entry },
    outdir: path.join(PROJECT_ROOT, 'bundles'),
    ...DEPLOYED_SOURCE_MAP,
  });
  const map = outputFiles.find((file) => file.path.endsWith('.map'));
  if (!map) throw new Error('esbuild wrote no source map');
  whole = JSON.parse(map.text) as SourceMap;
  own = ownCodeOnly(whole);
}, 30_000);

test('keeps the service’s sources alone, and much less of the mappings', () => {
  expect(whole.sources.filter(isPackageSource).length).toBeGreaterThan(10);
  expect(own.sources.length).toBeGreaterThan(0);
  expect(own.sources.filter(isPackageSource)).toEqual([]);
  expect(own.sources).toEqual(whole.sources.filter((source) => !isPackageSource(source) && own.sources.includes(source)));
  expect(own.mappings.length).toBeLessThan(whole.mappings.length / 2);
});

test('maps every position of the service’s code as before, and no position of a package’s', () => {
  const reader = new NodeSourceMap(own as ConstructorParameters<typeof NodeSourceMap>[0]);
  const ownPositions: unknown[] = [];
  const packagePositions: unknown[] = [];
  const wrong: unknown[] = [];
  decode(whole.mappings).forEach((line, lineNumber) => {
    for (const segment of line) {
      if (segment.length === 1) continue;
      const [column, source, originalLine, originalColumn] = segment;
      const found = reader.findEntry(lineNumber, column) as {
        originalSource?: string;
        originalLine?: number;
        originalColumn?: number;
        name?: string;
      };
      const file = whole.sources[source] ?? '';
      const name = segment.length === 5 ? whole.names[segment[4]] : undefined;
      if (isPackageSource(file)) {
        packagePositions.push(segment);
        if (found.originalSource !== undefined) wrong.push({ lineNumber, column, file, found });
      } else {
        ownPositions.push(segment);
        const same =
          found.originalSource?.endsWith(file.replace(/^(\.\.\/)+/, '')) &&
          found.originalLine === originalLine &&
          found.originalColumn === originalColumn &&
          (name === undefined || found.name === name);
        if (!same) wrong.push({ lineNumber, column, file, originalLine, originalColumn, name, found });
      }
    }
  });
  expect(wrong).toEqual([]);
  expect(ownPositions.length).toBeGreaterThan(100);
  expect(packagePositions.length).toBeGreaterThan(ownPositions.length);
});

test('an unmapped run is one segment, and a map of the service’s code alone is unchanged', () => {
  const map: SourceMap = {
    version: 3,
    sources: ['../functions/a.ts', '../node_modules/zod/index.js', '../functions/b.ts'],
    names: ['x', 'y'],
    // Line 0: a.ts, zod, zod, b.ts (with name y); line 1: zod alone.
    mappings: 'AAAA,CCAC,CAAA,CCAAC;ADAA',
  };
  const trimmed = ownCodeOnly(map);
  expect(trimmed.sources).toEqual(['../functions/a.ts', '../functions/b.ts']);
  expect(trimmed.names).toEqual(['y']);
  expect(decode(trimmed.mappings)).toEqual([[[0, 0, 0, 0], [1], [3, 1, 0, 1, 0]], [[0]]]);
  const ownOnly: SourceMap = { version: 3, sources: ['../functions/a.ts'], names: [], mappings: 'AAAA,CAAC;AACA' };
  expect(ownCodeOnly(ownOnly)).toEqual(ownOnly);
});
