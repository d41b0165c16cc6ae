/** The local SES through the AWS SDK, as the AWS CLI's sesv2 commands call it: AWS's answers and refusals. */
import {
  GetAccountCommand,
  ListEmailIdentitiesCommand,
  SendEmailCommand,
  type SendEmailCommandInput,
  SESv2Client,
} from '@aws-sdk/client-sesv2';
import { startMailbox } from '../../../local/mailbox';

let mailbox: Awaited<ReturnType<typeof startMailbox>>;
let ses: SESv2Client;

beforeAll(async () => {
  mailbox = await startMailbox({ port: 0, identities: ['approvals@example.com'] });
  ses = new SESv2Client({
    endpoint: mailbox.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  ses.destroy();
  await mailbox.close();
});

const stored = async () =>
  ((await (await fetch(`${mailbox.url}/store`)).json()) as { emails: Array<{ subject: string }> }).emails.map((e) => e.subject);
const email = (subject: string, overrides: Partial<SendEmailCommandInput> = {}): SendEmailCommandInput => ({
  FromEmailAddress: 'Approvals <approvals@example.com>',
  Destination: { ToAddresses: ['carol@example.com'] },
  Content: { Simple: { Subject: { Data: subject }, Body: { Text: { Data: 'hello' } } } },
  ...overrides,
});
const refusal = (input: SendEmailCommandInput) =>
  ses.send(new SendEmailCommand(input)).then(
    () => undefined,
    (error: Error & { $metadata: { httpStatusCode?: number } }) => ({
      name: error.name,
      status: error.$metadata.httpStatusCode,
      message: error.message,
    }),
  );

test('SendEmail with no recipient, or a From or recipient that is not an address, is refused with BadRequestException and not stored', async () => {
  const cases: Array<[string, Partial<SendEmailCommandInput>, RegExp]> = [
    ['no destination', { Destination: undefined }, /recipients/],
    ['empty lists', { Destination: { ToAddresses: [], CcAddresses: [], BccAddresses: [] } }, /recipients/],
    ['from not an address', { FromEmailAddress: 'not an address' }, /FromEmailAddress/],
    ['to not an address', { Destination: { ToAddresses: ['carol'] } }, /ToAddresses/],
    ['bcc with a space', { Destination: { BccAddresses: ['a b@example.com'] } }, /BccAddresses/],
    ['reply-to not an address', { ReplyToAddresses: ['@example.com'] }, /ReplyToAddresses/],
  ];
  for (const [subject, overrides, message] of cases) {
    expect([subject, await refusal(email(subject, overrides))]).toEqual([
      subject,
      { name: 'BadRequestException', status: 400, message: expect.stringMatching(message) },
    ]);
  }
  expect(await stored()).toEqual([]);

  const sent = await ses.send(new SendEmailCommand(email('good', { Destination: { BccAddresses: ['dave@example.com'] } })));
  expect(sent.MessageId).toEqual(expect.any(String));
  expect(await stored()).toEqual(['good']);
});

test('GetAccount answers JSON as SES v2 does: sending enabled, production access, a send quota', async () => {
  const account = await ses.send(new GetAccountCommand({}));
  expect(account).toMatchObject({
    SendingEnabled: true,
    ProductionAccessEnabled: true,
    EnforcementStatus: 'HEALTHY',
    SendQuota: { Max24HourSend: expect.any(Number), MaxSendRate: expect.any(Number), SentLast24Hours: expect.any(Number) },
  });
});

test("ListEmailIdentities lists the stack's sender as a verified email identity", async () => {
  const listed = await ses.send(new ListEmailIdentitiesCommand({}));
  expect(listed.EmailIdentities).toEqual([
    { IdentityType: 'EMAIL_ADDRESS', IdentityName: 'approvals@example.com', SendingEnabled: true, VerificationStatus: 'SUCCESS' },
  ]);
});

test('another SES v2 path answers a JSON error, not XML; the web mailbox still answers', async () => {
  const response = await fetch(`${mailbox.url}/v2/email/contact-lists`, {
    headers: { authorization: 'AWS4-HMAC-SHA256 Credential=local' },
  });
  expect([response.status, response.headers.get('content-type'), response.headers.get('x-amzn-errortype')]).toEqual([
    404,
    'application/json',
    'NotFoundException',
  ]);
  expect(await response.json()).toEqual({ message: expect.stringContaining('/v2/email/contact-lists') });
  expect((await fetch(`${mailbox.url}/store`)).status).toBe(200);
  expect((await fetch(`${mailbox.url}/v2/email/account`)).status).toBe(403);
});
