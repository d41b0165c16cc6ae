/**
 * `npm start`: the whole service on this machine. Settings: PORT (API, 3000),
 * MAIL_PORT (mailbox, 8005), DATA_DIR (local state, .local).
 */
import './esm-interop';
import { onAncestorExit } from './lifetime';
import { localSettings } from './settings';
import { startLocalStack } from './stack';

// The functions' logs (Powertools) pretty-printed in this terminal; metrics stay off locally.
process.env.POWERTOOLS_DEV ??= 'true';

async function main() {
  const settings = localSettings();
  // Watched from the start: an npm stopped while the stack starts must not leave it running.
  let parentGone: string | undefined;
  let onParentGone = (reason: string) => {
    parentGone = reason;
  };
  onAncestorExit((pid) => onParentGone(`process ${pid} (npm or the parent) exited`));
  const stack = await startLocalStack({
    port: settings.port,
    mailPort: settings.mailPort,
    dataDir: settings.dataDir,
    reconcileEveryMs: settings.reconcileEveryMs,
    log: (line) => console.log(`[${new Date().toISOString()}] ${line}`),
  });
  console.log(
    [
      '',
      'Approval service is running.',
      `  API:      ${stack.apiUrl}   (GET ${stack.apiUrl}/health)`,
      `  Mailbox:  ${stack.mailUrl}   (sent emails; JSON at ${stack.mailUrl}/store)`,
      `  Data:     ${settings.dataDir}`,
      '  Token:    npm run --silent token -- --sub alice --email alice@example.com --groups approvers,admins',
      '  Stop:     Ctrl+C',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping...`);
    stack.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGHUP', () => shutdown('SIGHUP'));
  onParentGone = shutdown;
  if (parentGone) shutdown(parentGone);
}

main().catch((error) => {
  const { code, port } = error as { code?: string; port?: number };
  const hint = code === 'EADDRINUSE' ? ` (port ${port} is taken: set PORT or MAIL_PORT to a free port)` : '';
  console.error(`npm start failed: ${(error as Error).message}${hint}`);
  process.exit(1);
});
