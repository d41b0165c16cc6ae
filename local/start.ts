/**
 * `npm start`: the whole service on this machine. Settings: PORT (API, 3000),
 * MAIL_PORT (mailbox, 8005), DATA_DIR (local state, .local).
 */
import './esm-interop';
import { type LocalConsole, prepareConsole, startConsole } from './console';
import { localSettings } from './settings';
import { startLocalStack } from './stack';

async function main() {
  const settings = localSettings();
  const log = (line: string) => console.log(`[${new Date().toISOString()}] ${line}`);
  const consolePrepared = prepareConsole(log);
  let consoleSite: LocalConsole | undefined;
  const stack = await startLocalStack({
    port: settings.port,
    mailPort: settings.mailPort,
    dataDir: settings.dataDir,
    otherRequests: (req, res) => consoleSite?.handle(req, res) ?? false,
    log,
  });
  consoleSite = await startConsole({ apiUrl: stack.apiUrl, dataDir: settings.dataDir, log, prepared: consolePrepared }).catch(async (error) => {
    await stack.stop();
    throw error;
  });
  console.log(
    [
      '',
      'Approval service is running.',
      `  API:      ${stack.apiUrl}   (GET ${stack.apiUrl}/health)`,
      `  Console:  ${consoleSite.url}   (sign in on the local OpenID provider's form)`,
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
    Promise.all([consoleSite?.close(), stack.stop()]).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error) => {
  const { code, port } = error as { code?: string; port?: number };
  const hint = code === 'EADDRINUSE' ? ` (port ${port} is taken: set PORT or MAIL_PORT to a free port)` : '';
  console.error(`npm start failed: ${(error as Error).message}${hint}`);
  process.exit(1);
});
