import { sql } from 'drizzle-orm';
import type { DemoCompany } from '../../demo/company.ts';
import { createRng, seededUuid } from '../../demo/company.ts';
import { type DbOrTx, queryRows } from '../../platform/db.ts';
import type { ActivityKind } from './activity.ts';
import { DEFAULT_PIPELINE } from './pipeline.ts';
import { activities, activityContacts, timelineEntries } from './schema.ts';
import { type EntryDraft, activityEntries, stageChangeEntries } from './timeline.ts';

/**
 * Demo activities for the demo company, after its accounts, coverage and deals: the visits,
 * calls, meetings and emails behind every seeded last touch (so the coverage report and the
 * activities agree: last touch is computed from activities), a few earlier touches and notes,
 * and tasks for account owners (some overdue, some with a reminder due, some done). The timeline
 * read model gets the entries these and the deals' stage histories would have produced through the
 * outbox, written directly (a seed publishes no events), keyed by the activity or history row.
 */

export interface ActivitySeedOptions {
  seed?: number;
  /** "Now" of the generated data (default: the current time). */
  now?: Date;
}

export interface ActivitySeedResult {
  rows: { crm_activities: number; crm_activity_contacts: number; crm_timeline_entries: number };
}

const DAY_MS = 86_400_000;
const TOPICS = ['数字化转型规划', '数据平台选型', '年度预算', '项目进度', '售后服务', '合同条款', '技术方案', '招标准备', '信创替代', '上线验收'];
const TOUCH_SUBJECTS: Record<'visit' | 'call' | 'meeting' | 'email', (name: string, topic: string) => string> = {
  visit: (name, topic) => `拜访${name}，交流${topic}`,
  call: (name, topic) => `与${name}电话沟通${topic}`,
  meeting: (_name, topic) => `${topic}专题会`,
  email: (name, topic) => `向${name}发送${topic}资料`,
};
const TASK_SUBJECTS = ['准备报价单', '整理会议纪要并发送', '约见信息中心主任', '跟进招标文件', '提交技术方案', '回访使用情况', '确认合同条款', '安排产品演示'];
const NOTE_SUBJECTS = ['客户组织架构调整', '竞品动态', '预算审批进展', '内部策略讨论'];

type ActivityInsert = typeof activities.$inferInsert;

interface CoverageRow {
  account_id: string;
  contact_id: string;
  contact_name: string;
  user_id: string;
  last_touch_at: string | Date;
}

