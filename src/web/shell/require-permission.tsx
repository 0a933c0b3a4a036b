import type { ReactNode } from 'react';
import { useSession } from '../modules/org/auth/use-session.ts';
import { ForbiddenPage } from './status-pages.tsx';

/** A page for holders of one action only (the API checks again; this just avoids a page of errors). */
export function RequirePermission({ action, children }: { action: string; children: ReactNode }) {
  const session = useSession();
  return session.can(action) ? <>{children}</> : <ForbiddenPage />;
}
