import { SESv2Client } from '@aws-sdk/client-sesv2';
import fc from 'fast-check';
import { TRANSIENT_ERRORS } from '../../../functions/adapters/aws-errors';
import { asEmailFailure, sesMailer } from '../../../functions/adapters/ses-mailer';
import { EmailFailed } from '../../../functions/usecases/senders';

const email = { to: 'bob@example.com', subject: 's', text: 't', html: '<p>t</p>', tags: { requestId: 'r', purpose: 'approval' } };
const failing = (error: unknown) => jest.spyOn(SESv2Client.prototype, 'send').mockImplementation(() => Promise.reject(error));
const sdkError = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(`${name} happened`), { name, ...extra });

afterEach(() => jest.restoreAllMocks());

describe('the SES mailer classifies what SES did not take', () => {
  test.each([
    ['throttling', sdkError('ThrottlingException')],
    ['a sending quota', sdkError('TooManyRequestsException')],
    ['an outage', sdkError('ServiceUnavailable')],
    ['an error the SDK calls retryable', sdkError('SomethingNew', { $retryable: {} })],
    ['a 5xx', sdkError('InternalFailure', { $metadata: { httpStatusCode: 500 } })],
    ['the network', Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })],
  ])('%s is transient', async (_what, error) => {
    failing(error);
    const failure = await sesMailer('from@example.com')(email).catch((caught: unknown) => caught);
    expect(failure).toBeInstanceOf(EmailFailed);
    expect(failure).toMatchObject({ transient: true, name: (error as Error).name });
  });

  test.each([
    ['a refused address', sdkError('MessageRejected', { $metadata: { httpStatusCode: 400 } })],
    ['a bad request', sdkError('BadRequestException', { $metadata: { httpStatusCode: 400 } })],
    ['an unverified sender', sdkError('MailFromDomainNotVerifiedException')],
  ])('%s is permanent, named as SES named it', async (_what, error) => {
    failing(error);
    const failure = await sesMailer('from@example.com')(email).catch((caught: unknown) => caught);
    expect(failure).toBeInstanceOf(EmailFailed);
    expect(failure).toMatchObject({ transient: false, name: (error as Error).name });
  });

  test('a sent email resolves to its message id', async () => {
    const send = jest.spyOn(SESv2Client.prototype, 'send').mockImplementation(() => Promise.resolve({ MessageId: 'm-1' }));
    expect(await sesMailer('from@example.com', 'events')(email)).toBe('m-1');
    expect(send.mock.calls[0]?.[0]?.input).toMatchObject({
      FromEmailAddress: 'from@example.com',
      Destination: { ToAddresses: ['bob@example.com'] },
      ConfigurationSetName: 'events',
    });
  });
});

describe('the classification, over any SDK error', () => {
  const anyName = fc.oneof(
    fc.constantFrom(...TRANSIENT_ERRORS, 'MessageRejected', 'BadRequestException'),
    fc.stringMatching(/^[A-Z][A-Za-z]{0,30}$/),
  );
  const anyError = fc.record(
    { name: anyName, status: fc.option(fc.integer({ min: 200, max: 599 })), retryable: fc.boolean() },
    { requiredKeys: ['name', 'status', 'retryable'] },
  );

  test('transient exactly when SES or the SDK says the call may work later; the name is kept', () => {
    fc.assert(
      fc.property(anyError, ({ name, status, retryable }) => {
        const error = sdkError(name, {
          ...(status === null ? {} : { $metadata: { httpStatusCode: status } }),
          ...(retryable ? { $retryable: {} } : {}),
        });
        const failure = asEmailFailure(error);
        const expected = TRANSIENT_ERRORS.has(name) || retryable || (status ?? 0) >= 500;
        expect([failure.name, failure.transient]).toEqual([name, expected]);
      }),
    );
  });
});
