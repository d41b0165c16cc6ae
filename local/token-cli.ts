/**
 * Prints a bearer token that the local stack started with the same DATA_DIR accepts, and creates
 * or updates that user in the local user directory (DATA_DIR's user pool, read by a running stack
 * at its next lookup, or by the next one started):
 *   npm run --silent token -- --sub alice --email alice@example.com --groups approvers,admins
 *   npm run --silent token -- --sub holly --email holly@example.com --name "Holly Holder"
 *   npm run --silent token -- --sub billing-system --scope approvals/requests.create-on-behalf
 * The user gets that email (and `--name`, the directory's `name` attribute, when given), verified unless `--unverified`, exactly the groups given (none without
 * `--groups`), and is enabled, or disabled with `--disabled`. A client-credentials token (`--scope`)
 * writes no user. Only the token goes to stdout.
 * Warns on stderr when no stack runs with this DATA_DIR (see endpoints.ts): its tokens would be refused.
 */
import { parseArgs } from 'node:util';
import { stackRunning } from './endpoints';
import { localIssuer } from './identity';
import { localSettings } from './settings';
import { putLocalUser, userPoolFile } from './user-pool';
import { filePoolStore } from './user-pool-store';

async function main() {
  const { values } = parseArgs({
    options: {
      sub: { type: 'string' },
      email: { type: 'string' },
      name: { type: 'string' },
      groups: { type: 'string', default: '' },
      scope: { type: 'string', default: '' },
      ttl: { type: 'string', default: '43200' },
      unverified: { type: 'boolean', default: false },
      disabled: { type: 'boolean', default: false },
    },
  });
  const scopes = (values.scope ?? '').split(/[\s,]+/).filter(Boolean);
  if (!values.sub || (!values.email && scopes.length === 0)) {
    console.error(
      'usage: npm run --silent token -- --sub <id> --email <address> [--name "Full Name"] [--groups a,b] [--ttl seconds] [--unverified] [--disabled]',
    );
    console.error('       npm run --silent token -- --sub <client id> --scope approvals/requests.create-on-behalf');
    process.exit(2);
  }
  const ttl = Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl <= 0) {
    console.error('--ttl must be a positive number of seconds');
    process.exit(2);
  }
  const groups = (values.groups ?? '')
    .split(',')
    .map((group) => group.trim())
    .filter(Boolean);
  const { dataDir } = localSettings();
  const emailVerified = !values.unverified;
  if (scopes.length === 0) {
    putLocalUser(filePoolStore(userPoolFile(dataDir)), {
      sub: values.sub,
      email: values.email,
      ...(values.name !== undefined ? { name: values.name } : {}),
      emailVerified,
      groups,
      enabled: !values.disabled,
    });
  }
  const issuer = await localIssuer(dataDir);
  const stack = stackRunning(dataDir);
  if (!stack.running)
    console.error(
      `token: warning: no local stack is running with DATA_DIR=${dataDir} (${stack.reason}); a stack started with another DATA_DIR refuses this token (401)`,
    );
  process.stdout.write(`${await issuer.sign({ sub: values.sub, email: values.email, groups, scopes, emailVerified }, ttl)}
`);
}

main().catch((error) => {
  console.error(`token: ${(error as Error).message}`);
  process.exit(1);
});
