/**
 * The workflow steps' dependencies (usecases/deps.ts `StepDeps`) on the in-memory fakes, as the
 * use-case tests of the workflow share them: a store, a recording workflow, mailer, meter and
 * callback sender, a fake clock, the real email rendering, and links that name their approver.
 */
import { approverEmail, closingEmail, outcomeEmail } from '../../../functions/notifications/emails';
import type { StepDeps } from '../../../functions/usecases/deps';
import { alice, bob, carol } from './fixtures';
import { MemoryDirectory } from './memory-directory';
import { memoryReceipts } from './receipts';
import { FakeClock, type MemoryStore, RecordingCallbacks, RecordingMailer, RecordingMeter, RecordingWorkflow } from './memory-store';

export function memoryStepDeps(store: MemoryStore, options: { now: string; directory?: MemoryDirectory }) {
  const workflow = new RecordingWorkflow();
  const mailer = new RecordingMailer();
  const clock = new FakeClock(options.now);
  const meter = new RecordingMeter();
  const callbacks = new RecordingCallbacks();
  // A receipt stored is copied onto its request, as the receipt's transaction does on the request item.
  const receipts = memoryReceipts((requestId, receipt) => {
    const stored = store.requests.get(requestId);
    if (stored) store.requests.set(requestId, { ...stored, receipt });
  });
  const deps: StepDeps = {
    repository: store,
    workflow,
    directory: options.directory ?? MemoryDirectory.fromIdentities(alice, bob, carol),
    now: clock.now,
    meter,
    send: mailer.send,
    links: async (_request, approver, forApprover) => {
      const delegated = forApprover ? `?for=${forApprover}` : '';
      return { approve: `https://x/approve/${approver}${delegated}`, reject: `https://x/reject/${approver}${delegated}` };
    },
    approverEmail,
    outcomeEmail,
    closingEmail,
    callbackKey: async (client: string) => ({ keyId: 'k1', secret: `key-of-${client}` }),
    callbacks,
    receipts,
  };
  return { deps, workflow, mailer, clock, meter, callbacks, receipts };
}
