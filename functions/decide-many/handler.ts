import { apiDeps, directoryOf } from '../commons/deps';
import { httpHandler, identityOf, json, STATUS_OF_CODE } from '../commons/http';
import { describeError, logger } from '../commons/observability';
import { parse } from '../domain/validation';
import { batchDecisionsBodySchema, decideMany } from '../usecases/batch-decisions';

const deps = apiDeps('decideMany', { directory: directoryOf });

export const handler = httpHandler(
  async (event) => {
    const who = identityOf(event);
    const body = parse(batchDecisionsBodySchema, event.body);
    const answer = await decideMany(deps, who, body, STATUS_OF_CODE, (error) =>
      logger.error('unhandled error in a batch item', { error: describeError(error) }),
    );
    const decided = answer.results.filter((result) => result.status === 200).length;
    logger.info('batch of decisions', { items: body.items.length, decided });
    return json(200, answer);
  },
  { body: true },
);
