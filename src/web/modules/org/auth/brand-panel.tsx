import { Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { BrandMark } from '../../../shell/brand-mark.tsx';

const MODULES = ['crm', 'quotes', 'delivery', 'service', 'performance'] as const;

/** The left half of the login page: product name, tagline and the line of modules. */
export function BrandPanel() {
  const { t } = useTranslation(['common', 'auth']);
  return (
    <div
      style={{
        width: '42%',
        minWidth: 320,
        padding: '48px 56px',
        color: '#fff',
        background: 'linear-gradient(135deg, #0b2a66 0%, #1456f0 100%)',
        display: 'flex',
        flexDirection: 'column',
        justifyContent: 'space-between',
      }}
    >
      <BrandMark size={22} />
      <div>
        <Typography.Title level={2} style={{ color: '#fff', marginBottom: 12 }}>
          {t('auth:login.subtitle')}
        </Typography.Title>
        <Typography.Paragraph style={{ color: 'rgba(255,255,255,0.8)', fontSize: 16 }}>{t('app.tagline')}</Typography.Paragraph>
        <div style={{ display: 'flex', alignItems: 'center', gap: 8, flexWrap: 'wrap', marginTop: 32 }}>
          {MODULES.map((m, i) => (
            <span key={m} style={{ display: 'inline-flex', alignItems: 'center', gap: 8 }}>
              <span style={{ padding: '4px 12px', borderRadius: 16, background: 'rgba(255,255,255,0.14)', fontSize: 13 }}>{t(`nav.${m}`)}</span>
              {i < MODULES.length - 1 && <span style={{ opacity: 0.6 }}>→</span>}
            </span>
          ))}
        </div>
      </div>
      <span style={{ opacity: 0.6, fontSize: 12 }}>© Throughline</span>
    </div>
  );
}
