import { DeleteOutlined, PlusOutlined, UserAddOutlined } from '@ant-design/icons';
import { Alert, App, Breadcrumb, Button, Card, Col, Empty, Popconfirm, Row, Select, Skeleton, Space, Statistic, Table, Tag, Tree, Typography } from 'antd';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { type HierarchyNode, TEAM_ROLES, type TeamMember } from '../../../../server/modules/crm/account-contract.ts';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { useShowProblem } from '../../../components/use-show-problem.ts';
import { ApiProblem } from '../../../http/api-problem.ts';
import { useLocale } from '../../../i18n/use-locale.ts';
import { personName } from '../../org/display-names.ts';
import { UserPicker } from '../../org/user-picker.tsx';
import { AccountStatusTag } from './account-badges.tsx';
import { accountsApi } from './accounts-api.ts';
import { useHierarchy, useRefreshAccount, useRollup, useTeam } from './accounts-queries.ts';
import { branchIds } from './contact-levels.ts';
import { moneyText } from './money-text.ts';

type TeamRole = TeamMember['role'];

interface TreeItem {
  key: string;
  title: ReactNode;
  children: TreeItem[];
}

/** The account's group: the line of parents above it, and the subtree below (each a link). */
export function HierarchyCard({ accountId, canWrite, onAddChild }: { accountId: string; canWrite: boolean; onAddChild: () => void }) {
  const { t } = useTranslation('crm');
  const hierarchy = useHierarchy(accountId);
  const toItem = (n: HierarchyNode): TreeItem => ({
    key: n.id,
    title: !n.visible ? (
      <Typography.Text type="secondary">{t('detail.hiddenAccount')}</Typography.Text>
    ) : (
      <Space size={4}>
        {n.id === accountId ? (
          <Typography.Text strong data-testid="hierarchy-self">
            {n.nameZh}
          </Typography.Text>
        ) : (
          <Link to={`/crm/accounts/${n.id}`} data-testid="hierarchy-node">
            {n.nameZh}
          </Link>
        )}
        {n.status && <AccountStatusTag status={n.status} />}
      </Space>
    ),
    children: n.children.map(toItem),
  });
  const data = hierarchy.data;

  return (
    <Card
      title={t('detail.hierarchy')}
      data-testid="account-hierarchy"
      extra={
        canWrite && (
          <Button size="small" icon={<PlusOutlined />} onClick={onAddChild} data-testid="account-add-child">
            {t('detail.addChild')}
          </Button>
        )
      }
    >
      {hierarchy.error instanceof ApiProblem && <ProblemAlert problem={hierarchy.error} />}
      {hierarchy.isPending && <Skeleton active />}
      {data && (
        <>
          {data.ancestors.length > 0 && (
            <Breadcrumb
              style={{ marginBottom: 12 }}
              data-testid="hierarchy-ancestors"
              items={data.ancestors.map((a) => ({
                key: a.id,
                title: a.visible ? (
                  <Link to={`/crm/accounts/${a.id}`} data-testid="hierarchy-ancestor">
                    {a.nameZh}
                  </Link>
                ) : (
                  t('detail.hiddenAccount')
                ),
              }))}
            />
          )}
          <Tree
            key={`${accountId}:${branchIds([data.tree]).join(',')}`}
            treeData={[toItem(data.tree)]}
            defaultExpandedKeys={branchIds([data.tree])}
            selectable={false}
            showLine
            data-testid="hierarchy-tree"
          />
          {data.truncated && <Alert type="info" showIcon title={t('detail.truncated')} style={{ marginTop: 12 }} />}
        </>
      )}
    </Card>
  );
}

/** Totals over the visible subtree: accounts, open pipeline, won revenue (by year). */
export function RollupCard({ accountId }: { accountId: string }) {
  const { t } = useTranslation('crm');
  const rollup = useRollup(accountId);
  const r = rollup.data;
  return (
    <Card title={t('detail.rollup')} data-testid="account-rollup">
      {rollup.error instanceof ApiProblem && <ProblemAlert problem={rollup.error} />}
      {rollup.isPending && <Skeleton active />}
      {r && (
        <Row gutter={[16, 16]}>
          <Col xs={12} md={6}>
            <Statistic title={t('detail.rollupAccounts')} value={r.accounts.total} />
            <Space size={4} wrap style={{ marginTop: 4 }}>
              {(['prospect', 'customer', 'former'] as const).map((s) => (
                <Tag key={s}>
                  {t(`enums.status.${s}`)} {r.accounts.byStatus[s]}
                </Tag>
              ))}
            </Space>
          </Col>
          <Col xs={12} md={6}>
            <Statistic title={t('detail.rollupOpen')} value={moneyText(r.openPipeline.amount)} />
            <Typography.Text type="secondary">{t('detail.rollupOpenCount', { count: r.openPipeline.count })}</Typography.Text>
          </Col>
          <Col xs={12} md={6}>
            <Statistic title={t('detail.rollupWeighted')} value={moneyText(r.openPipeline.weighted)} />
          </Col>
          <Col xs={12} md={6}>
            <Statistic title={t('detail.rollupWon')} value={moneyText(r.wonRevenue.total)} data-testid="rollup-won" />
            <Typography.Text type="secondary">{t('detail.rollupWonCount', { count: r.wonRevenue.count })}</Typography.Text>
          </Col>
          {r.wonRevenue.byYear.length > 0 && (
            <Col span={24}>
              <Typography.Text type="secondary">{t('detail.rollupByYear')}: </Typography.Text>
              {r.wonRevenue.byYear.map((y) => (
                <Tag key={y.year}>
                  {y.year}: {moneyText(y.amount)} ({y.count})
                </Tag>
              ))}
            </Col>
          )}
        </Row>
      )}
    </Card>
  );
}

