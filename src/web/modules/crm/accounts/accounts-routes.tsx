import { lazy } from 'react';
import type { RouteObject } from 'react-router-dom';

const AccountsPage = lazy(async () => ({ default: (await import('./accounts-page.tsx')).AccountsPage }));
const AccountDetailPage = lazy(async () => ({ default: (await import('./account-detail-page.tsx')).AccountDetailPage }));
const ContactPage = lazy(async () => ({ default: (await import('./contact-page.tsx')).ContactPage }));
const CoverageGapsPage = lazy(async () => ({ default: (await import('./coverage-gaps-page.tsx')).CoverageGapsPage }));

/** The CRM's account-side pages: accounts, an account, a contact, the coverage-gap report. */
export const accountsRoutes: RouteObject[] = [
  { path: 'crm/accounts', element: <AccountsPage /> },
  { path: 'crm/accounts/:id', element: <AccountDetailPage /> },
  { path: 'crm/contacts/:id', element: <ContactPage /> },
  { path: 'crm/coverage-gaps', element: <CoverageGapsPage /> },
];
