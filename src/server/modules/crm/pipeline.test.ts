import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PIPELINE,
  FORECAST_CATEGORIES,
  PipelineError,
  assertForecastOverride,
  assertStageTransition,
  assertValidPipelineDefinition,
  computeStageConversion,
  computeTimeInStage,
  defaultForecastCategory,
  effectiveForecastCategory,
  isStageTransitionAllowed,
  listAllowedNextStages,
  validatePipelineDefinition,
  type ForecastCategory,
  type PipelineDefinition,
  type PipelineStage,
  type StageKind,
} from './pipeline.ts';

const st = (key: string, kind: StageKind = 'open', probability = kind === 'won' ? 100 : kind === 'lost' ? 0 : 50): PipelineStage => ({
  key,
  name: { zh: key, en: key },
  probability,
  forecastCategory: kind === 'won' ? 'closed' : kind === 'lost' ? 'omitted' : 'pipeline',
  kind,
});

const SIMPLE: PipelineDefinition = { stages: [st('a'), st('b'), st('c'), st('won', 'won'), st('lost', 'lost')] };

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (e instanceof PipelineError) return e.code;
    throw e;
  }
}

describe('pipeline definitions', () => {
  it('the default To-B pipeline is valid and in funnel order', () => {
    expect(validatePipelineDefinition(DEFAULT_PIPELINE)).toEqual([]);
    expect(DEFAULT_PIPELINE.stages.map((s) => s.key)).toEqual(['qualification', 'needs_analysis', 'solution', 'negotiation', 'won', 'lost']);
    expect(DEFAULT_PIPELINE.stages.map((s) => s.name.zh)).toEqual(['线索确认', '需求分析', '方案/演示', '商务谈判', '赢单', '输单']);
    const open = DEFAULT_PIPELINE.stages.filter((s) => s.kind === 'open').map((s) => s.probability);
    expect(open).toEqual([...open].sort((x, y) => x - y)); // probabilities rise along the funnel
    expect(Object.isFrozen(DEFAULT_PIPELINE.stages[0])).toBe(true);
  });

  it('reports bad keys, duplicates, names and probabilities with their paths', () => {
    const issues = validatePipelineDefinition({
      stages: [
        { ...st('a'), key: 'A b' },
        st('b'),
        { ...st('b'), name: { zh: ' ', en: 'x'.repeat(101) } },
        { ...st('c'), probability: 12.5 },
        { ...st('d'), probability: 101 },
        st('won', 'won'),
        st('lost', 'lost'),
      ],
    });
    expect(issues).toEqual([
      { path: 'stages.0.key', message: 'v:stage_key' },
      { path: 'stages.2.key', message: 'v:duplicate_key' },
      { path: 'stages.2.name.zh', message: 'v:required' },
      { path: 'stages.2.name.en', message: 'v:text_too_long' },
      { path: 'stages.3.probability', message: 'v:probability' },
      { path: 'stages.4.probability', message: 'v:probability' },
    ]);
  });

  it('needs at least one open stage and exactly one won and one lost stage', () => {
    expect(validatePipelineDefinition({ stages: [] })).toEqual([
      { path: 'stages', message: 'v:required' },
      { path: 'stages', message: 'v:pipeline_open_stage' },
      { path: 'stages', message: 'v:pipeline_one_won' },
      { path: 'stages', message: 'v:pipeline_one_lost' },
    ]);
    const twoWon = validatePipelineDefinition({ stages: [st('a'), st('w1', 'won'), st('w2', 'won'), st('l', 'lost')] });
    expect(twoWon).toEqual([{ path: 'stages', message: 'v:pipeline_one_won' }]);
    const noOpen = validatePipelineDefinition({ stages: [st('w', 'won'), st('l', 'lost')] });
    expect(noOpen).toEqual([{ path: 'stages', message: 'v:pipeline_open_stage' }]);
  });

  it('closed stages carry fixed probabilities and categories; open stages cannot be "closed"', () => {
    const issues = validatePipelineDefinition({
      stages: [
        { ...st('a'), forecastCategory: 'closed' },
        { ...st('w', 'won'), probability: 90, forecastCategory: 'commit' },
        { ...st('l', 'lost'), probability: 5 },
      ],
    });
    expect(issues).toEqual([
      { path: 'stages.0.forecastCategory', message: 'v:open_stage_category' },
      { path: 'stages.1.probability', message: 'v:won_probability' },
      { path: 'stages.1.forecastCategory', message: 'v:closed_stage_category' },
      { path: 'stages.2.probability', message: 'v:lost_probability' },
    ]);
  });

  it('transitions must name known stages; closed sources need allowReopen', () => {
    const issues = validatePipelineDefinition({ ...SIMPLE, transitions: { a: ['b', 'zzz'], nope: ['a'], won: ['a'] } });
    expect(issues).toEqual([
      { path: 'transitions.a.1', message: 'v:unknown_stage' },
      { path: 'transitions.nope', message: 'v:unknown_stage' },
      { path: 'transitions.won', message: 'v:reopen_not_allowed' },
    ]);
    expect(validatePipelineDefinition({ ...SIMPLE, allowReopen: true, transitions: { won: ['a'] } })).toEqual([]);
  });

  it('finds open stages from which a deal can no longer be won or lost', () => {
    // b only goes back to a, a only to b: neither can ever close.
    const issues = validatePipelineDefinition({ ...SIMPLE, transitions: { a: ['b'], b: ['a'], c: ['won'] } });
    expect(issues).toEqual([
      { path: 'transitions.a', message: 'v:stage_cannot_close' },
      { path: 'transitions.b', message: 'v:stage_cannot_close' },
      { path: 'transitions.c', message: 'v:stage_cannot_close' }, // c can win but never lose
    ]);
  });

  it('assertValidPipelineDefinition throws every issue at once', () => {
    try {
      assertValidPipelineDefinition({ stages: [] });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PipelineError);
      expect((e as PipelineError).code).toBe('crm.invalid_pipeline');
      expect((e as PipelineError).issues).toHaveLength(4);
    }
  });
});

