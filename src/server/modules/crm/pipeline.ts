/**
 * Configurable sales pipelines: ordered stages, which moves between them are allowed, the forecast
 * category a deal falls in, and analytics over a deal's stage history.
 *
 * Pure: the service loads the pipeline and the deal and calls these; `now` is always a parameter.
 * The same definitions drive the web's stage picker (listAllowedNextStages), so the UI never offers
 * a move the server would refuse.
 */
import { Dec } from '../../../shared/money.ts';

export const STAGE_KINDS = ['open', 'won', 'lost'] as const;
export type StageKind = (typeof STAGE_KINDS)[number];

export const FORECAST_CATEGORIES = ['pipeline', 'best_case', 'commit', 'closed', 'omitted'] as const;
export type ForecastCategory = (typeof FORECAST_CATEGORIES)[number];

export const STAGE_KEY_PATTERN = /^[a-z][a-z0-9_]{0,39}$/;
const NAME_MAX = 100;

export interface LocalizedName {
  zh: string;
  en: string;
}

export interface PipelineStage {
  key: string;
  name: LocalizedName;
  /** Default win probability of a deal in this stage, an integer percentage 0–100. */
  probability: number;
  forecastCategory: ForecastCategory;
  kind: StageKind;
}

export interface PipelineDefinition {
  /** In funnel order: a later open stage is further along; won and lost may sit anywhere. */
  stages: readonly PipelineStage[];
  /**
   * Allowed targets per source stage. A source not listed uses the default rule: an open stage may
   * move to any stage; a closed (won/lost) stage to any open stage, and only with `allowReopen`.
   */
  transitions?: Readonly<Record<string, readonly string[]>>;
  /** May a won or lost deal be moved back to an open stage? Off by default: closed is final. */
  allowReopen?: boolean;
}

/** A problem in a definition, in the API's field-error shape: dotted path and a `v:<key>` message. */
export interface PipelineIssue {
  path: string;
  message: string;
}

export type PipelineErrorCode =
  | 'crm.invalid_pipeline'
  | 'crm.unknown_stage'
  | 'crm.stage_transition_not_allowed'
  | 'crm.loss_reason_required'
  | 'crm.forecast_override_not_allowed'
  | 'crm.invalid_stage_history';

export class PipelineError extends Error {
  constructor(
    readonly code: PipelineErrorCode,
    readonly params: Readonly<Record<string, string | number>> = {},
    readonly issues: readonly PipelineIssue[] = [],
  ) {
    super(`${code}${Object.keys(params).length ? ` ${JSON.stringify(params)}` : ''}`);
    this.name = 'PipelineError';
  }
}

const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

function isClosed(kind: StageKind): boolean {
  return kind !== 'open';
}

