import { callbacksOf, emailsOf } from '../../../functions/domain/evidence';
import type { HistoryEntry } from '../../../functions/domain/model';

const workflow = { id: 'workflow' };
const entry = (type: HistoryEntry['type'], details: Record<string, unknown>, at = '2026-11-03T09:00:00.000Z'): HistoryEntry => ({
  at,
  type,
  actor: workflow,
  details,
});

test('each recipient of each email entry is one email, with its subject, purpose and outcome', () => {
  const emails = emailsOf([
    entry('created', {}),
    entry('notified', { recipients: ['a@example.com', 'b@example.com'], subject: 'Approval needed: x' }),
    entry('reminded', { recipients: ['b@example.com'], subjects: { 'b@example.com': 'Reminder: x' }, requestedBy: 'requester' }),
    entry('hold-ended', { recipients: ['a@example.com'] }),
    entry('notification-failed', { recipient: 'a@example.com', purpose: 'reminder', error: 'MessageRejected' }),
    entry('notification-delayed', { reason: 'delivery-delay', recipients: ['b@example.com'] }),
    entry('notified', { recipients: ['r@example.com'], purpose: 'outcome', state: 'approved', subject: 'Approved: x' }),
  ]);
  expect(emails).toEqual([
    { at: expect.any(String), to: 'a@example.com', subject: 'Approval needed: x', purpose: 'approval', outcome: 'sent' },
    { at: expect.any(String), to: 'b@example.com', subject: 'Approval needed: x', purpose: 'approval', outcome: 'sent' },
    { at: expect.any(String), to: 'b@example.com', subject: 'Reminder: x', purpose: 'reminder', outcome: 'sent', requestedBy: 'requester' },
    { at: expect.any(String), to: 'a@example.com', subject: null, purpose: 'hold-ended', outcome: 'sent' },
    { at: expect.any(String), to: 'a@example.com', subject: null, purpose: 'reminder', outcome: 'failed', problem: 'MessageRejected' },
    {
      at: expect.any(String),
      to: 'b@example.com',
      subject: null,
      purpose: 'notification-delayed',
      outcome: 'delayed',
      problem: 'delivery-delay',
    },
    { at: expect.any(String), to: 'r@example.com', subject: 'Approved: x', purpose: 'outcome', outcome: 'sent' },
  ]);
});

test('callback attempts: failed ones with their status or error, the delivery, and the workflow giving up', () => {
  expect(
    callbacksOf([
      entry('callback-attempt-failed', { type: 'request.approved', status: 503 }),
      entry('callback-attempt-failed', { type: 'request.approved', error: 'TimeoutError' }),
      entry('callback-delivered', { type: 'request.approved', status: 204 }),
      entry('callback-failed', { url: 'https://x' }),
      entry('notified', { recipients: ['a@example.com'] }),
    ]),
  ).toEqual([
    { at: expect.any(String), outcome: 'failed', type: 'request.approved', status: 503 },
    { at: expect.any(String), outcome: 'failed', type: 'request.approved', error: 'TimeoutError' },
    { at: expect.any(String), outcome: 'delivered', type: 'request.approved', status: 204 },
    { at: expect.any(String), outcome: 'abandoned' },
  ]);
});
