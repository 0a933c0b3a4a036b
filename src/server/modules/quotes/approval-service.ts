import { and, desc, eq, gte, inArray, ne, or, sql, type SQL } from 'drizzle-orm';
import type { Currency } from '../../../shared/money.ts';
import { assertCan, can, isInScope, readFilter, scopeFor, whereAll } from '../../platform/access.ts';
import { diffRecords, writeAudit } from '../../platform/audit.ts';
import type { ServiceContext } from '../../platform/context.ts';
import { type DbOrTx, type Tx, withTx } from '../../platform/db.ts';
import { AppError, PlatformErrors, forbidden, notFound, versionConflict } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { publishEvent } from '../../platform/outbox.ts';
import { decodeTimestampIdCursor, encodeCursor, timestampCursorValue, toPage } from '../../platform/pagination.ts';
import { getCompanyToday } from '../catalog/service.ts';
import { getAccountBriefs } from '../crm/account-service.ts';
import { getApprovalChainAsOf, getUserNames, listActiveUserIdsWithRole } from '../org/service.ts';
import type {
  ApprovalDiffDto,
  ApprovalPolicyDto,
  ApprovalPreview,
  ApprovalRequest,
  ApprovalRequestDetail,
  ApprovalRequestPage,
  ApprovalStepDto,
  ApproveBody,
  CreateDelegationBody,
  Delegation as DelegationDto,
  DelegationList,
  ListApprovalsQuery,
  RecallBody,
  RejectBody,
  SubmitVersionBody,
  UpdateApprovalPolicyBody,
} from './approval-contract.ts';
import { POLICY_KEY, type StoredPolicy, decide, evaluatePolicy, loadApprovalPolicy, summarizeForApproval, summarizeWithRates, toMetricValues } from './approval-data.ts';
import {
  ApprovalPolicy,
  type ApprovalState,
  type ApprovalView,
  type Delegation,
  type QuoteSummary,
  type ResolvedApprovals,
  approve,
  captureApprovalView,
  carryOverApprovals,
  diffSinceApproval,
  quoteMetrics,
  recall,
  reject,
  resolveApprovers,
  submitApproval,
} from './approval-policy.ts';
import type { QuoteDetail } from './contract.ts';
import { QuoteErrors } from './errors.ts';
import { QuotePermissions } from './permissions.ts';
import { approvalDelegations, approvalPolicies, quoteApprovals, quoteVersions, quotes } from './schema.ts';
import { getEditBlock } from './quote.ts';
import { assertCanWriteQuote, loadVersions, loadVisibleVersion, notEditable, source, toDetail, touchQuote } from './service.ts';

/**
 * Quote approvals (docs/decisions/0204-quote-approvals.md). The pure rules of approval-policy.ts
 * decide; this service loads what they need (the policy, the seller's chain from the org chart,
 * the deal desk and finance role holders, delegations), stores each request with its state and
 * what every approver saw, and moves the version: draft → in_approval → approved | rejected, or
 * back to draft on recall. Approving is not a role permission: whoever the request names for its
 * current step (or their delegate that day) decides; anyone else who can see it gets 403.
 */

const READ = QuotePermissions['quotes.read'];
const SORT = '-createdAt';
const POLICY_WRITE = QuotePermissions['quotes.approval_policy.write'];

type QuoteRow = typeof quotes.$inferSelect;
type VersionRow = typeof quoteVersions.$inferSelect;
type RequestRow = typeof quoteApprovals.$inferSelect;

// ── Policy ──────────────────────────────────────────────────────────────────────────────────────

function toPolicyDto(p: StoredPolicy): ApprovalPolicyDto {
  return { rules: p.policy.rules, version: p.version, updatedBy: p.updatedBy, updatedAt: p.updatedAt.toISOString() };
}

export async function getApprovalPolicy(ctx: ServiceContext): Promise<ApprovalPolicyDto> {
  assertCan(ctx.actor, READ);
  return toPolicyDto(await loadApprovalPolicy(ctx.db));
}