/** Every problem of a definition (not just the first), so an admin form can mark them all at once. */
export function validatePipelineDefinition(def: PipelineDefinition): PipelineIssue[] {
  const issues: PipelineIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  if (def.stages.length === 0) add('stages', 'v:required');

  const seen = new Set<string>();
  def.stages.forEach((s, i) => {
    const at = `stages.${i}`;
    if (!STAGE_KEY_PATTERN.test(s.key)) add(`${at}.key`, 'v:stage_key');
    else if (seen.has(s.key)) add(`${at}.key`, 'v:duplicate_key');
    seen.add(s.key);
    for (const lang of ['zh', 'en'] as const) {
      const name = s.name?.[lang]?.trim() ?? '';
      if (name === '') add(`${at}.name.${lang}`, 'v:required');
      else if (name.length > NAME_MAX) add(`${at}.name.${lang}`, 'v:text_too_long');
    }
    if (!Number.isInteger(s.probability) || s.probability < 0 || s.probability > 100) add(`${at}.probability`, 'v:probability');
    if (!(FORECAST_CATEGORIES as readonly string[]).includes(s.forecastCategory)) add(`${at}.forecastCategory`, 'v:unknown_option');
    if (!(STAGE_KINDS as readonly string[]).includes(s.kind)) {
      add(`${at}.kind`, 'v:unknown_option');
      return;
    }
    // A closed stage's probability and category are facts, not estimates; an open stage cannot be
    // 'closed' in the forecast without being closed in the pipeline.
    if (s.kind === 'won') {
      if (s.probability !== 100) add(`${at}.probability`, 'v:won_probability');
      if (s.forecastCategory !== 'closed') add(`${at}.forecastCategory`, 'v:closed_stage_category');
    } else if (s.kind === 'lost') {
      if (s.probability !== 0) add(`${at}.probability`, 'v:lost_probability');
      if (s.forecastCategory !== 'omitted') add(`${at}.forecastCategory`, 'v:closed_stage_category');
    } else if (s.forecastCategory === 'closed') {
      add(`${at}.forecastCategory`, 'v:open_stage_category');
    }
  });

  const count = (kind: StageKind) => def.stages.filter((s) => s.kind === kind).length;
  if (count('open') < 1) add('stages', 'v:pipeline_open_stage');
  if (count('won') !== 1) add('stages', 'v:pipeline_one_won');
  if (count('lost') !== 1) add('stages', 'v:pipeline_one_lost');

  const byKey = new Map(def.stages.map((s) => [s.key, s]));
  for (const [from, targets] of Object.entries(def.transitions ?? {})) {
    const source = byKey.get(from);
    if (!source) {
      add(`transitions.${from}`, 'v:unknown_stage');
      continue;
    }
    if (isClosed(source.kind) && !def.allowReopen) add(`transitions.${from}`, 'v:reopen_not_allowed');
    targets.forEach((to, i) => {
      if (!byKey.has(to)) add(`transitions.${from}.${i}`, 'v:unknown_stage');
    });
  }

  // Only worth checking on an otherwise sound definition: every open stage must still be able to
  // end as won and as lost, or deals get stuck there.
  if (issues.length === 0) {
    for (const s of def.stages) {
      if (s.kind !== 'open') continue;
      const reach = reachableFrom(def, s.key);
      const canEnd = [...reach].map((k) => byKey.get(k)!.kind);
      if (!canEnd.includes('won') || !canEnd.includes('lost')) add(`transitions.${s.key}`, 'v:stage_cannot_close');
    }
  }
  return issues;
}

