import { useMutation, useQuery } from '@tanstack/react-query';
import { Card, Descriptions, Input, Modal, Select, Space, Spin, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import type { OpportunityDetail as Detail, OpportunityHistory, Pipeline } from '../../../../server/modules/crm/opportunity-contract.ts';
import { FORECAST_CATEGORIES, type ForecastCategory, listAllowedNextStages } from '../../../../server/modules/crm/pipeline.ts';
import { ProblemAlert } from '../../../components/problem-alert.tsx';
import { useShowProblem } from '../../../components/use-show-problem.ts';
import type { ApiProblem } from '../../../http/api-problem.ts';
import { formatDateTime } from '../../../i18n/date-format.ts';
import { useLocale } from '../../../i18n/use-locale.ts';
import { useSession } from '../../org/auth/use-session.ts';
import { checkDrop } from './kanban-board.ts';
import { formatMoney } from './money-display.ts';
import { pipelineApi, pipelineKeys } from './pipeline-api.ts';
import { stageLabel, useDealChanged, useOpportunity, usePipelines, useStageHistory } from './pipeline-queries.ts';
import { formatDuration } from './stage-duration.ts';

/** One deal: its fields, where its forecast category comes from, its contact roles and its stage history. */
export function OpportunityDetailView({ id }: { id: string }) {
  const { t } = useTranslation('pipeline');
  const deal = useOpportunity(id);
  const pipelines = usePipelines();
  if (deal.error) return <ProblemAlert problem={deal.error as ApiProblem} />;
  if (!deal.data || !pipelines.data) return <Spin />;
  const pipeline = pipelines.data.items.find((p) => p.id === deal.data.pipelineId);
  return (
    <div data-testid="opportunity-detail" data-id={deal.data.id} data-stage={deal.data.stageKey}>
      <Typography.Title level={5} style={{ marginTop: 0 }}>
        {deal.data.number} · {deal.data.name}
      </Typography.Title>
      <DealFields deal={deal.data} pipeline={pipeline} />
      <Card size="small" title={t('detail.history')} style={{ marginTop: 16 }}>
        <StageHistory id={deal.data.id} pipeline={pipeline} />
      </Card>
    </div>
  );
}

function DealFields({ deal, pipeline }: { deal: Detail; pipeline: Pipeline | undefined }) {
  const { t } = useTranslation('pipeline');
  const locale = useLocale();
  const session = useSession();
  const stage = pipeline?.definition.stages.find((s) => s.key === deal.stageKey);
  const contacts = useQuery({ queryKey: pipelineKeys.contacts(deal.accountId), queryFn: ({ signal }) => pipelineApi.contacts(deal.accountId, signal), enabled: deal.contacts.length > 0 });
  const names = new Map((contacts.data?.items ?? []).map((c) => [c.id, c.name]));
  const dealChanged = useDealChanged();
  const showProblem = useShowProblem();
  const override = useMutation({
    mutationFn: (value: ForecastCategory | null) => pipelineApi.update(deal.id, { version: deal.version, forecastCategoryOverride: value }),
    onSuccess: dealChanged,
    onError: showProblem,
  });
  const isOpen = stage?.kind === 'open';
  const canEdit = session.can('crm.opportunities.write');
  const list = (items: string[]) => (items.length ? items.map((x) => <Tag key={x}>{x}</Tag>) : '—');

  return (
    <Descriptions size="small" column={1} bordered>
      <Descriptions.Item label={t('fields.account')}>
        <Link to={`/crm/accounts/${deal.accountId}`}>{deal.accountName}</Link>
      </Descriptions.Item>
      <Descriptions.Item label={t('fields.owner')}>{deal.ownerName}</Descriptions.Item>
      <Descriptions.Item label={t('fields.amount')}>
        <span data-testid="detail-amount">{formatMoney(deal.amount)}</span>
        {deal.amount.currency !== deal.amountCompany.currency && (
          <Typography.Text type="secondary" style={{ marginInlineStart: 8 }}>
            {t('detail.converted', { amount: formatMoney(deal.amountCompany), rate: deal.fxRate })}
          </Typography.Text>
        )}
      </Descriptions.Item>
      <Descriptions.Item label={t('fields.expectedCloseDate')}>{deal.expectedCloseDate}</Descriptions.Item>
      <Descriptions.Item label={t('fields.stage')}>
        <Space wrap>
          <Tag data-testid="detail-stage">{stageLabel(stage, deal.stageKey, locale)}</Tag>
          {pipeline && canEdit && <StageMover deal={deal} pipeline={pipeline} />}
        </Space>
      </Descriptions.Item>
      <Descriptions.Item label={t('fields.probability')}>{deal.probability}%</Descriptions.Item>
      <Descriptions.Item label={t('fields.forecastCategory')}>
        <Space direction="vertical" size={4}>
          <span data-testid="detail-category">{t(`categories.${deal.forecastCategory}`)}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('detail.categoryDefault', { category: t(`categories.${deal.forecastCategoryDefault}`) })}
          </Typography.Text>
          {isOpen && canEdit ? (
            <Select<ForecastCategory | 'default'>
              size="small"
              style={{ width: 220 }}
              value={deal.forecastCategoryOverride ?? 'default'}
              loading={override.isPending}
              onChange={(v) => override.mutate(v === 'default' ? null : v)}
              options={[
                { value: 'default', label: t('detail.useDefault') },
                ...FORECAST_CATEGORIES.filter((c) => c !== 'closed').map((c) => ({ value: c, label: t('detail.overrideTo', { category: t(`categories.${c}`) }) })),
              ]}
              data-testid="detail-category-override"
            />
          ) : (
            deal.forecastCategoryOverride && <Tag>{t('detail.overrideTo', { category: t(`categories.${deal.forecastCategoryOverride}`) })}</Tag>
          )}
        </Space>
      </Descriptions.Item>
      <Descriptions.Item label={t('fields.nextStep')}>{deal.nextStep ?? '—'}</Descriptions.Item>
      <Descriptions.Item label={t('fields.competitors')}>{list(deal.competitors)}</Descriptions.Item>
      <Descriptions.Item label={t('fields.source')}>{deal.source ?? '—'}</Descriptions.Item>
      <Descriptions.Item label={t('fields.productInterest')}>{list(deal.productInterest)}</Descriptions.Item>
      {deal.lossReason && <Descriptions.Item label={t('fields.lossReason')}>{deal.lossReason}</Descriptions.Item>}
      <Descriptions.Item label={t('fields.contacts')}>
        {deal.contacts.length === 0
          ? '—'
          : deal.contacts.map((c) => (
              <div key={c.contactId}>
                <Link to={`/crm/contacts/${c.contactId}`}>{names.get(c.contactId) ?? c.contactId}</Link> · {t(`contactRoles.${c.role}`)}
              </div>
            ))}
      </Descriptions.Item>
      <Descriptions.Item label={t('detail.updatedAt')}>{formatDateTime(deal.updatedAt, locale, session.user.timeZone)}</Descriptions.Item>
    </Descriptions>
  );
}

