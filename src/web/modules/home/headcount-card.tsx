import { Card, Col, Row, Statistic, theme } from 'antd';
import { lazy, Suspense, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { EChartOption } from '../../components/echart.tsx';
import { useLocale } from '../../i18n/use-locale.ts';
import { unitName } from '../org/display-names.ts';
import { type UnitForest, flattenForest } from '../org/org-tree.ts';

const EChart = lazy(() => import('../../components/echart.tsx'));

/** Headcount by business group (and the company-level departments), from today's org tree. */
export function HeadcountCard({ forest }: { forest: UnitForest }) {
  const { t } = useTranslation('home');
  const locale = useLocale();
  const { token } = theme.useToken();
  const top = useMemo(() => forest.roots.flatMap((r) => r.children), [forest]);
  const total = forest.roots.reduce((sum, r) => sum + r.subtreeCount, 0);
  const groups = top.filter((n) => n.unit.kind === 'business_group');

  const option = useMemo<EChartOption>(() => {
    // Largest at the top of a horizontal bar chart: echarts draws category 0 at the bottom.
    const bars = [...top].sort((a, b) => a.subtreeCount - b.subtreeCount);
    return {
      grid: { left: 8, right: 32, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: bars.map((n) => unitName(n.unit, locale)), axisTick: { show: false } },
      series: [
        {
          type: 'bar',
          name: t('headcount.series'),
          barMaxWidth: 22,
          label: { show: true, position: 'right' },
          data: bars.map((n) => ({
            value: n.subtreeCount,
            itemStyle: { color: n.unit.kind === 'business_group' ? token.colorPrimary : '#8fa8d8', borderRadius: [0, 4, 4, 0] },
          })),
        },
      ],
    };
  }, [top, locale, t, token.colorPrimary]);

  return (
    <Card title={t('headcount.title')} data-testid="home-card-headcount">
      <Row gutter={16} style={{ marginBottom: 16 }}>
        <Col span={8}>
          <Statistic title={t('headcount.total')} value={total} data-testid="home-total-headcount" />
        </Col>
        <Col span={8}>
          <Statistic title={t('headcount.businessGroups')} value={groups.length} />
        </Col>
        <Col span={8}>
          <Statistic title={t('headcount.units')} value={flattenForest(forest).length} />
        </Col>
      </Row>
      <Suspense fallback={<div style={{ height: Math.max(240, top.length * 36) }} />}>
        <EChart option={option} height={Math.max(240, top.length * 36)} testId="headcount-chart" />
      </Suspense>
    </Card>
  );
}
