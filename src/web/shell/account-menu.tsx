import { DownOutlined, GlobalOutlined, KeyOutlined, LogoutOutlined } from '@ant-design/icons';
import { Avatar, Dropdown, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LOCALES, type Locale } from '../../shared/i18n/resources.ts';
import { useLocale } from '../i18n/use-locale.ts';
import { ChangePasswordModal } from '../modules/org/auth/change-password-modal.tsx';
import { useSignOut, useSwitchLanguage } from '../modules/org/auth/session-actions.ts';
import { useSession } from '../modules/org/auth/use-session.ts';
import { personName } from '../modules/org/display-names.ts';

/** The account menu in the header: language, change password, sign out. */
export function AccountMenu() {
  const { t } = useTranslation();
  const { user } = useSession();
  const locale = useLocale();
  const signOut = useSignOut();
  const switchLanguage = useSwitchLanguage();
  const [passwordOpen, setPasswordOpen] = useState(false);
  const name = personName(user, locale);

  return (
    <>
      <Dropdown
        trigger={['click']}
        menu={{
          items: [
            {
              key: 'language',
              icon: <GlobalOutlined />,
              label: t('language.label'),
              children: LOCALES.map((l) => ({
                key: `language:${l}`,
                label: <span data-testid={`account-language-${l}`}>{t(`language.${l}`)}</span>,
                disabled: l === locale,
              })),
            },
            { key: 'password', icon: <KeyOutlined />, label: <span data-testid="account-change-password">{t('account.changePassword')}</span> },
            { type: 'divider' },
            { key: 'signOut', icon: <LogoutOutlined />, danger: true, label: <span data-testid="account-sign-out">{t('account.signOut')}</span> },
          ],
          onClick: ({ key }) => {
            if (key === 'password') setPasswordOpen(true);
            else if (key === 'signOut') void signOut();
            else if (key.startsWith('language:')) void switchLanguage(key.slice('language:'.length) as Locale);
          },
        }}
      >
        <a onClick={(e) => e.preventDefault()} data-testid="account-menu" aria-label={t('account.menu')} style={{ color: 'inherit' }}>
          <Space size={8}>
            <Avatar size="small" style={{ background: '#1456f0' }}>
              {name.slice(0, 1)}
            </Avatar>
            <span data-testid="account-name">{name}</span>
            <DownOutlined style={{ fontSize: 10 }} />
          </Space>
        </a>
      </Dropdown>
      <ChangePasswordModal open={passwordOpen} onClose={() => setPasswordOpen(false)} />
    </>
  );
}
