/**
 * The AWS SDK's generated schemas with their trait keys written as the literals they are, so that
 * esbuild can leave out the schemas of the operations a function never sends.
 *
 * Each client's `dist-es/schemas/schemas_0.js` declares every operation's and structure's schema at
 * the top level, with trait keys computed from string constants of the same file
 * (`const _h = "http"; … { [_h]: ["POST", "/v2/email/outbound-emails", 200] }`). A computed key may
 * call `toString`, so esbuild cannot prove such a declaration free of side effects and keeps it,
 * and with it every structure it reaches: each bundle that sends SES v2's `SendEmail` held the
 * schemas of all of SES v2's operations, about 43 KB minified (bench/findings.md, eighth round).
 * Upstream: aws/aws-sdk-js-v3#7607, smithy-lang/smithy-typescript#1889 (literal keys in the
 * generator). Until the SDK ships them, the bundles make the same change when they read the file.
 */
import { readFileSync } from 'node:fs';
import type { Plugin } from 'esbuild';

/** The files rewritten: a client's generated schemas (large clients split them into several files). */
export const SCHEMA_FILE = /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;

/**
 * `source` with each computed key `[_x]:` whose name is a top-level string constant of the file
 * (`const _x = "…";`) written as that string: the same object, the same key order. A key of
 * `"__proto__"` stays computed (written literally it would set the prototype instead).
 */
export function withLiteralKeys(source: string): string {
  const strings = new Map<string, string>();
  for (const [, name, literal] of source.matchAll(/^const (_\w+) = ("[^"\\\n]*");$/gm)) {
    if (name && literal) strings.set(name, literal);
  }
  return source.replace(/\[(_\w+)\]:/g, (computed, name: string) => {
    const literal = strings.get(name);
    return literal === undefined || literal === '"__proto__"' ? computed : `${literal}:`;
  });
}

/** The esbuild plugin that reads every SDK schemas file through `withLiteralKeys`. */
export const sdkSchemaKeys: Plugin = {
  name: 'sdk-schema-literal-keys',
  setup(build) {
    build.onLoad({ filter: SCHEMA_FILE }, (args) => ({ contents: withLiteralKeys(readFileSync(args.path, 'utf8')), loader: 'js' }));
  },
};