describe('stage transitions', () => {
  it('by default an open stage may move anywhere, forwards, backwards or closed', () => {
    expect(listAllowedNextStages(SIMPLE, 'b')).toEqual(['a', 'c', 'won', 'lost']);
    expect(isStageTransitionAllowed(SIMPLE, 'c', 'a')).toBe(true);
  });

  it('won and lost are terminal unless reopening is allowed, and then only back to open stages', () => {
    expect(listAllowedNextStages(SIMPLE, 'won')).toEqual([]);
    expect(codeOf(() => assertStageTransition(SIMPLE, 'lost', 'a'))).toBe('crm.stage_transition_not_allowed');
    const reopen = { ...SIMPLE, allowReopen: true };
    expect(listAllowedNextStages(reopen, 'won')).toEqual(['a', 'b', 'c']);
    expect(listAllowedNextStages(reopen, 'lost')).toEqual(['a', 'b', 'c']);
  });

  it('explicit transitions restrict a source; unlisted sources keep the default rule', () => {
    const def: PipelineDefinition = { ...SIMPLE, transitions: { a: ['b', 'lost'] } };
    expect(listAllowedNextStages(def, 'a')).toEqual(['b', 'lost']);
    expect(codeOf(() => assertStageTransition(def, 'a', 'won'))).toBe('crm.stage_transition_not_allowed');
    expect(codeOf(() => assertStageTransition(def, 'a', 'b'))).toBeUndefined();
    expect(listAllowedNextStages(def, 'b')).toEqual(['a', 'c', 'won', 'lost']);
  });

  it('closing as lost needs a non-blank loss reason', () => {
    expect(codeOf(() => assertStageTransition(SIMPLE, 'a', 'lost'))).toBe('crm.loss_reason_required');
    expect(codeOf(() => assertStageTransition(SIMPLE, 'a', 'lost', { lossReason: '  ' }))).toBe('crm.loss_reason_required');
    expect(codeOf(() => assertStageTransition(SIMPLE, 'a', 'lost', { lossReason: 'price' }))).toBeUndefined();
    // A new deal created directly as lost (an import) needs one too.
    expect(codeOf(() => assertStageTransition(SIMPLE, null, 'lost'))).toBe('crm.loss_reason_required');
  });

  it('same stage is a no-op; a new deal may start anywhere; unknown targets are typed errors', () => {
    expect(codeOf(() => assertStageTransition(SIMPLE, 'won', 'won'))).toBeUndefined();
    expect(codeOf(() => assertStageTransition(SIMPLE, null, 'won'))).toBeUndefined();
    expect(codeOf(() => assertStageTransition(SIMPLE, 'a', 'zzz'))).toBe('crm.unknown_stage');
    expect(isStageTransitionAllowed(SIMPLE, 'a', 'zzz')).toBe(false);
  });

  it('a deal left in a removed stage can still be moved on', () => {
    expect(listAllowedNextStages(SIMPLE, 'removed')).toEqual(['a', 'b', 'c', 'won', 'lost']);
  });

  it('property: the guard agrees with listAllowedNextStages for every pair, on random transition tables', () => {
    const keys = SIMPLE.stages.map((s) => s.key);
    const tableArb = fc.dictionary(fc.constantFrom(...keys), fc.subarray(keys), { maxKeys: 5 });
    fc.assert(
      fc.property(tableArb, fc.boolean(), (transitions, allowReopen) => {
        const def = { ...SIMPLE, transitions, allowReopen };
        for (const from of keys) {
          const next = listAllowedNextStages(def, from);
          for (const to of keys) {
            const allowed = from === to || next.includes(to);
            expect(codeOf(() => assertStageTransition(def, from, to, { lossReason: 'r' })) === undefined).toBe(allowed);
            if (from !== to && !allowReopen && def.stages.find((s) => s.key === from)!.kind !== 'open') expect(allowed).toBe(false);
          }
        }
      }),
    );
  });
});

