import { Spin } from 'antd';
import { type ReactNode, useMemo } from 'react';
import { Navigate, useLocation } from 'react-router-dom';
import { SessionContext, toSession, useSessionQuery } from './use-session.ts';

/** Signed-in routes: wait for the session, send strangers to the login page (and back afterwards). */
export function RequireSession({ children }: { children: ReactNode }) {
  const { data, isPending, isError } = useSessionQuery();
  const location = useLocation();
  const session = useMemo(() => (data ? toSession(data) : null), [data]);
  if (isPending) {
    return (
      <div style={{ height: '100vh', display: 'grid', placeItems: 'center' }} data-testid="session-loading">
        <Spin size="large" />
      </div>
    );
  }
  if (!session || isError) {
    const from = `${location.pathname}${location.search}`;
    return <Navigate to="/login" replace state={from === '/' ? undefined : { from }} />;
  }
  return <SessionContext value={session}>{children}</SessionContext>;
}
