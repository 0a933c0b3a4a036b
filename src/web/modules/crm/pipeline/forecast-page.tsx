import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Card, Col, Form, Input, Row, Segmented, Select, Space, Spin, Table, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ForecastLine } from '../../../../server/modules/crm/opportunity-contract.ts';
import { FORECAST_CATEGORIES } from '../../../../server/modules/crm/pipeline.ts';
import { DECIMAL_PATTERN } from '../../../../shared/money.ts';
import { PageHeader } from '../../../components/page-header.tsx';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { ApiProblem, type FieldError } from '../../../http/api-problem.ts';
import { applyProblemToForm } from '../../../http/form-errors.ts';
import { newIdempotencyKey } from '../../../http/idempotency-key.ts';
import { formatDateTime } from '../../../i18n/date-format.ts';
import { useLocale } from '../../../i18n/use-locale.ts';
import { useSession } from '../../org/auth/use-session.ts';
import { unitName } from '../../org/display-names.ts';
import { useUser } from '../../org/org-queries.ts';
import { UnitTreeSelect } from '../../org/unit-tree-select.tsx';
import { DealChart, type DealChartOption } from './deal-chart.tsx';
import { childLines, listPeriodOptions, ownLine, previewAdjustedCommit, submissionRows } from './forecast-figures.ts';
import { formatMoney, toChartValue } from './money-display.ts';
import { pipelineApi, pipelineKeys } from './pipeline-api.ts';

type PeriodKind = 'month' | 'quarter';

function todayIn(timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/** /crm/forecast: a fiscal period's forecast for an org unit, by category and weighted, and the managers' submissions. */
export function ForecastPage() {
  const { t } = useTranslation('pipeline');
  const locale = useLocale();
  const session = useSession();
  const today = todayIn(session.user.timeZone);
  const [kind, setKind] = useState<PeriodKind>('quarter');
  const periods = useMemo(() => listPeriodOptions(today, kind), [today, kind]);
  const [period, setPeriod] = useState<string>(() => listPeriodOptions(today, 'quarter')[4]!.key);
  const [unitId, setUnitId] = useState<string | null>(session.user.unitId ?? null);

  const forecast = useQuery({
    queryKey: pipelineKeys.forecast(period, unitId ?? undefined),
    queryFn: ({ signal }) => pipelineApi.forecast({ period, unitId: unitId ?? undefined }, signal),
  });
  const shownUnit = forecast.data?.unitId;
  const own = forecast.data ? ownLine(forecast.data) : undefined;
  const children = forecast.data ? childLines(forecast.data) : [];
  const canSubmit = session.can('crm.forecast.submit');

  const changeKind = (next: PeriodKind) => {
    setKind(next);
    setPeriod(listPeriodOptions(today, next)[4]!.key);
  };

  return (
    <div data-testid="forecast-page" data-period={period} data-unit={shownUnit}>
      <PageHeader
        title={t('forecast.title')}
        extra={
          <>
            <Segmented<PeriodKind>
              value={kind}
              onChange={changeKind}
              options={[
                { value: 'month', label: t('forecast.month') },
                { value: 'quarter', label: t('forecast.quarter') },
              ]}
              data-testid="forecast-kind"
            />
            <Select
              value={period}
              onChange={setPeriod}
              options={periods.map((p) => ({ value: p.key, label: `${p.key} (${p.start} – ${p.end})` }))}
              style={{ width: 260 }}
              data-testid="forecast-period"
            />
            <UnitTreeSelect value={unitId} onChange={setUnitId} allowClear={false} style={{ width: 240 }} testId="forecast-unit" />
          </>
        }
      />
      <ProblemAlert problem={forecast.error as ApiProblem | null} />
      {forecast.isLoading && <Spin />}
      {forecast.data && (
        <>
          <ForecastTable lines={own ? [own, ...children] : children} ownId={own?.id} onDrill={setUnitId} />
          <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
            <Col xs={24} xl={canSubmit ? 14 : 24}>
              <Card size="small" title={t('forecast.chart')}>
                <ForecastChart lines={children.length > 0 ? children : own ? [own] : []} locale={locale} />
              </Card>
            </Col>
            {canSubmit && shownUnit && own && (
              <Col xs={24} xl={10}>
                <SubmitForecast key={`${shownUnit}:${period}`} unitId={shownUnit} period={period} line={own} />
              </Col>
            )}
          </Row>
          {shownUnit && <SubmissionHistory unitId={shownUnit} period={period} />}
        </>
      )}
    </div>
  );
}

function lineName(l: ForecastLine, locale: 'zh-CN' | 'en'): string {
  return unitName(l, locale);
}

/** The unit's own line, then one per unit or rep directly below it; a unit's name opens its own forecast (drill down). */
function ForecastTable({ lines, ownId, onDrill }: { lines: ForecastLine[]; ownId: string | undefined; onDrill: (unitId: string) => void }) {
  const { t } = useTranslation('pipeline');
  const locale = useLocale();
  const [measure, setMeasure] = useState<'amount' | 'weighted'>('amount');
  return (
    <Card
      size="small"
      title={t('forecast.byUnit')}
      extra={
        <Segmented
          value={measure}
          onChange={(v) => setMeasure(v as 'amount' | 'weighted')}
          options={[
            { value: 'amount', label: t('forecast.amount') },
            { value: 'weighted', label: t('forecast.weighted') },
          ]}
          data-testid="forecast-measure"
        />
      }
    >
      <Table<ForecastLine>
        rowKey={(l) => `${l.level}:${l.id}`}
        size="small"
        pagination={false}
        dataSource={lines}
        scroll={{ x: 1000 }}
        data-testid="forecast-table"
        onRow={(l) => ({ 'data-testid': 'forecast-row', 'data-id': l.id, 'data-level': l.level, style: l.id === ownId ? { fontWeight: 600 } : undefined }) as object}
        columns={[
          {
            title: t('forecast.line'),
            key: 'name',
            render: (_, l) => (
              <Space size={4}>
                {l.level !== 'rep' && l.id !== ownId ? (
                  <Typography.Link onClick={() => onDrill(l.id)} data-testid="forecast-drill">
                    {lineName(l, locale)}
                  </Typography.Link>
                ) : (
                  lineName(l, locale)
                )}
                <Tag>{t(`levels.${l.level}`)}</Tag>
              </Space>
            ),
          },
          ...FORECAST_CATEGORIES.map((c) => ({
            title: t(`categories.${c}`),
            key: c,
            align: 'right' as const,
            render: (_: unknown, l: ForecastLine) => formatMoney(l.byCategory[c][measure]),
          })),
          {
            title: t('forecast.commitTotal'),
            key: 'commitTotal',
            align: 'right' as const,
            render: (_: unknown, l: ForecastLine) => <span data-testid="forecast-commit">{formatMoney(l.cumulative.commit[measure])}</span>,
          },
          {
            title: t('forecast.bestCaseTotal'),
            key: 'bestCaseTotal',
            align: 'right' as const,
            render: (_: unknown, l: ForecastLine) => formatMoney(l.cumulative.bestCase[measure]),
          },
        ]}
      />
    </Card>
  );
}

function ForecastChart({ lines, locale }: { lines: ForecastLine[]; locale: 'zh-CN' | 'en' }) {
  const { t } = useTranslation('pipeline');
  const option = useMemo<DealChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 80, right: 16, top: 32, bottom: 48 },
      xAxis: { type: 'category', data: lines.map((l) => lineName(l, locale)), axisLabel: { interval: 0, rotate: lines.length > 6 ? 30 : 0 } },
      yAxis: { type: 'value' },
      series: [
        ...(['closed', 'commit', 'best_case', 'pipeline'] as const).map((c) => ({
          name: t(`categories.${c}`),
          type: 'bar' as const,
          stack: 'amount',
          data: lines.map((l) => toChartValue(l.byCategory[c].amount.amount)),
        })),
        { name: t('forecast.weightedOpen'), type: 'line' as const, data: lines.map((l) => toChartValue(l.cumulative.openPipeline.weighted.amount)) },
      ],
    }),
    [lines, locale, t],
  );
  return <DealChart option={option} testId="forecast-chart" />;
}

