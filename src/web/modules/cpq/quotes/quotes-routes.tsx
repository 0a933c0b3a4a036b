import { lazy } from 'react';
import { Navigate, type RouteObject } from 'react-router-dom';

const QuotesPage = lazy(async () => ({ default: (await import('./quotes-page.tsx')).QuotesPage }));
const QuotePage = lazy(async () => ({ default: (await import('./quote-page.tsx')).QuotePage }));
const ApprovalsInboxPage = lazy(async () => ({ default: (await import('./approvals-inbox-page.tsx')).ApprovalsInboxPage }));
const ApprovalRequestPage = lazy(async () => ({ default: (await import('./approval-request-page.tsx')).ApprovalRequestPage }));
const ContractsPage = lazy(async () => ({ default: (await import('./contracts-page.tsx')).ContractsPage }));
const ContractPage = lazy(async () => ({ default: (await import('./contract-page.tsx')).ContractPage }));

/** Quotes, their approvals and the contracts signed from them, in the CPQ section (/cpq/…). */
export const quotesRoutes: RouteObject[] = [
  { path: 'cpq/quotes', element: <QuotesPage /> },
  { path: 'cpq/quotes/:id', element: <QuotePage /> },
  { path: 'cpq/approvals', element: <ApprovalsInboxPage /> },
  { path: 'cpq/approvals/:id', element: <ApprovalRequestPage /> },
  { path: 'cpq/contracts', element: <ContractsPage /> },
  { path: 'cpq/contracts/:id', element: <ContractPage /> },
  // The address the home page's shortcuts used while quotes were "coming soon".
  { path: 'quotes', element: <Navigate to="/cpq/quotes" replace /> },
];