/** Replace the policy's rules. Requests already submitted keep the policy they were judged by. */
export async function updateApprovalPolicy(ctx: ServiceContext, body: UpdateApprovalPolicyBody): Promise<ApprovalPolicyDto> {
  assertCan(ctx.actor, POLICY_WRITE);
  const parsed = ApprovalPolicy.safeParse({ rules: body.rules });
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new AppError(PlatformErrors.validation, { params: { count: errors.length }, errors });
  }
  const before = await loadApprovalPolicy(ctx.db);
  if (before.version !== body.version) throw versionConflict(before.version);
  return withTx(ctx.db, async (tx) => {
    const [row] = await tx
      .update(approvalPolicies)
      .set({ rules: parsed.data.rules, updatedBy: ctx.actor.userId, version: body.version + 1, updatedAt: ctx.now })
      .where(and(eq(approvalPolicies.key, POLICY_KEY), eq(approvalPolicies.version, body.version)))
      .returning();
    if (!row) throw versionConflict(body.version + 1);
    await writeAudit(tx, source(ctx), {
      entityType: 'quote_approval_policy',
      entityId: row.id,
      action: 'update',
      changes: { rules: [before.policy.rules, row.rules] },
    });
    return toPolicyDto({ policy: { rules: row.rules }, version: row.version, updatedBy: row.updatedBy, updatedAt: row.updatedAt });
  });
}

// ── Delegations ─────────────────────────────────────────────────────────────────────────────────

type DelegationRow = typeof approvalDelegations.$inferSelect;

async function toDelegationDtos(db: ServiceContext['db'], rows: DelegationRow[]): Promise<DelegationDto[]> {
  const names = await getUserNames(db, rows.flatMap((r) => [r.fromUserId, r.toUserId]));
  return rows.map((r) => toDelegationDto(r, names));
}

function toDelegationDto(r: DelegationRow, names: ReadonlyMap<string, { nameZh: string }>): DelegationDto {
  return {
    id: r.id,
    fromUserId: r.fromUserId,
    fromName: names.get(r.fromUserId)?.nameZh ?? '',
    toUserId: r.toUserId,
    toName: names.get(r.toUserId)?.nameZh ?? '',
    fromDate: r.fromDate,
    toDate: r.toDate,
    note: r.note,
    version: r.version,
    createdAt: r.createdAt.toISOString(),
  };
}

/** Delegations that have not ended: the caller's own (given or received), or everyone's for policy writers. */
export async function listDelegations(ctx: ServiceContext): Promise<DelegationList> {
  const today = getCompanyToday(ctx);
  const mine = or(eq(approvalDelegations.fromUserId, ctx.actor.userId), eq(approvalDelegations.toUserId, ctx.actor.userId));
  const rows = await ctx.db
    .select()
    .from(approvalDelegations)
    .where(and(gte(approvalDelegations.toDate, today), can(ctx.actor, POLICY_WRITE) ? undefined : mine))
    .orderBy(approvalDelegations.fromDate, approvalDelegations.id);
  return { items: await toDelegationDtos(ctx.db, rows) };
}

export async function canReadDelegation(ctx: ServiceContext, id: string): Promise<boolean> {
  const [row] = await ctx.db.select().from(approvalDelegations).where(eq(approvalDelegations.id, id));
  return !!row && (can(ctx.actor, POLICY_WRITE) || row.fromUserId === ctx.actor.userId || row.toUserId === ctx.actor.userId);
}

/** "I am away; X approves for me": one hop, dates inclusive, never ending in the past. */
export async function createDelegation(ctx: ServiceContext, body: CreateDelegationBody): Promise<DelegationDto> {
  const fromUserId = body.fromUserId ?? ctx.actor.userId;
  if (fromUserId !== ctx.actor.userId && !can(ctx.actor, POLICY_WRITE)) throw forbidden(POLICY_WRITE);
  const errors = [];
  if (body.toUserId === fromUserId) errors.push({ path: 'toUserId', message: 'v:not_self' });
  if (body.toDate < body.fromDate) errors.push({ path: 'toDate', message: 'v:date_before_start' });
  else if (body.toDate < getCompanyToday(ctx)) errors.push({ path: 'toDate', message: 'v:date_in_past' });
  if (errors.length > 0) throw new AppError(PlatformErrors.validation, { params: { count: errors.length }, errors });
  const names = await getUserNames(ctx.db, [fromUserId, body.toUserId]);
  const missing = [
    ...(names.has(fromUserId) ? [] : [{ path: 'fromUserId', message: 'v:uuid' }]),
    ...(names.has(body.toUserId) ? [] : [{ path: 'toUserId', message: 'v:uuid' }]),
  ];
  if (missing.length > 0) throw new AppError(PlatformErrors.reference_invalid, { errors: missing });
  return withTx(ctx.db, async (tx) => {
    const [row] = await tx
      .insert(approvalDelegations)
      .values({
        id: newId(),
        fromUserId,
        toUserId: body.toUserId,
        fromDate: body.fromDate,
        toDate: body.toDate,
        note: body.note ?? '',
        createdBy: ctx.actor.userId,
        createdAt: ctx.now,
        updatedAt: ctx.now,
      })
      .returning();
    await writeAudit(tx, source(ctx), { entityType: 'quote_approval_delegation', entityId: row!.id, action: 'create', changes: diffRecords(null, { ...row! }) });
    return toDelegationDto(row!, names);
  });
}

