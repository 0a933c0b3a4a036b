import { EditOutlined } from '@ant-design/icons';
import { Button, Card, Col, Descriptions, InputNumber, Result, Row, Skeleton, Space, Tabs, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import type { Account } from '../../../../server/modules/crm/account-contract.ts';
import { PageHeader } from '../../../components/page-header.tsx';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { ApiProblem } from '../../../http/api-problem.ts';
import { formatDateTime } from '../../../i18n/date-format.ts';
import { useLocale } from '../../../i18n/use-locale.ts';
import { useSession } from '../../org/auth/use-session.ts';
import { AccountStatusTag, AccountTierTag } from './account-badges.tsx';
import { AccountDeals } from './account-deals.tsx';
import { AccountFormDrawer, type AccountFormMode } from './account-form-drawer.tsx';
import { HierarchyCard, RollupCard, TeamCard } from './account-overview.tsx';
import { useAccount, useAccountGaps } from './accounts-queries.ts';
import { ContactsByLevel } from './contacts-by-level.tsx';
import { CoverageGapList } from './coverage-gap-list.tsx';
import { CustomValues } from './custom-field-inputs.tsx';
import { regionText } from './region-fields.tsx';
import { RelationshipMapView } from './relationship-map.tsx';
import { TimelineCard } from './timeline-card.tsx';

const TABS = ['overview', 'contacts', 'map', 'deals', 'timeline', 'gaps'] as const;
type Tab = (typeof TABS)[number];

/** One account: header, then its group, team, people, relationship map, deals, timeline and gaps. */
export function AccountDetailPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation(['crm', 'common']);
  const session = useSession();
  const locale = useLocale();
  const account = useAccount(id);
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const [form, setForm] = useState<AccountFormMode | null>(null);
  const tabParam = params.get('tab');
  const tab: Tab = (TABS as readonly string[]).includes(tabParam ?? '') ? (tabParam as Tab) : 'overview';

  if (account.error instanceof ApiProblem && account.error.status === 404) {
    return <Result status="404" title={t('detail.notFound')} extra={<Link to="/crm/accounts">{t('detail.back')}</Link>} data-testid="account-not-found" />;
  }
  if (account.error instanceof ApiProblem) return <ProblemAlert problem={account.error} />;
  if (!account.data) return <Skeleton active />;
  const a = account.data;
  // The server decides; the buttons only follow the user's widest write scope and the archive state.
  const canWrite = session.can('crm.accounts.write') && a.archivedAt === null;

  const setTab = (next: string) => {
    const p = new URLSearchParams(params);
    if (next === 'overview') p.delete('tab');
    else p.set('tab', next);
    setParams(p, { replace: true });
  };

  return (
    <div data-testid="account-detail-page" data-account-id={a.id}>
      <PageHeader
        title={
          <Space wrap>
            <span data-testid="crm-account-name">{a.nameZh}</span>
            <AccountStatusTag status={a.status} />
            <AccountTierTag tier={a.tier} />
            {a.archivedAt && <Tag color="red">{t('detail.archived')}</Tag>}
          </Space>
        }
        subtitle={[a.nameEn, a.shortName].filter(Boolean).join(' · ') || undefined}
        extra={
          canWrite && (
            <Button icon={<EditOutlined />} onClick={() => setForm({ kind: 'edit', accountId: a.id })} data-testid="account-edit">
              {t('common:actions.edit')}
            </Button>
          )
        }
      />
      <Descriptions size="small" column={{ xs: 1, md: 3, xl: 4 }} style={{ marginBottom: 16 }} data-testid="account-header">
        <Descriptions.Item label={t('fields.uscc')}>
          <span data-testid="account-uscc">{a.uscc ?? '—'}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('fields.kind')}>{t(`enums.kind.${a.kind}`)}</Descriptions.Item>
        <Descriptions.Item label={t('fields.region')}>{regionText(a.provinceCode, a.cityCode) || '—'}</Descriptions.Item>
        <Descriptions.Item label={t('fields.owner')}>
          <Link to={`/users/${a.ownerId}`}>{a.ownerName ?? '—'}</Link>
        </Descriptions.Item>
        <Descriptions.Item label={t('fields.tags')}>{a.tags.length > 0 ? a.tags.map((tag) => <Tag key={tag}>{tag}</Tag>) : '—'}</Descriptions.Item>
      </Descriptions>
      <Tabs
        activeKey={tab}
        onChange={setTab}
        destroyOnHidden
        data-testid="account-tabs"
        items={[
          {
            key: 'overview',
            label: <span data-testid="account-tab-overview">{t('detail.tabs.overview')}</span>,
            children: (
              <Row gutter={[16, 16]}>
                <Col xs={24} xl={12}>
                  <HierarchyCard accountId={a.id} canWrite={session.can('crm.accounts.create')} onAddChild={() => setForm({ kind: 'create', parent: { id: a.id, name: a.nameZh } })} />
                </Col>
                <Col xs={24} xl={12}>
                  <AccountDetailsCard account={a} />
                </Col>
                <Col span={24}>
                  <RollupCard accountId={a.id} />
                </Col>
                <Col span={24}>
                  <TeamCard accountId={a.id} canWrite={canWrite} />
                </Col>
              </Row>
            ),
          },
          {
            key: 'contacts',
            label: <span data-testid="account-tab-contacts">{t('detail.tabs.contacts')}</span>,
            children: <ContactsByLevel accountId={a.id} canWrite={canWrite} />,
          },
          {
            key: 'map',
            label: <span data-testid="account-tab-map">{t('detail.tabs.map')}</span>,
            children: <RelationshipMapView accountId={a.id} canWrite={canWrite} />,
          },
          { key: 'deals', label: <span data-testid="account-tab-deals">{t('detail.tabs.deals')}</span>, children: <AccountDeals accountId={a.id} /> },
          {
            key: 'timeline',
            label: <span data-testid="account-tab-timeline">{t('detail.tabs.timeline')}</span>,
            children: <TimelineCard subjectType="account" subjectId={a.id} accountId={a.id} canLog={a.archivedAt === null} />,
          },
          { key: 'gaps', label: <span data-testid="account-tab-gaps">{t('detail.tabs.gaps')}</span>, children: <AccountGaps accountId={a.id} /> },
        ]}
      />
      {form && (
        <AccountFormDrawer
          mode={form}
          onClose={() => setForm(null)}
          onSaved={(saved) => {
            if (form.kind === 'create') void navigate(`/crm/accounts/${saved.id}`);
          }}
        />
      )}
      <Typography.Text type="secondary" style={{ display: 'block', marginTop: 16, fontSize: 12 }}>
        {t('fields.createdAt')}: {formatDateTime(a.createdAt, locale, session.user.timeZone)}
      </Typography.Text>
    </div>
  );
}

