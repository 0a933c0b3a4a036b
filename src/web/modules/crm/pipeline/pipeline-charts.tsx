import { useQuery } from '@tanstack/react-query';
import { Card, Col, Row, Statistic, Table } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { Pipeline, PipelineAnalytics, PipelineSummary } from '../../../../server/modules/crm/opportunity-contract.ts';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { Dec } from '../../../../shared/money.ts';
import type { ApiProblem } from '../../../http/api-problem.ts';
import { useLocale } from '../../../i18n/use-locale.ts';
import { DealChart, type DealChartOption } from './deal-chart.tsx';
import { formatMoney, toChartValue } from './money-display.ts';
import { pipelineApi, pipelineKeys } from './pipeline-api.ts';
import { stageLabel } from './pipeline-queries.ts';

/** The stage summary (amount and weighted amount per stage) and the funnel of the deals created in the last year. */
export function PipelineCharts({ pipeline, unitId, closeFrom, closeTo, today }: { pipeline: Pipeline; unitId?: string | undefined; closeFrom?: string | undefined; closeTo?: string | undefined; today: string }) {
  const { t } = useTranslation('pipeline');
  const locale = useLocale();
  const summaryQuery = { pipelineId: pipeline.id, ...(unitId ? { unitId } : {}), ...(closeFrom ? { closeFrom } : {}), ...(closeTo ? { closeTo } : {}) };
  const summary = useQuery({ queryKey: pipelineKeys.summary(summaryQuery), queryFn: ({ signal }) => pipelineApi.summary(summaryQuery, signal) });
  const from = `${Number(today.slice(0, 4)) - 1}${today.slice(4)}`;
  const analyticsQuery = { pipelineId: pipeline.id, from, to: today };
  const analytics = useQuery({ queryKey: pipelineKeys.analytics(analyticsQuery), queryFn: ({ signal }) => pipelineApi.analytics(analyticsQuery, signal) });
  const stageName = (key: string) => stageLabel(pipeline.definition.stages.find((s) => s.key === key), key, locale);

  return (
    <div data-testid="pipeline-charts">
      <ProblemAlert problem={(summary.error ?? analytics.error) as ApiProblem | null} />
      {summary.data && <SummaryFigures summary={summary.data} />}
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={14}>
          <Card title={t('charts.byStage')} size="small">
            {summary.data && <SummaryChart summary={summary.data} stageName={stageName} />}
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <Card title={t('charts.funnel', { from, to: today })} size="small">
            {analytics.data && <FunnelChartCard analytics={analytics.data} stageName={stageName} />}
          </Card>
        </Col>
      </Row>
      {analytics.data && (
        <Card title={t('charts.conversion')} size="small" style={{ marginTop: 16 }}>
          <Table
            rowKey="stageKey"
            size="small"
            pagination={false}
            dataSource={analytics.data.stages}
            data-testid="pipeline-conversion"
            columns={[
              { title: t('fields.stage'), dataIndex: 'stageKey', render: (k: string) => stageName(k) },
              { title: t('charts.entered'), dataIndex: 'entered', align: 'right' },
              { title: t('charts.advanced'), dataIndex: 'advanced', align: 'right' },
              { title: t('charts.won'), dataIndex: 'won', align: 'right' },
              { title: t('charts.lost'), dataIndex: 'lost', align: 'right' },
              { title: t('charts.advanceRate'), dataIndex: 'advanceRate', align: 'right', render: percent },
              { title: t('charts.winRate'), dataIndex: 'winRate', align: 'right', render: percent },
              { title: t('charts.avgDays'), dataIndex: 'avgDaysInStage', align: 'right', render: (v: string | null) => v ?? '—' },
            ]}
          />
        </Card>
      )}
    </div>
  );
}

/** Rates come as fractions ("0.4500"); shown as percentages without a float multiply. */
function percent(v: string | null): string {
  if (v === null) return '—';
  return `${new Dec(v).times(100).toDecimalPlaces(1).toString()}%`;
}

function SummaryFigures({ summary }: { summary: PipelineSummary }) {
  const { t } = useTranslation('pipeline');
  return (
    <Row gutter={16} style={{ marginBottom: 16 }} data-testid="pipeline-summary">
      <Col xs={12} md={6}>
        <Statistic title={t('charts.openCount')} value={summary.open.count} />
      </Col>
      <Col xs={12} md={6}>
        <Statistic title={t('charts.openAmount')} value={formatMoney(summary.open.amount)} />
      </Col>
      <Col xs={12} md={6}>
        <Statistic title={t('charts.openWeighted')} value={formatMoney(summary.open.weighted)} />
      </Col>
      <Col xs={12} md={6}>
        <Statistic title={t('charts.totalCount')} value={summary.total.count} />
      </Col>
    </Row>
  );
}

function SummaryChart({ summary, stageName }: { summary: PipelineSummary; stageName: (k: string) => string }) {
  const { t } = useTranslation('pipeline');
  const option = useMemo<DealChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 80, right: 16, top: 32, bottom: 32 },
      xAxis: { type: 'category', data: summary.stages.map((s) => stageName(s.stageKey)) },
      yAxis: { type: 'value' },
      series: [
        { name: t('charts.amount'), type: 'bar', data: summary.stages.map((s) => toChartValue(s.amount.amount)) },
        { name: t('charts.weighted'), type: 'bar', data: summary.stages.map((s) => toChartValue(s.weighted.amount)) },
      ],
    }),
    [summary, stageName, t],
  );
  return <DealChart option={option} testId="pipeline-summary-chart" />;
}

function FunnelChartCard({ analytics, stageName }: { analytics: PipelineAnalytics; stageName: (k: string) => string }) {
  const { t } = useTranslation('pipeline');
  const option = useMemo<DealChartOption>(() => {
    const open = analytics.stages.filter((s) => s.kind !== 'lost');
    return {
      tooltip: { trigger: 'item' },
      series: [
        {
          name: t('charts.entered'),
          type: 'funnel',
          sort: 'none',
          left: 16,
          right: 16,
          top: 16,
          bottom: 16,
          label: { show: true, position: 'inside' },
          data: open.map((s) => ({ name: `${stageName(s.stageKey)} ${s.entered}`, value: s.entered })),
        },
      ],
    };
  }, [analytics, stageName, t]);
  return <DealChart option={option} testId="pipeline-funnel-chart" />;
}
