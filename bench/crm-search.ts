import { accounts, contacts } from '../src/server/modules/crm/schema.ts';
import { searchCrm } from '../src/server/modules/crm/search-service.ts';
import { queryGrams } from '../src/server/modules/crm/search.ts';
import type { Actor } from '../src/server/platform/context.ts';
import { type Database, queryRows, sql } from '../src/server/platform/db.ts';
import { newId } from '../src/server/platform/ids.ts';
import { vacuumAnalyze, withBenchDatabase } from './bench-db.ts';
import { explainAnalyze, explainCapturedQueries } from './explain.ts';
import type { Benchmark, Metrics } from './harness.ts';
import { percentiles } from './harness.ts';

/**
 * Searching Chinese names (docs/decisions/0007-searching-chinese-names.md): how to find accounts and contacts by
 * one to four characters of a name, on PostgreSQL and PGlite.
 *
 * Data: the demo company, then generated accounts (city + two-character brand + trade + 有限公司,
 * government bureaus, one in ten with an English brand name that is not pinyin) and contacts
 * (surname + one or two given characters, some compound surnames, some English names, phones and
 * emails). full: 100,000 accounts and 300,000 contacts on PostgreSQL, 20,000 / 60,000 on PGlite;
 * small: 10,000 / 30,000 (PGlite 5,000 / 15,000).
 *
 * Each strategy indexes the same search text (accounts: Chinese + English name; contacts: name) and
 * answers the same ranked query (exact, then prefix, then anywhere; shorter names first; 20 rows):
 *   seq        ILIKE '%q%' with no usable index (the text expression is wrapped so no index matches)
 *   trgm_like  ILIKE '%q%' served by a pg_trgm GIN index (gin_trgm_ops)
 *   trgm_sim   `text % q` ordered by similarity() (pg_trgm's own ranking), same index
 *   trgm_word  `q <% text` ordered by word_similarity(), same index
 *   grams      text[] of unigrams and bigrams (crm_search_grams, migration 0009) in a GIN index,
 *              `grams @> query grams` and an ILIKE recheck
 * Queries (QUERIES): 1, 2, 3 and 4 Chinese characters and an English name, chosen per table. Reported per case: p50/p95
 * latency, the rows matched (recall against ILIKE), and the index sizes. Finally the service itself
 * (searchCrm, production indexes, an all-scope actor) on the same queries.
 */
export const databases = ['pg', 'pglite'] as const;

const SIZES = {
  pg: { small: { accounts: 10_000, contacts: 30_000 }, full: { accounts: 100_000, contacts: 300_000 } },
  pglite: { small: { accounts: 5_000, contacts: 15_000 }, full: { accounts: 20_000, contacts: 60_000 } },
} as const;

/** Per table, what people type: 1–4 Chinese characters of a name, and an English (not pinyin) name. */
export const QUERIES = {
  accounts: { zh1: '华', zh2: '星河', zh3: '杭州市', zh4: '星河科技', en: 'bluecrest' },
  contacts: { zh1: '华', zh2: '建华', zh3: '王建华', zh4: '欧阳晓东', en: 'miller' },
} as const;