export async function deleteDelegation(ctx: ServiceContext, id: string, version: number): Promise<void> {
  const [row] = await ctx.db.select().from(approvalDelegations).where(eq(approvalDelegations.id, id));
  const mayRead = !!row && (can(ctx.actor, POLICY_WRITE) || row.fromUserId === ctx.actor.userId || row.toUserId === ctx.actor.userId);
  if (!row || !mayRead) throw notFound('quote_approval_delegation');
  if (row.fromUserId !== ctx.actor.userId && !can(ctx.actor, POLICY_WRITE)) throw forbidden(POLICY_WRITE);
  if (row.version !== version) throw versionConflict(row.version);
  await withTx(ctx.db, async (tx) => {
    const deleted = await tx
      .delete(approvalDelegations)
      .where(and(eq(approvalDelegations.id, id), eq(approvalDelegations.version, version)))
      .returning({ id: approvalDelegations.id });
    if (deleted.length === 0) throw versionConflict(version + 1);
    await writeAudit(tx, source(ctx), { entityType: 'quote_approval_delegation', entityId: id, action: 'delete', changes: diffRecords({ ...row }, null) });
  });
}

/** Delegations covering `today` given by any of `fromUserIds`. */
async function activeDelegations(db: DbOrTx, fromUserIds: readonly string[] | null, today: string): Promise<Delegation[]> {
  const rows = await db
    .select({ from: approvalDelegations.fromUserId, to: approvalDelegations.toUserId, fromDate: approvalDelegations.fromDate, toDate: approvalDelegations.toDate })
    .from(approvalDelegations)
    .where(
      and(
        sql`${approvalDelegations.fromDate} <= ${today}`,
        gte(approvalDelegations.toDate, today),
        fromUserIds === null ? undefined : fromUserIds.length === 0 ? sql`false` : inArray(approvalDelegations.fromUserId, [...fromUserIds]),
      ),
    );
  return rows;
}

// ── Resolving who approves ──────────────────────────────────────────────────────────────────────

interface Evaluation {
  stored: StoredPolicy;
  summary: QuoteSummary;
  resolved: ResolvedApprovals;
  metrics: ReturnType<typeof quoteMetrics>;
}

/** The steps a version needs today and who may act on each: the seller's (the quote owner's) chain. */
async function evaluate(db: DbOrTx, quote: QuoteRow, version: VersionRow, today: string, submitterId: string): Promise<Evaluation> {
  const { stored, summary, metrics, steps } = await evaluatePolicy(db, quote.currency as Currency, version.priced, version.pricingDate);
  if (steps.length === 0) return { stored, summary, metrics, resolved: { steps: [], skipped: [] } };
  const chain = await getApprovalChainAsOf(db, quote.ownerId, today);
  const dealDesk = await listActiveUserIdsWithRole(db, 'deal_desk');
  const finance = await listActiveUserIdsWithRole(db, 'finance');
  const delegations = await activeDelegations(db, null, today);
  const resolved = resolveApprovers({ steps, chain, roleHolders: { deal_desk: dealDesk, finance }, delegations, today, submitterId });
  return { stored, summary, metrics, resolved };
}

/** What the approvers of the quote's previous versions saw: the views of its latest decided request. */
async function previousViews(db: DbOrTx, quoteId: string, versionId: string): Promise<ApprovalView[]> {
  const [row] = await db
    .select({ views: quoteApprovals.views })
    .from(quoteApprovals)
    .where(and(eq(quoteApprovals.quoteId, quoteId), ne(quoteApprovals.versionId, versionId), inArray(quoteApprovals.status, ['approved', 'rejected'])))
    .orderBy(desc(quoteApprovals.createdAt), desc(quoteApprovals.id))
    .limit(1);
  return row?.views ?? [];
}

