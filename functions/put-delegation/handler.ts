import { apiDeps, directoryOf } from '../commons/deps';
import { httpHandler, identityOf, json } from '../commons/http';
import { delegationBodySchema } from '../domain/delegation';
import { parse } from '../domain/validation';
import { putMyDelegation } from '../usecases/delegations';

const deps = apiDeps('putDelegation', { directory: directoryOf });

export const handler = httpHandler(
  async (event) => {
    const who = identityOf(event);
    const body = parse(delegationBodySchema, event.body);
    return json(200, await putMyDelegation(deps, who, body));
  },
  { body: true },
);
