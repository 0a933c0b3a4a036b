import { Col, Row, Typography } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { formatLongDate } from '../../i18n/date-format.ts';
import { useLocale } from '../../i18n/use-locale.ts';
import { useSession } from '../org/auth/use-session.ts';
import { personName } from '../org/display-names.ts';
import { useUnitForest } from '../org/org-queries.ts';
import { flattenForest } from '../org/org-tree.ts';
import { ChainCard } from './chain-card.tsx';
import { partOfDay } from './greeting.ts';
import { HeadcountCard } from './headcount-card.tsx';
import { LedUnitsCard } from './led-units-card.tsx';
import { ProfileCard } from './profile-card.tsx';
import { shortcutsFor } from './role-shortcuts.ts';
import { ShortcutsCard } from './shortcuts-card.tsx';
import { SystemStatusCard } from './system-status-card.tsx';
import { TasksCard } from './tasks-card.tsx';
import { TeamCard } from './team-card.tsx';

/** The home page: cards chosen by the user's roles, all from real data (org, people, audit, outbox). */
export function HomePage() {
  const { t } = useTranslation('home');
  const locale = useLocale();
  const session = useSession();
  const { user } = session;
  const { forest } = useUnitForest();
  const led = useMemo(() => (forest ? flattenForest(forest).filter((n) => n.unit.headUserId === user.id) : []), [forest, user.id]);
  const shortcuts = shortcutsFor(user.roles, { ownUnitId: user.unitId, ledUnitId: led[0]?.unit.id ?? user.unitId });
  const seesCompany = session.hasRole('executive') || session.hasRole('admin');
  const isAdmin = session.can('outbox.admin') && session.can('audit.read_all');
  const keepsTasks = session.can('crm.activities.write');
  const now = new Date();

  return (
    <div data-testid="home-page" data-roles={user.roles.join(' ')}>
      <div style={{ marginBottom: 20 }}>
        <Typography.Title level={3} style={{ margin: 0 }} data-testid="home-greeting">
          {t(`greeting.${partOfDay(now, user.timeZone)}`, { name: personName(user, locale) })}
        </Typography.Title>
        <Typography.Text type="secondary">{t('today', { date: formatLongDate(now, locale, user.timeZone) })}</Typography.Text>
      </div>
      <Row gutter={[16, 16]}>
        <Col xs={24}>
          <ShortcutsCard shortcuts={shortcuts} />
        </Col>
        {seesCompany && forest && (
          <Col xs={24} xl={isAdmin ? 14 : 24}>
            <HeadcountCard forest={forest} />
          </Col>
        )}
        {isAdmin && (
          <Col xs={24} xl={10}>
            <SystemStatusCard />
          </Col>
        )}
        {keepsTasks && (
          <Col xs={24}>
            <TasksCard />
          </Col>
        )}
        <Col xs={24} lg={8}>
          <ProfileCard forest={forest} />
        </Col>
        <Col xs={24} lg={8}>
          <TeamCard forest={forest} />
        </Col>
        <Col xs={24} lg={8}>
          <ChainCard />
        </Col>
        {led.length > 0 && (
          <Col xs={24}>
            <LedUnitsCard units={led} />
          </Col>
        )}
      </Row>
    </div>
  );
}
