/**
 * The outbox's consumer: the table's stream (filtered to request items, see
 * adapters/dynamodb/stream.ts) through an event source mapping; starts workflows and ends waits
 * (usecases/outbox.ts), publishes events to EventBridge and keeps the /stats counters. The answer is a partial batch response (ReportBatchItemFailures): the
 * stream delivers again from the first record that failed.
 */
import middy from '@middy/core';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { documentClient } from '../adapters/clients';
import { DynamoStats } from '../adapters/dynamodb/stats';
import { requestChangeOf } from '../adapters/dynamodb/stream';
import { eventBridgeEvents } from '../adapters/eventbridge';
import { stepFunctionsWorkflow } from '../adapters/step-functions';
import { STREAM_CONSUMER_FUNCTION } from '../registry';
import { logger, observe } from '../commons/observability';
import { readSettings, setting } from '../commons/settings';
import { type OutboxDeps, relayBatch } from '../usecases/outbox';

// Built when the module loads: a missing setting fails the cold start.
const settings = readSettings(STREAM_CONSUMER_FUNCTION.needs);
const deps: OutboxDeps = {
  workflow: stepFunctionsWorkflow(setting(settings, 'STATE_MACHINE_ARN')),
  events: eventBridgeEvents(setting(settings, 'EVENT_BUS_NAME')),
  stats: new DynamoStats(documentClient(), setting(settings, 'TABLE_NAME')),
  onFailed: (change, error) =>
    // The error's name only: a Step Functions message may quote the task token.
    logger.warn('stored change not relayed (workflow, events or counters); delivered again', {
      approvalRequestId: (change.after ?? change.before)?.request.id,
      change: change.kind,
      error: (error as Error)?.name ?? 'Error',
    }),
};

export const handler = observe(
  middy((event: DynamoDBStreamEvent) =>
    relayBatch(
      deps,
      event.Records.flatMap((record) => requestChangeOf(record) ?? []),
    ),
  ),
);
