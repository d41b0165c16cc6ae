import { type ChildProcess, spawn } from 'node:child_process';
import { freePort, waitFor } from '../../local/net';

export interface RunningService {
  apiUrl: string;
  mailUrl: string;
  output: () => string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs `npm start`'s entry point as its own process, as a user would, and waits until /health answers. */
export async function startService(dataDir: string, ports?: { port: number; mailPort: number }): Promise<RunningService> {
  const port = ports?.port ?? (await freePort());
  const mailPort = ports?.mailPort ?? (await freePort());
  const child: ChildProcess = spawn('sh', ['scripts/node.sh', '--import', 'tsx', 'local/start.ts'], {
    env: { ...process.env, PORT: String(port), MAIL_PORT: String(mailPort), DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const apiUrl = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
      return (await fetch(`${apiUrl}/health`)).status === 200;
    },
    { timeoutMs: 60_000, what: 'npm start to answer /health', intervalMs: 100 },
  ).catch((error) => {
    child.kill('SIGKILL');
    throw error;
  });
  return {
    apiUrl,
    mailUrl: `http://127.0.0.1:${mailPort}`,
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