/** Who on our side works the account, in which role; the owner always stays as account lead. */
export function TeamCard({ accountId, canWrite }: { accountId: string; canWrite: boolean }) {
  const { t } = useTranslation(['crm', 'common']);
  const locale = useLocale();
  const { message } = App.useApp();
  const showProblem = useShowProblem();
  const refresh = useRefreshAccount();
  const team = useTeam(accountId);
  const [adding, setAdding] = useState(false);
  const [userId, setUserId] = useState<string | null>(null);
  const [role, setRole] = useState<TeamRole>('solution');
  const [busy, setBusy] = useState(false);
  const roleOptions = TEAM_ROLES.map((r) => ({ value: r, label: t(`enums.teamRole.${r}`) }));
  const name = (m: TeamMember) => (m.nameZh ? personName({ nameZh: m.nameZh, nameEn: m.nameEn }, locale) : m.userId);

  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await action();
      void message.success(t('form.saved'));
      refresh(accountId);
      return true;
    } catch (err) {
      showProblem(err);
      return false;
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card
      title={t('detail.team')}
      data-testid="account-team"
      extra={
        canWrite &&
        !adding && (
          <Button size="small" icon={<UserAddOutlined />} onClick={() => setAdding(true)} data-testid="team-add">
            {t('detail.addMember')}
          </Button>
        )
      }
    >
      {team.error instanceof ApiProblem && <ProblemAlert problem={team.error} />}
      {adding && (
        <Space wrap style={{ marginBottom: 12 }}>
          <UserPicker value={userId} onChange={setUserId} placeholder={t('detail.memberPlaceholder')} style={{ width: 240 }} testId="team-user" />
          <Select value={role} onChange={(r: TeamRole) => setRole(r)} options={roleOptions} style={{ width: 160 }} data-testid="team-role" />
          <Button
            type="primary"
            disabled={!userId}
            loading={busy}
            data-testid="team-add-submit"
            onClick={() =>
              void run(() => accountsApi.addTeamMember(accountId, { userId: userId!, role })).then((ok) => {
                if (ok) {
                  setAdding(false);
                  setUserId(null);
                }
              })
            }
          >
            {t('common:actions.save')}
          </Button>
          <Button onClick={() => setAdding(false)}>{t('common:actions.cancel')}</Button>
        </Space>
      )}
      <Table<TeamMember>
        rowKey="userId"
        size="small"
        pagination={false}
        loading={team.isPending}
        dataSource={team.data?.items ?? []}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} /> }}
        data-testid="team-table"
        columns={[
          {
            title: t('fields.person'),
            key: 'name',
            render: (_, m) => (
              <Space size={4}>
                <Link to={`/users/${m.userId}`} data-testid="team-member">
                  {name(m)}
                </Link>
                {m.isOwner && <Tag color="blue">{t('detail.owner')}</Tag>}
              </Space>
            ),
          },
          {
            title: t('fields.role'),
            key: 'role',
            render: (_, m) =>
              canWrite && !m.isOwner ? (
                <Select
                  size="small"
                  value={m.role}
                  options={roleOptions}
                  style={{ width: 160 }}
                  onChange={(r: TeamRole) => void run(() => accountsApi.updateTeamMember(accountId, m.userId, { role: r }))}
                  data-testid="team-member-role"
                />
              ) : (
                t(`enums.teamRole.${m.role}`)
              ),
          },
          {
            key: 'actions',
            align: 'right',
            render: (_, m) =>
              canWrite &&
              !m.isOwner && (
                <Popconfirm title={t('detail.removeConfirm', { name: name(m) })} onConfirm={() => void run(() => accountsApi.removeTeamMember(accountId, m.userId))}>
                  <Button size="small" type="text" danger icon={<DeleteOutlined />} aria-label={t('detail.remove')} data-testid="team-member-remove" />
                </Popconfirm>
              ),
          },
        ]}
      />
    </Card>
  );
}