const CITIES = ['杭州', '宁波', '温州', '绍兴', '嘉兴', '湖州', '金华', '台州', '南京', '苏州', '无锡', '上海', '北京', '深圳', '广州', '成都', '武汉', '西安', '合肥', '长沙', '郑州', '济南', '青岛', '厦门', '福州', '昆明', '重庆', '天津', '沈阳', '大连'];
const BRAND_CHARS = '恒远瑞科星河顺联海湾锐芯光谷长江安储华信天成博宏达万邦新元鼎盛嘉禾同舟众合启明景和瀚晨鸿图中泰汇川蓝聚力金桥东方正大永康德润泽丰源通利';
const TRADES = ['科技', '精密机械', '新材料', '智能装备', '电子', '医药', '物流', '化工', '汽车零部件', '食品', '纺织', '建设', '信息技术', '环保', '半导体'];
const SUFFIXES = ['有限公司', '股份有限公司', '集团有限公司'];
const BUREAUS = ['财政局', '卫生健康委员会', '教育局', '交通运输局', '大数据管理局', '人力资源和社会保障局', '市场监督管理局', '生态环境局', '自然资源和规划局', '应急管理局'];
const EN_BRANDS = ['Bluecrest', 'Northwind', 'Silverline', 'Ironbridge', 'Clearwater', 'Redwood', 'Brightpath', 'Stonegate', 'Evergreen', 'Highland'];
// Surnames by rough frequency (the first few cover a third of China), then compound surnames.
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const COMPOUND = ['欧阳', '司马', '上官', '诸葛', '东方', '慕容'];
const GIVEN = '伟芳娜敏静磊洋艳勇军杰涛明超霞平刚华建国立新晓东志强丽娟文博海春梅雪振宇慧俊峰红玉英秀兰桂鹏飞斌浩宁婷琳颖倩云鑫辉亮成龙凯佳怡欣然子轩梓涵宇航晨阳';
// Given names that many people share (a real directory has hundreds of 张伟 and 王建华).
const COMMON_GIVEN = ['伟', '芳', '敏', '静', '磊', '军', '勇', '杰', '建华', '建国', '志强', '晓东', '丽娟', '海涛', '春梅', '国庆', '立新', '雪梅', '俊峰', '秀英'];
const EN_PEOPLE = ['David Miller', 'Anna Schmidt', 'Kenji Sato', 'Maria Rossi', 'John Carter', 'Sophie Martin'];

