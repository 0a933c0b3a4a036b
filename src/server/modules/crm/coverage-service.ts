import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import type { Role } from '../../../shared/roles.ts';
import { whereAll } from '../../platform/access.ts';
import { diffRecords, writeAudit } from '../../platform/audit.ts';
import type { ServiceContext } from '../../platform/context.ts';
import { type DbOrTx, isUniqueViolation, withTx } from '../../platform/db.ts';
import { AppError, PlatformErrors, notFound, versionConflict } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { decodeCursor, encodeCursor } from '../../platform/pagination.ts';
import { type UserBrief, getSubtreeUnitIds, getUserBriefs } from '../org/service.ts';
import type {
  AccountCoverageGaps,
  AccountGapsQuery,
  BookGapsPage,
  BookGapsQuery,
  ContactGap,
  ContactMapNode,
  CoverageLink as CoverageLinkDto,
  CoverageList,
  CreateCoverageBody,
  RelationshipMap,
  UpdateCoverageBody,
} from './account-contract.ts';
import { AccountErrors } from './account-errors.ts';
import { assertAccountWritable, auditSource } from './account-service.ts';
import { lastTouchOf } from './activity-service.ts';
import { accountReadFilter, getVisibleAccount } from './crm-access.ts';
import {
  type ContactNode,
  type CoverageContact,
  type CoverageLink,
  CoverageError,
  type OurPerson,
  type Seniority,
  buildContactTree,
  computeCoverageGaps,
  summarizeCoverage,
} from './coverage.ts';
import { accounts, contacts, coverage } from './schema.ts';

/**
 * Coverage: which of our people covers which of the customer's, how strongly, how recently. The
 * relationship map overlays it on the customer's org chart; the gap report lists the exposed
 * decision-makers of one account or of a manager's whole book. The rules are coverage.ts's; this
 * file loads rows (a constant number of queries per request) and checks access.
 */

type CoverageRow = typeof coverage.$inferSelect;
type ContactRow = typeof contacts.$inferSelect;
type AccountRow = typeof accounts.$inferSelect;

const DAY_MS = 86_400_000;
const LEVEL_RANK = { decision: 0, management: 1, execution: 2 } as const;

/** Our person's seniority from their roles: executive, then sales manager; everyone else is individual. */
export function seniorityOfRoles(roles: readonly Role[]): Seniority {
  if (roles.includes('executive')) return 'executive';
  if (roles.includes('sales_manager')) return 'manager';
  return 'individual';
}

/** Our people who count for coverage: active users, with their seniority. */
function ourPeople(briefs: ReadonlyMap<string, UserBrief>): OurPerson[] {
  return [...briefs.values()].filter((b) => b.active).map((b) => ({ userId: b.id, seniority: seniorityOfRoles(b.roles) }));
}

function toLink(row: CoverageRow): CoverageLink {
  return { ourUserId: row.userId, contactId: row.contactId, strength: row.strength, lastTouchAt: row.lastTouchAt };
}

function toCoverageContact(row: Pick<ContactRow, 'id' | 'accountId' | 'level' | 'reportsToId' | 'status'>): CoverageContact {
  return { id: row.id, accountId: row.accountId, level: row.level, reportsToId: row.reportsToId, status: row.status };
}

