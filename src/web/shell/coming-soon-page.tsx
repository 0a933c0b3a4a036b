import { ClockCircleOutlined } from '@ant-design/icons';
import { Button, Card, Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import type { UpcomingModule } from './nav-items.tsx';

/** A business module that is not part of this release: says so plainly, shows no made-up data. */
export function ComingSoonPage({ module }: { module: UpcomingModule }) {
  const { t } = useTranslation();
  return (
    <Card data-testid={`coming-soon-${module}`}>
      <Result
        icon={<ClockCircleOutlined />}
        title={t('comingSoon.title', { module: t(`nav.${module}`) })}
        subTitle={t('comingSoon.subtitle', { description: t(`modules.${module}`) })}
        extra={
          <Link to="/">
            <Button type="primary">{t('comingSoon.back')}</Button>
          </Link>
        }
      />
    </Card>
  );
}
