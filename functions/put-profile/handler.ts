import { apiDeps, directoryOf } from '../commons/deps';
import { httpHandler, identityOf, json } from '../commons/http';
import { idSchema } from '../domain/model';
import { profileBodySchema } from '../domain/profile';
import { parse } from '../domain/validation';
import { putProfile } from '../usecases/requests';

const deps = apiDeps('putProfile', { directory: directoryOf });

export const handler = httpHandler(
  async (event) => {
    const who = identityOf(event);
    const id = parse(idSchema, event.pathParameters?.id, 'id');
    const body = parse(profileBodySchema, event.body);
    return json(200, await putProfile(deps, who, id, body));
  },
  { body: true },
);
