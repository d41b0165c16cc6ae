import { apiDeps, directoryOf } from '../commons/deps';
import { httpHandler, identityOf, json } from '../commons/http';
import { getMyDelegation } from '../usecases/delegations';

const deps = apiDeps('getDelegation', { directory: directoryOf });

export const handler = httpHandler(async (event) => json(200, await getMyDelegation(deps, identityOf(event))));