/** The last approved snapshot of the quote before this version: the highest view of its latest approved request. */
async function lastApprovedView(db: DbOrTx, quoteId: string, versionId: string): Promise<{ view: ApprovalView; versionNo: number } | null> {
  const [row] = await db
    .select({ views: quoteApprovals.views, versionNo: quoteVersions.number })
    .from(quoteApprovals)
    .innerJoin(quoteVersions, eq(quoteVersions.id, quoteApprovals.versionId))
    .where(and(eq(quoteApprovals.quoteId, quoteId), ne(quoteApprovals.versionId, versionId), eq(quoteApprovals.status, 'approved')))
    .orderBy(desc(quoteApprovals.createdAt), desc(quoteApprovals.id))
    .limit(1);
  const view = row?.views.at(-1);
  return row && view ? { view, versionNo: row.versionNo } : null;
}

async function personNames(db: ServiceContext['db'], ids: readonly string[]): Promise<Map<string, string>> {
  const names = await getUserNames(db, ids);
  return new Map([...names].map(([id, n]) => [id, n.nameZh]));
}

function stepDtos(steps: ApprovalState['steps'], names: ReadonlyMap<string, string>): ApprovalStepDto[] {
  const person = (userId: string) => ({ userId, name: names.get(userId) ?? '' });
  return steps.map((s) => ({
    level: s.level,
    actingLevel: s.actingLevel,
    covers: s.covers,
    triggers: s.triggers,
    implied: s.implied,
    approvers: s.approvers.map(person),
    delegates: s.delegates.map(person),
    status: s.status,
  }));
}

/** What a submit of this version would need now; nothing is stored. */
export async function previewApproval(ctx: ServiceContext, versionId: string): Promise<ApprovalPreview> {
  const { quote, version } = await loadVisibleVersion(ctx, versionId);
  const today = getCompanyToday(ctx);
  const ev = await evaluate(ctx.db, quote, version, today, ctx.actor.userId);
  const { carried } = carryOverApprovals({ isCopy: false, views: await previousViews(ctx.db, quote.id, versionId), steps: ev.resolved.steps, summary: ev.summary });
  const names = await personNames(ctx.db, [...ev.resolved.steps.flatMap((s) => s.eligible), ...carried.map((c) => c.userId)]);
  return {
    versionId,
    policyVersion: ev.stored.version,
    metrics: toMetricValues(ev.metrics, quote.currency as Currency),
    required: ev.resolved.steps.length > 0,
    steps: stepDtos(
      ev.resolved.steps.map((s) => ({ ...s, status: carried.some((c) => c.level === s.level) ? 'approved' : 'waiting' })),
      names,
    ),
    skipped: ev.resolved.skipped,
    carried: carried.map((c) => ({ level: c.level, userId: c.userId, name: names.get(c.userId) ?? '', fromVersionId: c.fromVersionId })),
    blockedLevel: ev.resolved.steps.find((s) => s.eligible.length === 0)?.level ?? null,
  };
}

// ── Submitting and deciding ─────────────────────────────────────────────────────────────────────

/** Who the inbox shows a request to: the current step's approvers (delegates are found at read time). */
function pendingFor(state: ApprovalState): string[] {
  return state.status === 'pending' && state.current !== null ? [...state.steps[state.current]!.approvers] : [];
}

function eventPayload(quote: QuoteRow, version: VersionRow, request: { id: string; state: ApprovalState }) {
  const current = request.state.current === null ? null : request.state.steps[request.state.current]!;
  return {
    approvalId: request.id,
    quoteId: quote.id,
    number: quote.number,
    versionId: version.id,
    versionNo: version.number,
    accountId: quote.accountId,
    opportunityId: quote.opportunityId,
    ownerId: quote.ownerId,
    status: request.state.status,
    currentLevel: current?.level ?? null,
    pendingFor: pendingFor(request.state),
    total: version.totals.grandTotal,
  };
}

/**
 * Submit a draft for approval. Approvals of the previous version stand where nothing they approved
 * got worse (smart re-approval); with nothing left to approve the version is approved at once.
 */
