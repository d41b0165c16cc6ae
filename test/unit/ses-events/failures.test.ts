import type { SNSEvent } from 'aws-lambda';
import type { HistoryEntry } from '../../../functions/domain/model';
import { handleSesEvents, historyEntryOf, parseSesNotification, type SesEventsDeps } from '../../../functions/ses-events/failures';

const REQUEST_ID = '6f1c9a52-3c1e-4b8e-9a57-0b7d2f0e4c11';

const bounce = (overrides: Record<string, unknown> = {}) => ({
  eventType: 'Bounce',
  bounce: {
    bounceType: 'Permanent',
    bounceSubType: 'General',
    bouncedRecipients: [{ emailAddress: 'approver@example.com', action: 'failed', status: '5.1.1' }],
    timestamp: '2026-11-20T10:00:01.000Z',
    feedbackId: 'feedback-1',
  },
  mail: {
    timestamp: '2026-11-20T10:00:00.000Z',
    messageId: 'message-1',
    source: 'approvals@example.com',
    destination: ['approver@example.com'],
    tags: { requestId: [REQUEST_ID], purpose: ['approval-request'], 'ses:configuration-set': ['approvals-dev'] },
  },
  ...overrides,
});

const complaint = {
  eventType: 'Complaint',
  complaint: {
    complainedRecipients: [{ emailAddress: 'requester@example.com' }],
    complaintFeedbackType: 'abuse',
    timestamp: '2026-11-20T11:00:00.000Z',
  },
  mail: { messageId: 'message-2', tags: { requestId: [REQUEST_ID], purpose: ['outcome'] } },
};

const snsEvent = (...messages: string[]): SNSEvent => ({
  Records: messages.map((Message, index) => ({
    EventSource: 'aws:sns',
    EventVersion: '1.0',
    EventSubscriptionArn: 'arn:aws:sns:eu-west-1:123456789012:events:sub',
    Sns: { Message, MessageId: `sns-${index}` } as SNSEvent['Records'][number]['Sns'],
  })),
});

function fakeDeps(known: string[] = [REQUEST_ID]) {
  const appended: Array<{ id: string; entry: HistoryEntry }> = [];
  const logs: Array<Record<string, unknown>> = [];
  const deps: SesEventsDeps = {
    repository: {
      getRequest: async (id: string) => (known.includes(id) ? ({ request: { id }, workflow: {} } as never) : undefined),
      appendHistory: async (id: string, entry: HistoryEntry) => {
        appended.push({ id, entry });
      },
    },
    now: () => '2026-11-20T12:00:00.000Z',
    log: (entry) => logs.push(entry),
  };
  return { deps, appended, logs };
}

