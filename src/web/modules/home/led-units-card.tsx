import { Card, Statistic, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { SimpleList } from '../../components/simple-list.tsx';
import { useLocale } from '../../i18n/use-locale.ts';
import { unitName } from '../org/display-names.ts';
import type { UnitNode } from '../org/org-tree.ts';

/** The units the user heads, with the headcount of each subtree. */
export function LedUnitsCard({ units }: { units: UnitNode[] }) {
  const { t } = useTranslation(['home', 'common']);
  const locale = useLocale();
  return (
    <Card title={t('units.title')} data-testid="home-card-units">
      <SimpleList
        items={units}
        rowKey={(n) => n.unit.id}
        render={(n) => (
          <>
            <div style={{ flex: 1 }}>
              <Typography.Text strong>{unitName(n.unit, locale)}</Typography.Text>
              <div>
                <Typography.Text type="secondary">{t(`common:unitKinds.${n.unit.kind}`)}</Typography.Text>
              </div>
            </div>
            <Statistic title={t('units.headcount')} value={n.subtreeCount} data-testid="home-led-headcount" />
            <Statistic title={t('units.subunits')} value={n.children.length} />
            <Link to={`/users?unitId=${n.unit.id}&includeSubunits=true`}>{t('units.viewPeople')}</Link>
          </>
        )}
      />
    </Card>
  );
}
