import { describe, expect, it } from 'vitest';
import { generateCompany } from '../../demo/company.ts';
import { type AccountBatch, demoUscc, generateAccounts, generateCustomerGroups } from './seed-accounts.ts';
import { validateRegion } from './region.ts';
import { validateUscc } from '../../../shared/uscc.ts';

const NOW = new Date('2026-06-30T04:00:00Z');
const company = generateCompany();
const users = company.users;
const collect = (batches: Iterable<AccountBatch>) => {
  const all: AccountBatch = { accounts: [], team: [], contacts: [], coverage: [] };
  for (const b of batches) for (const k of ['accounts', 'team', 'contacts', 'coverage'] as const) (all[k] as unknown[]).push(...b[k]);
  return all;
};

function checkPlan(plan: AccountBatch): void {
  const ids = new Set(plan.accounts.map((a) => a.id));
  const userById = new Map(users.map((u) => [u.id, u]));
  const usccs = plan.accounts.map((a) => a.uscc!);
  const memberships = new Set(plan.team.map((m) => `${m.accountId}/${m.userId}/${m.role}`));
  expect(new Set(usccs).size).toBe(usccs.length);
  for (const a of plan.accounts) {
    // GB 32100 check character and the GB 11714 organisation code inside it, both right.
    expect(validateUscc(a.uscc!, { strict: true }).ok, a.uscc!).toBe(true);
    expect(validateRegion({ provinceCode: a.provinceCode!, cityCode: a.cityCode! })).toEqual([]);
    if (a.parentId) expect(ids.has(a.parentId)).toBe(true);
    const owner = userById.get(a.ownerId)!;
    expect(owner.roles).toContain('sales_rep');
    expect(a.unitId).toBe(owner.unitId);
    expect(memberships.has(`${a.id}/${a.ownerId}/account_lead`)).toBe(true);
  }
  const teamPairs = plan.team.map((m) => `${m.accountId}/${m.userId}`);
  expect(new Set(teamPairs).size).toBe(teamPairs.length);

  const contactById = new Map(plan.contacts.map((c) => [c.id!, c]));
  const rank = { decision: 0, management: 1, execution: 2 } as const;
  for (const c of plan.contacts) {
    expect(ids.has(c.accountId)).toBe(true);
    if (c.reportsToId) {
      const boss = contactById.get(c.reportsToId)!;
      expect(boss.accountId).toBe(c.accountId);
      expect(rank[boss.level]).toBeLessThan(rank[c.level]);
    }
  }
  const pairs = plan.coverage.map((l) => `${l.contactId}/${l.userId}`);
  expect(new Set(pairs).size).toBe(pairs.length);
  for (const l of plan.coverage) {
    expect(contactById.get(l.contactId)!.accountId).toBe(l.accountId);
    expect(l.strength).toBeGreaterThanOrEqual(1);
    expect(l.strength).toBeLessThanOrEqual(5);
    if (l.lastTouchAt) expect(l.lastTouchAt.getTime()).toBeLessThanOrEqual(NOW.getTime());
  }
}

describe('demo accounts', () => {
  it('small: about forty realistic customers, valid and consistent, the same every time', () => {
    const plan = collect(generateAccounts(users, { now: NOW }));
    expect(plan.accounts.length).toBe(40);
    checkPlan(plan);
    const byName = new Map(plan.accounts.map((a) => [a.nameZh, a]));
    const gov = byName.get('浙江省人民政府')!;
    expect(gov.uscc!.slice(0, 8)).toBe('11330000');
    for (const bureau of ['浙江省财政厅', '浙江省卫生健康委员会']) expect(byName.get(bureau)!.parentId).toBe(gov.id);
    const branch = byName.get('华夏能源集团浙江电力有限公司宁波分公司')!;
    expect(byName.get('华夏能源集团浙江电力有限公司')!.id).toBe(branch.parentId);
    expect(byName.get('江南商业银行股份有限公司杭州西湖支行')!.parentId).toBe(byName.get('江南商业银行股份有限公司杭州分行')!.id);
    for (const level of ['decision', 'management', 'execution'] as const) expect(plan.contacts.some((c) => c.level === level)).toBe(true);
    expect(plan.contacts.some((c) => c.reportsToId !== null)).toBe(true);
    expect(plan.coverage.length).toBeGreaterThan(20);

    expect(collect(generateAccounts(users, { now: NOW }))).toEqual(plan);
    expect(collect(generateAccounts(users, { now: NOW, seed: 99 })).accounts[0]!.id).not.toBe(plan.accounts[0]!.id);
  });

  it('large: exactly n accounts with group hierarchies, about three contacts each, in batches parents first', () => {
    const batches = [...generateAccounts(users, { now: NOW, scale: { accounts: 5000 } })];
    expect(batches.length).toBeGreaterThan(3);
    const seen = new Set<string>();
    for (const b of batches) {
        for (const a of b.accounts) seen.add(a.id!);
      // A family never spans two batches: every parent is in this batch or an earlier one.
      for (const a of b.accounts) if (a.parentId) expect(seen.has(a.parentId)).toBe(true);
    }
    const plan = collect(batches);
    expect(plan.accounts.length).toBe(5000);
    checkPlan(plan);
    const perAccount = plan.contacts.length / plan.accounts.length;
    expect(perAccount).toBeGreaterThan(2.7);
    expect(perAccount).toBeLessThan(3.3);
    const parents = new Map(plan.accounts.map((a) => [a.id!, a.parentId ?? null]));
    const depth = (id: string): number => (parents.get(id) ? 1 + depth(parents.get(id)!) : 0);
    const depths = plan.accounts.map((a) => depth(a.id!));
    expect(depths.filter((d) => d === 1).length).toBeGreaterThan(500);
    expect(Math.max(...depths)).toBe(2);
  });

  it('customer groups form a tree; demo USCCs carry their kind and division', () => {
    const groups = generateCustomerGroups();
    const ids = new Set(groups.map((g) => g.id));
    for (const g of groups) if (g.parentId) expect(ids.has(g.parentId)).toBe(true);
    expect(demoUscc('healthcare', '330100', 12345678).slice(0, 8)).toBe('12330100');
    expect(validateUscc(demoUscc('enterprise', '440300', 1), { strict: true }).ok).toBe(true);
  });
});
