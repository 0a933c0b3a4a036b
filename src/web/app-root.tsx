import { QueryClient, QueryClientProvider, useQueryClient } from '@tanstack/react-query';
import { App as AntdApp, ConfigProvider } from 'antd';
import { useEffect } from 'react';
import { RouterProvider } from 'react-router-dom';
import { onSessionLost } from './http/api-client.ts';
import { ApiProblem } from './http/api-problem.ts';
import { ANTD_LOCALES } from './i18n/antd-locale.ts';
import { useLocale } from './i18n/use-locale.ts';
import { dropSession, noteSessionEnded } from './modules/org/auth/session-store.ts';
import { router } from './router.tsx';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      // A 4xx will not change by asking again; network blips and 5xx get two more tries.
      retry: (count, err) => !(err instanceof ApiProblem && err.status >= 400 && err.status < 500) && count < 2,
      refetchOnWindowFocus: false,
    },
  },
});

/** A signed-in call answered 401: the session ended (expired, signed out elsewhere). */
function SessionLostWatcher() {
  const client = useQueryClient();
  useEffect(
    () =>
      onSessionLost(() => {
        if (!client.getQueryData(['session'])) return;
        noteSessionEnded();
        dropSession(client);
      }),
    [client],
  );
  return null;
}

const THEME = {
  token: { colorPrimary: '#1456f0', borderRadius: 6, fontFamily: `-apple-system, BlinkMacSystemFont, 'Segoe UI', 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Helvetica Neue', Arial, sans-serif` },
  components: { Layout: { siderBg: '#0b1f44', triggerBg: '#0b1f44' }, Menu: { darkItemBg: '#0b1f44', darkSubMenuItemBg: '#081833' } },
};

function Localized() {
  const locale = useLocale();
  return (
    <ConfigProvider locale={ANTD_LOCALES[locale]} theme={THEME} button={{ autoInsertSpace: false }}>
      <AntdApp>
        <SessionLostWatcher />
        <RouterProvider router={router} />
      </AntdApp>
    </ConfigProvider>
  );
}

export function AppRoot() {
  return (
    <QueryClientProvider client={queryClient}>
      <Localized />
    </QueryClientProvider>
  );
}
