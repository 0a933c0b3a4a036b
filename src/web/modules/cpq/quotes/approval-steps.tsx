import { Descriptions, List, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { ApprovalPreview, ApprovalStepDto } from '../../../../server/modules/quotes/approval-contract.ts';
import { formatMoney } from '../../crm/pipeline/money-display.ts';
import { formatPercent, formatPercentRounded } from './quote-format.ts';

type Trigger = ApprovalStepDto['triggers'][number];
type Metrics = ApprovalPreview['metrics'];

const PERCENT_METRICS = new Set(['quote_discount', 'max_line_discount', 'margin_pct']);

/** "Quote discount 18.5% > 15%" in the UI language, from the trigger's exact values. */
export function TriggerText({ trigger }: { trigger: Trigger }) {
  const { t } = useTranslation('cpq-quotes');
  const unit = (v: string) => (PERCENT_METRICS.has(trigger.metric) ? formatPercent(v) : trigger.currency ? `${v} ${trigger.currency}` : v);
  const actual = trigger.actual === 'unknown' ? t('approvals.unknown') : unit(trigger.actual.replace(/\s*%$/, '').replace(/\s+[A-Z]{3}$/, ''));
  return (
    <span data-testid="approval-trigger" data-rule={trigger.ruleId}>
      {t('approvals.trigger', { metric: t(`metrics.${trigger.metric}`), actual, op: t(`ops.${trigger.op}`), threshold: unit(trigger.threshold) })}
    </span>
  );
}

/** The quote's metrics the policy looks at. */
export function MetricsTable({ metrics }: { metrics: Metrics }) {
  const { t } = useTranslation('cpq-quotes');
  return (
    <Descriptions size="small" column={{ xs: 1, md: 3 }} bordered data-testid="approval-metrics">
      <Descriptions.Item label={t('metrics.quote_discount')}>
        <span title={formatPercent(metrics.quoteDiscountPercent)}>{formatPercentRounded(metrics.quoteDiscountPercent)}</span>
      </Descriptions.Item>
      <Descriptions.Item label={t('metrics.max_line_discount')}>
        <span title={formatPercent(metrics.maxLineDiscountPercent)}>{formatPercentRounded(metrics.maxLineDiscountPercent)}</span>
      </Descriptions.Item>
      <Descriptions.Item label={t('metrics.below_floor_lines')}>{metrics.belowFloorLines}</Descriptions.Item>
      <Descriptions.Item label={t('metrics.margin_pct')}>
        <span title={formatPercent(metrics.marginPercent)}>{formatPercentRounded(metrics.marginPercent)}</span>
      </Descriptions.Item>
      <Descriptions.Item label={t('metrics.total_amount')}>{formatMoney(metrics.totalAmount)}</Descriptions.Item>
    </Descriptions>
  );
}

const STEP_COLORS: Record<ApprovalStepDto['status'], string> = { waiting: 'default', pending: 'processing', approved: 'success', rejected: 'error' };

/** The approval steps in order: level, why (the rules that fired), who may approve, and their status. */
export function ApprovalStepsList({ steps, showStatus }: { steps: readonly ApprovalStepDto[]; showStatus: boolean }) {
  const { t } = useTranslation('cpq-quotes');
  return (
    <List
      size="small"
      bordered
      dataSource={[...steps]}
      data-testid="approval-steps"
      renderItem={(step, i) => (
        <List.Item data-testid="approval-step" data-level={step.level} data-status={step.status}>
          <Space orientation="vertical" size={2} style={{ width: '100%' }}>
            <Space wrap>
              <strong>{`${i + 1}. ${t(`levels.${step.level}`)}`}</strong>
              {step.actingLevel !== step.level && <Tag>{t('approvals.escalatedTo', { level: t(`levels.${step.actingLevel}`) })}</Tag>}
              {step.covers.filter((c) => c !== step.level).length > 0 && (
                <Tag>{t('approvals.covers', { levels: step.covers.filter((c) => c !== step.level).map((c) => t(`levels.${c}`)).join(', ') })}</Tag>
              )}
              {showStatus && <Tag color={STEP_COLORS[step.status]}>{t(`statuses.step.${step.status}`)}</Tag>}
            </Space>
            {step.implied ? (
              <Typography.Text type="secondary">{t('approvals.implied')}</Typography.Text>
            ) : (
              step.triggers.map((tr) => (
                <div key={tr.ruleId}>
                  <TriggerText trigger={tr} />
                </div>
              ))
            )}
            <Typography.Text type="secondary" data-testid="approval-step-approvers">
              {t('approvals.approvers', { names: step.approvers.map((p) => p.name).join(', ') || '—' })}
              {step.delegates.length > 0 && ` · ${t('approvals.delegates', { names: step.delegates.map((p) => p.name).join(', ') })}`}
            </Typography.Text>
          </Space>
        </List.Item>
      )}
    />
  );
}
