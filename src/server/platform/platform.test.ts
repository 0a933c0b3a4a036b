import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';
import { scopeFor, isInScope, definePermissions } from './access.ts';
import type { Actor } from './context.ts';
import { canonicalJson } from './http.ts';
import { newId, UUID_PATTERN } from './ids.ts';
import { decodeCursor, encodeCursor } from './pagination.ts';
import { AppError } from './errors.ts';
import { diffRecords } from './audit.ts';

describe('config', () => {
  it('defaults for a bare environment', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ HOST: '127.0.0.1', PORT: 3000, DATA_DIR: './data', NODE_ENV: 'development' });
    expect(c.DATABASE_URL).toBeUndefined();
  });

  it('lists every bad variable with its expected form', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toContain('PORT');
      expect(problems).toContain('DATABASE_URL: expected postgres://');
      expect(problems).toContain('LOG_LEVEL');
    }
  });

  it('rejects an unknown company time zone', () => {
    expect(() => loadConfig({ COMPANY_TIME_ZONE: 'Mars/Olympus' })).toThrow(ConfigError);
  });
});

describe('ids', () => {
  it('are UUID v7, sort in creation order, even within one millisecond', () => {
    const list = Array.from({ length: 5000 }, () => newId(1_800_000_000_000));
    for (const id of list.slice(0, 10)) expect(id).toMatch(UUID_PATTERN);
    expect(list[0]![14]).toBe('7');
    expect([...list].sort()).toEqual(list);
    expect(new Set(list).size).toBe(list.length);
  });
});

describe('access scopes', () => {
  const P = definePermissions({ 'test.things.read': { sales_rep: 'own', sales_manager: 'subtree', admin: 'all' } });
  const actor = (roles: Actor['roles']): Actor => ({
    userId: 'u1',
    roles,
    unitId: 't1',
    subtreeUnitIds: ['t1', 't1a'],
    locale: 'zh-CN',
    timeZone: 'Asia/Shanghai',
    via: 'session',
  });

  it('the widest scope among the roles wins; no grant is null', () => {
    expect(scopeFor(actor(['sales_rep']), P['test.things.read'])).toBe('own');
    expect(scopeFor(actor(['sales_rep', 'sales_manager']), P['test.things.read'])).toBe('subtree');
    expect(scopeFor(actor(['engineer']), P['test.things.read'])).toBeNull();
    expect(() => scopeFor(actor(['admin']), 'no.such.permission')).toThrow();
  });

  it('records in and out of scope', () => {
    const a = actor(['sales_manager']);
    expect(isInScope(a, 'own', { ownerId: 'u1' })).toBe(true);
    expect(isInScope(a, 'own', { ownerId: 'u2', unitId: 't1' })).toBe(false);
    expect(isInScope(a, 'team', { ownerId: 'u2', unitId: 't1' })).toBe(true);
    expect(isInScope(a, 'team', { ownerId: 'u2', unitId: 't1a' })).toBe(false);
    expect(isInScope(a, 'subtree', { ownerId: 'u2', unitId: 't1a' })).toBe(true);
    expect(isInScope(a, 'subtree', { ownerId: 'u2', unitId: 'other' })).toBe(false);
    expect(isInScope(a, 'all', { ownerId: 'u2', unitId: 'other' })).toBe(true);
  });
});

describe('pagination cursors', () => {
  it('round-trip, and refuse a cursor of another sort or a tampered one', () => {
    const c = encodeCursor('name', ['王伟', 'id-1']);
    expect(decodeCursor('name', c, 2)).toEqual(['王伟', 'id-1']);
    expect(() => decodeCursor('-name', c, 2)).toThrow(AppError);
    // A cursor is not a secret (the query is scoped anyway) but must have the shape of its sort.
    expect(() => decodeCursor('name', encodeCursor('name', ['only-one']), 2)).toThrow(AppError);
    expect(() => decodeCursor('name', Buffer.from('["name",{"$gt":1},"x"]').toString('base64url'), 2)).toThrow(AppError);
    expect(() => decodeCursor('name', 'not base64 at all!', 2)).toThrow(AppError);
  });
});

describe('canonical JSON for idempotency hashes', () => {
  it('is insensitive to key order, sensitive to values', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 1, e: 2 }] } })).toBe(canonicalJson({ a: { c: [3, { e: 2, f: 1 }], d: 2 }, b: 1 }));
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: 2 }));
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });
});

describe('audit diffs', () => {
  it('lists changed fields only, redacts secrets, ignores bookkeeping', () => {
    const d = diffRecords(
      { title: 'a', version: 1, passwordHash: 'x', roles: ['sales_rep'], same: 1 },
      { title: 'b', version: 2, passwordHash: 'y', roles: ['sales_rep'], same: 1 },
    );
    expect(d).toEqual({ title: ['a', 'b'], passwordHash: ['[redacted]', '[redacted]'] });
  });
});
