import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildClosure, isAllowedParentKind, isStrongPassword, wouldCreateCycle } from './org.ts';
import { LoginThrottle } from './login-throttle.ts';
import { hashPassword, verifyPassword } from './password.ts';

describe('org rules', () => {
  it('units nest downwards only; only a company is a root', () => {
    expect(isAllowedParentKind('company', null)).toBe(true);
    expect(isAllowedParentKind('team', null)).toBe(false);
    expect(isAllowedParentKind('department', 'company')).toBe(true);
    expect(isAllowedParentKind('team', 'department')).toBe(true);
    expect(isAllowedParentKind('department', 'team')).toBe(false);
    expect(isAllowedParentKind('business_group', 'business_group')).toBe(false);
  });

  it('detects a cycle through any depth, and not where there is none', () => {
    const parents = new Map<string, string | null>([
      ['a', null],
      ['b', 'a'],
      ['c', 'b'],
      ['d', 'c'],
    ]);
    const parentOf = (id: string) => parents.get(id);
    expect(wouldCreateCycle('b', 'd', parentOf)).toBe(true); // d → c → b
    expect(wouldCreateCycle('b', 'b', parentOf)).toBe(true);
    expect(wouldCreateCycle('d', 'a', parentOf)).toBe(false);
    expect(wouldCreateCycle('x', null, parentOf)).toBe(false);
  });

  it('closure: every node has itself at depth 0 and each ancestor at its distance', () => {
    const rows = buildClosure(
      new Map<string, string | null>([
        ['a', null],
        ['b', 'a'],
        ['c', 'b'],
      ]),
    );
    expect(rows).toHaveLength(6); // a:1, b:2, c:3
    expect(rows).toContainEqual({ ancestorId: 'a', descendantId: 'c', depth: 2 });
    expect(rows).toContainEqual({ ancestorId: 'c', descendantId: 'c', depth: 0 });
  });

  it('property: closure size = Σ (depth + 1) over a random forest', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 60 }), (picks) => {
        // node i's parent is one of the nodes before it, or none: always a forest.
        const parents = new Map<string, string | null>();
        const depth = new Map<string, number>();
        picks.forEach((p, i) => {
          const parent = i === 0 || p % (i + 1) === i ? null : `n${p % i}`;
          parents.set(`n${i}`, parent);
          depth.set(`n${i}`, parent ? depth.get(parent)! + 1 : 0);
        });
        const expected = [...depth.values()].reduce((s, d) => s + d + 1, 0);
        expect(buildClosure(parents)).toHaveLength(expected);
      }),
    );
  });

  it('passwords: long enough, letters and digits, not the email', () => {
    expect(isStrongPassword('Throughline2026')).toBe(true);
    expect(isStrongPassword('short1')).toBe(false);
    expect(isStrongPassword('onlyletterslong')).toBe(false);
    expect(isStrongPassword('12345678901')).toBe(false);
    expect(isStrongPassword('wang.fang2026x', 'wang.fang@x.cn')).toBe(false);
    expect(isStrongPassword('密码很长的中文密码2026')).toBe(true);
  });

  it('scrypt hashes verify, differ per salt, and reject the wrong password', async () => {
    const fast = { N: 2 ** 10, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
    const a = await hashPassword('Correct-Horse-1', fast);
    const b = await hashPassword('Correct-Horse-1', fast);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(await verifyPassword('Correct-Horse-1', a)).toBe(true);
    expect(await verifyPassword('correct-horse-1', a)).toBe(false);
    expect(await verifyPassword('x', null)).toBe(false);
    expect(await verifyPassword('x', 'md5$abc')).toBe(false);
  });
});

describe('login throttle', () => {
  it('allows N failures in the window, then asks to wait until the oldest leaves it', () => {
    const th = new LoginThrottle(3, 60_000);
    const k = 'a@b|1.2.3.4';
    th.recordFailure(k, 0);
    th.recordFailure(k, 10_000);
    expect(th.retryAfterSeconds(k, 20_000)).toBe(0);
    th.recordFailure(k, 20_000);
    // Oldest failure at 0 leaves the window at 60 s: from 30 s that is 30 s away.
    expect(th.retryAfterSeconds(k, 30_000)).toBe(30);
    expect(th.retryAfterSeconds(k, 60_001)).toBe(0);
    th.reset(k);
    expect(th.retryAfterSeconds(k, 30_000)).toBe(0);
  });
});
