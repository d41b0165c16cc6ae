/**
 * SES delivery problems (configuration-set event destination → SNS → SQS queue → here): bounces,
 * complaints, rejects, rendering failures and delivery delays; what is done with each is in failures.ts.
 * The answer is an SQS partial batch response, so only the messages that failed are redelivered.
 */
import middy from '@middy/core';
import type { SNSEvent, SQSEvent } from 'aws-lambda';
import { eventDeps } from '../commons/deps';
import { observe } from '../commons/observability';
import { handleSesEvents } from './failures';

// Built when the module loads: a missing setting fails the cold start.
const deps = eventDeps('sesEvents');

export const handler = observe(middy((event: SQSEvent | SNSEvent) => handleSesEvents(event, deps)));
