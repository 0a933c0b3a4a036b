import { useQuery } from '@tanstack/react-query';
import { Card, Col, Empty, Row, Skeleton, Statistic, Typography } from 'antd';
import { SimpleList } from '../../components/simple-list.tsx';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { formatDateTime } from '../../i18n/date-format.ts';
import { useLocale } from '../../i18n/use-locale.ts';
import { useSession } from '../org/auth/use-session.ts';
import { personName } from '../org/display-names.ts';
import { actionLabel, entityTypeLabel } from '../platform/audit/audit-labels.ts';
import { platformApi } from '../platform/platform-api.ts';

const COUNT_LIMIT = 200;

/** For admins: event deliveries that need attention, and the latest changes. */
export function SystemStatusCard() {
  const { t } = useTranslation(['home', 'admin']);
  const locale = useLocale();
  const { user } = useSession();
  const dead = useQuery({ queryKey: ['platform', 'outbox', 'count', 'dead'], queryFn: ({ signal }) => platformApi.outbox('dead', undefined, COUNT_LIMIT, signal) });
  const pending = useQuery({ queryKey: ['platform', 'outbox', 'count', 'pending'], queryFn: ({ signal }) => platformApi.outbox('pending', undefined, COUNT_LIMIT, signal) });
  const recent = useQuery({ queryKey: ['platform', 'audit', 'recent'], queryFn: ({ signal }) => platformApi.audit({ limit: 5 }, signal) });
  const count = (page: typeof dead.data) => (page ? `${page.items.length}${page.nextCursor ? '+' : ''}` : '—');

  return (
    <Card title={t('system.title')} data-testid="home-card-system">
      <Row gutter={16} style={{ marginBottom: 8 }}>
        <Col span={12}>
          <Link to="/admin/outbox?status=dead">
            <Statistic title={t('system.dead')} value={count(dead.data)} styles={{ content: { color: dead.data?.items.length ? '#cf1322' : undefined } }} />
          </Link>
        </Col>
        <Col span={12}>
          <Link to="/admin/outbox?status=pending">
            <Statistic title={t('system.pending')} value={count(pending.data)} />
          </Link>
        </Col>
      </Row>
      <Typography.Text type="secondary">{t('system.recentChanges')}</Typography.Text>
      {recent.isPending ? (
        <Skeleton active paragraph={{ rows: 3 }} title={false} />
      ) : recent.data && recent.data.items.length > 0 ? (
        <SimpleList
          items={recent.data.items}
          rowKey={(e) => e.id}
          testId="home-recent-changes"
          render={(e) => (
            <>
              <span>
                {e.actorName ? personName({ nameZh: e.actorName, nameEn: e.actorNameEn }, locale) : t('admin:audit.system')} · {actionLabel(e.action)} ·{' '}
                {entityTypeLabel(e.entityType)}
              </span>
              <Typography.Text type="secondary" style={{ fontSize: 12, whiteSpace: 'nowrap' }}>
                {formatDateTime(e.at, locale, user.timeZone)}
              </Typography.Text>
            </>
          )}
        />
      ) : (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('system.noChanges')} />
      )}
      <Link to="/admin/audit">{t('system.more')}</Link>
    </Card>
  );
}
