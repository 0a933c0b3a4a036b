import type { DemoCompany } from '../src/server/demo/company.ts';
import { seedAccounts } from '../src/server/modules/crm/seed-accounts.ts';
import { toPgTextArray } from '../src/server/modules/crm/pg-text-array.ts';
import { type Database, queryRows, sql } from '../src/server/platform/db.ts';

/**
 * The CRM at the scale, for benchmarks (issue "CRM": 1,000 sellers, 100,000 accounts with
 * hierarchies, 300,000 contacts, 1,000,000 opportunities, 2,000,000 activities). The demo seed
 * (bench-db.ts) loads the small demo CRM; these helpers replace it by the large one:
 *
 * - accounts, contacts, account teams and coverage from seed-accounts.ts's own generator at
 *   `{ accounts: n }` (groups of 2–8 subsidiaries, some with branches; ~3 contacts per account);
 * - opportunities and stage history from seed-opportunities.ts (the caller runs it);
 * - activities generated inside PostgreSQL from the deals (two per deal, deterministic: every
 *   choice is a hash of the deal's id), by `INSERT … SELECT` in slices, two slices at a time;
 * - one large account group (`buildAccountGroup`) for the group rollup.
 *
 * No default export: a helper module, not a benchmark.
 */

/** Empty the demo's CRM rows (and whatever refers to them) so the large generator starts clean. */
export async function clearDemoCrm(database: Database): Promise<void> {
  await database.db.execute(sql`TRUNCATE crm_customer_groups, crm_accounts, crm_opportunities CASCADE`);
}

export async function seedScaleAccounts(
  database: Database,
  company: DemoCompany,
  opts: { count: number; seed?: number; onProgress?: (accounts: number) => void },
): Promise<{ accountIds: string[]; rows: Record<string, number> }> {
  const result = await seedAccounts(database.db, company.users, {
    scale: { accounts: opts.count },
    ...(opts.seed ? { seed: opts.seed } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  });
  return { accountIds: result.accountIds, rows: result.rows };
}

const SUBJECTS: Record<string, string[]> = {
  call: ['电话沟通项目进展', '电话确认需求细节', '电话跟进报价反馈'],
  meeting: ['方案评审会', '高层会谈', '需求调研会'],
  visit: ['客户现场拜访', '陪同参观样板客户', '上门演示产品'],
  email: ['发送技术方案', '发送商务报价', '回复客户问题清单'],
  note: ['客户组织架构调整', '竞品动态记录', '预算审批进展'],
  task: ['准备投标文件', '安排 POC 环境', '提交合同评审'],
};

/**
 * `perDeal` activities for every deal (deterministic): kinds spread over call … task; a task is due
 * some days after the deal's creation (done when due before the deal closed or over a week ago),
 * anything else occurred between the deal's creation and its close (or now); the first activity of
 * a deal is linked to it, the others are linked to the deal or only to its account, half and half.
 */
export async function seedActivities(
  database: Database,
  opts: { perDeal: number; slices?: number; concurrency?: number; onProgress?: (rows: number) => void },
): Promise<number> {
  const slices = opts.slices ?? 16;
  const kinds = Object.keys(SUBJECTS);
  // Three subjects per kind, kind by kind: subject = subjects[kind index × 3 + s % 3].
  const subjects = kinds.flatMap((k) => SUBJECTS[k]!);
  let inserted = 0;
  const one = async (slice: number) => {
    const [row] = await queryRows<{ n: number }>(
      database.db,
      sql`WITH src AS (
            SELECT o.id AS opp_id, o.account_id, o.owner_id, o.unit_id, o.created_at,
                   least(coalesce(o.closed_at, now()), now()) AS until, o.closed_at, g.n,
                   md5(o.id::text || ':' || g.n) AS h
              FROM crm_opportunities o CROSS JOIN generate_series(1, ${opts.perDeal}::int) AS g(n)
             WHERE abs(hashtext(o.id::text)) % ${slices}::int = ${slice}::int
          ), picked AS (
            SELECT src.*, h::uuid AS id, ('x' || substr(h, 9, 4))::bit(16)::int % ${kinds.length}::int AS ki,
                   ('x' || substr(h, 13, 4))::bit(16)::int / 65536.0 AS f,
                   ('x' || substr(h, 17, 4))::bit(16)::int AS s
              FROM src
          ), kinded AS (
            SELECT picked.*, (${toPgTextArray(kinds)}::text[])[1 + ki] AS kind FROM picked
          ), timed AS (
            SELECT kinded.*,
                   CASE WHEN kind = 'task' THEN NULL ELSE created_at + (until - created_at) * f END AS occurred_at,
                   CASE WHEN kind = 'task' THEN created_at + make_interval(days => 3 + (s % 60)) END AS due_at
              FROM kinded
          ), ins AS (
            INSERT INTO crm_activities (id, kind, subject, occurred_at, due_at, done_at, account_id, opportunity_id, owner_id, unit_id,
                                        sort_at, created_at, updated_at)
            SELECT id, kind,
                   (${toPgTextArray(subjects)}::text[])[1 + ki * 3 + s % 3],
                   occurred_at, due_at,
                   CASE WHEN kind = 'task' AND (due_at < coalesce(closed_at, now() - interval '7 days')) THEN due_at END,
                   account_id, CASE WHEN n = 1 OR s % 2 = 0 THEN opp_id END, owner_id, unit_id,
                   coalesce(occurred_at, due_at), created_at, coalesce(occurred_at, created_at)
              FROM timed
            RETURNING 1)
          SELECT count(*)::int AS n FROM ins`,
    );
    inserted += row!.n;
    opts.onProgress?.(inserted);
  };
  const queue = Array.from({ length: slices }, (_, i) => i);
  const concurrency = Math.max(1, opts.concurrency ?? 2);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let s = queue.shift(); s !== undefined; s = queue.shift()) await one(s);
    }),
  );
  return inserted;
}

/**
 * Make one account group of `size` accounts inside the given units (the director's department, so
 * the director sees all of it): a head, `subsidiaries` subsidiaries under it and the rest as their
 * branches, round-robin. Takes top-level accounts without children of their own and re-parents
 * them; returns the head's id.
 */
export async function buildAccountGroup(database: Database, unitIds: readonly string[], size: number, subsidiaries = 20): Promise<string> {
  const rows = await queryRows<{ id: string }>(
    database.db,
    sql`SELECT a.id FROM crm_accounts a
         WHERE a.unit_id = ANY(${toPgTextArray(unitIds)}::uuid[]) AND a.parent_id IS NULL AND a.archived_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM crm_accounts c WHERE c.parent_id = a.id)
         ORDER BY a.id LIMIT ${size}`,
  );
  if (rows.length < size) throw new Error(`only ${rows.length} standalone accounts in the department, ${size} wanted`);
  const ids = rows.map((r) => r.id);
  const head = ids[0]!;
  const children: string[] = [];
  const parents: string[] = [];
  for (let i = 1; i < ids.length; i++) {
    children.push(ids[i]!);
    parents.push(i <= subsidiaries ? head : ids[1 + ((i - subsidiaries - 1) % subsidiaries)]!);
  }
  await database.db.execute(sql`
    UPDATE crm_accounts SET parent_id = v.parent_id
      FROM unnest(${toPgTextArray(children)}::uuid[], ${toPgTextArray(parents)}::uuid[]) AS v(id, parent_id)
     WHERE crm_accounts.id = v.id`);
  return head;
}
