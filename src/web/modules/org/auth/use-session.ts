import { useQuery } from '@tanstack/react-query';
import { createContext, useContext } from 'react';
import type { SessionInfo } from '../../../../server/modules/org/contract.ts';
import type { Role, Scope } from '../../../../shared/roles.ts';
import { orgKeys } from '../org-api.ts';
import { loadSession } from './session-store.ts';

export function useSessionQuery() {
  return useQuery({
    queryKey: orgKeys.session,
    queryFn: ({ signal }) => loadSession(signal),
    staleTime: Infinity,
    retry: false,
  });
}

export interface Session {
  info: SessionInfo;
  user: SessionInfo['user'];
  /** The widest scope the user has for an action, or undefined when they may not take it. */
  scopeOf(action: string): Scope | undefined;
  can(action: string): boolean;
  hasRole(role: Role): boolean;
}

export const SessionContext = createContext<Session | null>(null);

/** The signed-in session; only inside the signed-in part of the app. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in route');
  return session;
}

export function toSession(info: SessionInfo): Session {
  return {
    info,
    user: info.user,
    scopeOf: (action) => info.permissions[action],
    can: (action) => info.permissions[action] !== undefined,
    hasRole: (role) => info.user.roles.includes(role),
  };
}
