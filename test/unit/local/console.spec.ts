import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consoleHandler } from '../../../local/console';

const buildDir = mkdtempSync(join(tmpdir(), 'console-build-'));
mkdirSync(join(buildDir, 'assets'));
writeFileSync(join(buildDir, 'index.html'), '<!doctype html><title>console</title>');
writeFileSync(join(buildDir, 'assets', 'app-1234.js'), 'console.log(1)');
writeFileSync(join(tmpdir(), 'outside-the-build.txt'), 'secret');

const config = {
  apiUrl: '',
  authority: 'https://issuer.approvals.local',
  metadataUrl: 'http://127.0.0.1:4999/.well-known/openid-configuration',
  clientId: 'approvals-api',
};
let release: () => void = () => {};
const built = new Promise<void>((resolve) => (release = resolve));
let server: Server;
let base = '';

beforeAll(async () => {
  const handle = consoleHandler(config, built, buildDir);
  server = createServer((req, res) => {
    if (!handle(req, res)) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":{"code":"not_found"}}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(buildDir, { recursive: true, force: true });
  rmSync(join(tmpdir(), 'outside-the-build.txt'), { force: true });
});

describe('the local console server', () => {
  it('answers 503 while the console is being built, then serves it', async () => {
    const building = await fetch(`${base}/console/requests`);
    expect(building.status).toBe(503);
    release();
    await built;
    const ready = await fetch(`${base}/console/requests`);
    expect(ready.status).toBe(200);
  });

  it('serves index.html for deep links, with a strict content security policy', async () => {
    const response = await fetch(`${base}/console/requests/0b5f-whatever?state=requested`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>console</title>');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self' http://127.0.0.1:4999");
  });

  it('serves hashed assets as immutable and answers 404 for a missing one instead of index.html', async () => {
    const asset = await fetch(`${base}/console/assets/app-1234.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('text/javascript');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${base}/console/assets/gone.js`)).status).toBe(404);
  });

  it('serves its runtime settings at /console/config.json, never cached', async () => {
    const response = await fetch(`${base}/console/config.json`);
    expect(await response.json()).toEqual(config);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('never serves a file outside the build, and leaves other paths to the API', async () => {
    const traversal = await fetch(`${base}/console/..%2Foutside-the-build.txt`);
    expect(await traversal.text()).not.toContain('secret');
    expect((await fetch(`${base}/requests`)).status).toBe(404);
    expect((await fetch(`${base}/console/requests`, { method: 'POST' })).status).toBe(405);
  });
});
