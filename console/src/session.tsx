import { createContext, useContext } from 'react';
import type { Api } from './api';
import type { Identity } from './permissions';

export interface Session {
  api: Api;
  who: Identity;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}