describe('forecast categories', () => {
  it('defaults come from the stage', () => {
    expect(defaultForecastCategory(DEFAULT_PIPELINE, 'negotiation')).toBe('commit');
    expect(defaultForecastCategory(DEFAULT_PIPELINE, 'solution')).toBe('best_case');
    expect(codeOf(() => defaultForecastCategory(DEFAULT_PIPELINE, 'nope'))).toBe('crm.unknown_stage');
  });

  it('an override wins on open deals; closed stages force closed/omitted', () => {
    expect(effectiveForecastCategory({ stageKind: 'open', stageDefault: 'pipeline', override: 'commit' })).toBe('commit');
    expect(effectiveForecastCategory({ stageKind: 'open', stageDefault: 'commit', override: 'omitted' })).toBe('omitted');
    expect(effectiveForecastCategory({ stageKind: 'open', stageDefault: 'best_case', override: null })).toBe('best_case');
    expect(effectiveForecastCategory({ stageKind: 'open', stageDefault: 'best_case', override: 'closed' })).toBe('best_case');
    expect(effectiveForecastCategory({ stageKind: 'won', stageDefault: 'closed', override: 'pipeline' })).toBe('closed');
    expect(effectiveForecastCategory({ stageKind: 'lost', stageDefault: 'omitted', override: 'commit' })).toBe('omitted');
  });

  it('property: the effective category of an open deal is never closed; of a closed deal never open', () => {
    const cat = fc.constantFrom(...FORECAST_CATEGORIES);
    fc.assert(
      fc.property(fc.constantFrom<StageKind>('open', 'won', 'lost'), cat, fc.option(cat), (stageKind, stageDefault, override) => {
        const c: ForecastCategory = effectiveForecastCategory({ stageKind, stageDefault, override });
        if (stageKind === 'open') expect(c).not.toBe('closed');
        else expect(c).toBe(stageKind === 'won' ? 'closed' : 'omitted');
      }),
    );
  });

  it('refuses overrides that would not take effect', () => {
    expect(codeOf(() => assertForecastOverride('open', 'commit'))).toBeUndefined();
    expect(codeOf(() => assertForecastOverride('open', null))).toBeUndefined();
    expect(codeOf(() => assertForecastOverride('open', 'closed'))).toBe('crm.forecast_override_not_allowed');
    expect(codeOf(() => assertForecastOverride('won', 'commit'))).toBe('crm.forecast_override_not_allowed');
    expect(codeOf(() => assertForecastOverride('lost', undefined))).toBeUndefined();
  });
});

describe('time in stage', () => {
  const H = 3_600_000;
  const t0 = Date.UTC(2026, 2, 1, 0, 0, 0);

  it('worked example with a revisit: a 2h, b 3h, a again 1h, then c until now (4h)', () => {
    const history = [
      { stage: 'a', enteredAt: new Date(t0) },
      { stage: 'b', enteredAt: new Date(t0 + 2 * H) },
      { stage: 'a', enteredAt: new Date(t0 + 5 * H).toISOString() }, // strings as the API sends them
      { stage: 'c', enteredAt: new Date(t0 + 6 * H) },
    ];
    // a = 2h + 1h = 3h; b = 3h; c = now − (t0 + 6h) = 4h
    expect(computeTimeInStage(history, new Date(t0 + 10 * H))).toEqual({ a: 3 * H, b: 3 * H, c: 4 * H });
  });

  it('stage keys that collide with Object.prototype names are counted like any other', () => {
    const history = [
      { stage: 'constructor', enteredAt: new Date(t0) },
      { stage: 'b', enteredAt: new Date(t0 + H) },
    ];
    expect(computeTimeInStage(history, new Date(t0 + 2 * H))).toEqual({ constructor: H, b: H });
  });

  it('the current stage counts 0, not negative, when now is before its entry (clock skew)', () => {
    expect(computeTimeInStage([{ stage: 'a', enteredAt: new Date(t0) }], new Date(t0 - H))).toEqual({ a: 0 });
    expect(computeTimeInStage([], new Date(t0))).toEqual({});
  });

  it('refuses an unordered history or an invalid instant', () => {
    const unordered = [
      { stage: 'a', enteredAt: new Date(t0 + H) },
      { stage: 'b', enteredAt: new Date(t0) },
    ];
    expect(codeOf(() => computeTimeInStage(unordered, new Date(t0 + 2 * H)))).toBe('crm.invalid_stage_history');
    expect(codeOf(() => computeTimeInStage([{ stage: 'a', enteredAt: 'yesterday' }], new Date(t0)))).toBe('crm.invalid_stage_history');
  });

  it('property: the times add up to the span from the first entry to now', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'won'), fc.integer({ min: 0, max: 10 * 24 * H })), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 0, max: 10 * 24 * H }),
        (steps, tail) => {
          let at = t0;
          const history = steps.map(([stage, gap]) => ({ stage, enteredAt: new Date((at += gap)) }));
          const now = new Date(at + tail);
          const total = Object.values(computeTimeInStage(history, now)).reduce((s, v) => s + v, 0);
          expect(total).toBe(now.getTime() - history[0]!.enteredAt.getTime());
        },
      ),
    );
  });
});

