/**
 * SES bounce and complaint events (configuration-set event destination → SNS → here); what is
 * done with each is in failures.ts.
 */
import type { SNSEvent } from 'aws-lambda';
import { documentClient } from '../adapters/clients';
import { Repository } from '../adapters/dynamodb/repository';
import { readSettings, SES_EVENTS_FUNCTION, setting } from '../commons/settings';
import { handleSesEvents, type SesEventsDeps } from './failures';

// Built when the module loads: a missing setting fails the cold start.
const settings = readSettings(SES_EVENTS_FUNCTION.needs);
const deps: SesEventsDeps = {
  repository: new Repository(documentClient(), setting(settings, 'TABLE_NAME')),
  now: () => new Date().toISOString(),
  log: (entry) => console.log(JSON.stringify(entry)),
};

export const handler = (event: SNSEvent) => handleSesEvents(event, deps);
