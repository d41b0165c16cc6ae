import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { EmailFailed, type Mailer } from '../usecases/senders';
import { isTransientAwsError } from './aws-errors';
import { sesClient } from './clients';

/**
 * Sends through SES v2. The SDK retries throttling with adaptive backoff; what still fails is
 * classified here as an EmailFailed: transient (throttling, an outage, the network) or permanent
 * (a refused address, anything about the email itself).
 */
export function sesMailer(from: string, configurationSet?: string): Mailer {
  const ses = sesClient();
  return async (email) => {
    try {
      const result = await ses.send(
        new SendEmailCommand({
          FromEmailAddress: from,
          Destination: { ToAddresses: [email.to] },
          Content: {
            Simple: {
              Subject: { Data: email.subject, Charset: 'UTF-8' },
              Body: { Text: { Data: email.text, Charset: 'UTF-8' }, Html: { Data: email.html, Charset: 'UTF-8' } },
            },
          },
          EmailTags: Object.entries(email.tags).map(([Name, Value]) => ({ Name, Value: Value.replace(/[^A-Za-z0-9_.-]/g, '_') })),
          ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}),
        }),
      );
      return result.MessageId;
    } catch (error) {
      throw asEmailFailure(error);
    }
  };
}

/** An SES (or network) error as the mailer port's failure, keeping the error's name. */
export function asEmailFailure(error: unknown): EmailFailed {
  if (error instanceof EmailFailed) return error;
  const name = (error as Error)?.name ?? 'Error';
  return new EmailFailed(name, isTransientAwsError(error), (error as Error)?.message ?? name);
}
