import { lazy, Suspense, type ComponentType } from 'react';
import { createBrowserRouter, Navigate, type RouteObject } from 'react-router-dom';
import { catalogRoutes } from './modules/cpq/catalog/catalog-routes.tsx';
import { quotesRoutes } from './modules/cpq/quotes/quotes-routes.tsx';
import { accountsRoutes } from './modules/crm/accounts/accounts-routes.tsx';
import { pipelineRoutes } from './modules/crm/pipeline/pipeline-routes.tsx';
import { RequireSession } from './modules/org/auth/require-session.tsx';
import { AppLayout } from './shell/app-layout.tsx';
import { ComingSoonPage } from './shell/coming-soon-page.tsx';
import { UPCOMING_MODULES } from './shell/nav-items.tsx';
import { RequirePermission } from './shell/require-permission.tsx';
import { CrashPage, NotFoundPage } from './shell/status-pages.tsx';

/** Pages load on demand, so the first chunk holds only the shell. */
function page<M extends Record<string, unknown>>(load: () => Promise<M>, name: keyof M & string) {
  return lazy(async () => ({ default: (await load())[name] as ComponentType }));
}

const LoginPage = page(() => import('./modules/org/auth/login-page.tsx'), 'LoginPage');
const HomePage = page(() => import('./modules/home/home-page.tsx'), 'HomePage');
const OrgChartPage = page(() => import('./modules/org/chart/org-chart-page.tsx'), 'OrgChartPage');
const UsersPage = page(() => import('./modules/org/users/users-page.tsx'), 'UsersPage');
const UserDetailPage = page(() => import('./modules/org/users/user-detail-page.tsx'), 'UserDetailPage');
const CompanyProfilePage = page(() => import('./modules/org/company-profile/company-profile-page.tsx'), 'CompanyProfilePage');
const AuditPage = page(() => import('./modules/platform/audit/audit-page.tsx'), 'AuditPage');
const OutboxPage = page(() => import('./modules/platform/outbox/outbox-page.tsx'), 'OutboxPage');
const CalendarPage = lazy(() => import('./modules/calendar/calendar-page.tsx'));

const routes: RouteObject[] = [
  {
    path: '/login',
    element: (
      <Suspense fallback={null}>
        <LoginPage />
      </Suspense>
    ),
  },
  {
    path: '/',
    element: (
      <RequireSession>
        <AppLayout />
      </RequireSession>
    ),
    errorElement: <CrashPage />,
    children: [
      { index: true, element: <HomePage /> },
      { path: 'org', element: <OrgChartPage /> },
      {
        path: 'users',
        element: (
          <RequirePermission action="users.read">
            <UsersPage />
          </RequirePermission>
        ),
      },
      { path: 'users/:id', element: <UserDetailPage /> },
      { path: 'calendars', element: <CalendarPage /> },
      { path: 'crm', element: <Navigate to="/crm/accounts" replace /> },
      ...accountsRoutes,
      ...pipelineRoutes,
      ...catalogRoutes,
      ...quotesRoutes,
      {
        // In the admin menu for admins; anyone may read it (it is printed on every document), read-only.
        path: 'admin/company-profile',
        element: (
          <RequirePermission action="org.company_profile.read">
            <CompanyProfilePage />
          </RequirePermission>
        ),
      },
      {
        path: 'admin/audit',
        element: (
          <RequirePermission action="audit.read_all">
            <AuditPage />
          </RequirePermission>
        ),
      },
      {
        path: 'admin/outbox',
        element: (
          <RequirePermission action="outbox.admin">
            <OutboxPage />
          </RequirePermission>
        ),
      },
      ...UPCOMING_MODULES.map((m) => ({ path: m, element: <ComingSoonPage module={m} /> })),
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];

export const router = createBrowserRouter(routes);