function AccountDetailsCard({ account: a }: { account: Account }) {
  const { t } = useTranslation('crm');
  return (
    <Card title={t('detail.details')} data-testid="account-details">
      <Descriptions size="small" column={1}>
        <Descriptions.Item label={t('fields.industry')}>{a.industry ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('fields.address')}>{a.address ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('fields.website')}>{a.website ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('fields.notes')}>
          <span style={{ whiteSpace: 'pre-wrap' }}>{a.notes ?? '—'}</span>
        </Descriptions.Item>
      </Descriptions>
      <CustomValues entity="account" values={a.custom} />
    </Card>
  );
}

/** The account's exposed decision-makers, with the "untouched for" threshold adjustable. */
function AccountGaps({ accountId }: { accountId: string }) {
  const { t } = useTranslation('crm');
  const [staleDays, setStaleDays] = useState(90);
  const gaps = useAccountGaps(accountId, staleDays);
  return (
    <Card
      title={t('gaps.title')}
      data-testid="account-gaps"
      extra={
        <Space>
          <span>{t('gaps.staleDays')}</span>
          <InputNumber min={1} max={3650} value={staleDays} onChange={(v) => v && setStaleDays(v)} data-testid="account-gaps-stale-days" />
          <span>{t('gaps.staleDaysUnit')}</span>
        </Space>
      }
    >
      {gaps.error instanceof ApiProblem && <ProblemAlert problem={gaps.error} />}
      {gaps.isPending && <Skeleton active />}
      {gaps.data && (
        <>
          <Typography.Paragraph type={gaps.data.decisionContacts === 0 ? 'warning' : 'secondary'} data-testid="account-gaps-decision-count">
            {gaps.data.decisionContacts === 0 ? t('gaps.noDecision') : t('gaps.decisionCount', { count: gaps.data.decisionContacts })}
          </Typography.Paragraph>
          <CoverageGapList gaps={gaps.data.gaps} staleDays={staleDays} />
        </>
      )}
    </Card>
  );
}