export async function submitQuoteVersion(ctx: ServiceContext, versionId: string, body: SubmitVersionBody): Promise<QuoteDetail> {
  const { quote, version: before } = await loadVisibleVersion(ctx, versionId);
  assertCanWriteQuote(ctx, quote);
  if (before.version !== body.version) throw versionConflict(before.version);
  if (before.status !== 'draft') throw notEditable(before.status, getEditBlock(before.status) ?? 'needs_new_version');
  if (before.lines.length === 0) {
    throw new AppError(PlatformErrors.validation, { params: { count: 1 }, errors: [{ path: 'lines', message: 'v:required' }] });
  }
  const today = getCompanyToday(ctx);
  if (before.validUntil < today) throw new AppError(QuoteErrors.version_expired, { params: { validUntil: before.validUntil } });
  const ev = await evaluate(ctx.db, quote, before, today, ctx.actor.userId);
  const views = await previousViews(ctx.db, quote.id, versionId);
  const { carried } = carryOverApprovals({ isCopy: false, views, steps: ev.resolved.steps, summary: ev.summary });
  const state = decide(() => submitApproval({ versionId, submittedBy: ctx.actor.userId, at: ctx.now.toISOString(), steps: ev.resolved.steps, carried }));
  const comment = body.comment?.trim();
  if (comment) state.decisions[0] = { ...state.decisions[0]!, comment };
  // A carried approval keeps what its approver saw: later versions are compared with that.
  const carriedViews = views.filter((v) => carried.some((c) => c.level === v.level && c.userId === v.userId));
  const nextStatus = state.status === 'approved' ? 'approved' : 'in_approval';

  return withTx(ctx.db, async (tx) => {
    const [after] = await tx
      .update(quoteVersions)
      .set({ status: nextStatus, version: before.version + 1, updatedAt: ctx.now })
      .where(and(eq(quoteVersions.id, versionId), eq(quoteVersions.version, body.version), eq(quoteVersions.status, 'draft')))
      .returning();
    if (!after) throw versionConflict(before.version + 1);
    const id = newId();
    await tx.insert(quoteApprovals).values({
      id,
      quoteId: quote.id,
      versionId,
      status: state.status,
      submittedBy: ctx.actor.userId,
      policyVersion: ev.stored.version,
      policy: ev.stored.policy,
      state,
      views: carriedViews,
      pendingFor: pendingFor(state),
      createdAt: ctx.now,
      updatedAt: ctx.now,
    });
    const quoteAfter = await touchQuote(tx, ctx, quote.id);
    await writeAudit(tx, source(ctx), [
      { entityType: 'quote_version', entityId: versionId, action: 'submit', changes: { status: [before.status, after.status] } },
      { entityType: 'quote_approval', entityId: id, action: 'create', changes: { status: [null, state.status], steps: [null, state.steps.map((s) => s.level)] } },
    ]);
    await publishEvent(tx, source(ctx), {
      type: state.status === 'approved' ? 'quote.approved' : 'quote.approval_requested',
      aggregateType: 'quote',
      aggregateId: quote.id,
      payload: eventPayload(quote, after, { id, state }),
    });
    return toDetail(tx, quoteAfter, await loadVersions(tx, quote.id));
  });
}

interface LoadedRequest {
  request: RequestRow;
  quote: QuoteRow;
  version: VersionRow;
}

/** Everyone a request names: the submitter and the people of every step. */
function involved(state: ApprovalState): Set<string> {
  return new Set([state.submittedBy, ...state.steps.flatMap((s) => [...s.approvers, ...s.delegates]), ...state.decisions.map((d) => d.userId)]);
}

/**
 * A request is visible to whoever can read its quote and to the people it involves (an approver
 * from another branch, a delegate); and to today's delegates of its current approvers.
 */
async function loadVisibleRequest(ctx: ServiceContext, id: string): Promise<LoadedRequest> {
  const [found] = await ctx.db
    .select({ request: quoteApprovals, quote: quotes, version: quoteVersions })
    .from(quoteApprovals)
    .innerJoin(quotes, eq(quotes.id, quoteApprovals.quoteId))
    .innerJoin(quoteVersions, eq(quoteVersions.id, quoteApprovals.versionId))
    .where(eq(quoteApprovals.id, id));
  if (!found) throw notFound('quote_approval');
  const scope = scopeFor(ctx.actor, READ);
  if (scope && isInScope(ctx.actor, scope, found.quote)) return found;
  if (involved(found.request.state).has(ctx.actor.userId)) return found;
  const live = await withLiveDelegates(ctx.db, found.request.state, getCompanyToday(ctx));
  if (involved(live).has(ctx.actor.userId)) return found;
  throw notFound('quote_approval');
}

