import { apiDeps } from '../commons/deps';
import { httpHandler, identityOf, json } from '../commons/http';
import { idSchema } from '../domain/model';
import { parse } from '../domain/validation';
import { getProfile } from '../usecases/requests';

const deps = apiDeps('getProfile');

export const handler = httpHandler(async (event) => {
  identityOf(event);
  const id = parse(idSchema, event.pathParameters?.id, 'id');
  return json(200, await getProfile(deps, id));
});