/** A small deterministic generator (mulberry32), so every run loads the same names. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function load(database: Database, owners: readonly { id: string; unitId: string }[], n: { accounts: number; contacts: number }) {
  const r = rng(20261125);
  const pick = <T>(xs: ArrayLike<T>): T => xs[Math.floor(r() * xs.length)]!;
  const now = new Date();
  const accountIds: string[] = [];
  const BATCH = 1000;
  for (let start = 0; start < n.accounts; start += BATCH) {
    const rows: (typeof accounts.$inferInsert)[] = [];
    for (let i = start; i < Math.min(n.accounts, start + BATCH); i++) {
      const owner = pick(owners);
      const city = pick(CITIES);
      const government = r() < 0.15;
      const brand = pick(BRAND_CHARS) + pick(BRAND_CHARS);
      const trade = pick(TRADES);
      const english = !government && r() < 0.1;
      const id = newId();
      accountIds.push(id);
      rows.push({
        id,
        nameZh: government ? `${city}市${pick(BUREAUS)}` : `${city}${brand}${trade}${pick(SUFFIXES)}`,
        nameEn: english ? `${pick(EN_BRANDS)} ${r() < 0.5 ? 'Technology' : 'Industries'} Co., Ltd.` : null,
        shortName: government ? null : brand + trade.slice(0, 2),
        kind: government ? 'government' : 'enterprise',
        ownerId: owner.id,
        unitId: owner.unitId,
        createdAt: now,
        updatedAt: now,
      });
    }
    await database.db.insert(accounts).values(rows);
  }
  for (let start = 0; start < n.contacts; start += BATCH) {
    const rows: (typeof contacts.$inferInsert)[] = [];
    for (let i = start; i < Math.min(n.contacts, start + BATCH); i++) {
      const roll = r();
      // Surnames are skewed as in life: the first five cover about a third of people.
      const surname = roll < 0.05 ? pick(COMPOUND) : r() < 0.3 ? pick(SURNAMES.slice(0, 5)) : pick(SURNAMES);
      const given = r() < 0.4 ? pick(COMMON_GIVEN) : pick(GIVEN) + (r() < 0.6 ? pick(GIVEN) : '');
      const name = roll < 0.02 ? pick(EN_PEOPLE) : surname + given;
      const phone = `+86 1${3 + Math.floor(r() * 6)}${String(Math.floor(r() * 1e9)).padStart(9, '0')}`;
      rows.push({
        id: newId(),
        accountId: pick(accountIds),
        name,
        level: pick(['decision', 'management', 'execution'] as const),
        phones: [phone],
        emails: r() < 0.5 ? [`user${i}@example.cn`] : [],
        ownerId: pick(owners).id,
        createdAt: now,
        updatedAt: now,
      });
    }
    await database.db.insert(contacts).values(rows);
  }
}

interface Target {
  table: 'crm_accounts' | 'crm_contacts';
  text: string;
  title: string;
}
const TARGETS: Record<'accounts' | 'contacts', Target> = {
  accounts: { table: 'crm_accounts', text: `(name_zh || ' ' || coalesce(name_en, ''))`, title: 'name_zh' },
  contacts: { table: 'crm_contacts', text: `(name)`, title: 'name' },
};

type Strategy = 'seq' | 'trgm_like' | 'trgm_sim' | 'trgm_word' | 'grams';
const STRATEGIES: Strategy[] = ['seq', 'trgm_like', 'trgm_sim', 'trgm_word', 'grams'];

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The SQL of one strategy (text and parameters), ranked and limited; `count` gives the match count instead. */
function strategyQuery(s: Strategy, t: Target, q: string, count = false): { text: string; params: unknown[] } {
  const like = `%${escapeLike(q)}%`;
  const rank = `CASE WHEN lower(${t.title}) = lower($2) THEN 0 WHEN ${t.title} ILIKE $3 THEN 1 ELSE 2 END, char_length(${t.title}), id`;
  const prefix = `${escapeLike(q)}%`;
  const wrap = (where: string, order: string, params: unknown[]) =>
    count
      ? { text: `SELECT count(*)::int AS n FROM ${t.table} WHERE ${where}`, params: params.slice(0, 1).concat(params.slice(3)) }
      : { text: `SELECT id, ${t.title} AS title FROM ${t.table} WHERE ${where} ORDER BY ${order} LIMIT 20`, params };
  switch (s) {
    case 'seq':
      return wrap(`(${t.text} || '') ILIKE $1`, rank, [like, q, prefix]);
    case 'trgm_like':
      return wrap(`${t.text} ILIKE $1`, rank, [like, q, prefix]);
    case 'trgm_sim':
      return count
        ? { text: `SELECT count(*)::int AS n FROM ${t.table} WHERE ${t.text} % $1`, params: [q] }
        : { text: `SELECT id, ${t.title} AS title FROM ${t.table} WHERE ${t.text} % $1 ORDER BY similarity(${t.text}, $1) DESC, id LIMIT 20`, params: [q] };
    case 'trgm_word':
      return count
        ? { text: `SELECT count(*)::int AS n FROM ${t.table} WHERE $1 <% ${t.text}`, params: [q] }
        : { text: `SELECT id, ${t.title} AS title FROM ${t.table} WHERE $1 <% ${t.text} ORDER BY word_similarity($1, ${t.text}) DESC, id LIMIT 20`, params: [q] };
    case 'grams': {
      const grams = `{${queryGrams(q).map((g) => `"${g.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
      return count
        ? { text: `SELECT count(*)::int AS n FROM ${t.table} WHERE crm_search_grams(${t.text}) @> $2::text[] AND (${t.text} || '') ILIKE $1`, params: [like, grams] }
        : {
            // The recheck is wrapped so that the trigram index on the same text cannot serve it.
            text: `SELECT id, ${t.title} AS title FROM ${t.table} WHERE crm_search_grams(${t.text}) @> $4::text[] AND (${t.text} || '') ILIKE $1 ORDER BY ${rank} LIMIT 20`,
            params: [like, q, prefix, grams],
          };
    }
  }
}

async function run(database: Database, text: string, params: unknown[]): Promise<unknown[]> {
  if (database.pool) return (await database.pool.query(text, params)).rows;
  return (await database.pglite!.query(text, params)).rows;
}

async function timed(samples: number, fn: () => Promise<unknown>): Promise<Metrics> {
  await fn(); // warm the cache and the plan
  const ms: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return percentiles(ms);
}

async function indexSize(database: Database, name: string): Promise<number> {
  const [row] = await queryRows<{ bytes: string | number | null }>(database.db, sql`SELECT pg_relation_size(to_regclass(${name})) AS bytes`);
  return Math.round((Number(row?.bytes ?? 0) / 2 ** 20) * 10) / 10;
}

