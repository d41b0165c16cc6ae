import type { SNSEvent, SQSEvent } from 'aws-lambda';
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

const sqsEvent = (...bodies: string[]): SQSEvent => ({
  Records: bodies.map((body, index) => ({ messageId: `sqs-${index}`, body }) as SQSEvent['Records'][number]),
});

/** The history entry recorded for this SES event, at 12:00 (SES's own timestamp wins when it has one). */
function entryOf(event: unknown): HistoryEntry {
  const parsed = parseSesNotification(JSON.stringify(event));
  if (!parsed.ok) throw new Error(parsed.reason);
  return historyEntryOf(parsed.failure, '2026-11-20T12:00:00.000Z');
}

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
      failure: expect.objectContaining({
        kind: 'complaint',
        recipients: ['requester@example.com'],
        complaintFeedbackType: 'abuse',
        purpose: 'outcome',
      }),
    });
  });

  test('an identity notification (notificationType) is read like an event', () => {
    const { eventType: _eventType, ...rest } = bounce();
    expect(parseSesNotification(JSON.stringify({ ...rest, notificationType: 'Bounce' }))).toMatchObject({
      ok: true,
      failure: { kind: 'bounce' },
    });
  });

  test.each([
    ['not JSON', '{oops', 'message is not JSON'],
    ['a JSON array', '[]', 'message is not a JSON object'],
    [
      'a delivery',
      JSON.stringify(bounce({ eventType: 'Delivery' })),
      'event type Delivery is not a bounce, complaint, reject, rendering failure or delivery delay',
    ],
    [
      'no event type',
      JSON.stringify({ mail: {} }),
      'event type (none) is not a bounce, complaint, reject, rendering failure or delivery delay',
    ],
    ['no mail object', JSON.stringify({ eventType: 'Bounce' }), 'message has no mail object'],
    ['no tags', JSON.stringify(bounce({ mail: { messageId: 'm' } })), 'email has no requestId tag'],
    ['tags of the wrong shape', JSON.stringify(bounce({ mail: { tags: 'requestId' } })), 'email has no requestId tag'],
    ['an empty requestId', JSON.stringify(bounce({ mail: { tags: { requestId: [''] } } })), 'email has no requestId tag'],
    [
      'a requestId that is no request id',
      JSON.stringify(bounce({ mail: { tags: { requestId: ['REQ#1'] } } })),
      'requestId tag is not a request id',
    ],
  ])('%s is refused with a reason, not an exception', (_name, message, reason) => {
    expect(parseSesNotification(message)).toEqual({ ok: false, reason });
  });

  test('a bounce without a bounce object still yields the request, with no recipients', () => {
    expect(parseSesNotification(JSON.stringify(bounce({ bounce: undefined })))).toMatchObject({
      ok: true,
      failure: { kind: 'bounce', recipients: [] },
    });
  });
});

describe('the history entry of a failed notification', () => {
  test('is notification-failed by ses, at the time SES reported, with the details', () => {
    expect(entryOf(bounce())).toEqual({
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
    await expect(handleSesEvents(snsEvent('not json', JSON.stringify(unknown), JSON.stringify(complaint)), deps)).resolves.toEqual({
      batchItemFailures: [],
    });
    expect(appended.map(({ entry }) => entry.details?.reason)).toEqual(['complaint']);
    expect(logs.filter((entry) => entry.level === 'warn').map((entry) => entry.reason)).toEqual(['message is not JSON', 'unknown request']);
  });

  test('a record without an SNS message is skipped', async () => {
    const { deps, appended } = fakeDeps();
    await handleSesEvents({ Records: [{} as SNSEvent['Records'][number]] }, deps);
    expect(appended).toEqual([]);
  });
});

const mailOf = (messageId: string) => ({
  timestamp: '2026-11-20T10:00:00.000Z',
  messageId,
  destination: ['approver@example.com'],
  tags: { requestId: [REQUEST_ID], purpose: ['approval'] },
});

describe('rejects, rendering failures and delivery delays', () => {
  test('a reject is a failed notification with the reason SES gave', () => {
    expect(entryOf({ eventType: 'Reject', mail: mailOf('m-3'), reject: { reason: 'Bad content' } })).toEqual({
      at: '2026-11-20T10:00:00.000Z',
      type: 'notification-failed',
      actor: { id: 'ses' },
      details: {
        reason: 'reject',
        purpose: 'approval',
        messageId: 'm-3',
        recipients: ['approver@example.com'],
        rejectReason: 'Bad content',
      },
    });
  });

  test('a rendering failure is a failed notification with the error message', () => {
    const entry = entryOf({
      eventType: 'Rendering Failure',
      mail: mailOf('m-4'),
      failure: { errorMessage: 'Attribute name is missing', templateName: 't' },
    });
    expect(entry).toMatchObject({
      type: 'notification-failed',
      details: { reason: 'rendering-failure', errorMessage: 'Attribute name is missing', templateName: 't' },
    });
  });

  test('a delivery delay is a delayed notification, not a failed one', () => {
    const entry = entryOf({
      eventType: 'DeliveryDelay',
      mail: mailOf('m-5'),
      deliveryDelay: {
        timestamp: '2026-11-20T10:30:00.000Z',
        delayType: 'MailboxFull',
        expirationTime: '2026-11-21T10:00:00.000Z',
        delayedRecipients: [{ emailAddress: 'approver@example.com', status: '4.2.2' }],
      },
    });
    expect(entry).toEqual({
      at: '2026-11-20T10:30:00.000Z',
      type: 'notification-delayed',
      actor: { id: 'ses' },
      details: {
        reason: 'delivery-delay',
        purpose: 'approval',
        messageId: 'm-5',
        recipients: ['approver@example.com'],
        delayType: 'MailboxFull',
        expirationTime: '2026-11-21T10:00:00.000Z',
      },
    });
  });
});

describe('handling an SQS batch (SNS raw message delivery into the queue)', () => {
  test('each message body is an SES event; a known request gets its history entry', async () => {
    const { deps, appended } = fakeDeps();
    await expect(handleSesEvents(sqsEvent(JSON.stringify(bounce()), JSON.stringify(complaint)), deps)).resolves.toEqual({
      batchItemFailures: [],
    });
    expect(appended.map(({ entry }) => entry.details?.reason)).toEqual(['bounce', 'complaint']);
  });

  test('a message whose write fails is reported alone, so only it is redelivered (and dead-lettered in the end)', async () => {
    const { deps, appended } = fakeDeps();
    let calls = 0;
    const failing: SesEventsDeps = {
      ...deps,
      repository: {
        ...deps.repository,
        appendHistory: async (id, entry) => {
          calls++;
          if (calls === 1) throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
          await deps.repository.appendHistory(id, entry);
        },
      },
    };
    const result = await handleSesEvents(sqsEvent(JSON.stringify(bounce()), 'not json', JSON.stringify(complaint)), failing);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'sqs-0' }] });
    expect(appended.map(({ entry }) => entry.details?.reason)).toEqual(['complaint']);
  });

  test('an SNS record whose write fails fails the call, so Lambda retries it', async () => {
    const { deps } = fakeDeps();
    const failing: SesEventsDeps = {
      ...deps,
      repository: { ...deps.repository, appendHistory: async () => Promise.reject(new Error('down')) },
    };
    await expect(handleSesEvents(snsEvent(JSON.stringify(bounce())), failing)).rejects.toThrow('down');
  });
});
