import { describe, expect, it } from 'vitest';
import { DEFAULT_PIPELINE, type PipelineDefinition } from '../../../../server/modules/crm/pipeline.ts';
import { type BoardDeal, checkDrop, groupByStage, moveDeal, sumDeals } from './kanban-board.ts';

const pipeline = { definition: DEFAULT_PIPELINE as PipelineDefinition };
const deal = (id: string, stageKey: string, amount: string, probability: number): BoardDeal => ({
  id,
  stageKey,
  amountCompany: { amount, currency: 'CNY' },
  probability,
});

describe('groupByStage', () => {
  it('puts every deal in its stage column, columns in pipeline order, and ignores deals of unknown stages', () => {
    const deals = [deal('a', 'solution', '10.00', 40), deal('b', 'qualification', '5.00', 10), deal('c', 'solution', '1.00', 40), deal('x', 'gone', '9.00', 0)];
    const columns = groupByStage(pipeline, deals);
    expect(columns.map((c) => c.stage.key)).toEqual(['qualification', 'needs_analysis', 'solution', 'negotiation', 'won', 'lost']);
    expect(columns.map((c) => c.deals.map((d) => d.id))).toEqual([['b'], [], ['a', 'c'], [], [], []]);
    expect(columns[2]!.totals).toEqual({ count: 2, amount: '11.00', weighted: '4.40', currency: 'CNY' });
    expect(columns[1]!.totals).toEqual({ count: 0, amount: '0.00', weighted: '0.00', currency: 'CNY' });
  });
});

describe('sumDeals', () => {
  it('adds decimal strings exactly where floats would drift', () => {
    // 0.1 + 0.2 is 0.30000000000000004 in floats; ten deals of 0.10 are 0.9999999999999999.
    const tenDimes = Array.from({ length: 10 }, (_, i) => deal(String(i), 'solution', '0.10', 100));
    expect(sumDeals(tenDimes).amount).toBe('1.00');
    expect(sumDeals([deal('a', 's', '0.10', 0), deal('b', 's', '0.20', 0)]).amount).toBe('0.30');
  });

  it('keeps amounts past float precision', () => {
    // 9007199254740993 is 2^53 + 1, which a float rounds to 2^53.
    expect(sumDeals([deal('a', 's', '9007199254740992.00', 0), deal('b', 's', '1.00', 0)]).amount).toBe('9007199254740993.00');
  });

  it('rounds the weighted sum once at the end, not per deal', () => {
    // 0.01 × 50 % = 0.005 per deal; per-deal half-up rounding would give 0.01 + 0.01 = 0.02, the exact sum is 0.010.
    expect(sumDeals([deal('a', 's', '0.01', 50), deal('b', 's', '0.01', 50)]).weighted).toBe('0.01');
    // 1234.56 × 70 % = 864.192; + 100 × 10 % = 10 → 874.192 → 874.19
    expect(sumDeals([deal('a', 's', '1234.56', 70), deal('b', 's', '100', 10)]).weighted).toBe('874.19');
  });
});

describe('moveDeal', () => {
  it('changes only the moved deal and leaves the input untouched', () => {
    const deals = [deal('a', 'qualification', '1', 10), deal('b', 'qualification', '2', 10)];
    const moved = moveDeal(deals, 'a', 'solution');
    expect(moved.map((d) => d.stageKey)).toEqual(['solution', 'qualification']);
    expect(deals[0]!.stageKey).toBe('qualification');
  });
});

describe('checkDrop', () => {
  it('follows the pipeline rules the server applies', () => {
    expect(checkDrop(pipeline, { stageKey: 'qualification' }, 'qualification')).toEqual({ kind: 'same' });
    expect(checkDrop(pipeline, { stageKey: 'qualification' }, 'solution')).toEqual({ kind: 'ok' });
    expect(checkDrop(pipeline, { stageKey: 'negotiation' }, 'lost')).toEqual({ kind: 'needs_loss_reason' });
    // Closed is final in the default pipeline (allowReopen is off).
    expect(checkDrop(pipeline, { stageKey: 'won' }, 'negotiation')).toEqual({ kind: 'not_allowed' });
    expect(checkDrop(pipeline, { stageKey: 'solution' }, 'nowhere')).toEqual({ kind: 'unknown_stage' });
  });

  it('honours explicit transitions', () => {
    const strict: PipelineDefinition = { ...DEFAULT_PIPELINE, transitions: { qualification: ['needs_analysis', 'lost'] } };
    expect(checkDrop({ definition: strict }, { stageKey: 'qualification' }, 'negotiation')).toEqual({ kind: 'not_allowed' });
    expect(checkDrop({ definition: strict }, { stageKey: 'qualification' }, 'needs_analysis')).toEqual({ kind: 'ok' });
  });
});
