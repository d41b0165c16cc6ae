import { apiDeps, directoryOf } from '../commons/deps';
import { httpHandler, identityOf, json } from '../commons/http';
import { logApprovalRequest, logger } from '../commons/observability';
import { decisionBodySchema } from '../domain/bodies';
import { requestIdSchema } from '../domain/model';
import { parse } from '../domain/validation';
import { decideAsCaller } from '../lifecycle/delegate';

const deps = apiDeps('decideRequest', { directory: directoryOf });

export const handler = httpHandler(
  async (event) => {
    const who = identityOf(event);
    const id = parse(requestIdSchema, event.pathParameters?.id, 'id');
    logApprovalRequest(id);
    const body = parse(decisionBodySchema, event.body);
    const request = await decideAsCaller(deps, who, id, body);
    logger.info('decision recorded', { decision: body.decision, state: request.state, by: 'api' });
    return json(200, request);
  },
  { body: true },
);
