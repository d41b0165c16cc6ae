/**
 * Builds the operator console into console/dist, served under /console/ by `npm start`
 * locally and from S3 behind CloudFront in the cloud. The same build runs in both: what
 * differs (API URL, OpenID provider, client id) comes from /console/config.json at start.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/console/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 4096,
    sourcemap: false,
    rolldownOptions: {
      // Cloudscape marks its modules 'use client' for React Server Components; a client bundle has no use for it.
      onLog(level, log, handler) {
        if (log.code === 'MODULE_LEVEL_DIRECTIVE') return;
        handler(level, log);
      },
    },
  },
});
