import { apiDeps } from '../commons/deps';
import { httpHandler, identityOf, json } from '../commons/http';
import { decisionBodySchema, requestIdSchema } from '../domain/model';
import { parse } from '../domain/validation';
import { decideAsUser } from '../usecases/requests';

const deps = apiDeps('decideRequest');

export const handler = httpHandler(
  async (event) => {
    const who = identityOf(event);
    const id = parse(requestIdSchema, event.pathParameters?.id, 'id');
    const body = parse(decisionBodySchema, event.body);
    return json(200, await decideAsUser(deps, who, id, body));
  },
  { body: true },
);
