import { lazy } from 'react';
import type { RouteObject } from 'react-router-dom';

const AccountsPage = lazy(async () => ({ default: (await import('./accounts-page.tsx')).AccountsPage }));

/** The CRM's account-side pages: accounts, an account, a contact, the coverage-gap report. */
export const accountsRoutes: RouteObject[] = [{ path: 'crm/accounts', element: <AccountsPage /> }];