describe('parsing an SES event notification', () => {
  test('a bounce yields the request, its recipients, the bounce type and the purpose', () => {
    expect(parseSesNotification(JSON.stringify(bounce()))).toEqual({
      ok: true,
      failure: {
        kind: 'bounce',
        requestId: REQUEST_ID,
        purpose: 'approval-request',
        messageId: 'message-1',
        at: '2026-11-20T10:00:01.000Z',
        recipients: ['approver@example.com'],
        bounceType: 'Permanent',
        bounceSubType: 'General',
      },
    });
  });

  test('a complaint yields the complaining recipients and the feedback type', () => {
    const result = parseSesNotification(JSON.stringify(complaint));
    expect(result).toEqual({
      ok: true,
      failure: expect.objectContaining({ kind: 'complaint', recipients: ['requester@example.com'], complaintFeedbackType: 'abuse', purpose: 'outcome' }),
    });
  });

  test('an identity notification (notificationType) is read like an event', () => {
    const { eventType: _eventType, ...rest } = bounce();
    expect(parseSesNotification(JSON.stringify({ ...rest, notificationType: 'Bounce' }))).toMatchObject({ ok: true, failure: { kind: 'bounce' } });
  });

  test.each([
    ['not JSON', '{oops', 'message is not JSON'],
    ['a JSON array', '[]', 'message is not a JSON object'],
    ['a delivery', JSON.stringify(bounce({ eventType: 'Delivery' })), 'event type Delivery is not a bounce or complaint'],
    ['no event type', JSON.stringify({ mail: {} }), 'event type (none) is not a bounce or complaint'],
    ['no mail object', JSON.stringify({ eventType: 'Bounce' }), 'message has no mail object'],
    ['no tags', JSON.stringify(bounce({ mail: { messageId: 'm' } })), 'email has no requestId tag'],
    ['tags of the wrong shape', JSON.stringify(bounce({ mail: { tags: 'requestId' } })), 'email has no requestId tag'],
    ['an empty requestId', JSON.stringify(bounce({ mail: { tags: { requestId: [''] } } })), 'email has no requestId tag'],
    ['a requestId that is no request id', JSON.stringify(bounce({ mail: { tags: { requestId: ['REQ#1'] } } })), 'requestId tag is not a request id'],
  ])('%s is refused with a reason, not an exception', (_name, message, reason) => {
    expect(parseSesNotification(message)).toEqual({ ok: false, reason });
  });

  test('a bounce without a bounce object still yields the request, with no recipients', () => {
    expect(parseSesNotification(JSON.stringify(bounce({ bounce: undefined })))).toMatchObject({ ok: true, failure: { kind: 'bounce', recipients: [] } });
  });
});

describe('the history entry of a failed notification', () => {
  test('is notification-failed by ses, at the time SES reported, with the details', () => {
    const parsed = parseSesNotification(JSON.stringify(bounce()));
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(historyEntryOf(parsed.failure, '2026-11-20T12:00:00.000Z')).toEqual({
      at: '2026-11-20T10:00:01.000Z',
      type: 'notification-failed',
      actor: { id: 'ses' },
      details: {
        reason: 'bounce',
        purpose: 'approval-request',
        messageId: 'message-1',
        recipients: ['approver@example.com'],
        bounceType: 'Permanent',
        bounceSubType: 'General',
      },
    });
  });

  test('takes the current time when SES gave no usable timestamp', () => {
    const entry = historyEntryOf({ kind: 'complaint', requestId: REQUEST_ID, recipients: [], at: 'yesterday' }, '2026-11-20T12:00:00.000Z');
    expect(entry.at).toBe('2026-11-20T12:00:00.000Z');
    expect(entry.details).toEqual({ reason: 'complaint', recipients: [] });
  });
});

describe('handling an SNS batch', () => {
  test('a bounce for a known request appends one history entry to that request', async () => {
    const { deps, appended } = fakeDeps();
    await handleSesEvents(snsEvent(JSON.stringify(bounce())), deps);
    expect(appended).toHaveLength(1);
    expect(appended[0]?.id).toBe(REQUEST_ID);
    expect(appended[0]?.entry).toMatchObject({ type: 'notification-failed', actor: { id: 'ses' }, details: { reason: 'bounce' } });
  });

  test('malformed messages and unknown requests are logged and skipped; the rest of the batch is recorded', async () => {
    const { deps, appended, logs } = fakeDeps();
    const unknown = bounce({ mail: { tags: { requestId: ['00000000-0000-4000-8000-000000000000'] } } });
    await expect(handleSesEvents(snsEvent('not json', JSON.stringify(unknown), JSON.stringify(complaint)), deps)).resolves.toBeUndefined();
    expect(appended.map(({ entry }) => entry.details?.reason)).toEqual(['complaint']);
    expect(logs.filter((entry) => entry.level === 'warn').map((entry) => entry.reason)).toEqual(['message is not JSON', 'unknown request']);
  });

  test('a record without an SNS message is skipped', async () => {
    const { deps, appended } = fakeDeps();
    await handleSesEvents({ Records: [{} as SNSEvent['Records'][number]] }, deps);
    expect(appended).toEqual([]);
  });
});