describe('stage conversion', () => {
  const h = (...stages: string[]) => stages.map((stage) => ({ stage }));

  it('worked example over four deals', () => {
    const rows = computeStageConversion(SIMPLE, [
      h('a', 'b', 'c', 'won'), // d1: straight through, won
      h('a', 'b', 'lost'), // d2: lost from b
      h('a', 'c', 'b'), // d3: skipped b, then went back to it; still open
      h('b', 'a', 'lost'), // d4: started at b, moved back to a, lost
    ]);
    const byStage = Object.fromEntries(rows.map((r) => [r.stage, r]));
    // a: entered by d1 d2 d3 d4 = 4; advanced after its first visit: d1 (b), d2 (b), d3 (c) = 3; d4 never passed a after entering it
    expect(byStage.a).toMatchObject({ entered: 4, advanced: 3, won: 1, lost: 2, open: 1, advanceRate: '0.7500', winRate: '0.2500' });
    // b: entered by all 4; advanced: d1 (c) only — d2 lost, d3 entered b last, d4 moved back
    expect(byStage.b).toMatchObject({ entered: 4, advanced: 1, won: 1, lost: 2, open: 1, advanceRate: '0.2500' });
    // c: d1 (won after) and d3 (went back to b: not progress)
    expect(byStage.c).toMatchObject({ entered: 2, advanced: 1, won: 1, lost: 0, open: 1, advanceRate: '0.5000', winRate: '0.5000' });
    expect(byStage.won).toMatchObject({ entered: 1, advanced: 0, won: 1, advanceRate: null, winRate: '1.0000' });
    expect(byStage.lost).toMatchObject({ entered: 2, lost: 2, advanceRate: null, winRate: '0.0000' });
    expect(rows.map((r) => r.stage)).toEqual(['a', 'b', 'c', 'won', 'lost']);
  });

  it('a deal reopened after winning counts by its latest stage; unknown stages are ignored', () => {
    const rows = computeStageConversion(SIMPLE, [h('a', 'won', 'b', 'removed')]);
    const a = rows.find((r) => r.stage === 'a')!;
    expect(a).toMatchObject({ entered: 1, advanced: 1, won: 0, open: 1 });
    expect(rows.find((r) => r.stage === 'won')).toMatchObject({ entered: 1, won: 0, open: 1, winRate: '0.0000' });
    expect(computeStageConversion(SIMPLE, [h('removed')]).every((r) => r.entered === 0 && r.winRate === null)).toBe(true);
  });

  it('property: outcomes partition the entrants, advanced ≤ entered, and a forward-only funnel narrows', () => {
    const keys = SIMPLE.stages.map((s) => s.key);
    fc.assert(
      fc.property(fc.array(fc.array(fc.constantFrom(...keys), { maxLength: 8 }), { maxLength: 30 }), (deals) => {
        for (const r of computeStageConversion(SIMPLE, deals.map((d) => h(...d)))) {
          expect(r.won + r.lost + r.open).toBe(r.entered);
          expect(r.advanced).toBeLessThanOrEqual(r.entered);
        }
      }),
    );
    const forwardArb = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 30 }).map((ends) =>
      // each deal walks a → b → c → won from the start, stopping after `end` steps
      ends.map((end) => h(...['a', 'b', 'c', 'won'].slice(0, end + 1))),
    );
    fc.assert(
      fc.property(forwardArb, (deals) => {
        const entered = computeStageConversion(SIMPLE, deals)
          .filter((r) => r.kind !== 'lost')
          .map((r) => r.entered);
        expect(entered).toEqual([...entered].sort((x, y) => y - x));
      }),
    );
  });
});