function SubmitForecast({ unitId, period, line }: { unitId: string; period: string; line: ForecastLine }) {
  const { t } = useTranslation(['pipeline', 'common']);
  const [form] = Form.useForm<{ adjustment: string; comment?: string }>();
  const client = useQueryClient();
  const [key, setKey] = useState(newIdempotencyKey);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [unmatched, setUnmatched] = useState<FieldError[]>([]);
  const adjustment = Form.useWatch('adjustment', form) ?? '0';
  const preview = previewAdjustedCommit(line, adjustment.trim() || '0');
  const submit = useMutation({
    mutationFn: (v: { adjustment: string; comment?: string }) =>
      pipelineApi.submit(
        { unitId, period, adjustment: { amount: v.adjustment.trim() || '0', currency: 'CNY' }, ...(v.comment?.trim() ? { comment: v.comment.trim() } : {}) },
        key,
      ),
    onSuccess: () => {
      setKey(newIdempotencyKey());
      setProblem(null);
      setUnmatched([]);
      form.resetFields();
      void client.invalidateQueries({ queryKey: pipelineKeys.submissions(period, unitId) });
    },
    onError: (err) => {
      if (err instanceof ApiProblem) {
        setProblem(err);
        setUnmatched(applyProblemToForm(form, err, ['adjustment', 'comment']));
      }
    },
  });

  return (
    <Card size="small" title={t('forecast.submitTitle')} data-testid="forecast-submit-card">
      <ProblemAlert problem={problem} unmatched={unmatched} />
      <Typography.Paragraph type="secondary">
        {t('forecast.submitHint', { closed: formatMoney(line.byCategory.closed.amount), commit: formatMoney(line.byCategory.commit.amount) })}
      </Typography.Paragraph>
      <Form form={form} layout="vertical" initialValues={{ adjustment: '0' }} onFinish={(v) => submit.mutate(v)}>
        <Form.Item name="adjustment" label={t('forecast.adjustment')} rules={[{ pattern: DECIMAL_PATTERN, message: t('newDeal.amountFormat') }]}>
          <Input inputMode="decimal" addonAfter="CNY" data-testid="forecast-adjustment" />
        </Form.Item>
        <Typography.Paragraph data-testid="forecast-preview">
          {t('forecast.adjustedCommit')}: <strong>{preview ? formatMoney({ amount: preview, currency: 'CNY' }) : '—'}</strong>
        </Typography.Paragraph>
        <Form.Item name="comment" label={t('forecast.comment')}>
          <Input.TextArea rows={3} maxLength={2000} data-testid="forecast-comment" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={submit.isPending} data-testid="forecast-submit">
          {t('forecast.submit')}
        </Button>
      </Form>
    </Card>
  );
}

