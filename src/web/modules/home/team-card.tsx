import { Avatar, Card, Empty, Space, Statistic, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { useLocale } from '../../i18n/use-locale.ts';
import { useSession } from '../org/auth/use-session.ts';
import { personName, unitName } from '../org/display-names.ts';
import { useUser, useUsersList } from '../org/org-queries.ts';
import type { UnitForest } from '../org/org-tree.ts';

/** The user's own unit: its size, its head and the colleagues in it the user may see. */
export function TeamCard({ forest }: { forest: UnitForest | undefined }) {
  const { t } = useTranslation('home');
  const locale = useLocale();
  const { user, can } = useSession();
  const node = user.unitId ? forest?.byId.get(user.unitId) : undefined;
  const members = useUsersList({ unitId: user.unitId ?? undefined }, 12, !!user.unitId && can('users.read'));
  const head = useUser(node?.unit.headUserId);
  const people = members.data?.pages[0]?.items ?? [];

  if (!user.unitId) {
    return (
      <Card title={t('team.title')} data-testid="home-card-team">
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('team.noUnit')} />
      </Card>
    );
  }
  return (
    <Card
      title={node ? `${t('team.title')} · ${unitName(node.unit, locale)}` : t('team.title')}
      data-testid="home-card-team"
      extra={<Link to={`/users?unitId=${user.unitId}`}>{t('team.viewMembers')}</Link>}
    >
      <Space size={48} wrap>
        <Statistic title={t('team.members')} value={node?.unit.memberCount ?? '—'} data-testid="home-team-size" />
        <Statistic title={t('team.head')} value={head.data ? personName(head.data, locale) : '—'} />
      </Space>
      {people.length > 0 && (
        <Avatar.Group max={{ count: 10 }} style={{ marginTop: 16, display: 'flex' }}>
          {people.map((p) => (
            <Tooltip key={p.id} title={`${personName(p, locale)}${p.title ? ` · ${p.title}` : ''}`}>
              <Link to={`/users/${p.id}`}>
                <Avatar style={{ background: p.id === user.id ? '#1456f0' : '#8c9bb5' }}>{personName(p, locale).slice(0, 1)}</Avatar>
              </Link>
            </Tooltip>
          ))}
        </Avatar.Group>
      )}
    </Card>
  );
}
