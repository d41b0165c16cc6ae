/**
 * Prints a bearer token that the local stack started with the same DATA_DIR accepts.
 *   npm run --silent token -- --sub alice --email alice@example.com --groups approvers,admins
 *   npm run --silent token -- --sub billing-system --scope approvals/requests.create-on-behalf
 * A user's token says `email_verified: true` unless given `--unverified`.
 * Warns on stderr when no stack runs with this DATA_DIR (see endpoints.ts): its tokens would be refused.
 */
import { parseArgs } from 'node:util';
import { stackRunning } from './endpoints';
import { localIssuer } from './identity';
import { localSettings } from './settings';

async function main() {
  const { values } = parseArgs({
    options: {
      sub: { type: 'string' },
      email: { type: 'string' },
      groups: { type: 'string', default: '' },
      scope: { type: 'string', default: '' },
      ttl: { type: 'string', default: '43200' },
      unverified: { type: 'boolean', default: false },
    },
  });
  const scopes = (values.scope ?? '').split(/[\s,]+/).filter(Boolean);
  if (!values.sub || (!values.email && scopes.length === 0)) {
    console.error('usage: npm run --silent token -- --sub <id> --email <address> [--groups a,b] [--ttl seconds] [--unverified]');
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
  const issuer = await localIssuer(dataDir);
  const stack = stackRunning(dataDir);
  if (!stack.running)
    console.error(
      `token: warning: no local stack is running with DATA_DIR=${dataDir} (${stack.reason}); a stack started with another DATA_DIR refuses this token (401)`,
    );
  process.stdout.write(
    `${await issuer.sign({ sub: values.sub, email: values.email, groups, scopes, emailVerified: !values.unverified }, ttl)}\n`,
  );
}

main().catch((error) => {
  console.error(`token: ${(error as Error).message}`);
  process.exit(1);
});