function Submitter({ id }: { id: string }) {
  const locale = useLocale();
  const user = useUser(id);
  return <>{user.data ? unitName(user.data, locale) : '…'}</>;
}

function SubmissionHistory({ unitId, period }: { unitId: string; period: string }) {
  const { t } = useTranslation('pipeline');
  const locale = useLocale();
  const session = useSession();
  const list = useQuery({ queryKey: pipelineKeys.submissions(period, unitId), queryFn: ({ signal }) => pipelineApi.submissions({ period, unitId }, signal) });
  const rows = useMemo(() => submissionRows(list.data?.items ?? []), [list.data]);
  const trend = useMemo<DealChartOption>(() => {
    const oldestFirst = [...rows].reverse();
    return {
      tooltip: { trigger: 'axis' },
      grid: { left: 80, right: 16, top: 16, bottom: 32 },
      xAxis: { type: 'category', data: oldestFirst.map((r) => r.submission.submittedAt.slice(0, 10)) },
      yAxis: { type: 'value' },
      series: [{ name: t('forecast.adjustedCommit'), type: 'line', data: oldestFirst.map((r) => toChartValue(r.submission.adjustedCommit.amount)) }],
    };
  }, [rows, t]);
  if (list.error) return <ProblemAlert problem={list.error as ApiProblem} />;
  return (
    <Card size="small" title={t('forecast.history')} style={{ marginTop: 16 }}>
      {rows.length > 1 && <DealChart option={trend} height={200} testId="forecast-trend" />}
      <Table
        rowKey={(r) => r.submission.id}
        size="small"
        pagination={false}
        loading={list.isLoading}
        dataSource={rows}
        data-testid="forecast-history"
        onRow={() => ({ 'data-testid': 'forecast-history-row' }) as object}
        columns={[
          { title: t('forecast.submittedAt'), key: 'at', render: (_, r) => formatDateTime(r.submission.submittedAt, locale, session.user.timeZone) },
          { title: t('forecast.submittedBy'), key: 'by', render: (_, r) => <Submitter id={r.submission.submittedBy} /> },
          { title: t('forecast.adjustment'), key: 'adj', align: 'right', render: (_, r) => formatMoney(r.submission.adjustment) },
          {
            title: t('forecast.adjustedCommit'),
            key: 'commit',
            align: 'right',
            render: (_, r) => <span data-testid="forecast-history-commit">{formatMoney(r.submission.adjustedCommit)}</span>,
          },
          {
            title: t('forecast.changeFromPrevious'),
            key: 'change',
            align: 'right',
            render: (_, r) => (r.commitChange === null ? '—' : <Delta amount={r.commitChange} />),
          },
          {
            title: t('forecast.weekOverWeek'),
            key: 'wow',
            render: (_, r) =>
              r.submission.weekOverWeek === null ? (
                <Typography.Text type="secondary">{t('forecast.noWeekBefore')}</Typography.Text>
              ) : r.weekOverWeek.length === 0 ? (
                t('forecast.unchanged')
              ) : (
                <Space wrap size={4}>
                  {r.weekOverWeek.map((c) => (
                    <Tag key={c.category}>
                      {t(`categories.${c.category as 'commit'}`)} <Delta amount={c.change} />
                      {c.changePercent !== null && ` (${c.changePercent}%)`}
                    </Tag>
                  ))}
                </Space>
              ),
          },
          { title: t('forecast.comment'), key: 'comment', render: (_, r) => r.submission.comment ?? '—' },
        ]}
      />
    </Card>
  );
}

function Delta({ amount }: { amount: string }) {
  const negative = amount.startsWith('-');
  const text = formatMoney({ amount, currency: 'CNY' });
  return <Typography.Text type={negative ? 'danger' : 'success'}>{negative ? text : `+${text}`}</Typography.Text>;
}
