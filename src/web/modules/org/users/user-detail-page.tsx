import { EditOutlined } from '@ant-design/icons';
import { Button, Card, Col, Descriptions, Result, Row, Skeleton, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { ApiProblem } from '../../../http/api-problem.ts';
import { PageHeader } from '../../../components/page-header.tsx';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { formatDateTime } from '../../../i18n/date-format.ts';
import { useLocale } from '../../../i18n/use-locale.ts';
import { EntityHistoryCard } from '../../platform/audit/entity-history-card.tsx';
import { useSession } from '../auth/use-session.ts';
import { personName, unitName } from '../display-names.ts';
import { useUnitForest, useUser } from '../org-queries.ts';
import { unitPath } from '../org-tree.ts';
import { ActiveBadge, RoleTags } from '../role-tags.tsx';
import { ManagementChainCard } from './management-chain-card.tsx';
import { UserFormDrawer } from './user-form-drawer.tsx';

/** One person: details, management chain, change history; admins edit from here too. */
export function UserDetailPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation(['org', 'common']);
  const locale = useLocale();
  const session = useSession();
  const user = useUser(id);
  const { forest } = useUnitForest();
  const [editing, setEditing] = useState(false);
  const tz = session.user.timeZone;

  if (user.error instanceof ApiProblem && user.error.status === 404) {
    return <Result status="404" title={t('detail.notFound')} extra={<Link to="/users">{t('users.title')}</Link>} />;
  }
  if (user.error instanceof ApiProblem) return <ProblemAlert problem={user.error} />;
  if (!user.data) return <Skeleton active />;
  const u = user.data;
  const path = forest ? unitPath(forest, u.unitId) : [];

  return (
    <div data-testid="user-detail-page">
      <PageHeader
        title={
          <Space>
            {personName(u, locale)}
            <ActiveBadge active={u.active} />
          </Space>
        }
        subtitle={u.email}
        extra={
          session.can('users.write') && (
            <Button icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="user-detail-edit">
              {t('common:actions.edit')}
            </Button>
          )
        }
      />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={14}>
          <Card title={t('detail.title')}>
            <Descriptions column={{ xs: 1, md: 2 }} data-testid="user-detail">
              <Descriptions.Item label={t('fields.nameZh')}>{u.nameZh}</Descriptions.Item>
              <Descriptions.Item label={t('fields.nameEn')}>{u.nameEn ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('fields.title')}>
                <span data-testid="user-detail-title">{u.title ?? '—'}</span>
              </Descriptions.Item>
              <Descriptions.Item label={t('fields.phone')}>{u.phone ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('fields.unit')} span={2}>
                {path.length > 0 ? path.map((p) => unitName(p, locale)).join(' / ') : '—'}
              </Descriptions.Item>
              <Descriptions.Item label={t('fields.roles')} span={2}>
                <RoleTags roles={u.roles} />
              </Descriptions.Item>
              <Descriptions.Item label={t('fields.locale')}>{t(`common:language.${u.locale}`)}</Descriptions.Item>
              <Descriptions.Item label={t('fields.timeZone')}>{u.timeZone}</Descriptions.Item>
              <Descriptions.Item label={t('fields.lastLoginAt')}>{formatDateTime(u.lastLoginAt, locale, tz)}</Descriptions.Item>
              <Descriptions.Item label={t('fields.createdAt')}>{formatDateTime(u.createdAt, locale, tz)}</Descriptions.Item>
            </Descriptions>
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <ManagementChainCard userId={u.id} />
        </Col>
        <Col span={24}>
          <EntityHistoryCard entityType="user" entityId={u.id} title={t('detail.history')} />
        </Col>
      </Row>
      {editing && <UserFormDrawer mode={{ kind: 'edit', userId: u.id }} onClose={() => setEditing(false)} />}
    </div>
  );
}
