import { and, eq, or, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { ROLES, type Role, type Scope, widerScope } from '../../shared/roles.ts';
import type { Actor } from './context.ts';
import { forbidden } from './errors.ts';

/**
 * Access control in one place. A module declares its actions and, per role, the widest scope the
 * role reaches (own, team, subtree, all). Every list and read turns (actor, action) into a row
 * filter here; a record outside the filter is reported as not found (404), an action the actor's
 * roles do not grant on a visible record as forbidden (403).
 */
export type Grants = Partial<Record<Role, Scope>>;

const permissions = new Map<string, Grants>();

/** The same scope for every role (e.g. the org chart and calendars, which everyone reads). */
export function grantEveryRole(scope: Scope): Grants {
  return Object.fromEntries(ROLES.map((r) => [r, scope])) as Grants;
}

export function definePermissions<const T extends Record<string, Grants>>(defs: T): { readonly [K in keyof T & string]: K } {
  const out: Record<string, string> = {};
  for (const [action, grants] of Object.entries(defs)) {
    if (permissions.has(action)) throw new Error(`permission ${action} defined twice`);
    permissions.set(action, grants);
    out[action] = action;
  }
  return out as { readonly [K in keyof T & string]: K };
}

export function getPermissionCatalog(): ReadonlyMap<string, Grants> {
  return permissions;
}

/** The widest scope any of the actor's roles grants for the action, or null when none does. */
export function scopeFor(actor: Pick<Actor, 'roles'>, action: string): Scope | null {
  const grants = permissions.get(action);
  if (!grants) throw new Error(`unknown permission ${action}`);
  let best: Scope | null = null;
  for (const role of actor.roles) {
    const s = grants[role];
    if (s) best = best ? widerScope(best, s) : s;
  }
  return best;
}

export function can(actor: Pick<Actor, 'roles'>, action: string): boolean {
  return scopeFor(actor, action) !== null;
}

/** Throws 403 unless the actor's roles grant the action at some scope. */
export function assertCan(actor: Pick<Actor, 'roles'>, action: string): Scope {
  const scope = scopeFor(actor, action);
  if (!scope) throw forbidden(action);
  return scope;
}

export interface ScopedColumns {
  /** The record's owner (a user id). */
  ownerId?: AnyPgColumn;
  /** The record's org unit. */
  unitId?: AnyPgColumn;
  /** Extra visibility granted by sharing (e.g. account team membership): OR-ed in. */
  shared?: (actor: Actor) => SQL | undefined;
}

/**
 * The row filter for an actor at a scope. `team` is the actor's home unit; `subtree` is that unit
 * and everything below it (resolved once per request); `own` matches the owner column. Records the
 * actor owns are always in reach at team and subtree scope. Unit sets are passed as one array
 * parameter (`= ANY($1)`), which plans as an index scan rather than a semi-join.
 */
export function scopeCondition(actor: Actor, scope: Scope, cols: ScopedColumns): SQL | undefined {
  if (scope === 'all') return undefined;
  const parts: (SQL | undefined)[] = [];
  if (cols.ownerId) parts.push(eq(cols.ownerId, actor.userId));
  if (cols.unitId) {
    if (scope === 'team' && actor.unitId) parts.push(eq(cols.unitId, actor.unitId));
    if (scope === 'subtree' && actor.subtreeUnitIds.length > 0) {
      parts.push(
        actor.subtreeUnitIds.length === 1
          ? eq(cols.unitId, actor.subtreeUnitIds[0]!)
          : sql`${cols.unitId} = ANY(${`{${actor.subtreeUnitIds.join(',')}}`}::uuid[])`,
      );
    }
  }
  const shared = cols.shared?.(actor);
  if (shared) parts.push(shared);
  const present = parts.filter((p): p is SQL => p !== undefined);
  if (present.length === 0) return sql`false`;
  return present.length === 1 ? present[0] : or(...present);
}

/** A read filter for an action, or a 403 when the actor's roles don't grant it at all. */
export function readFilter(actor: Actor, action: string, cols: ScopedColumns): SQL | undefined {
  return scopeCondition(actor, assertCan(actor, action), cols);
}

/** Combine a scope filter with other conditions. */
export function whereAll(...conds: (SQL | undefined)[]): SQL | undefined {
  const present = conds.filter((c): c is SQL => c !== undefined);
  return present.length === 0 ? undefined : and(...present);
}

/** Is a record (by its owner and unit) inside the actor's scope? For checks on already-loaded rows. */
export function isInScope(actor: Actor, scope: Scope, record: { ownerId?: string | null; unitId?: string | null }): boolean {
  if (scope === 'all') return true;
  if (record.ownerId && record.ownerId === actor.userId) return true;
  if (scope === 'team') return !!record.unitId && record.unitId === actor.unitId;
  if (scope === 'subtree') return !!record.unitId && actor.subtreeUnitIds.includes(record.unitId);
  return false;
}
