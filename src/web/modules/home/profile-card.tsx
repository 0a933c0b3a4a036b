import { Card, Descriptions } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { useLocale } from '../../i18n/use-locale.ts';
import { useSession } from '../org/auth/use-session.ts';
import { unitName } from '../org/display-names.ts';
import { type UnitForest, unitPath } from '../org/org-tree.ts';
import { RoleTags } from '../org/role-tags.tsx';

export function ProfileCard({ forest }: { forest: UnitForest | undefined }) {
  const { t } = useTranslation(['home', 'common']);
  const locale = useLocale();
  const { user } = useSession();
  const path = forest ? unitPath(forest, user.unitId) : [];
  return (
    <Card title={t('profile.title')} data-testid="home-card-profile" extra={<Link to={`/users/${user.id}`}>{t('common:actions.view')}</Link>}>
      <Descriptions column={1} size="small">
        <Descriptions.Item label={t('profile.unit')}>
          <span data-testid="home-unit">{path.length > 0 ? path.map((u) => unitName(u, locale)).join(' / ') : t('profile.none')}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('profile.title_')}>{user.title ?? t('profile.none')}</Descriptions.Item>
        <Descriptions.Item label={t('profile.roles')}>
          <RoleTags roles={user.roles} />
        </Descriptions.Item>
      </Descriptions>
    </Card>
  );
}
