import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { isThrottlingError, isTransientError } from '@smithy/core/retry';
import { startMailbox } from '../../../local/mailbox';

let mailbox: Awaited<ReturnType<typeof startMailbox>>;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const client = (maxAttempts: number) => new SESv2Client({ endpoint: mailbox.url, region: 'us-east-1', credentials, maxAttempts });
const email = (subject: string) =>
  new SendEmailCommand({
    FromEmailAddress: 'approvals@example.com',
    Destination: { ToAddresses: ['carol@example.com'] },
    Content: { Simple: { Subject: { Data: subject }, Body: { Text: { Data: 'hello' } } } },
  });
const faults = async (method: string, body?: unknown) => {
  const response = await fetch(`${mailbox.url}/faults`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as { failNext: number; error: string } };
};
const subjects = async () =>
  ((await (await fetch(`${mailbox.url}/store`)).json()) as { emails: Array<{ subject: string }> }).emails.map((e) => e.subject);

beforeAll(async () => {
  mailbox = await startMailbox({ port: 0 });
});
afterAll(async () => {
  await mailbox.close();
});
afterEach(async () => {
  await faults('DELETE');
});

describe('the local SES fault switch', () => {
  it('throttles the next N sends with the error the SDK treats as throttling, then sends again', async () => {
    expect(await faults('POST', { failNext: 2, error: 'throttle' })).toEqual({ status: 200, body: { failNext: 2, error: 'throttle' } });
    const once = client(1);
    try {
      const error = await once.send(email('first')).catch((caught: unknown) => caught as Error & { $metadata: { httpStatusCode: number } });
      expect(error).toMatchObject({ name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });
      // The classification the SDK's retry strategy applies.
      expect(isThrottlingError(error as never)).toBe(true);
      expect((await faults('GET')).body).toEqual({ failNext: 1, error: 'throttle' });
    } finally {
      once.destroy();
    }
    // The SDK's own retry gets through once the faults are used up.
    const retrying = client(3);
    try {
      const sent = await retrying.send(email('second'));
      expect(sent.MessageId).toEqual(expect.any(String));
      expect(sent.$metadata.attempts).toBe(2);
    } finally {
      retrying.destroy();
    }
    expect((await faults('GET')).body.failNext).toBe(0);
    expect(await subjects()).toEqual(['second']);
  });

  it('fails the next sends with a 500 InternalFailure, and DELETE clears what is left', async () => {
    await faults('POST', { failNext: 5, error: 'fail' });
    const once = client(1);
    try {
      const error = await once.send(email('lost')).catch((caught: unknown) => caught as Error);
      expect(error).toMatchObject({ name: 'InternalFailure', $metadata: { httpStatusCode: 500 } });
      expect(isTransientError(error as never)).toBe(true); // retried by the SDK as a server error
      expect(isThrottlingError(error as never)).toBe(false);
      expect(await faults('DELETE')).toEqual({ status: 200, body: { failNext: 0, error: 'fail' } });
      await once.send(email('after clear'));
    } finally {
      once.destroy();
    }
    expect(await subjects()).toEqual(expect.arrayContaining(['after clear']));
    expect(await subjects()).not.toContain('lost');
  });

  it('refuses a malformed switch with 400 and keeps the current one', async () => {
    await faults('POST', { failNext: 1, error: 'throttle' });
    expect((await faults('POST', { failNext: -1, error: 'throttle' })).status).toBe(400);
    expect((await faults('POST', { failNext: 1, error: 'explode' })).status).toBe(400);
    expect((await faults('POST', 'not an object')).status).toBe(400);
    expect((await faults('GET')).body).toEqual({ failNext: 1, error: 'throttle' });
  });
});
