/**
 * middy 7 publishes ESM only (its package exports have just an `import` condition).
 * In Lambda, esbuild bundles it; when the local runtime loads the same handlers as
 * CommonJS, this resolve hook lets `require('@middy/...')` find the ESM entry, which
 * Node >= 22 loads through require(esm). The handlers' code is unchanged.
 */
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier.startsWith('@middy/') && !context.conditions.includes('import')) {
      return nextResolve(specifier, { ...context, conditions: [...context.conditions, 'import'] });
    }
    return nextResolve(specifier, context);
  },
});