/** The kanban's move without dragging: only the stages the pipeline allows from here, the loss reason asked when closing as lost. */
function StageMover({ deal, pipeline }: { deal: Detail; pipeline: Pipeline }) {
  const { t } = useTranslation(['pipeline', 'common']);
  const locale = useLocale();
  const dealChanged = useDealChanged();
  const showProblem = useShowProblem();
  const [lossFor, setLossFor] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const targets = listAllowedNextStages(pipeline.definition, deal.stageKey);
  const move = useMutation({
    mutationFn: ({ stageKey, lossReason }: { stageKey: string; lossReason?: string }) =>
      pipelineApi.changeStage(deal.id, { version: deal.version, stageKey, ...(lossReason ? { lossReason } : {}) }),
    onSuccess: dealChanged,
    onError: showProblem,
  });
  if (targets.length === 0) return null;
  const choose = (stageKey: string) => {
    const check = checkDrop(pipeline, deal, stageKey);
    if (check.kind === 'needs_loss_reason') {
      setReason('');
      setLossFor(stageKey);
    } else if (check.kind === 'ok') move.mutate({ stageKey });
  };
  return (
    <>
      <Select<string>
        size="small"
        style={{ width: 200 }}
        value={null as unknown as string}
        placeholder={t('detail.moveTo')}
        loading={move.isPending}
        onChange={choose}
        options={targets.map((k) => ({ value: k, label: stageLabel(pipeline.definition.stages.find((s) => s.key === k), k, locale) }))}
        data-testid="detail-move-stage"
      />
      <Modal
        open={lossFor !== null}
        title={t('lossReason.title')}
        okText={t('lossReason.submit')}
        cancelText={t('common:actions.cancel')}
        okButtonProps={{ disabled: reason.trim() === '' }}
        onOk={() => {
          if (lossFor) move.mutate({ stageKey: lossFor, lossReason: reason.trim() });
          setLossFor(null);
        }}
        onCancel={() => setLossFor(null)}
        destroyOnHidden
      >
        <Input.TextArea value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} rows={3} />
      </Modal>
    </>
  );
}

function StageHistory({ id, pipeline }: { id: string; pipeline: Pipeline | undefined }) {
  const { t } = useTranslation('pipeline');
  const locale = useLocale();
  const session = useSession();
  const history = useStageHistory(id);
  const name = (key: string | null) => (key === null ? '—' : stageLabel(pipeline?.definition.stages.find((s) => s.key === key), key, locale));
  if (!history.data) return <Spin />;
  const time = Object.entries(history.data.timeInStageMs);
  return (
    <>
      <Table<OpportunityHistory['items'][number]>
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={history.data.items}
        data-testid="stage-history"
        onRow={() => ({ 'data-testid': 'stage-history-row' }) as object}
        columns={[
          { title: t('detail.changedAt'), dataIndex: 'changedAt', render: (v: string) => formatDateTime(v, locale, session.user.timeZone) },
          { title: t('detail.from'), dataIndex: 'fromStage', render: name },
          { title: t('detail.to'), dataIndex: 'toStage', render: name },
          { title: t('fields.amount'), dataIndex: 'amountCompany', render: (v: OpportunityHistory['items'][number]['amountCompany']) => formatMoney(v) },
        ]}
      />
      <Typography.Text strong style={{ display: 'block', marginTop: 12 }}>
        {t('detail.timeInStage')}
      </Typography.Text>
      <Space wrap data-testid="time-in-stage">
        {time.map(([key, ms]) => (
          <Tag key={key}>
            {name(key)}: {formatDuration(ms, t)}
          </Tag>
        ))}
      </Space>
    </>
  );
}
