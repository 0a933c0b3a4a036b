import { useMutation } from '@tanstack/react-query';
import { Alert, Card, Empty, Input, Modal, Typography, type ButtonProps } from 'antd';
import { type DragEvent, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Opportunity, Pipeline } from '../../../../server/modules/crm/opportunity-contract.ts';
import { ApiProblem } from '../../../http/api-problem.ts';
import { useLocale } from '../../../i18n/use-locale.ts';
import { checkDrop, groupByStage } from './kanban-board.ts';
import { formatMoney } from './money-display.ts';
import { pipelineApi } from './pipeline-api.ts';
import { stageLabel, useDealChanged } from './pipeline-queries.ts';

interface Move {
  deal: Opportunity;
  toStage: string;
}

interface Shown {
  title: string;
  detail?: string | undefined;
}

/**
 * Deals by stage. Dragging a card to another column asks the pipeline's rules first (the ones the
 * server applies): a forbidden move is refused on the spot, closing as lost asks for the reason, and
 * anything else is sent to the stage endpoint. The card shows in its new column while the call runs
 * and goes back if the server refuses.
 */
export function PipelineKanban({ pipeline, deals, onOpen }: { pipeline: Pipeline; deals: Opportunity[]; onOpen: (id: string) => void }) {
  const { t } = useTranslation(['pipeline', 'errors', 'common']);
  const locale = useLocale();
  const dealChanged = useDealChanged();
  const [pending, setPending] = useState<Record<string, string>>({});
  const [dragging, setDragging] = useState<string | null>(null);
  const [over, setOver] = useState<string | null>(null);
  const [problem, setProblem] = useState<Shown | null>(null);
  const [lossFor, setLossFor] = useState<Move | null>(null);
  const [lossReason, setLossReason] = useState('');

  const shown = useMemo(() => deals.map((d) => (pending[d.id] ? { ...d, stageKey: pending[d.id]! } : d)), [deals, pending]);
  const columns = useMemo(() => groupByStage(pipeline, shown), [pipeline, shown]);
  const byId = useMemo(() => new Map(deals.map((d) => [d.id, d])), [deals]);

  const clearPending = (id: string) =>
    setPending((p) => {
      const next = { ...p };
      delete next[id];
      return next;
    });

  const move = useMutation({
    mutationFn: ({ deal, toStage, lossReason: reason }: Move & { lossReason?: string }) =>
      pipelineApi.changeStage(deal.id, { version: deal.version, stageKey: toStage, ...(reason ? { lossReason: reason } : {}) }),
    onMutate: ({ deal, toStage }) => {
      setProblem(null);
      setPending((p) => ({ ...p, [deal.id]: toStage }));
    },
    onSuccess: (updated) => {
      dealChanged(updated);
      clearPending(updated.id);
    },
    onError: (err, { deal }) => {
      clearPending(deal.id);
      if (err instanceof ApiProblem) setProblem({ title: err.title, detail: err.detail });
      else setProblem({ title: err instanceof Error ? err.message : String(err) });
    },
  });

  const onDrop = (toStage: string, e: DragEvent) => {
    e.preventDefault();
    setOver(null);
    const id = e.dataTransfer.getData('text/plain') || dragging;
    setDragging(null);
    const deal = id ? byId.get(id) : undefined;
    if (!deal || pending[deal.id]) return;
    const check = checkDrop(pipeline, deal, toStage);
    const from = stageLabel(pipeline.definition.stages.find((s) => s.key === deal.stageKey), deal.stageKey, locale);
    const to = stageLabel(pipeline.definition.stages.find((s) => s.key === toStage), toStage, locale);
    switch (check.kind) {
      case 'same':
        return;
      case 'unknown_stage':
      case 'not_allowed':
        setProblem({ title: t('errors:crm.stage_transition_not_allowed.title'), detail: t('errors:crm.stage_transition_not_allowed.detail', { from, to }) });
        return;
      case 'needs_loss_reason':
        setLossReason('');
        setLossFor({ deal, toStage });
        return;
      case 'ok':
        move.mutate({ deal, toStage });
    }
  };

  const submitLoss = () => {
    if (!lossFor || lossReason.trim() === '') return;
    move.mutate({ ...lossFor, lossReason: lossReason.trim() });
    setLossFor(null);
  };

  return (
    <div data-testid="pipeline-kanban">
      {problem && (
        <Alert
          type="error"
          showIcon
          closable={{ onClose: () => setProblem(null) }}
          title={<span data-testid="kanban-problem-title">{problem.title}</span>}
          description={problem.detail ? <span data-testid="kanban-problem-detail">{problem.detail}</span> : undefined}
          style={{ marginBottom: 12 }}
          data-testid="kanban-problem"
        />
      )}
      <div style={{ display: 'flex', gap: 8, overflowX: 'auto', paddingBottom: 8, alignItems: 'flex-start' }}>
        {columns.map(({ stage, deals: inColumn, totals }) => (
          <div
            key={stage.key}
            data-testid="kanban-column"
            data-stage={stage.key}
            onDragOver={(e) => {
              e.preventDefault();
              if (over !== stage.key) setOver(stage.key);
            }}
            onDragLeave={() => setOver((o) => (o === stage.key ? null : o))}
            onDrop={(e) => onDrop(stage.key, e)}
            style={{
              flex: '1 1 0',
              minWidth: 170,
              minHeight: 320,
              borderRadius: 8,
              padding: 8,
              background: over === stage.key ? 'rgba(22,119,255,0.08)' : 'rgba(0,0,0,0.03)',
              outline: over === stage.key ? '1px dashed #1677ff' : undefined,
            }}
          >
            <div style={{ marginBottom: 8 }}>
              <Typography.Text strong data-testid="kanban-column-title">
                {stageLabel(stage, stage.key, locale)}
              </Typography.Text>
              <Typography.Text type="secondary" style={{ marginInlineStart: 8 }}>
                {t('kanban.probability', { value: stage.probability })}
              </Typography.Text>
              <div style={{ fontSize: 12 }} data-testid="kanban-column-totals" data-count={totals.count} data-amount={totals.amount}>
                <Typography.Text type="secondary">
                  {t('kanban.totals', {
                    count: totals.count,
                    amount: formatMoney({ amount: totals.amount, currency: totals.currency }),
                    weighted: formatMoney({ amount: totals.weighted, currency: totals.currency }),
                  })}
                </Typography.Text>
              </div>
            </div>
            {inColumn.length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('kanban.empty')} />}
            {inColumn.map((d) => (
              <Card
                key={d.id}
                size="small"
                draggable={!pending[d.id]}
                onDragStart={(e) => {
                  e.dataTransfer.setData('text/plain', d.id);
                  e.dataTransfer.effectAllowed = 'move';
                  setDragging(d.id);
                }}
                onDragEnd={() => setDragging(null)}
                onClick={() => onOpen(d.id)}
                data-testid="kanban-card"
                data-id={d.id}
                data-stage={d.stageKey}
                style={{ marginBottom: 8, cursor: 'grab', opacity: pending[d.id] ? 0.6 : 1 }}
              >
                <Typography.Text strong ellipsis style={{ display: 'block' }} data-testid="kanban-card-name">
                  {d.name}
                </Typography.Text>
                <Typography.Text type="secondary" ellipsis style={{ display: 'block', fontSize: 12 }}>
                  {d.accountName}
                </Typography.Text>
                <Typography.Text style={{ display: 'block', marginTop: 4 }} data-testid="kanban-card-amount">
                  {formatMoney(d.amount)}
                </Typography.Text>
                <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8, flexWrap: 'wrap', fontSize: 12 }}>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {d.ownerName}
                  </Typography.Text>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {d.expectedCloseDate}
                  </Typography.Text>
                </div>
              </Card>
            ))}
          </div>
        ))}
      </div>
      <Modal
        open={!!lossFor}
        title={t('lossReason.title')}
        okText={t('lossReason.submit')}
        cancelText={t('common:actions.cancel')}
        onOk={submitLoss}
        onCancel={() => setLossFor(null)}
        okButtonProps={{ disabled: lossReason.trim() === '', 'data-testid': 'loss-reason-submit' } as ButtonProps}
        destroyOnHidden
      >
        <Typography.Paragraph type="secondary">{t('lossReason.hint', { name: lossFor?.deal.name ?? '' })}</Typography.Paragraph>
        <Input.TextArea value={lossReason} onChange={(e) => setLossReason(e.target.value)} maxLength={500} rows={3} data-testid="loss-reason-input" />
      </Modal>
    </div>
  );
}
