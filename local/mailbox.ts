/**
 * The local SES (aws-ses-v2-local) with its web mailbox. Sent emails are kept
 * under DATA_DIR, so the mailbox survives a restart of `npm start`.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';

interface SesStore {
  emails: unknown[];
}

export async function startMailbox(options: { port: number; dataDir?: string }): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const ses = require('aws-ses-v2-local') as { default: (config: { port: number; host: string }) => Promise<Server> };
  const { getStoreReadonly } = require('aws-ses-v2-local/dist/store') as { getStoreReadonly: () => SesStore };
  const store = getStoreReadonly();
  let save = () => {};
  if (options.dataDir) {
    const dir = join(options.dataDir, 'mailbox');
    const file = join(dir, 'emails.json');
    mkdirSync(dir, { recursive: true });
    try {
      store.emails = JSON.parse(readFileSync(file, 'utf8')) as unknown[];
    } catch {
      store.emails = [];
    }
    save = () => {
      writeFileSync(`${file}.tmp`, JSON.stringify(store.emails));
      renameSync(`${file}.tmp`, file);
    };
    // Persist each email as it is stored (the store pushes onto this array).
    const emails = store.emails;
    const push = emails.push.bind(emails);
    emails.push = (...items: unknown[]) => {
      const length = push(...items);
      save();
      return length;
    };
  } else {
    store.emails = [];
  }
  const server = await ses.default({ port: options.port, host: '127.0.0.1' });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        save();
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}