export async function seedActivities(db: DbOrTx, company: Pick<DemoCompany, 'users'>, opts: ActivitySeedOptions = {}): Promise<ActivitySeedResult> {
  const rng = createRng(opts.seed ?? 20261127);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rng() * list.length)]!;
  const nowMs = (opts.now ?? new Date()).getTime();
  const users = new Map(company.users.map((u) => [u.id, u]));

  const links = await queryRows<CoverageRow>(
    db,
    sql`SELECT c.account_id, c.contact_id, k.name AS contact_name, c.user_id, c.last_touch_at
          FROM crm_coverage c JOIN crm_contacts k ON k.id = c.contact_id
         WHERE c.last_touch_at IS NOT NULL
         ORDER BY c.id`,
  );
  const deals = await queryRows<{ id: string; account_id: string; name: string; created_at: string | Date }>(
    db,
    sql`SELECT id, account_id, name, created_at FROM crm_opportunities ORDER BY id`,
  );
  const dealsOf = new Map<string, typeof deals>();
  for (const d of deals) dealsOf.set(d.account_id, [...(dealsOf.get(d.account_id) ?? []), d]);
  const accountRows = await queryRows<{ id: string; owner_id: string }>(db, sql`SELECT id, owner_id FROM crm_accounts WHERE archived_at IS NULL ORDER BY id`);
  const contactsOf = new Map<string, { id: string; name: string }[]>();
  for (const c of await queryRows<{ id: string; account_id: string; name: string }>(db, sql`SELECT id, account_id, name FROM crm_contacts ORDER BY id`)) {
    contactsOf.set(c.account_id, [...(contactsOf.get(c.account_id) ?? []), { id: c.id, name: c.name }]);
  }

  const rows: ActivityInsert[] = [];
  const linked: { activityId: string; contactId: string }[] = [];
  const contactNames = new Map<string, { id: string; name: string }[]>();
  const add = (a: Omit<ActivityInsert, 'id' | 'sortAt' | 'unitId' | 'createdAt' | 'updatedAt'>, withContacts: { id: string; name: string }[]): void => {
    const owner = users.get(a.ownerId);
    if (!owner) return;
    const id = seededUuid(rng);
    const at = (a.occurredAt ?? a.dueAt)!;
    const created = new Date(Math.min(nowMs, (a.occurredAt ?? new Date(nowMs - 3 * DAY_MS)).getTime() + 3_600_000));
    rows.push({ ...a, id, unitId: owner.unitId, sortAt: at, createdAt: created, updatedAt: a.doneAt ?? created });
    for (const c of withContacts) linked.push({ activityId: id, contactId: c.id });
    contactNames.set(id, withContacts);
  };
  const dealFor = (accountId: string, atMs: number) => {
    const open = (dealsOf.get(accountId) ?? []).filter((d) => new Date(d.created_at).getTime() <= atMs);
    return open.length > 0 && rng() < 0.45 ? pick(open) : null;
  };

  // The touch behind every seeded last touch, and sometimes one or two before it.
  for (const l of links) {
    const last = new Date(l.last_touch_at).getTime();
    const times = [last];
    for (let n = Math.floor(rng() * 3); n > 0; n--) times.push(last - Math.floor((5 + rng() * 80) * DAY_MS));
    for (const atMs of times) {
      const kind = pick(['visit', 'visit', 'call', 'call', 'meeting', 'email'] as const);
      const topic = pick(TOPICS);
      add(
        {
          kind,
          subject: TOUCH_SUBJECTS[kind](l.contact_name, topic),
          body: kind === 'visit' ? `面谈${topic}，对方关注投入与上线周期。` : null,
          occurredAt: new Date(atMs),
          dueAt: null,
          remindAt: null,
          doneAt: null,
          accountId: l.account_id,
          opportunityId: dealFor(l.account_id, atMs)?.id ?? null,
          ownerId: l.user_id,
        },
        [{ id: l.contact_id, name: l.contact_name }],
      );
    }
  }

  // Tasks and notes of the account owners.
  for (const a of accountRows) {
    if (!users.get(a.owner_id)) continue;
    const roll = rng();
    if (roll < 0.45) {
      const state = rng();
      // Overdue, reminder due (due within a day, reminded a day before), later this month, or done last week.
      const dueMs =
        state < 0.2 ? nowMs - Math.floor((1 + rng() * 6) * DAY_MS) : state < 0.45 ? nowMs + Math.floor((0.3 + rng() * 0.6) * DAY_MS) : state < 0.75 ? nowMs + Math.floor((5 + rng() * 20) * DAY_MS) : nowMs - Math.floor((3 + rng() * 7) * DAY_MS);
      const done = state >= 0.75;
      const contact = rng() < 0.6 ? (contactsOf.get(a.id) ?? []).slice(0, 1) : [];
      add(
        {
          kind: 'task',
          subject: pick(TASK_SUBJECTS),
          body: null,
          occurredAt: null,
          dueAt: new Date(dueMs),
          remindAt: new Date(dueMs - DAY_MS),
          doneAt: done ? new Date(dueMs - Math.floor(rng() * DAY_MS)) : null,
          accountId: a.id,
          opportunityId: dealFor(a.id, nowMs)?.id ?? null,
          ownerId: a.owner_id,
        },
        contact,
      );
    }
    if (roll > 0.8) {
      add(
        {
          kind: 'note',
          subject: pick(NOTE_SUBJECTS),
          body: '记录于客户例会后。',
          occurredAt: new Date(nowMs - Math.floor((1 + rng() * 30) * DAY_MS)),
          dueAt: null,
          remindAt: null,
          doneAt: null,
          accountId: a.id,
          opportunityId: null,
          ownerId: a.owner_id,
        },
        [],
      );
    }
  }

  for (let i = 0; i < rows.length; i += 500) await db.insert(activities).values(rows.slice(i, i + 500));
  for (let i = 0; i < linked.length; i += 1000) await db.insert(activityContacts).values(linked.slice(i, i + 1000));

  // The timeline entries the outbox would have produced: activities, then the deals' stage histories.
  const entries: { sourceEventId: string; draft: EntryDraft }[] = [];
  const dealNames = new Map(deals.map((d) => [d.id, d.name]));
  for (const r of rows) {
    const kind = r.kind as ActivityKind;
    const owner = users.get(r.ownerId)!;
    for (const draft of activityEntries({
      id: r.id,
      kind,
      subject: r.subject,
      occurredAt: r.occurredAt ?? null,
      dueAt: r.dueAt ?? null,
      doneAt: r.doneAt ?? null,
      accountId: r.accountId,
      opportunityId: r.opportunityId ?? null,
      contacts: contactNames.get(r.id) ?? [],
      ownerId: r.ownerId,
      ownerName: owner.nameZh,
      version: 1,
    })) {
      entries.push({ sourceEventId: r.id, draft });
    }
  }
  const kindOf = new Map(DEFAULT_PIPELINE.stages.map((s) => [s.key, s.kind]));
  const history = await queryRows<{
    id: string;
    opportunity_id: string;
    from_stage: string | null;
    to_stage: string;
    changed_at: string | Date;
    changed_by: string | null;
    number: string;
    account_id: string;
    pipeline_id: string;
    amount: string;
    currency: string;
  }>(
    db,
    sql`SELECT h.id, h.opportunity_id, h.from_stage, h.to_stage, h.changed_at, h.changed_by, o.number, o.account_id, o.pipeline_id, o.amount::text AS amount, o.currency
          FROM crm_stage_history h JOIN crm_opportunities o ON o.id = h.opportunity_id
         ORDER BY h.id`,
  );
  for (const h of history) {
    const changedAt = new Date(h.changed_at);
    const drafts = stageChangeEntries(
      {
        type: 'opportunity.stage_changed',
        occurredAt: changedAt,
        actorId: h.changed_by,
        payload: {
          opportunityId: h.opportunity_id,
          number: h.number,
          accountId: h.account_id,
          pipelineId: h.pipeline_id,
          fromStage: h.from_stage,
          toStage: h.to_stage,
          toKind: kindOf.get(h.to_stage) ?? 'open',
          amount: { amount: h.amount, currency: h.currency },
          changedAt: changedAt.toISOString(),
        },
      },
      { opportunityName: dealNames.get(h.opportunity_id) ?? null, actorName: h.changed_by ? (users.get(h.changed_by)?.nameZh ?? null) : null },
    );
    for (const draft of drafts) entries.push({ sourceEventId: h.id, draft });
  }
  const values = entries.map(({ sourceEventId, draft: d }) => ({
    id: seededUuid(rng),
    subjectType: d.subjectType,
    subjectId: d.subjectId,
    occurredAt: d.occurredAt,
    kind: d.kind,
    sourceEventId,
    summary: d.summary,
    linkType: d.linkType,
    linkId: d.linkId,
    opportunityId: d.opportunityId,
  }));
  for (let i = 0; i < values.length; i += 500) await db.insert(timelineEntries).values(values.slice(i, i + 500));

  return { rows: { crm_activities: rows.length, crm_activity_contacts: linked.length, crm_timeline_entries: values.length } };
}
