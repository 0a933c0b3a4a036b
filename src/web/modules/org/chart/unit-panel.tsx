import { Alert, Card, Descriptions, Empty, Table, Tag, Typography, type TableProps } from 'antd';
import type { HTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import type { User } from '../../../../server/modules/org/contract.ts';
import { ApiProblem } from '../../../http/api-problem.ts';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { LoadMore } from '../../../components/load-more.tsx';
import { useLocale } from '../../../i18n/use-locale.ts';
import { personName, unitName } from '../display-names.ts';
import { useUser, useUsersList } from '../org-queries.ts';
import { type UnitNode, type UnitForest, unitPath } from '../org-tree.ts';
import { RoleTags } from '../role-tags.tsx';

function HeadName({ userId }: { userId: string | null }) {
  const { t } = useTranslation(['org', 'common']);
  const locale = useLocale();
  const head = useUser(userId);
  if (!userId) return <Typography.Text type="secondary">{t('chart.noHead')}</Typography.Text>;
  if (head.data) return <Link to={`/users/${userId}`}>{personName(head.data, locale)}</Link>;
  if (head.error) return <Typography.Text type="secondary">{t('chart.headHidden')}</Typography.Text>;
  return <>…</>;
}

/** The selected unit: kind, head, headcounts, and the people in it the user may see. */
export function UnitPanel({ node, forest, historical }: { node: UnitNode; forest: UnitForest; historical: boolean }) {
  const { t } = useTranslation(['org', 'common']);
  const locale = useLocale();
  const { unit } = node;
  const members = useUsersList({ unitId: unit.id }, 100);
  const people = members.data?.pages.flatMap((p) => p.items) ?? [];

  const columns: TableProps<User>['columns'] = [
    {
      key: 'name',
      title: t('fields.name'),
      render: (_, u) => (
        <span style={{ display: 'inline-flex', gap: 6 }}>
          <Link to={`/users/${u.id}`} data-testid="unit-member-name">
            {personName(u, locale)}
          </Link>
          {u.id === unit.headUserId && <Tag color="blue">{t('chart.head')}</Tag>}
        </span>
      ),
    },
    { key: 'title', title: t('fields.title'), render: (_, u) => u.title ?? '—' },
    { key: 'email', title: t('fields.email'), dataIndex: 'email' },
    { key: 'roles', title: t('fields.roles'), render: (_, u) => <RoleTags roles={u.roles} /> },
  ];

  return (
    <Card
      title={
        <span data-testid="unit-panel-title">
          {unitPath(forest, unit.id)
            .map((u) => unitName(u, locale))
            .join(' / ')}
        </span>
      }
      data-testid="unit-panel"
    >
      <Descriptions column={{ xs: 1, md: 2 }} size="small" style={{ marginBottom: 16 }}>
        <Descriptions.Item label={t('chart.kind')}>{t(`common:unitKinds.${unit.kind}`)}</Descriptions.Item>
        <Descriptions.Item label={t('chart.code')}>{unit.code}</Descriptions.Item>
        <Descriptions.Item label={t('chart.head')}>
          <span data-testid="unit-head">
            <HeadName userId={unit.headUserId} />
          </span>
        </Descriptions.Item>
        <Descriptions.Item label={t('chart.directMembers')}>
          {t('chart.members', { count: unit.memberCount })} · {t('chart.subtreeCount', { count: node.subtreeCount })}
        </Descriptions.Item>
        {node.children.length > 0 && (
          <Descriptions.Item label={t('chart.subunits')} span={2}>
            {node.children.map((c) => unitName(c.unit, locale)).join('、')}
          </Descriptions.Item>
        )}
      </Descriptions>
      {historical && <Alert type="info" showIcon title={t('chart.membersToday')} style={{ marginBottom: 12 }} />}
      {members.error instanceof ApiProblem && <ProblemAlert problem={members.error} />}
      <Table<User>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={people}
        loading={members.isPending}
        pagination={false}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('chart.noVisibleMembers')} /> }}
        data-testid="unit-members"
        onRow={(u) => ({ 'data-testid': 'unit-member', 'data-email': u.email }) as HTMLAttributes<HTMLElement>}
      />
      <LoadMore loaded={people.length} hasMore={!!members.hasNextPage} loading={members.isFetchingNextPage} onLoadMore={() => void members.fetchNextPage()} testId="unit-members-load-more" />
    </Card>
  );
}
