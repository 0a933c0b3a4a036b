import { GlobalOutlined } from '@ant-design/icons';
import { Button, Dropdown } from 'antd';
import { useTranslation } from 'react-i18next';
import { LOCALES, type Locale } from '../../shared/i18n/resources.ts';
import { useLocale } from '../i18n/use-locale.ts';
import { useSwitchLanguage } from '../modules/org/auth/session-actions.ts';

/** The header's language menu (also on the login page). Names are shown in their own language. */
export function LanguageSwitch() {
  const { t } = useTranslation();
  const locale = useLocale();
  const switchLanguage = useSwitchLanguage();
  return (
    <Dropdown
      trigger={['click']}
      menu={{
        selectable: true,
        selectedKeys: [locale],
        items: LOCALES.map((l) => ({ key: l, label: <span data-testid={`language-option-${l}`}>{t(`language.${l}`)}</span> })),
        onClick: ({ key }) => void switchLanguage(key as Locale),
      }}
    >
      <Button type="text" icon={<GlobalOutlined />} data-testid="language-switch" aria-label={t('language.label')}>
        {t(`language.${locale}`)}
      </Button>
    </Dropdown>
  );
}
