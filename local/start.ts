/**
 * `npm start`: the whole service on this machine. Settings: PORT (API, 3000),
 * MAIL_PORT (mailbox, 8005), DATA_DIR (local state, .local).
 */
import './esm-interop';
import { type LocalConsole, prepareConsole, startConsole } from './console';
import { join } from 'node:path';
import { ENDPOINTS_FILE, endpointLines } from './endpoints';
import { onAncestorExit } from './lifetime';
import { localSettings } from './settings';
import { startLocalStack } from './stack';

// The functions' logs (Powertools) pretty-printed in this terminal; metrics stay off locally.
process.env.POWERTOOLS_DEV ??= 'true';

async function main() {
  const settings = localSettings();
  // Watched from the start (npm exiting, signals): a stop asked for while the stack starts is kept
  // and carried out as soon as there is something to stop, so nothing is left running.
  let stopAsked: string | undefined;
  let onStop = (reason: string) => {
    stopAsked ??= reason;
  };
  onAncestorExit((pid) => onStop(`process ${pid} (npm or the parent) exited`));
  process.on('SIGINT', () => onStop('SIGINT'));
  process.on('SIGTERM', () => onStop('SIGTERM'));
  process.on('SIGHUP', () => onStop('SIGHUP'));

  const log = (line: string) => console.log(`[${new Date().toISOString()}] ${line}`);
  const consolePrepared = prepareConsole(log);
  let consoleSite: LocalConsole | undefined;
  const stack = await startLocalStack({
    port: settings.port,
    mailPort: settings.mailPort,
    dataDir: settings.dataDir,
    reconcileEveryMs: settings.reconcileEveryMs,
    otherRequests: (req, res) => consoleSite?.handle(req, res) ?? false,
    log,
  });
  consoleSite = await startConsole({
    apiUrl: stack.apiUrl,
    dataDir: settings.dataDir,
    log,
    prepared: consolePrepared,
    onSignIn: stack.userPool.put,
  }).catch(async (error) => {
    await stack.stop();
    throw error;
  });
  let stopping = false;
  const shutdown = (reason: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${reason}: stopping...`);
    Promise.all([consoleSite?.close(), stack.stop()]).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  onStop = shutdown;
  if (stopAsked) {
    shutdown(stopAsked);
    return;
  }
  stack.addEndpoint({ name: 'OpenID provider', url: consoleSite.oidcUrl });
  console.log(
    [
      '',
      'Approval service is running.',
      `  API:      ${stack.apiUrl}   (GET ${stack.apiUrl}/health)`,
      `  Console:  ${consoleSite.url}   (sign in on the local OpenID provider's form)`,
      `  Mailbox:  ${stack.mailUrl}   (sent emails; JSON at ${stack.mailUrl}/store)`,
      `  Data:     ${settings.dataDir}`,
      `  Users:    user pool ${stack.userPool.id} (written by the token command and the sign-in)`,
      '  Token:    npm run --silent token -- --sub alice --email alice@example.com --groups approvers,admins',
      '  Stop:     Ctrl+C',
      '',
      'Endpoints (for the AWS CLI or an SDK: . ' + join(settings.dataDir, ENDPOINTS_FILE) + '):',
      ...endpointLines(stack.endpoints),
      '',
    ].join('\n'),
  );
}

main().catch((error) => {
  const { code, port } = error as { code?: string; port?: number };
  const hint = code === 'EADDRINUSE' ? ` (port ${port} is taken: set PORT or MAIL_PORT to a free port)` : '';
  console.error(`npm start failed: ${(error as Error).message}${hint}`);
  process.exit(1);
});
