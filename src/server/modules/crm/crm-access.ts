import { eq, sql, type SQL } from 'drizzle-orm';
import type { Scope } from '../../../shared/roles.ts';
import { assertCan, isInScope, scopeCondition, scopeFor, whereAll } from '../../platform/access.ts';
import type { Actor, ServiceContext } from '../../platform/context.ts';
import type { DbOrTx } from '../../platform/db.ts';
import { forbidden, notFound } from '../../platform/errors.ts';
import { CrmPermissions } from './permissions.ts';
import { accountTeam, accounts, opportunities } from './schema.ts';

/**
 * The CRM's one place for row visibility: the platform scope (own / team / subtree / all) on the
 * record's owner and unit, OR membership of the account team (sharing). The actor's team
 * accounts are read once per request (a person is on tens of teams, not thousands) and passed as
 * one array, which keeps the 1M-row opportunity list on its index instead of an EXISTS per row.
 */
const teamAccountsCache = new WeakMap<Actor, Promise<string[]>>();

export function getTeamAccountIds(db: DbOrTx, actor: Actor): Promise<string[]> {
  let hit = teamAccountsCache.get(actor);
  if (!hit) {
    hit = db
      .select({ id: accountTeam.accountId })
      .from(accountTeam)
      .where(eq(accountTeam.userId, actor.userId))
      .then((rows) => rows.map((r) => r.id));
    teamAccountsCache.set(actor, hit);
  }
  return hit;
}

/** Forget the cached team accounts of this request's actor (after a team change in the same request). */
export function forgetTeamAccounts(actor: Actor): void {
  teamAccountsCache.delete(actor);
}

function anyOf(column: SQL | typeof accounts.id, ids: readonly string[]): SQL | undefined {
  if (ids.length === 0) return undefined;
  return sql`${column} = ANY(${`{${ids.join(',')}}`}::uuid[])`;
}

/**
 * Rows of accounts the actor may read. An actor whose roles grant no CRM read (an engineer, a
 * resource manager) still reads the accounts whose team they are on: sharing alone, so anything
 * else is 404, never 403.
 */
export async function accountReadFilter(ctx: Pick<ServiceContext, 'db' | 'actor'>): Promise<SQL | undefined> {
  const scope = scopeFor(ctx.actor, CrmPermissions['crm.accounts.read']);
  if (scope === 'all') return undefined;
  const shared = anyOf(accounts.id, await getTeamAccountIds(ctx.db, ctx.actor));
  if (!scope) return shared ?? sql`false`;
  return scopeCondition(ctx.actor, scope, { ownerId: accounts.ownerId, unitId: accounts.unitId, shared: () => shared });
}

/** Rows of opportunities the actor may read: scope on the deal, or the deal's account team. */
export async function opportunityReadFilter(ctx: Pick<ServiceContext, 'db' | 'actor'>): Promise<SQL | undefined> {
  const scope = scopeFor(ctx.actor, CrmPermissions['crm.opportunities.read']);
  if (scope === 'all') return undefined;
  const shared = anyOf(sql`${opportunities.accountId}`, await getTeamAccountIds(ctx.db, ctx.actor));
  if (!scope) return shared ?? sql`false`;
  return scopeCondition(ctx.actor, scope, { ownerId: opportunities.ownerId, unitId: opportunities.unitId, shared: () => shared });
}

/** Is every one of these units inside the caller's read scope on deals (subtree, or their team)? */
export function unitsWithinScope(ctx: Pick<ServiceContext, 'actor'>, units: readonly string[]): boolean {
  const scope = scopeFor(ctx.actor, CrmPermissions['crm.opportunities.read']);
  if (scope === 'all') return true;
  if (scope === 'subtree') {
    const mine = new Set(ctx.actor.subtreeUnitIds);
    return units.every((u) => mine.has(u));
  }
  if (scope === 'team') return units.every((u) => u === ctx.actor.unitId);
  return false;
}

export interface OwnedRecord {
  ownerId: string;
  unitId: string;
  accountId?: string;
  id?: string;
}

/**
 * May the actor change this (visible) record? Write scope on its owner/unit; team membership
 * grants reading only. Throws 403 (the caller has already proved the record is visible).
 */
export function assertCanWrite(actor: Actor, action: string, record: OwnedRecord): Scope {
  const scope = assertCan(actor, action);
  if (!isInScope(actor, scope, record)) throw forbidden(action);
  return scope;
}

/** Load one account the actor can see, or 404. */
export async function getVisibleAccount(ctx: Pick<ServiceContext, 'db' | 'actor'>, id: string) {
  const [row] = await ctx.db
    .select()
    .from(accounts)
    .where(whereAll(eq(accounts.id, id), await accountReadFilter(ctx)));
  if (!row) throw notFound('account');
  return row;
}