/** The current step's delegates as of today (a delegation made after the submit counts). */
async function withLiveDelegates(db: DbOrTx, state: ApprovalState, today: string): Promise<ApprovalState> {
  if (state.status !== 'pending' || state.current === null) return state;
  const idx = state.current;
  const step = state.steps[idx]!;
  const active = await activeDelegations(db, step.approvers, today);
  const delegates = [...new Set(active.map((d) => d.to))].filter((u) => u !== state.submittedBy && !step.approvers.includes(u));
  return { ...state, steps: state.steps.map((s, i) => (i === idx ? { ...s, delegates, eligible: [...s.approvers, ...delegates] } : s)) };
}

async function saveDecision(
  tx: Tx,
  ctx: ServiceContext,
  loaded: LoadedRequest,
  next: ApprovalState,
  opts: { views?: ApprovalView[]; versionStatus?: VersionRow['status']; action: string; event: string | null },
): Promise<void> {
  const { request, quote, version } = loaded;
  const [updated] = await tx
    .update(quoteApprovals)
    .set({
      status: next.status,
      state: next,
      ...(opts.views ? { views: opts.views } : {}),
      pendingFor: pendingFor(next),
      version: request.version + 1,
      updatedAt: ctx.now,
    })
    .where(and(eq(quoteApprovals.id, request.id), eq(quoteApprovals.version, request.version)))
    .returning({ id: quoteApprovals.id });
  if (!updated) throw versionConflict(request.version + 1);
  let versionAfter = version;
  if (opts.versionStatus && opts.versionStatus !== version.status) {
    const [v] = await tx
      .update(quoteVersions)
      .set({ status: opts.versionStatus, version: sql`${quoteVersions.version} + 1`, updatedAt: ctx.now })
      .where(and(eq(quoteVersions.id, version.id), eq(quoteVersions.status, 'in_approval')))
      .returning();
    if (!v) throw versionConflict(request.version + 1);
    versionAfter = v;
    await touchQuote(tx, ctx, quote.id);
  }
  const last = next.decisions.at(-1)!;
  await writeAudit(tx, source(ctx), [
    {
      entityType: 'quote_approval',
      entityId: request.id,
      action: opts.action,
      changes: { status: [request.status, next.status], decision: [null, { level: last.level, comment: last.comment, versionId: last.versionId }] },
    },
    ...(versionAfter !== version ? [{ entityType: 'quote_version', entityId: version.id, action: opts.action, changes: { status: [version.status, versionAfter.status] as [unknown, unknown] } }] : []),
  ]);
  if (opts.event) {
    await publishEvent(tx, source(ctx), {
      type: opts.event,
      aggregateType: 'quote',
      aggregateId: quote.id,
      payload: { ...eventPayload(quote, versionAfter, { id: request.id, state: next }), decidedBy: ctx.actor.userId, comment: last.comment },
    });
  }
}

/** Approve the current step; the last approval approves the version. */
export async function approveRequest(ctx: ServiceContext, id: string, body: ApproveBody): Promise<ApprovalRequestDetail> {
  const loaded = await loadVisibleRequest(ctx, id);
  const { request, quote, version } = loaded;
  if (request.version !== body.version) throw versionConflict(request.version);
  const live = await withLiveDelegates(ctx.db, request.state, getCompanyToday(ctx));
  const at = ctx.now.toISOString();
  const next = decide(() => approve(live, { userId: ctx.actor.userId, at, versionId: request.versionId, ...(body.level ? { level: body.level } : {}), comment: body.comment ?? null }));
  const step = live.steps[live.current!]!;
  const view = captureApprovalView({
    userId: ctx.actor.userId,
    versionId: request.versionId,
    step,
    policy: request.policy,
    // With the rates the request's amount rules need, so a later version is judged against the same ones.
    summary: await summarizeWithRates(ctx.db, request.policy, quote.currency as Currency, version.priced, version.pricingDate),
  });
  const done = next.status === 'approved';
  await withTx(ctx.db, (tx) =>
    saveDecision(tx, ctx, loaded, next, {
      views: [...request.views, view],
      ...(done ? { versionStatus: 'approved' as const } : {}),
      action: 'approve',
      event: done ? 'quote.approved' : 'quote.approval_requested',
    }),
  );
  return getApprovalRequest(ctx, id);
}

