import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { Mailer } from '../usecases/ports';
import { sesClient } from './clients';

/** Sends through SES v2. The SDK retries throttling with adaptive backoff. */
export function sesMailer(from: string, configurationSet?: string): Mailer {
  const ses = sesClient();
  return async (email) => {
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
  };
}
