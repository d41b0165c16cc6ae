/**
 * The functions' source maps map the service's own code alone: the positions of the packages'
 * code (the SDK, zod, middy, Powertools) are left unmapped.
 *
 * Lambda runs the functions with `--enable-source-maps`, and Node reads a bundle's map when it loads
 * the bundle, so the map is paid at every cold start. The packages are most of a bundle and of its
 * mappings (linkPage: 366 of its 419 sources; its mappings went from 446 KB to 75 KB), and of the
 * frames of a stack trace the service's own are the ones an operator reads. Loading linkPage's bundle
 * took 77.6 ms with its whole map, 70.0 ms with this one and 61.7 ms without source maps (createRequest:
 * 83.4, 77.6 and 66.8 ms; medians of 60 interleaved runs, docs/performance.md, thirteenth round): what
 * is left is Node scanning the bundle's lines for its source map cache, which any map costs. The first
 * stack trace of an error thrown in the bundle, which parses the map, took 25 ms instead of 56 ms
 * (linkPage, medians of 20 processes). A frame in a package's code shows the bundle's own position
 * (`index.js:1:2345`), as without a map; a frame in the service's code maps as before.
 *
 * Dropping a package's mappings alone would not do: a position in its code would then map to the
 * service's mapping before it on the same line (a minified bundle has few lines), and name the wrong
 * file. Each run of a package's mappings becomes one unmapped segment instead (a segment of one
 * field, which the source map format defines as a position that maps to nothing).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { OutputFile } from 'esbuild';
import { decode, encode, type SourceMapSegment } from '@jridgewell/sourcemap-codec';

/** A source map as esbuild writes it (version 3, without `sourcesContent` for the functions). */
export interface SourceMap {
  version: number;
  sources: string[];
  names: string[];
  mappings: string;
  sourcesContent?: Array<string | null>;
  sourceRoot?: string;
  file?: string;
}

/** A file of a package: esbuild names them by their path (`../node_modules/…`), in a plugin's namespace or not. */
export const isPackageSource = (source: string): boolean => /(^|[/:])node_modules\//.test(source);

/** `map` with the mappings of the service's own sources alone, and only the sources and names they use. */
export function ownCodeOnly(map: SourceMap): SourceMap {
  const sources: string[] = [];
  const sourcesContent: Array<string | null> = [];
  const names: string[] = [];
  const sourceIndex = new Map<number, number>();
  const nameIndex = new Map<number, number>();
  const indexOf = (index: Map<number, number>, list: string[], old: number, value: string) => {
    let found = index.get(old);
    if (found === undefined) {
      found = list.push(value) - 1;
      index.set(old, found);
    }
    return found;
  };
  const lines = decode(map.mappings).map((line) => {
    const kept: SourceMapSegment[] = [];
    let unmapped = false;
    for (const segment of line) {
      if (segment.length === 1 || isPackageSource(map.sources[segment[1]] ?? '')) {
        if (!unmapped) kept.push([segment[0]]);
        unmapped = true;
        continue;
      }
      unmapped = false;
      const [column, source, sourceLine, sourceColumn] = segment;
      const known = sourceIndex.has(source);
      const newSource = indexOf(sourceIndex, sources, source, map.sources[source] ?? '');
      if (!known && map.sourcesContent) sourcesContent.push(map.sourcesContent[source] ?? null);
      kept.push(
        segment.length === 5
          ? [column, newSource, sourceLine, sourceColumn, indexOf(nameIndex, names, segment[4], map.names[segment[4]] ?? '')]
          : [column, newSource, sourceLine, sourceColumn],
      );
    }
    return kept;
  });
  return {
    ...map,
    sources,
    names,
    mappings: encode(lines),
    ...(map.sourcesContent ? { sourcesContent } : {}),
  };
}

/**
 * What esbuild built (`write: false`), as it would write it, but each source map with the mappings of
 * the service's own code alone (`ownCodeOnly`): the functions' assets (infra/bundle-function.ts) and
 * the benchmark's bundles (bench/bundles.ts).
 */
export function deployedContents(file: OutputFile): string | Uint8Array {
  if (!file.path.endsWith('.map')) return file.contents;
  return JSON.stringify(ownCodeOnly(JSON.parse(file.text) as SourceMap));
}

/**
 * esbuild's options for a function's deployed source map: linked, without the sources (Lambda never
 * shows them), with `write: false` so that `writeDeployed` can trim it first.
 */
export const DEPLOYED_SOURCE_MAP = { sourcemap: true, sourcesContent: false, write: false } as const;

/** Writes what esbuild built with `DEPLOYED_SOURCE_MAP`, each map as `deployedContents` makes it. */
export function writeDeployed(files: readonly OutputFile[]): void {
  for (const file of files) {
    mkdirSync(dirname(file.path), { recursive: true });
    writeFileSync(file.path, deployedContents(file));
  }
}