/** Reject the current step (a comment is required); the version is rejected and a new one must be made. */
export async function rejectRequest(ctx: ServiceContext, id: string, body: RejectBody): Promise<ApprovalRequestDetail> {
  const loaded = await loadVisibleRequest(ctx, id);
  const { request } = loaded;
  if (request.version !== body.version) throw versionConflict(request.version);
  const live = await withLiveDelegates(ctx.db, request.state, getCompanyToday(ctx));
  const next = decide(() =>
    reject(live, { userId: ctx.actor.userId, at: ctx.now.toISOString(), versionId: request.versionId, ...(body.level ? { level: body.level } : {}), comment: body.comment }),
  );
  await withTx(ctx.db, (tx) => saveDecision(tx, ctx, loaded, next, { versionStatus: 'rejected', action: 'reject', event: 'quote.rejected' }));
  return getApprovalRequest(ctx, id);
}

/** The submitter withdraws a pending request; the version is a draft again and approvals so far lapse. */
export async function recallRequest(ctx: ServiceContext, id: string, body: RecallBody): Promise<ApprovalRequestDetail> {
  const loaded = await loadVisibleRequest(ctx, id);
  const { request } = loaded;
  if (request.version !== body.version) throw versionConflict(request.version);
  const next = decide(() => recall(request.state, { userId: ctx.actor.userId, at: ctx.now.toISOString(), comment: body.comment ?? null }));
  await withTx(ctx.db, (tx) => saveDecision(tx, ctx, loaded, next, { versionStatus: 'draft', action: 'recall', event: 'quote.approval_recalled' }));
  return getApprovalRequest(ctx, id);
}

// ── Reading ─────────────────────────────────────────────────────────────────────────────────────

function canActNow(state: ApprovalState, userId: string): boolean {
  if (state.status !== 'pending' || state.current === null) return false;
  return state.steps[state.current]!.eligible.includes(userId);
}

function toRequest(
  ctx: ServiceContext,
  row: { request: RequestRow; quote: QuoteRow; version: VersionRow },
  live: ApprovalState,
  names: ReadonlyMap<string, string>,
  accounts: ReadonlyMap<string, { nameZh: string }>,
): ApprovalRequest {
  const { request, quote, version } = row;
  const current = live.current === null ? null : live.steps[live.current]!;
  return {
    id: request.id,
    quoteId: quote.id,
    quoteNumber: quote.number,
    versionId: version.id,
    versionNo: version.number,
    accountId: quote.accountId,
    accountName: accounts.get(quote.accountId)?.nameZh ?? '',
    opportunityId: quote.opportunityId,
    ownerId: quote.ownerId,
    ownerName: names.get(quote.ownerId) ?? '',
    status: request.status,
    submittedBy: request.submittedBy,
    submittedByName: names.get(request.submittedBy) ?? '',
    submittedAt: request.createdAt.toISOString(),
    currentLevel: current?.level ?? null,
    canAct: canActNow(live, ctx.actor.userId),
    canRecall: request.status === 'pending' && request.submittedBy === ctx.actor.userId,
    total: version.totals.grandTotal,
    discountPercent: version.totals.discountPercent,
    version: request.version,
    updatedAt: request.updatedAt.toISOString(),
  };
}

