/**
 * SES delivery problems (configuration-set event destination → SNS → SQS queue → here): bounces,
 * complaints, rejects, rendering failures and delivery delays; what is done with each is in failures.ts.
 * The answer is an SQS partial batch response, so only the messages that failed are redelivered.
 */
import middy from '@middy/core';
import type { SNSEvent, SQSEvent } from 'aws-lambda';
import { documentClient } from '../adapters/clients';
import { Repository } from '../adapters/dynamodb/repository';
import { logger, observe } from '../commons/observability';
import { needsOf, readSettings, setting } from '../commons/settings';
import { handleSesEvents, type SesEventsDeps } from './failures';

// Built when the module loads: a missing setting fails the cold start.
const settings = readSettings(needsOf('sesEvents'));
const deps: SesEventsDeps = {
  repository: new Repository(documentClient(), setting(settings, 'TABLE_NAME')),
  now: () => new Date().toISOString(),
  log: ({ level, message, ...rest }) =>
    level === 'error'
      ? logger.error(String(message), rest)
      : level === 'warn'
        ? logger.warn(String(message), rest)
        : logger.info(String(message), rest),
};

export const handler = observe(middy((event: SQSEvent | SNSEvent) => handleSesEvents(event, deps)));
