/**
 * The local stack for the handler measurement (bench/scale/handlers.ts), in a process of its own so
 * the measured process runs nothing but the handlers: the same stack as `npm start` with the table
 * in memory, a requester and an approver in the directory and a one-approver profile. Prints one
 * line `READY <json>` with the settings the stack gave its functions, and stops when its standard
 * input closes.
 */
import '../../local/esm-interop';
import { documentClient } from '../../functions/adapters/clients';
import { Repository } from '../../functions/adapters/dynamodb/repository';
import { profileBodySchema } from '../../functions/domain/profile';
import { startLocalStack } from '../../local/stack';
import { stopWithParent } from '../stop-with-parent';

export const MEASURED_PROFILE = 'scale';

async function main() {
  const dataDir = process.env.DATA_DIR;
  if (!dataDir) throw new Error('DATA_DIR is required');
  const before = { ...process.env };
  const stack = await startLocalStack({ port: 0, mailPort: 0, dataDir, dynamoInMemory: true, log: () => {} });
  stack.userPool.put({ sub: 'alice', email: 'alice@example.com', groups: [] });
  stack.userPool.put({ sub: 'bob', email: 'bob@example.com', groups: ['approvers'] });
  await new Repository(documentClient(), stack.tableName).putProfile(
    MEASURED_PROFILE,
    profileBodySchema.parse({
      name: 'Scale',
      requireApprovalFor: ['card.request'],
      approvers: ['bob@example.com'],
      requiredApprovals: 1,
      remindAfter: 'P1D',
      expireAfter: 'P7D',
    }),
    new Date().toISOString(),
  );
  const env = Object.fromEntries(Object.entries(process.env).filter(([name, value]) => before[name] !== value));
  process.stdout.write(`READY ${JSON.stringify(env)}\n`);
  stopWithParent(stack);
}

main().catch((error) => {
  console.error(`scale stack failed: ${(error as Error).message}`);
  process.exit(1);
});
