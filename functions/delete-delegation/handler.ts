import { apiDeps } from '../commons/deps';
import { httpHandler, identityOf } from '../commons/http';
import { deleteMyDelegation } from '../usecases/delegations';

const deps = apiDeps('deleteDelegation');

export const handler = httpHandler(async (event) => {
  await deleteMyDelegation(deps, identityOf(event));
  return { statusCode: 204, headers: { 'cache-control': 'no-store' } };
});
