import { Card, Col, DatePicker, Empty, Row, Skeleton, Space, Tooltip, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiProblem } from '../../../http/api-problem.ts';
import { PageHeader } from '../../../components/page-header.tsx';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { useSession } from '../auth/use-session.ts';
import { useUnitForest } from '../org-queries.ts';
import { UnitPanel } from './unit-panel.tsx';
import { UnitTree } from './unit-tree.tsx';

/** The org chart, today or as of a past day; selecting a unit lists its people. */
export function OrgChartPage() {
  const { t } = useTranslation('org');
  const { user } = useSession();
  const [asOf, setAsOf] = useState<Dayjs | null>(null);
  const asOfParam = asOf ? asOf.format('YYYY-MM-DD') : undefined;
  const { forest, query } = useUnitForest(asOfParam);
  const [selected, setSelected] = useState<string | undefined>(user.unitId ?? undefined);
  const node = selected ? forest?.byId.get(selected) : undefined;

  return (
    <div data-testid="org-chart-page">
      <PageHeader
        title={t('chart.title')}
        extra={
          <Space>
            <Tooltip title={t('chart.asOfHint')}>
              <Typography.Text type="secondary">{t('chart.asOf')}</Typography.Text>
            </Tooltip>
            <DatePicker value={asOf} onChange={setAsOf} disabledDate={(d) => d.isAfter(dayjs(), 'day')} data-testid="org-as-of" />
          </Space>
        }
      />
      {query.error instanceof ApiProblem && <ProblemAlert problem={query.error} />}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={10} xxl={8}>
          <Card styles={{ body: { padding: 16 } }}>
            {forest ? (
              <UnitTree key={asOfParam ?? 'today'} forest={forest} selectedId={selected} onSelect={setSelected} initiallyOpen={selected} />
            ) : (
              <Skeleton active paragraph={{ rows: 12 }} />
            )}
          </Card>
        </Col>
        <Col xs={24} lg={14} xxl={16}>
          {forest && node ? (
            <UnitPanel node={node} forest={forest} historical={!!asOfParam && asOfParam !== dayjs().format('YYYY-MM-DD')} />
          ) : (
            <Card>
              <Empty description={t('chart.selectUnit')} />
            </Card>
          )}
        </Col>
      </Row>
    </div>
  );
}
