import { Card, Empty, Skeleton, Timeline, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { useLocale } from '../../i18n/use-locale.ts';
import { useSession } from '../org/auth/use-session.ts';
import { personName } from '../org/display-names.ts';
import { useChain } from '../org/org-queries.ts';

/** The user's managers, direct manager first. */
export function ChainCard() {
  const { t } = useTranslation(['home', 'org']);
  const locale = useLocale();
  const { user } = useSession();
  const chain = useChain(user.id);
  return (
    <Card title={t('chain.title')} data-testid="home-card-chain">
      {chain.isPending ? (
        <Skeleton active paragraph={{ rows: 3 }} />
      ) : !chain.data || chain.data.managers.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('chain.empty')} />
      ) : (
        <Timeline
          items={chain.data.managers.map((m) => ({
            content: (
              <span style={{ display: 'flex', justifyContent: 'space-between', gap: 12 }}>
                <Link to={`/users/${m.userId}`} data-testid="home-chain-manager">
                  {personName(m, locale)}
                </Link>
                <Typography.Text type="secondary">{t('org:detail.level', { level: m.level })}</Typography.Text>
              </span>
            ),
          }))}
        />
      )}
    </Card>
  );
}
