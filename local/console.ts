/**
 * Serves the operator console under /console/ on the API's own port, as CloudFront serves it in
 * the cloud: the built files, index.html for any other address under /console/ (deep links), and
 * /console/config.json with this stack's settings. Builds the console first when its build is
 * missing or older than its sources.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, resolve, sep } from 'node:path';
import type { LocalOidcOptions } from './oidc';

const ROOT = resolve(__dirname, '..');
export const CONSOLE_DIR = join(ROOT, 'console');
export const CONSOLE_BUILD = join(CONSOLE_DIR, 'dist');
/** What the console's bundle is made of: its own sources and the service's domain modules it imports. */
const SOURCES = [
  join(CONSOLE_DIR, 'src'),
  join(CONSOLE_DIR, 'index.html'),
  join(CONSOLE_DIR, 'vite.config.mts'),
  join(ROOT, 'functions', 'domain'),
  join(ROOT, 'package-lock.json'),
];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

/** Strict headers, as the cloud's response-headers policy sends them; the page talks to the API and the provider only. */
function securityHeaders(config: ConsoleRuntimeConfig) {
  const origins = [config.apiUrl, config.metadataUrl ?? config.authority].filter(Boolean).map((url) => new URL(url).origin);
  return {
    'content-security-policy': `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self' ${origins.join(' ')}; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'`,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
  };
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), stat.mtimeMs);
}

/** True when console/dist is missing or older than anything it is built from. */
export function consoleBuildIsStale(): boolean {
  const built = join(CONSOLE_BUILD, 'index.html');
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  return SOURCES.some((source) => newestMtime(source) > builtAt);
}

const builds = new Set<ChildProcess>();

/** Runs `vite build` for the console (the same as `npm run build:console`). */
export function buildConsole(log: (line: string) => void = () => {}): Promise<void> {
  return new Promise((resolveBuild, reject) => {
    const started = Date.now();
    log('console: building (console/dist is missing or older than its sources)');
    const child = spawn(
      process.execPath,
      [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(CONSOLE_DIR, 'vite.config.mts')],
      {
        cwd: ROOT,
        env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    builds.add(child);
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      builds.delete(child);
      if (code === 0) {
        log(`console: built in ${Date.now() - started} ms`);
        resolveBuild();
      } else reject(new Error(`console build failed (exit ${code}):\n${output.slice(-4000)}`));
    });
  });
}

export interface ConsoleRuntimeConfig {
  apiUrl: string;
  authority: string;
  metadataUrl?: string;
  clientId: string;
}

/**
 * A request handler for /console/...; answers false for any other path. Until `ready` settles it
 * answers 503 (the console is being built).
 */
export function consoleHandler(config: ConsoleRuntimeConfig, ready: Promise<void>, buildDir = CONSOLE_BUILD) {
  const SECURITY_HEADERS = securityHeaders(config);
  let state: 'building' | 'ready' | Error = 'building';
  ready.then(
    () => (state = 'ready'),
    (error: Error) => (state = error),
  );
  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': type, ...SECURITY_HEADERS, ...extra });
    res.end(body);
  };
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/console' && !url.pathname.startsWith('/console/')) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain; charset=utf-8', 'method not allowed', { allow: 'GET, HEAD' });
      return true;
    }
    if (url.pathname === '/console') {
      res.writeHead(308, { location: `/console/${url.search}` });
      res.end();
      return true;
    }
    if (url.pathname === '/console/config.json') {
      send(res, 200, 'application/json; charset=utf-8', JSON.stringify(config), { 'cache-control': 'no-store' });
      return true;
    }
    if (state === 'building') {
      send(
        res,
        503,
        'text/html; charset=utf-8',
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="2"><title>Console</title></head><body><main><h1>The console is being built</h1><p>This page reloads by itself.</p></main></body></html>',
        { 'retry-after': '2', 'cache-control': 'no-store' },
      );
      return true;
    }
    if (state instanceof Error) {
      send(res, 500, 'text/plain; charset=utf-8', `The console could not be built; see the npm start output.\n`, {
        'cache-control': 'no-store',
      });
      return true;
    }
    let relativePath: string;
    try {
      relativePath = decodeURIComponent(url.pathname.slice('/console/'.length));
    } catch {
      relativePath = '';
    }
    const file = resolve(buildDir, relativePath);
    const inside = relative(buildDir, file);
    const isFile =
      relativePath !== '' && !inside.startsWith('..') && !inside.includes(`..${sep}`) && existsSync(file) && statSync(file).isFile();
    if (!isFile && relativePath.startsWith('assets/')) {
      send(res, 404, 'text/plain; charset=utf-8', 'not found');
      return true;
    }
    const target = isFile ? file : join(buildDir, 'index.html');
    // Hashed assets never change; index.html must be fetched again to find new ones.
    const cache = target.startsWith(join(buildDir, 'assets')) ? 'public, max-age=31536000, immutable' : 'no-cache';
    res.writeHead(200, {
      'content-type': TYPES[extname(target)] ?? 'application/octet-stream',
      'cache-control': cache,
      ...SECURITY_HEADERS,
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(target).pipe(res);
    return true;
  };
}

export interface LocalConsole {
  /** The console's address, ending in `/`. */
  url: string;
  oidcUrl: string;
  /** Answers requests for /console/...; false for anything else. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** Settles when the console is built (or needed no build). */
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts what the console needs that does not depend on the API's address: its build (when stale)
 * and loading the OpenID provider's code, so both run while the rest of the stack starts.
 */
export function prepareConsole(log: (line: string) => void = () => {}) {
  const ready = consoleBuildIsStale() ? buildConsole(log) : Promise.resolve();
  ready.catch((error: Error) => log(error.message));
  const oidc = import('./oidc');
  oidc.catch(() => {});
  return { ready, oidc };
}

/**
 * The console of the local stack whose API is at `apiUrl`: the local OpenID provider, and the
 * console's files served by the API's gateway through `handle` (503 until the build is ready).
 */
export async function startConsole(options: {
  apiUrl: string;
  dataDir: string;
  log?: (line: string) => void;
  prepared?: ReturnType<typeof prepareConsole>;
  /** Writes who signs in to the user directory (the stack's `userPool.put`). */
  onSignIn?: LocalOidcOptions['onSignIn'];
}): Promise<LocalConsole> {
  const log = options.log ?? (() => {});
  const url = `${options.apiUrl}/console/`;
  const { ready, oidc: oidcModule } = options.prepared ?? prepareConsole(log);
  const { startLocalOidc } = await oidcModule;
  const oidc = await startLocalOidc({ dataDir: options.dataDir, consoleUrl: url, log, onSignIn: options.onSignIn });
  const handle = consoleHandler(
    { apiUrl: '', authority: oidc.issuer, metadataUrl: `${oidc.url}/.well-known/openid-configuration`, clientId: oidc.clientId },
    ready,
  );
  const close = async () => {
    for (const build of builds) build.kill('SIGTERM');
    await oidc.close();
  };
  return { url, oidcUrl: oidc.url, handle, ready, close };
}
