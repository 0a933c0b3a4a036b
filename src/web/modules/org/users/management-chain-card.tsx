import { ApartmentOutlined, UserOutlined } from '@ant-design/icons';
import { Card, DatePicker, Empty, Skeleton, Space, Steps, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { ApiProblem } from '../../../http/api-problem.ts';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { useLocale } from '../../../i18n/use-locale.ts';
import { personName, unitName } from '../display-names.ts';
import { useChain } from '../org-queries.ts';

/** A person's managers (direct manager first) and unit path, today or as of a chosen day. */
export function ManagementChainCard({ userId }: { userId: string }) {
  const { t } = useTranslation('org');
  const locale = useLocale();
  const [asOf, setAsOf] = useState<Dayjs | null>(null);
  const chain = useChain(userId, asOf ? asOf.format('YYYY-MM-DD') : undefined);

  return (
    <Card
      title={t('detail.chain')}
      extra={
        <Space>
          <Typography.Text type="secondary">{t('detail.chainAsOf')}</Typography.Text>
          <DatePicker value={asOf} onChange={setAsOf} disabledDate={(d) => d.isAfter(dayjs(), 'day')} allowClear data-testid="chain-as-of" />
        </Space>
      }
      data-testid="management-chain"
    >
      {chain.error instanceof ApiProblem && <ProblemAlert problem={chain.error} />}
      {chain.isPending && <Skeleton active />}
      {chain.data && (
        <>
          {chain.data.managers.length === 0 ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('detail.noManager')} />
          ) : (
            <Steps
              orientation="vertical"
              size="small"
              current={-1}
              items={chain.data.managers.map((m) => ({
                icon: <UserOutlined />,
                title: (
                  <Link to={`/users/${m.userId}`} data-testid="chain-manager">
                    {personName(m, locale)}
                  </Link>
                ),
                content: t('detail.level', { level: m.level }),
              }))}
            />
          )}
          <Typography.Paragraph type="secondary" style={{ marginTop: 16, marginBottom: 4 }}>
            <ApartmentOutlined /> {t('detail.unitPath')}
          </Typography.Paragraph>
          <Typography.Text data-testid="chain-units">
            {[...chain.data.units]
              .reverse()
              .map((u) => unitName(u, locale))
              .join(' / ') || '—'}
          </Typography.Text>
        </>
      )}
    </Card>
  );
}