export async function getApprovalRequest(ctx: ServiceContext, id: string): Promise<ApprovalRequestDetail> {
  const row = await loadVisibleRequest(ctx, id);
  const { request, quote, version } = row;
  const live = await withLiveDelegates(ctx.db, request.state, getCompanyToday(ctx));
  const names = await personNames(ctx.db, [...involved(live), quote.ownerId]);
  const accounts = await getAccountBriefs(ctx.db, [quote.accountId]);
  const summary = summarizeForApproval(quote.currency as Currency, version.priced);
  const since = await lastApprovedView(ctx.db, quote.id, version.id);
  const diff: ApprovalDiffDto = since
    ? { sinceVersionId: since.view.versionId, sinceVersionNo: since.versionNo, ...diffSinceApproval(since.view, summary) }
    : { sinceVersionId: null, sinceVersionNo: null, metrics: [], lines: [] };
  return {
    ...toRequest(ctx, row, live, names, accounts),
    policyVersion: request.policyVersion,
    metrics: toMetricValues(quoteMetrics(summary), quote.currency as Currency),
    steps: stepDtos(live.steps, names),
    decisions: live.decisions.map((d) => ({
      userId: d.userId,
      name: names.get(d.userId) ?? '',
      at: d.at,
      versionId: d.versionId,
      decision: d.decision,
      level: d.level,
      comment: d.comment,
      carriedFromVersionId: d.carriedFromVersionId ?? null,
    })),
    lines: version.priced,
    totals: version.totals,
    changesSinceApproved: diff,
  };
}

export async function canReadApprovalRequest(ctx: ServiceContext, id: string): Promise<boolean> {
  try {
    await loadVisibleRequest(ctx, id);
    return true;
  } catch (err) {
    if (err instanceof AppError && err.code === PlatformErrors.not_found) return false;
    throw err;
  }
}

/**
 * Requests, newest first. `mine=true` is the inbox: pending requests whose current step waits for
 * the caller or for someone the caller stands in for today. Otherwise: requests of the quotes the
 * caller can read, plus those waiting for them.
 */
export async function listApprovalRequests(ctx: ServiceContext, q: ListApprovalsQuery): Promise<ApprovalRequestPage> {
  const today = getCompanyToday(ctx);
  const me = ctx.actor.userId;
  // The inbox on an index: pending_for is GIN-indexed for pending rows.
  const forMe = sql`(${quoteApprovals.pendingFor} && ARRAY[${me}]::uuid[] OR ${quoteApprovals.pendingFor} && COALESCE((
      SELECT array_agg(d.from_user_id) FROM quote_approval_delegations d
       WHERE d.to_user_id = ${me} AND d.from_date <= ${today} AND d.to_date >= ${today}), '{}'::uuid[]))`;
  const conditions: (SQL | undefined)[] = [];
  if (q.mine) {
    conditions.push(eq(quoteApprovals.status, 'pending'), forMe, ne(quoteApprovals.submittedBy, me));
  } else {
    const scope = scopeFor(ctx.actor, READ);
    const readable = scope ? readFilter(ctx.actor, READ, { ownerId: quotes.ownerId, unitId: quotes.unitId }) : sql`false`;
    conditions.push(readable === undefined ? undefined : or(readable, forMe, eq(quoteApprovals.submittedBy, me)));
    if (q.status) conditions.push(eq(quoteApprovals.status, q.status));
  }
  if (q.quoteId) conditions.push(eq(quoteApprovals.quoteId, q.quoteId));
  if (q.cursor) {
    const [v, id] = decodeTimestampIdCursor(SORT, q.cursor);
    conditions.push(sql`(${quoteApprovals.createdAt}, ${quoteApprovals.id}) < (${v}::timestamptz, ${id}::uuid)`);
  }
  const rows = await ctx.db
    .select({ request: quoteApprovals, quote: quotes, version: quoteVersions, cursorAt: timestampCursorValue(quoteApprovals.createdAt) })
    .from(quoteApprovals)
    .innerJoin(quotes, eq(quotes.id, quoteApprovals.quoteId))
    .innerJoin(quoteVersions, eq(quoteVersions.id, quoteApprovals.versionId))
    .where(whereAll(...conditions))
    .orderBy(desc(quoteApprovals.createdAt), desc(quoteApprovals.id))
    .limit(q.limit + 1);
  const shown = rows.slice(0, q.limit);
  const lives = new Map<string, ApprovalState>();
  for (const r of shown) lives.set(r.request.id, await withLiveDelegates(ctx.db, r.request.state, today));
  const names = await personNames(ctx.db, shown.flatMap((r) => [r.quote.ownerId, r.request.submittedBy]));
  const accounts = await getAccountBriefs(ctx.db, shown.map((r) => r.quote.accountId));
  return toPage(
    rows,
    q.limit,
    (r) => toRequest(ctx, r, lives.get(r.request.id) ?? r.request.state, names, accounts),
    (r) => encodeCursor(SORT, [r.cursorAt, r.request.id]),
  );
}
