import type { Opportunity } from '../../../../server/modules/crm/opportunity-contract.ts';
import { getStage, isStageTransitionAllowed, type PipelineDefinition, type PipelineStage } from '../../../../server/modules/crm/pipeline.ts';
import { Dec } from '../../../../shared/money.ts';

/**
 * The kanban's arithmetic, kept pure so it is tested without a browser: cards grouped by stage,
 * column totals summed exactly from decimal strings (never floats), and the check a drop goes through
 * before it reaches the API (the same pipeline rules the server applies).
 */

export type BoardDeal = Pick<Opportunity, 'id' | 'stageKey' | 'amountCompany' | 'probability'>;

export interface ColumnTotals {
  count: number;
  /** Sum of the deals' company-currency amounts, 2 decimals. */
  amount: string;
  /** Sum of amount × probability / 100, rounded half-up to 2 decimals once, at the end. */
  weighted: string;
  currency: string;
}

export interface BoardColumn<D extends BoardDeal> {
  stage: PipelineStage;
  deals: D[];
  totals: ColumnTotals;
}

/** Company-currency totals of some deals. Mixed currencies cannot happen (amountCompany is always the company currency). */
export function sumDeals(deals: readonly BoardDeal[], currency = 'CNY'): ColumnTotals {
  let amount = new Dec(0);
  let weighted = new Dec(0);
  for (const d of deals) {
    const a = new Dec(d.amountCompany.amount);
    amount = amount.plus(a);
    weighted = weighted.plus(a.times(d.probability).dividedBy(100));
  }
  return { count: deals.length, amount: amount.toFixed(2), weighted: weighted.toFixed(2), currency: deals[0]?.amountCompany.currency ?? currency };
}

/** One column per stage of the pipeline, in its order; each deal in its stage's column, in the given order. */
export function groupByStage<D extends BoardDeal>(pipeline: { definition: PipelineDefinition }, deals: readonly D[]): BoardColumn<D>[] {
  const byStage = new Map<string, D[]>(pipeline.definition.stages.map((s) => [s.key, []]));
  for (const d of deals) byStage.get(d.stageKey)?.push(d);
  return pipeline.definition.stages.map((stage) => {
    const inStage = byStage.get(stage.key) ?? [];
    return { stage, deals: inStage, totals: sumDeals(inStage) };
  });
}

/** The deals with one of them moved to another stage (what the board shows while the API answers). */
export function moveDeal<D extends BoardDeal>(deals: readonly D[], dealId: string, toStage: string): D[] {
  return deals.map((d) => (d.id === dealId ? { ...d, stageKey: toStage } : d));
}

export type DropCheck = { kind: 'same' } | { kind: 'not_allowed' } | { kind: 'unknown_stage' } | { kind: 'needs_loss_reason' } | { kind: 'ok' };

/**
 * What happens when a card is dropped on a column: nothing (same stage), a refusal (the pipeline
 * forbids the move, as the server would), the loss-reason dialog first (closing as lost), or the call.
 */
export function checkDrop(pipeline: { definition: PipelineDefinition }, deal: Pick<BoardDeal, 'stageKey'>, toStage: string): DropCheck {
  if (deal.stageKey === toStage) return { kind: 'same' };
  const target = getStage(pipeline.definition, toStage);
  if (!target) return { kind: 'unknown_stage' };
  if (!isStageTransitionAllowed(pipeline.definition, deal.stageKey, toStage)) return { kind: 'not_allowed' };
  if (target.kind === 'lost') return { kind: 'needs_loss_reason' };
  return { kind: 'ok' };
}