function toDto(row: CoverageRow, briefs: ReadonlyMap<string, UserBrief>): CoverageLinkDto {
  return {
    id: row.id,
    accountId: row.accountId,
    contactId: row.contactId,
    userId: row.userId,
    userName: briefs.get(row.userId)?.nameZh ?? null,
    relationshipRole: row.relationshipRole as CoverageLinkDto['relationshipRole'],
    strength: row.strength,
    lastTouchAt: row.lastTouchAt?.toISOString() ?? null,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

// ── Links ───────────────────────────────────────────────────────────────────────────────────────

export async function listCoverage(ctx: ServiceContext, accountId: string): Promise<CoverageList> {
  await getVisibleAccount(ctx, accountId);
  const rows = await ctx.db
    .select()
    .from(coverage)
    .where(eq(coverage.accountId, accountId))
    .orderBy(asc(coverage.contactId), asc(coverage.createdAt), asc(coverage.id));
  const briefs = await getUserBriefs(ctx.db, [...new Set(rows.map((r) => r.userId))]);
  return { items: rows.map((r) => toDto(r, briefs)) };
}

/** A coverage link whose account the actor can see, with that account; 404 otherwise. */
async function loadVisibleLink(ctx: ServiceContext, id: string): Promise<{ link: CoverageRow; account: AccountRow }> {
  const [row] = await ctx.db
    .select({ link: coverage, account: accounts })
    .from(coverage)
    .innerJoin(accounts, eq(accounts.id, coverage.accountId))
    .where(whereAll(eq(coverage.id, id), await accountReadFilter(ctx)));
  if (!row) throw notFound('coverage');
  return row;
}

export async function canReadCoverage(ctx: ServiceContext, id: string): Promise<boolean> {
  try {
    await loadVisibleLink(ctx, id);
    return true;
  } catch (err) {
    if (err instanceof AppError && err.code === PlatformErrors.not_found) return false;
    throw err;
  }
}

function duplicateCoverage(): AppError {
  return new AppError(AccountErrors.duplicate_coverage, { errors: [{ path: 'userId', message: 'v:coverage_exists' }] });
}

export async function createCoverage(ctx: ServiceContext, accountId: string, body: CreateCoverageBody): Promise<CoverageLinkDto> {
  const account = await getVisibleAccount(ctx, accountId);
  assertAccountWritable(ctx, account);
  try {
    return await withTx(ctx.db, async (tx) => {
      const [contact] = await tx
        .select({ id: contacts.id })
        .from(contacts)
        .where(and(eq(contacts.id, body.contactId), eq(contacts.accountId, accountId)));
      if (!contact) throw new AppError(PlatformErrors.reference_invalid, { errors: [{ path: 'contactId', message: 'v:same_account_contact' }] });
      const briefs = await getUserBriefs(tx, [body.userId]);
      if (!briefs.get(body.userId)?.active) {
        throw new AppError(PlatformErrors.reference_invalid, { errors: [{ path: 'userId', message: 'v:active_user' }] });
      }
      const id = newId();
      const inserted = await tx
        .insert(coverage)
        .values({
          id,
          accountId,
          contactId: body.contactId,
          userId: body.userId,
          relationshipRole: body.relationshipRole,
          strength: body.strength,
          // Last touch is computed from activities: a new link starts with the ones already logged.
          lastTouchAt: await lastTouchOf(tx, body.contactId, body.userId),
          createdAt: ctx.now,
          updatedAt: ctx.now,
        })
        .onConflictDoNothing()
        .returning();
      if (inserted.length === 0) throw duplicateCoverage();
      const row = inserted[0]!;
      await writeAudit(tx, auditSource(ctx), { entityType: 'coverage', entityId: id, action: 'create', changes: diffRecords(null, row) });
      return toDto(row, briefs);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicateCoverage();
    throw err;
  }
}

export async function updateCoverage(ctx: ServiceContext, id: string, body: UpdateCoverageBody): Promise<CoverageLinkDto> {
  const { account } = await loadVisibleLink(ctx, id);
  assertAccountWritable(ctx, account);
  return withTx(ctx.db, async (tx) => {
    const [before] = await tx.select().from(coverage).where(eq(coverage.id, id)).for('update');
    if (!before) throw notFound('coverage');
    if (before.version !== body.version) throw versionConflict(before.version);
    const [after] = await tx
      .update(coverage)
      .set({
        ...(body.relationshipRole !== undefined ? { relationshipRole: body.relationshipRole } : {}),
        ...(body.strength !== undefined ? { strength: body.strength } : {}),
        version: before.version + 1,
        updatedAt: ctx.now,
      })
      .where(and(eq(coverage.id, id), eq(coverage.version, body.version)))
      .returning();
    if (!after) throw versionConflict(before.version + 1);
    await writeAudit(tx, auditSource(ctx), { entityType: 'coverage', entityId: id, action: 'update', changes: diffRecords(before, after) });
    return toDto(after, await getUserBriefs(tx, [after.userId]));
  });
}

export async function deleteCoverage(ctx: ServiceContext, id: string, version: number): Promise<void> {
  const { account } = await loadVisibleLink(ctx, id);
  assertAccountWritable(ctx, account);
  await withTx(ctx.db, async (tx) => {
    const [before] = await tx.select().from(coverage).where(eq(coverage.id, id)).for('update');
    if (!before) throw notFound('coverage');
    if (before.version !== version) throw versionConflict(before.version);
    await tx.delete(coverage).where(eq(coverage.id, id));
    await writeAudit(tx, auditSource(ctx), { entityType: 'coverage', entityId: id, action: 'delete', changes: diffRecords(before, null) });
  });
}

// ── The relationship map ────────────────────────────────────────────────────────────────────────

function daysSince(at: Date | null, now: Date): number | null {
  return at ? Math.floor(Math.max(0, now.getTime() - at.getTime()) / DAY_MS) : null;
}

/** A loop in the data (written around the service) is reported, not drawn forever. */
function contactTree<C extends CoverageContact>(list: readonly C[]): ContactNode<C>[] {
  try {
    return buildContactTree(list);
  } catch (err) {
    if (err instanceof CoverageError) throw new AppError(AccountErrors.contact_cycle, { params: { ...err.params }, cause: err });
    throw err;
  }
}

export async function getRelationshipMap(ctx: ServiceContext, accountId: string, q: { includeLeft?: boolean | undefined }): Promise<RelationshipMap> {
  await getVisibleAccount(ctx, accountId);
  const [contactRows, links] = await Promise.all([
    ctx.db.select().from(contacts).where(eq(contacts.accountId, accountId)),
    ctx.db.select().from(coverage).where(eq(coverage.accountId, accountId)),
  ]);
  const briefs = await getUserBriefs(ctx.db, [...new Set(links.map((l) => l.userId))]);
  const people = ourPeople(briefs);
  const shown = contactRows
    .filter((c) => q.includeLeft !== false || c.status === 'active')
    .sort((a, b) => LEVEL_RANK[a.level] - LEVEL_RANK[b.level] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || (a.id < b.id ? -1 : 1));
  const linksByContact = new Map<string, CoverageRow[]>();
  for (const l of links) linksByContact.set(l.contactId, [...(linksByContact.get(l.contactId) ?? []), l]);
  const seniorityRank = { executive: 0, manager: 1, individual: 2 } as const;

  const toNode = (n: ContactNode<ContactRow>): ContactMapNode => ({
    id: n.contact.id,
    name: n.contact.name,
    title: n.contact.title,
    department: n.contact.department,
    level: n.contact.level,
    status: n.contact.status,
    influence: n.contact.influence,
    reportsToId: n.contact.reportsToId,
    coverage: (linksByContact.get(n.contact.id) ?? [])
      .map((l) => {
        const brief = briefs.get(l.userId);
        const seniority = seniorityOfRoles(brief?.roles ?? []);
        return {
          coverageId: l.id,
          userId: l.userId,
          userName: brief?.nameZh ?? null,
          seniority,
          isManagerOrAbove: seniority !== 'individual',
          active: brief?.active === true,
          relationshipRole: l.relationshipRole as ContactMapNode['coverage'][number]['relationshipRole'],
          strength: l.strength,
          lastTouchAt: l.lastTouchAt?.toISOString() ?? null,
          daysSinceTouch: daysSince(l.lastTouchAt, ctx.now),
        };
      })
      .sort((a, b) => seniorityRank[a.seniority] - seniorityRank[b.seniority] || b.strength - a.strength),
    children: n.children.map(toNode),
  });

  const summary = summarizeCoverage(contactRows.map(toCoverageContact), links.map(toLink), people)[0];
  const empty = { active: 0, covered: 0, uncovered: 0 };
  return {
    accountId,
    asOf: ctx.now.toISOString(),
    roots: contactTree(shown).map(toNode),
    summary: summary
      ? { byLevel: summary.byLevel, left: summary.left }
      : { byLevel: { decision: { ...empty }, management: { ...empty }, execution: { ...empty } }, left: 0 },
  };
}

// ── Coverage gaps ───────────────────────────────────────────────────────────────────────────────

interface GapInput {
  accounts: readonly Pick<AccountRow, 'id' | 'nameZh' | 'ownerId'>[];
  contacts: readonly Pick<ContactRow, 'id' | 'accountId' | 'name' | 'title' | 'level' | 'reportsToId' | 'status'>[];
  links: readonly CoverageRow[];
  briefs: ReadonlyMap<string, UserBrief>;
  now: Date;
  staleDays: number;
}

/** Gaps of each account, in the order given; the rule itself is coverage.ts's computeCoverageGaps. */
function gapsByAccount(input: GapInput): AccountCoverageGaps[] {
  const gaps = computeCoverageGaps(input.contacts.map(toCoverageContact), input.links.map(toLink), ourPeople(input.briefs), {
    now: input.now,
    staleDays: input.staleDays,
  });
  const contactById = new Map(input.contacts.map((c) => [c.id, c]));
  const perAccount = new Map<string, ContactGap[]>();
  for (const g of gaps) {
    const c = contactById.get(g.contactId)!;
    perAccount.set(g.accountId, [
      ...(perAccount.get(g.accountId) ?? []),
      {
        contactId: g.contactId,
        name: c.name,
        title: c.title,
        gaps: g.gaps,
        coveredBy: g.coveredBy.map((p) => ({ ...p, userName: input.briefs.get(p.userId)?.nameZh ?? null })),
        lastTouchAt: g.lastTouchAt,
        daysSinceTouch: g.daysSinceTouch,
      },
    ]);
  }
  const decisionCount = new Map<string, number>();
  for (const c of input.contacts) {
    if (c.level === 'decision' && c.status === 'active') decisionCount.set(c.accountId, (decisionCount.get(c.accountId) ?? 0) + 1);
  }
  return input.accounts.map((a) => ({
    accountId: a.id,
    accountName: a.nameZh,
    ownerId: a.ownerId,
    ownerName: input.briefs.get(a.ownerId)?.nameZh ?? null,
    decisionContacts: decisionCount.get(a.id) ?? 0,
    gaps: perAccount.get(a.id) ?? [],
  }));
}

/** Active decision-level contacts of some accounts and every link on them: two queries. */
async function loadGapRows(db: DbOrTx, accountIds: readonly string[]) {
  if (accountIds.length === 0) return { contacts: [], links: [] };
  const ids = sql`ANY(${`{${accountIds.join(',')}}`}::uuid[])`;
  const contactRows = await db
    .select({
      id: contacts.id,
      accountId: contacts.accountId,
      name: contacts.name,
      title: contacts.title,
      level: contacts.level,
      reportsToId: contacts.reportsToId,
      status: contacts.status,
    })
    .from(contacts)
    .where(sql`${contacts.accountId} = ${ids} AND ${contacts.level} = 'decision' AND ${contacts.status} = 'active'`)
    .orderBy(asc(contacts.accountId), asc(contacts.name), asc(contacts.id));
  const links = contactRows.length
    ? await db
        .select()
        .from(coverage)
        .where(sql`${coverage.contactId} = ANY(${`{${contactRows.map((c) => c.id).join(',')}}`}::uuid[])`)
    : [];
  return { contacts: contactRows, links };
}

function asOfOf(ctx: ServiceContext, asOf: string | undefined): Date {
  return asOf ? new Date(asOf) : ctx.now;
}

export async function getAccountCoverageGaps(ctx: ServiceContext, accountId: string, q: AccountGapsQuery): Promise<AccountCoverageGaps> {
  const account = await getVisibleAccount(ctx, accountId);
  const rows = await loadGapRows(ctx.db, [accountId]);
  const briefs = await getUserBriefs(ctx.db, [...new Set([account.ownerId, ...rows.links.map((l) => l.userId)])]);
  return gapsByAccount({ accounts: [account], ...rows, briefs, now: asOfOf(ctx, q.asOf), staleDays: q.staleDays })[0]!;
}

/** Accounts looked at per round trip, and round trips per page at most. */
const BOOK_BATCH = 200;
const BOOK_MAX_BATCHES = 5;

/**
 * The gap report of a book: the actor's accounts (scope or team), optionally one owner's or one
 * unit's (with its subunits by default), by name. Only accounts with a gap — an exposed
 * decision-maker, or no active decision-maker at all — are listed. Accounts are examined in
 * batches of BOOK_BATCH (three queries each) until the page is full or BOOK_MAX_BATCHES were
 * examined, so a page costs a bounded number of queries whatever the book's size; the cursor is
 * the last account examined.
 */
export async function listBookCoverageGaps(ctx: ServiceContext, q: BookGapsQuery): Promise<BookGapsPage> {
  const now = asOfOf(ctx, q.asOf);
  const scope = await accountReadFilter(ctx);
  let unitFilter: SQL | undefined;
  if (q.unitId) {
    unitFilter =
      q.includeSubunits === false
        ? eq(accounts.unitId, q.unitId)
        : sql`${accounts.unitId} = ANY(${`{${(await getSubtreeUnitIds(ctx.db, q.unitId)).join(',')}}`}::uuid[])`;
  }
  let cursor: [string, string] | null = null;
  if (q.cursor) {
    const [name, id] = decodeCursor('coverage-gaps', q.cursor, 2);
    cursor = [String(name), String(id)];
  }
  const items: AccountCoverageGaps[] = [];
  let scanned = 0;
  let more = true;
  for (let batch = 0; batch < BOOK_MAX_BATCHES && more && items.length < q.limit; batch++) {
    const page = await ctx.db
      .select({ id: accounts.id, nameZh: accounts.nameZh, ownerId: accounts.ownerId })
      .from(accounts)
      .where(
        whereAll(
          scope,
          sql`${accounts.archivedAt} IS NULL`,
          q.ownerId ? eq(accounts.ownerId, q.ownerId) : undefined,
          unitFilter,
          cursor ? sql`(${accounts.nameZh}, ${accounts.id}) > (${cursor[0]}, ${cursor[1]})` : undefined,
        ),
      )
      .orderBy(asc(accounts.nameZh), asc(accounts.id))
      .limit(BOOK_BATCH + 1);
    more = page.length > BOOK_BATCH;
    const examined = page.slice(0, BOOK_BATCH);
    if (examined.length === 0) break;
    const rows = await loadGapRows(
      ctx.db,
      examined.map((a) => a.id),
    );
    const briefs = await getUserBriefs(ctx.db, [...new Set([...examined.map((a) => a.ownerId), ...rows.links.map((l) => l.userId)])]);
    const results = gapsByAccount({ accounts: examined, ...rows, briefs, now, staleDays: q.staleDays });
    for (let i = 0; i < results.length; i++) {
      const r = results[i]!;
      scanned++;
      cursor = [examined[i]!.nameZh, examined[i]!.id];
      if (r.gaps.length > 0 || r.decisionContacts === 0) items.push(r);
      if (items.length === q.limit) {
        more = more || i < results.length - 1;
        break;
      }
    }
  }
  return {
    asOf: now.toISOString(),
    staleDays: q.staleDays,
    items,
    scanned,
    nextCursor: more && cursor ? encodeCursor('coverage-gaps', cursor) : null,
  };
}
