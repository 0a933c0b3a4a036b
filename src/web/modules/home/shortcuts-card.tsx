import { AppstoreOutlined, ArrowRightOutlined, ClockCircleOutlined } from '@ant-design/icons';
import { Card, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import type { Shortcut } from './role-shortcuts.ts';

/** Links into the app for the user's roles; modules of later releases are shown as not open. */
export function ShortcutsCard({ shortcuts }: { shortcuts: Shortcut[] }) {
  const { t } = useTranslation('home');
  return (
    <Card title={t('shortcuts.title')} data-testid="home-card-shortcuts">
      <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(180px, 1fr))', gap: 12 }}>
        {shortcuts.map((s) => (
          <Link key={s.key} to={s.to} data-testid={`shortcut-${s.key}`}>
            <Card size="small" hoverable styles={{ body: { display: 'flex', alignItems: 'center', gap: 10 } }}>
              {s.soon ? <ClockCircleOutlined style={{ color: '#8c8c8c' }} /> : <AppstoreOutlined style={{ color: '#1456f0' }} />}
              <span style={{ flex: 1 }}>{t(`shortcuts.${s.key}`)}</span>
              {s.soon ? <Tag style={{ marginInlineEnd: 0 }}>{t('shortcuts.soon')}</Tag> : <ArrowRightOutlined style={{ opacity: 0.5 }} />}
            </Card>
          </Link>
        ))}
      </div>
    </Card>
  );
}
