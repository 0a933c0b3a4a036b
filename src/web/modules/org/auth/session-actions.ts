import { useQueryClient } from '@tanstack/react-query';
import { App } from 'antd';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import type { Locale } from '../../../../shared/i18n/resources.ts';
import type { SessionInfo } from '../../../../server/modules/org/contract.ts';
import { setUiLocale } from '../../../i18n/i18n.ts';
import { orgApi, orgKeys } from '../org-api.ts';
import { dropSession, forgetSessionEnded } from './session-store.ts';

/** Sign out: end the session on the server, forget everything cached, go to the login page. */
export function useSignOut(): () => Promise<void> {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return useCallback(async () => {
    await queryClient.cancelQueries();
    try {
      await orgApi.logout();
    } finally {
      dropSession(queryClient);
      forgetSessionEnded();
      void navigate('/login', { replace: true });
    }
  }, [queryClient, navigate]);
}

/**
 * Switch the UI language. Signed in, the choice is the user's (PATCH /api/v1/me), so it follows
 * them to other browsers; signed out it is only remembered in this browser.
 */
export function useSwitchLanguage(): (locale: Locale) => Promise<void> {
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const { t, i18n } = useTranslation();
  return useCallback(
    async (locale: Locale) => {
      const previous: Locale = i18n.language === 'en' ? 'en' : 'zh-CN';
      await setUiLocale(locale);
      const session = queryClient.getQueryData<SessionInfo | null>(orgKeys.session);
      if (!session) return;
      try {
        const user = await orgApi.updateMe({ locale });
        queryClient.setQueryData<SessionInfo | null>(orgKeys.session, (old) => (old ? { ...old, user } : old));
      } catch {
        await setUiLocale(previous);
        void message.error(t('language.saveFailed'));
      }
    },
    [queryClient, message, t, i18n],
  );
}