const crmSearch: Benchmark = async (ctx) =>
  withBenchDatabase(ctx, 'crm-search', async ({ database, seed, label, data }) => {
    const n = SIZES[ctx.db][ctx.scale];
    const owners = seed.company.users.filter((u) => u.roles.includes('sales_rep')).map((u) => ({ id: u.id, unitId: u.unitId }));
    const t0 = performance.now();
    await load(database, owners, n);
    const loadS = (performance.now() - t0) / 1000;

    // The strategies' indexes on the same text (the production ones, migration 0009, are measured below).
    const t1 = performance.now();
    for (const [key, t] of Object.entries(TARGETS)) {
      await run(database, `CREATE INDEX bench_${key}_trgm ON ${t.table} USING gin (${t.text} gin_trgm_ops)`, []);
      await run(database, `CREATE INDEX bench_${key}_grams ON ${t.table} USING gin (crm_search_grams(${t.text}))`, []);
    }
    const indexS = (performance.now() - t1) / 1000;
    await vacuumAnalyze(database);

    const samples = ctx.db === 'pg' ? 20 : 8;
    const cases: Record<string, { metrics: Metrics }> = {};
    for (const [key, t] of Object.entries(TARGETS)) {
      for (const [qk, q] of Object.entries(QUERIES[key as keyof typeof QUERIES])) {
        const like = strategyQuery('trgm_like', t, q, true);
        const [expected] = (await run(database, like.text, like.params)) as { n: number }[];
        for (const s of STRATEGIES) {
          // The unindexed scan of 1-character queries is as slow as the rest: fewer samples keep the run short.
          const query = strategyQuery(s, t, q);
          const metrics = await timed(s === 'seq' ? Math.ceil(samples / 2) : samples, () => run(database, query.text, query.params));
          const c = strategyQuery(s, t, q, true);
          const [matched] = (await run(database, c.text, c.params)) as { n: number }[];
          cases[`${key}.${qk}.${s}`] = { metrics: { ...metrics, rows_matched: matched?.n ?? 0, rows_expected: expected?.n ?? 0 } };
        }
        if (process.env['BENCH_EXPLAIN']) {
          for (const s of ['trgm_like', 'grams'] as const) {
            const query = strategyQuery(s, t, q);
            console.log(`\n── ${key} ${qk} (${q}) ${s}\n${await explainAnalyze(database, query.text, query.params)}`);
          }
        }
      }
    }

    // The service as the endpoint runs it (production gram indexes, all-scope actor).
    const admin = seed.company.users.find((u) => u.roles.includes('admin'));
    if (!admin) throw new Error('the generated company has no admin');
    const actor: Actor = { userId: admin.id, roles: admin.roles, unitId: admin.unitId, subtreeUnitIds: [], locale: 'zh-CN', timeZone: 'Asia/Shanghai', via: 'session' };
    const svc = { db: database.db, actor, requestId: 'bench-crm-search', now: new Date() };
    for (const [key, queries] of Object.entries(QUERIES)) {
      for (const [qk, q] of Object.entries(queries)) {
        if (key === 'accounts' && qk === 'zh1') continue; // the same query as the contacts'
        const res = await searchCrm(svc, { q, limit: 20 });
        const metrics = await timed(samples, () => searchCrm(svc, { q, limit: 20 }));
        cases[`service.${key}.${qk}`] = { metrics: { ...metrics, rows_returned: res.items.length } };
        if (process.env['BENCH_EXPLAIN'] && database.pool) {
          await explainCapturedQueries(database, `searchCrm ${q}`, () => searchCrm(svc, { q, limit: 20 }));
        }
      }
    }

    const sizes: Metrics = {};
    for (const name of [
      'crm_accounts_name_trgm_idx',
      'crm_contacts_name_trgm_idx',
      'bench_accounts_trgm',
      'bench_contacts_trgm',
      'bench_accounts_grams',
      'bench_contacts_grams',
      'crm_accounts_search_grams_idx',
      'crm_contacts_search_grams_idx',
    ]) {
      sizes[`index_mib_${name}`] = await indexSize(database, name);
    }
    return {
      database: label,
      data: { ...data, accounts: n.accounts, contacts: n.contacts, load_s: Math.round(loadS), index_build_s: Math.round(indexS) },
      metrics: sizes,
      cases,
    };
  });

export default crmSearch;
