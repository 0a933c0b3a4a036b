import { Space, Switch, Tag, Typography } from 'antd';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatMoney } from '../../crm/pipeline/money-display.ts';
import { type ExplanationStepView, type StepKind, countSteps, isEffective, orderSteps, relabelText, runningPriceOf, stepKind } from './waterfall-steps.ts';

export type { ExplanationStepView } from './waterfall-steps.ts';

const KIND_COLORS: Record<StepKind, string> = {
  base: 'default',
  applied: 'green',
  skipped: 'default',
  shadowed: 'orange',
  limit: 'red',
  manual: 'purple',
  round: 'cyan',
  other: 'blue',
};

/**
 * How a line's price came about, step by step as the API explains it (texts already in the
 * reader's language): the starting price, every rule applied with its arithmetic and the running
 * unit price, rules skipped (and why) or shadowed (and by which rule), clamps and rounding.
 * Generic on purpose — the what-if tester and the quote lines both hand it the steps they got.
 */
export function ExplanationWaterfall({
  steps,
  listUnit,
  netUnit,
  currency,
  highlightRuleId,
  ruleLabel,
  labels,
  testId = 'explanation-waterfall',
}: {
  steps: readonly ExplanationStepView[];
  /** List unit price (decimal string), shown above the steps. */
  listUnit?: string | null | undefined;
  /** Net unit price after every step, shown below them. */
  netUnit?: string | null | undefined;
  currency?: string | undefined;
  /** A rule to pick out (e.g. the one being edited). */
  highlightRuleId?: string | null | undefined;
  /** Extra content after a step naming a rule (a link to it, say). */
  ruleLabel?: ((ruleId: string) => ReactNode) | undefined;
  /** Rule id → code, for ids a text still carries (the server names applied rules only). */
  labels?: ReadonlyMap<string, string> | undefined;
  testId?: string;
}) {
  const { t } = useTranslation('cpq-catalog');
  const [showDismissed, setShowDismissed] = useState(true);
  const counts = countSteps(steps);
  const shown = orderSteps(steps, showDismissed);
  const money = (amount: string) => (currency ? formatMoney({ amount, currency }, 2) : amount);

  return (
    <div data-testid={testId}>
      <Space wrap size={[8, 4]} style={{ marginBottom: 8 }}>
        {listUnit !== null && listUnit !== undefined && (
          <Typography.Text type="secondary">
            {t('waterfall.listUnit')}: <span data-testid={`${testId}-list`}>{money(listUnit)}</span>
          </Typography.Text>
        )}
        <Tag color="green">{t('waterfall.counts.applied', { count: counts.applied })}</Tag>
        <Tag>{t('waterfall.counts.skipped', { count: counts.skipped })}</Tag>
        <Tag color="orange">{t('waterfall.counts.shadowed', { count: counts.shadowed })}</Tag>
        {counts.limit > 0 && <Tag color="red">{t('waterfall.counts.limit', { count: counts.limit })}</Tag>}
        <Space size={4}>
          <Switch size="small" checked={showDismissed} onChange={setShowDismissed} data-testid={`${testId}-toggle`} />
          <Typography.Text type="secondary">{t('waterfall.showDismissed')}</Typography.Text>
        </Space>
      </Space>
      <ol style={{ listStyle: 'none', margin: 0, padding: 0 }}>
        {shown.map((step, i) => {
          const kind = stepKind(step.type);
          const running = isEffective(kind) ? runningPriceOf(step) : null;
          const isHighlighted = !!highlightRuleId && step.ruleId === highlightRuleId;
          return (
            <li
              key={`${i}:${step.type}:${step.ruleId ?? ''}`}
              data-testid="waterfall-step"
              data-type={step.type}
              data-kind={kind}
              data-rule-id={step.ruleId ?? ''}
              style={{
                display: 'flex',
                gap: 8,
                alignItems: 'baseline',
                padding: '4px 8px',
                borderInlineStart: `3px solid ${isEffective(kind) ? 'var(--ant-color-primary, #1677ff)' : 'var(--ant-color-border, #d9d9d9)'}`,
                background: isHighlighted ? 'var(--ant-color-warning-bg, #fffbe6)' : undefined,
                opacity: isEffective(kind) ? 1 : 0.75,
                marginBottom: 2,
              }}
            >
              <Tag color={KIND_COLORS[kind]} style={{ minWidth: 64, textAlign: 'center' }}>
                {t(`waterfall.kinds.${kind}`)}
              </Tag>
              <span style={{ flex: 1, textDecoration: kind === 'shadowed' ? 'line-through' : undefined }} data-testid="waterfall-text">
                {relabelText(step.text, labels)}
                {step.ruleId && ruleLabel ? <> {ruleLabel(step.ruleId)}</> : null}
              </span>
              {running !== null && (
                <Typography.Text strong style={{ fontVariantNumeric: 'tabular-nums' }} data-testid="waterfall-running">
                  {money(running)}
                </Typography.Text>
              )}
            </li>
          );
        })}
      </ol>
      {netUnit !== null && netUnit !== undefined && (
        <div style={{ textAlign: 'end', marginTop: 8 }}>
          <Typography.Text>
            {t('waterfall.netUnit')}:{' '}
            <Typography.Text strong data-testid={`${testId}-net`}>
              {money(netUnit)}
            </Typography.Text>
          </Typography.Text>
        </div>
      )}
    </div>
  );
}
