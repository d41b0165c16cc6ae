/**
 * `npm run bench:engine-memory`: the local workflow engine alone, with N executions of
 * statemachines/approval.asl.json waiting for a decision (stub functions: every plan waits an
 * hour, every wait stores nothing), and the heap it holds per pending execution.
 * ENGINE_EXECUTIONS (default 2000) sets N.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { workflowSteps } from '../functions/registry';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/net';
import { startStepFunctionsServer } from '../local/stepfunctions/server';

export async function engineMemoryPerExecution(
  executions: number,
): Promise<{ bytesPerExecution: number; heapBefore: number; heapAfter: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'approvals-engine-'));
  let waiting = 0;
  const functions = {
    planRound: async () => ({ done: false, waitSeconds: 3600, basis: '0||2026-11-10T00:00:00.000Z' }),
    awaitDecision: async () => {
      waiting++;
      return {};
    },
    notifyOutcome: async () => ({ callback: false }),
    deliverCallback: async () => ({}),
  };
  const server = await startStepFunctionsServer({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    stateMachines: [
      {
        name: 'approval',
        definitionFile: resolve('statemachines/approval.asl.json'),
        substitutions: Object.fromEntries(workflowSteps().map((fn) => [fn.substitution, fn.name])),
        functions,
      },
    ],
  });
  const client = new SFNClient({ endpoint: server.url, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const heap = () => {
    (globalThis as { gc?: () => void }).gc?.();
    return process.memoryUsage().heapUsed;
  };
  try {
    const stateMachineArn = server.stateMachineArn('approval');
    await client.send(new StartExecutionCommand({ stateMachineArn, name: 'warm', input: '{"requestId":"warm"}' }));
    while (waiting < 1) await new Promise((r) => setTimeout(r, 10));
    const heapBefore = heap();
    for (let i = 0; i < executions; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, executions - i) }, (_, j) =>
          client.send(
            new StartExecutionCommand({
              stateMachineArn,
              name: `e${i + j}`,
              input: JSON.stringify({ requestId: `00000000-0000-4000-8000-${String(i + j).padStart(12, '0')}` }),
            }),
          ),
        ),
      );
    }
    while (waiting < executions + 1) await new Promise((r) => setTimeout(r, 20));
    const heapAfter = heap();
    return { bytesPerExecution: (heapAfter - heapBefore) / executions, heapBefore, heapAfter };
  } finally {
    client.destroy();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const n = Number(process.env.ENGINE_EXECUTIONS ?? 2000);
  engineMemoryPerExecution(n).then(
    (r) => {
      console.log(
        `${n} pending executions: ${(r.bytesPerExecution / 1024).toFixed(1)} KB of heap each (${(r.heapBefore / 1e6).toFixed(0)} MB → ${(r.heapAfter / 1e6).toFixed(0)} MB)`,
      );
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