function reachableFrom(def: PipelineDefinition, start: string): Set<string> {
  const seen = new Set<string>([start]);
  const queue = [start];
  while (queue.length > 0) {
    const cur = queue.shift()!;
    for (const next of listAllowedNextStages(def, cur)) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen;
}

export function assertValidPipelineDefinition(def: PipelineDefinition): void {
  const issues = validatePipelineDefinition(def);
  if (issues.length > 0) throw new PipelineError('crm.invalid_pipeline', { count: issues.length }, issues);
}

export function getStage(def: PipelineDefinition, key: string): PipelineStage | undefined {
  return def.stages.find((s) => s.key === key);
}

function requireStage(def: PipelineDefinition, key: string): PipelineStage {
  const stage = getStage(def, key);
  if (!stage) throw new PipelineError('crm.unknown_stage', { stage: key });
  return stage;
}

/**
 * Stages a deal in `from` may move to, in pipeline order, `from` itself excluded. A `from` no longer
 * in the definition (the admin removed the stage) is treated as open under the default rule, so
 * such deals can always be moved on rather than being stuck.
 */
export function listAllowedNextStages(def: PipelineDefinition, from: string): string[] {
  const source = getStage(def, from);
  const explicit = def.transitions && own(def.transitions, from) ? def.transitions[from] : undefined;
  let targets: string[];
  if (source && isClosed(source.kind)) {
    if (!def.allowReopen) return [];
    targets = explicit ? [...explicit] : def.stages.filter((s) => s.kind === 'open').map((s) => s.key);
  } else {
    targets = explicit && source ? [...explicit] : def.stages.map((s) => s.key);
  }
  const wanted = new Set(targets);
  return def.stages.filter((s) => s.key !== from && wanted.has(s.key)).map((s) => s.key);
}

/** Staying in the same stage is not a move and always allowed; `from: null` is a new deal (any stage). */
export function isStageTransitionAllowed(def: PipelineDefinition, from: string | null, to: string): boolean {
  if (!getStage(def, to)) return false;
  if (from === null || from === to) return true;
  return listAllowedNextStages(def, from).includes(to);
}

/**
 * Guard for a stage change. Closing as lost needs a loss reason (non-blank): win/loss analysis is
 * worthless when half the losses say nothing.
 */
export function assertStageTransition(
  def: PipelineDefinition,
  from: string | null,
  to: string,
  context: { lossReason?: string | null } = {},
): void {
  const target = requireStage(def, to);
  if (from === to) return;
  if (!isStageTransitionAllowed(def, from, to)) throw new PipelineError('crm.stage_transition_not_allowed', { from: from ?? '', to });
  if (target.kind === 'lost' && !context.lossReason?.trim()) throw new PipelineError('crm.loss_reason_required', { to });
}

export function defaultForecastCategory(def: PipelineDefinition, stage: string): ForecastCategory {
  return requireStage(def, stage).forecastCategory;
}

/**
 * The category a deal counts in. The rep's override is stored apart from the stage default, so a
 * stage change does not erase their judgement and clearing the override returns to the default.
 * Closed stages ignore overrides: a won deal is 'closed' and a lost one 'omitted', whatever anyone
 * typed. An open deal cannot be overridden to 'closed' (assertForecastOverride refuses the write;
 * old data with it falls back to the stage default).
 */
export function effectiveForecastCategory(input: {
  stageKind: StageKind;
  stageDefault: ForecastCategory;
  override?: ForecastCategory | null;
}): ForecastCategory {
  if (input.stageKind === 'won') return 'closed';
  if (input.stageKind === 'lost') return 'omitted';
  if (input.override && input.override !== 'closed') return input.override;
  // Validation forbids an open stage defaulting to 'closed'; a definition stored before that rule
  // must still not report an open deal as closed business.
  return input.stageDefault === 'closed' ? 'commit' : input.stageDefault;
}

/** Refuses an override that would not take effect, rather than storing it silently ignored. */
export function assertForecastOverride(stageKind: StageKind, override: ForecastCategory | null | undefined): void {
  if (override === null || override === undefined) return;
  if (isClosed(stageKind) || override === 'closed') {
    throw new PipelineError('crm.forecast_override_not_allowed', { stageKind, override });
  }
}

export interface StageHistoryEntry {
  stage: string;
  /** An instant: a Date, or an ISO 8601 string as the API sends it. */
  enteredAt: Date | string;
}

function toMs(value: Date | string, index: number): number {
  const ms = typeof value === 'string' ? Date.parse(value) : value.getTime();
  if (!Number.isFinite(ms)) throw new PipelineError('crm.invalid_stage_history', { index });
  return ms;
}

/**
 * Milliseconds spent in each stage, revisits summed, keyed in order of first entry. Each entry lasts
 * until the next one; the last until `now` (0 if `now` is earlier, e.g. clock skew between servers).
 * A closed stage keeps counting; callers showing "age in stage" for closed deals should ignore it.
 */
export function computeTimeInStage(history: readonly StageHistoryEntry[], now: Date): Record<string, number> {
  // A Map, not an object literal: a stage may be keyed 'constructor'.
  const out = new Map<string, number>();
  const nowMs = now.getTime();
  let prev: number | undefined;
  const times = history.map((h, i) => {
    const ms = toMs(h.enteredAt, i);
    if (prev !== undefined && ms < prev) throw new PipelineError('crm.invalid_stage_history', { index: i });
    prev = ms;
    return ms;
  });
  history.forEach((h, i) => {
    const end = i + 1 < history.length ? times[i + 1]! : Math.max(nowMs, times[i]!);
    out.set(h.stage, (out.get(h.stage) ?? 0) + (end - times[i]!));
  });
  return Object.fromEntries(out);
}

export interface StageConversion {
  stage: string;
  kind: StageKind;
  /** Deals that were ever in this stage (each deal once). */
  entered: number;
  /** Of those, deals that later reached a further open stage or won (0 for closed stages). */
  advanced: number;
  /** Of those, deals whose latest stage is won / lost / still open. */
  won: number;
  lost: number;
  open: number;
  /** advanced ÷ entered and won ÷ entered, 4 decimals; null when nobody entered. */
  advanceRate: string | null;
  winRate: string | null;
}

/**
 * Funnel conversion per stage, in pipeline order. "Further" follows the definition's order of open
 * stages, with won beyond all of them; lost is never progress. Stage keys not in the definition
 * (removed stages) are ignored: analyse old deals with the definition they ran on.
 */
export function computeStageConversion(
  def: PipelineDefinition,
  histories: readonly (readonly Pick<StageHistoryEntry, 'stage'>[])[],
): StageConversion[] {
  const rank = new Map<string, number>();
  def.stages.forEach((s, i) => {
    if (s.kind === 'open') rank.set(s.key, i);
    else if (s.kind === 'won') rank.set(s.key, Number.POSITIVE_INFINITY);
  });
  const kindOf = new Map(def.stages.map((s) => [s.key, s.kind]));
  const rows = new Map<string, Omit<StageConversion, 'advanceRate' | 'winRate'>>(
    def.stages.map((s) => [s.key, { stage: s.key, kind: s.kind, entered: 0, advanced: 0, won: 0, lost: 0, open: 0 }]),
  );

  for (const history of histories) {
    const known = history.filter((h) => kindOf.has(h.stage));
    const last = known.at(-1);
    if (!last) continue;
    const outcome = kindOf.get(last.stage)!;
    const firstAt = new Map<string, number>();
    known.forEach((h, i) => {
      if (!firstAt.has(h.stage)) firstAt.set(h.stage, i);
    });
    for (const [stage, first] of firstAt) {
      const row = rows.get(stage)!;
      row.entered++;
      row[outcome]++;
      const myRank = rank.get(stage);
      if (row.kind !== 'open' || myRank === undefined) continue;
      if (known.slice(first + 1).some((h) => (rank.get(h.stage) ?? Number.NEGATIVE_INFINITY) > myRank)) row.advanced++;
    }
  }

  const ratio = (n: number, d: number) => (d === 0 ? null : new Dec(n).dividedBy(d).toFixed(4));
  return [...rows.values()].map((r) => ({
    ...r,
    advanceRate: r.kind === 'open' ? ratio(r.advanced, r.entered) : null,
    winRate: ratio(r.won, r.entered),
  }));
}

function stage(key: string, zh: string, en: string, probability: number, forecastCategory: ForecastCategory, kind: StageKind): PipelineStage {
  return Object.freeze({ key, name: Object.freeze({ zh, en }), probability, forecastCategory, kind });
}

/** The default "To-B solution sales" pipeline new companies start with. */
export const DEFAULT_PIPELINE: PipelineDefinition = Object.freeze({
  stages: Object.freeze([
    stage('qualification', '线索确认', 'Qualification', 10, 'pipeline', 'open'),
    stage('needs_analysis', '需求分析', 'Needs analysis', 20, 'pipeline', 'open'),
    stage('solution', '方案/演示', 'Solution & demo', 40, 'best_case', 'open'),
    stage('negotiation', '商务谈判', 'Negotiation', 70, 'commit', 'open'),
    stage('won', '赢单', 'Closed won', 100, 'closed', 'won'),
    stage('lost', '输单', 'Closed lost', 0, 'omitted', 'lost'),
  ]),
  allowReopen: false,
});
