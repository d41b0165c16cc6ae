/**
 * `npm run bench:profile`: the service under a steady mix of creates, reads and decisions from
 * 20 clients for PROFILE_SECONDS (default 30), run with `node --cpu-prof`; the profile goes to
 * PROFILE_DIR (default .local/profiles) and a summary of where the time goes is printed
 * (inclusive time per module, idle excluded). How the findings in docs/performance.md (bench/findings.md) were made.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { closeClient, closedLoop, http } from './load';
import { BENCH_PROFILE, benchAuth, startService, stopService } from './service';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

/** Inclusive busy time per module (package or project file) of a .cpuprofile. */
export function summarise(file: string, top = 30): string[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const root = resolve('.');
  const bucket = (url: string) => {
    const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
    if (pkg) return `${pkg[1]}`;
    if (url.includes(root)) return url.slice(url.indexOf(root) + root.length + 1);
    return url.startsWith('node:') ? url : undefined;
  };
  const totals = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((sample, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    if (byId.get(sample)?.callFrame.functionName === '(idle)') return;
    busy += delta;
    const seen = new Set<string>();
    for (let id: number | undefined = sample; id !== undefined; id = parent.get(id)) {
      const name = bucket(byId.get(id)?.callFrame.url ?? '');
      if (name) seen.add(name);
    }
    for (const name of seen) totals.set(name, (totals.get(name) ?? 0) + delta);
  });
  return [
    `busy ${(busy / 1000).toFixed(0)} ms`,
    ...[...totals]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / busy).toFixed(0).padStart(3)}%  ${name}`),
  ];
}

async function main() {
  const seconds = Number(process.env.PROFILE_SECONDS ?? 30);
  const profileDir = resolve(process.env.PROFILE_DIR ?? '.local/profiles');
  const dataDir = mkdtempSync(join(tmpdir(), 'approvals-profile-'));
  const before = new Set(
    (() => {
      try {
        return readdirSync(profileDir);
      } catch {
        return [];
      }
    })(),
  );
  const { child, endpoints } = await startService(dataDir, { cpuProfDir: profileDir });
  console.log(`service: ${JSON.stringify(endpoints)}`);
  try {
    const auth = await benchAuth(dataDir);
    const [admin, alice, carol] = await Promise.all([
      auth('admin-1', 'admin@example.com', ['admins']),
      auth('alice', 'alice@example.com', []),
      auth('carol', 'carol@example.com', ['approvers']),
    ]);
    const api = endpoints.apiUrl;
    await http('PUT', `${api}/profiles/bench`, {
      headers: admin,
      body: BENCH_PROFILE,
    });
    const pending: string[] = [];
    const run = await closedLoop(20, { durationMs: seconds * 1000 }, async (index) => {
      if (index % 3 === 2 && pending.length > 0) {
        const id = pending.shift() as string;
        await http('POST', `${api}/requests/${id}/decisions`, { headers: carol, body: { decision: 'approve' } });
        await http('GET', `${api}/requests/${id}`, { headers: alice });
        return;
      }
      const reply = await http('POST', `${api}/requests`, {
        headers: alice,
        body: { kind: 'card.request', profileId: 'bench', subject: { holderId: randomUUID(), cardProfile: 'PIV' } },
      });
      pending.push((JSON.parse(reply.body) as { id: string }).id);
    });
    console.log(`${run.ops} operations in ${(run.elapsedMs / 1000).toFixed(1)} s`);
  } finally {
    closeClient();
    await stopService(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
  const written = readdirSync(profileDir).filter((name) => !before.has(name) && name.endsWith('.cpuprofile'));
  for (const name of written) {
    console.log(`${join(profileDir, name)}:`);
    for (const line of summarise(join(profileDir, name))) console.log(`  ${line}`);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
