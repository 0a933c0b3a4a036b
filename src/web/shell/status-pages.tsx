import { Button, Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useRouteError } from 'react-router-dom';

export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <Result
      status="404"
      title={t('pages.notFoundTitle')}
      subTitle={t('pages.notFoundSubtitle')}
      extra={
        <Link to="/">
          <Button type="primary">{t('comingSoon.back')}</Button>
        </Link>
      }
      data-testid="not-found"
    />
  );
}

export function ForbiddenPage() {
  const { t } = useTranslation();
  return <Result status="403" title={t('pages.forbiddenTitle')} subTitle={t('pages.forbiddenSubtitle')} data-testid="forbidden" />;
}

/** The router's error boundary: a page that threw while rendering. */
export function CrashPage() {
  const { t } = useTranslation();
  const error = useRouteError();
  if (error) console.error(error);
  return (
    <Result
      status="error"
      title={t('pages.crashTitle')}
      subTitle={t('pages.crashSubtitle')}
      extra={<Button onClick={() => window.location.reload()}>{t('actions.refresh')}</Button>}
    />
  );
}
