import type { Role } from '../../../shared/roles.ts';
import { type DbOrTx, sql } from '../../platform/db.ts';
import { createRng, seededUuid } from '../../demo/company.ts';
import { computeOrganisationCodeCheckChar, computeUsccCheckChar } from '../../../shared/uscc.ts';
import type { accountTeam, accounts, contacts, coverage } from './schema.ts';
import { customerGroups } from './schema.ts';

/**
 * Demo customers for 云澜软件's sales force: a provincial government and its bureaus, a state-owned
 * energy group with provincial subsidiaries, a bank with branches and sub-branches, hospitals,
 * universities and manufacturers — with contacts at three levels and their reporting lines,
 * coverage by the company's reps and managers, account teams, valid USCCs (check characters
 * computed, GB 11714 organisation codes included) and GB/T 2260 regions.
 *
 * Deterministic: the same users, seed and `now` give the same rows, ids included. `small` is the
 * hand-written set of about forty customers `npm start` shows; `{ accounts: n }` generates n
 * accounts with group hierarchies (about three contacts each) for benchmarks, produced and
 * inserted in batches so 100,000 accounts never sit in memory at once.
 */

export type AccountSeedScale = 'small' | { accounts: number };

export interface AccountSeedOptions {
  scale?: AccountSeedScale;
  seed?: number;
  /** Touches and creation dates are spread over the months before this instant. */
  now?: Date;
}

/** What the generator needs of a person (OrgPlan users and DemoCompany users fit). */
export interface AccountSeedUser {
  id: string;
  unitId: string;
  managerId: string | null;
  roles: readonly Role[];
}

type GroupInsert = typeof customerGroups.$inferInsert;
type AccountInsert = typeof accounts.$inferInsert;
type TeamInsert = typeof accountTeam.$inferInsert;
type ContactInsert = typeof contacts.$inferInsert;
type CoverageInsert = typeof coverage.$inferInsert;

export interface AccountBatch {
  accounts: AccountInsert[];
  team: TeamInsert[];
  contacts: ContactInsert[];
  coverage: CoverageInsert[];
}

const DAY_MS = 86_400_000;

// ── Code tables ─────────────────────────────────────────────────────────────────────────────────

const CITIES: readonly { city: string; province: string; zh: string }[] = [
  { city: '330100', province: '330000', zh: '杭州' },
  { city: '330200', province: '330000', zh: '宁波' },
  { city: '330300', province: '330000', zh: '温州' },
  { city: '330600', province: '330000', zh: '绍兴' },
  { city: '320100', province: '320000', zh: '南京' },
  { city: '320200', province: '320000', zh: '无锡' },
  { city: '320500', province: '320000', zh: '苏州' },
  { city: '310100', province: '310000', zh: '上海' },
  { city: '110100', province: '110000', zh: '北京' },
  { city: '120100', province: '120000', zh: '天津' },
  { city: '440100', province: '440000', zh: '广州' },
  { city: '440300', province: '440000', zh: '深圳' },
  { city: '440600', province: '440000', zh: '佛山' },
  { city: '510100', province: '510000', zh: '成都' },
  { city: '500100', province: '500000', zh: '重庆' },
  { city: '420100', province: '420000', zh: '武汉' },
  { city: '430100', province: '430000', zh: '长沙' },
  { city: '370100', province: '370000', zh: '济南' },
  { city: '370200', province: '370000', zh: '青岛' },
  { city: '350100', province: '350000', zh: '福州' },
  { city: '350200', province: '350000', zh: '厦门' },
  { city: '340100', province: '340000', zh: '合肥' },
  { city: '610100', province: '610000', zh: '西安' },
  { city: '410100', province: '410000', zh: '郑州' },
];
const cityOf = (code: string) => CITIES.find((c) => c.city === code)!;

type Kind = AccountInsert['kind'];
/** 11 机关, 12 事业单位, 91 企业 (GB 32100-2015 registration authority + category). */
const USCC_PREFIX: Record<Kind, string> = {
  government: '11',
  education: '12',
  healthcare: '12',
  state_owned: '91',
  enterprise: '91',
  other: '51',
};

/** A valid USCC: prefix, division, a GB 11714 organisation code from `serial`, the check character. */
export function demoUscc(kind: Kind, division: string, serial: number): string {
  const body8 = String(serial % 100_000_000).padStart(8, '0');
  const orgCode = body8 + computeOrganisationCodeCheckChar(body8)!;
  const first17 = USCC_PREFIX[kind] + division + orgCode;
  return first17 + computeUsccCheckChar(first17);
}

const GROUPS: readonly { code: string; zh: string; en: string; parent: string | null }[] = [
  { code: 'GOV', zh: '政府机关', en: 'Government', parent: null },
  { code: 'GOV-PROV', zh: '省级政府及部门', en: 'Provincial government', parent: 'GOV' },
  { code: 'GOV-CITY', zh: '市级政府及部门', en: 'City government', parent: 'GOV' },
  { code: 'SOE', zh: '国有企业', en: 'State-owned enterprises', parent: null },
  { code: 'SOE-ENERGY', zh: '能源', en: 'Energy', parent: 'SOE' },
  { code: 'FIN', zh: '金融机构', en: 'Financial institutions', parent: null },
  { code: 'FIN-BANK', zh: '银行', en: 'Banks', parent: 'FIN' },
  { code: 'HEALTH', zh: '医疗卫生', en: 'Healthcare', parent: null },
  { code: 'EDU', zh: '教育', en: 'Education', parent: null },
  { code: 'MFG', zh: '制造业', en: 'Manufacturing', parent: null },
  { code: 'MFG-EQUIP', zh: '装备制造', en: 'Equipment', parent: 'MFG' },
  { code: 'MFG-ELEC', zh: '电子与半导体', en: 'Electronics and semiconductors', parent: 'MFG' },
];

type Segment = 'gov' | 'soe' | 'bank' | 'health' | 'edu' | 'mfg';

const TITLES: Record<Segment, Record<'decision' | 'management' | 'execution', readonly [string, string][]>> = {
  gov: {
    decision: [['厅长', '厅领导'], ['副厅长', '厅领导'], ['党组书记', '厅领导']],
    management: [['信息化处处长', '信息化处'], ['办公室主任', '办公室'], ['规划财务处处长', '规划财务处']],
    execution: [['主任科员', '信息化处'], ['信息中心工程师', '信息中心'], ['科员', '办公室']],
  },
  soe: {
    decision: [['董事长', '公司领导'], ['总经理', '公司领导'], ['首席信息官', '公司领导']],
    management: [['数字化部总经理', '数字化部'], ['采购部经理', '采购部'], ['财务部总监', '财务部']],
    execution: [['系统管理员', '数字化部'], ['采购专员', '采购部'], ['IT 工程师', '数字化部']],
  },
  bank: {
    decision: [['行长', '行领导'], ['副行长', '行领导'], ['首席信息官', '行领导']],
    management: [['金融科技部总经理', '金融科技部'], ['运营管理部总经理', '运营管理部'], ['采购中心主任', '采购中心']],
    execution: [['科技经理', '金融科技部'], ['系统工程师', '金融科技部'], ['采购专员', '采购中心']],
  },
  health: {
    decision: [['院长', '院领导'], ['副院长', '院领导'], ['党委书记', '院领导']],
    management: [['信息中心主任', '信息中心'], ['医务处处长', '医务处'], ['设备处处长', '设备处']],
    execution: [['信息科工程师', '信息中心'], ['网络管理员', '信息中心'], ['设备管理员', '设备处']],
  },
  edu: {
    decision: [['校长', '校领导'], ['副校长', '校领导'], ['党委书记', '校领导']],
    management: [['信息化办公室主任', '信息化办公室'], ['教务处处长', '教务处'], ['资产处处长', '资产处']],
    execution: [['网络中心工程师', '网络中心'], ['教务员', '教务处'], ['采购管理员', '资产处']],
  },
  mfg: {
    decision: [['董事长', '公司领导'], ['总经理', '公司领导'], ['副总经理', '公司领导']],
    management: [['信息部经理', '信息部'], ['生产总监', '生产部'], ['采购经理', '采购部']],
    execution: [['ERP 管理员', '信息部'], ['工艺工程师', '生产部'], ['采购专员', '采购部']],
  },
};

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '胡', '朱', '高', '林', '何', '郭', '马', '罗', '梁', '宋', '郑', '谢', '韩', '唐', '冯', '于', '董', '萧', '程', '曹'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '磊', '洋', '艳', '勇', '军', '杰', '涛', '明', '超', '霞', '平', '刚', '建华', '晓东', '志强', '丽娟', '文博', '海涛', '春梅', '国庆', '立新', '雪梅', '振宇', '慧敏', '俊峰'];
const TAGS = ['数字政府', '信创', '云迁移', '数据治理', '智慧医疗', '智能制造', '核心系统', '续约', '等保测评', '灾备'];
const BRANDS = ['恒远', '瑞科', '星河', '顺联', '海湾', '锐芯', '光谷', '长江', '安储', '华信', '天成', '博远', '金桥', '宏达', '万邦', '新元', '鼎盛', '嘉禾', '同舟', '众合', '启明', '远景', '和盛', '瀚海', '晨光', '鸿图', '中泰', '汇川', '蓝海', '聚力'];
const TRADES = ['科技', '精密机械', '新材料', '智能装备', '电子', '医药', '物流', '化工', '汽车零部件', '食品', '纺织', '建设', '信息技术', '环保', '半导体'];
const BUREAUS = ['财政局', '卫生健康委员会', '教育局', '交通运输局', '大数据管理局', '人力资源和社会保障局', '市场监督管理局', '生态环境局', '自然资源和规划局', '应急管理局'];

// ── The small, hand-written set ─────────────────────────────────────────────────────────────────

interface Template {
  key: string;
  name: string;
  nameEn?: string;
  kind: Kind;
  segment: Segment;
  city: string;
  /** Province-level body (a provincial government and its bureaus register at 330000). */
  provincial?: boolean;
  group: string;
  parent?: string;
  status?: AccountInsert['status'];
  tier?: AccountInsert['tier'];
  industry: string;
}

const SMALL: readonly Template[] = [
  { key: 'zj-gov', name: '浙江省人民政府', nameEn: 'People’s Government of Zhejiang Province', kind: 'government', segment: 'gov', city: '330100', provincial: true, group: 'GOV-PROV', status: 'customer', tier: 'strategic', industry: '政府' },
  { key: 'zj-czt', name: '浙江省财政厅', kind: 'government', segment: 'gov', city: '330100', provincial: true, group: 'GOV-PROV', parent: 'zj-gov', status: 'customer', tier: 'key', industry: '政府' },
  { key: 'zj-wjw', name: '浙江省卫生健康委员会', kind: 'government', segment: 'gov', city: '330100', provincial: true, group: 'GOV-PROV', parent: 'zj-gov', status: 'customer', tier: 'key', industry: '政府' },
  { key: 'zj-jyt', name: '浙江省教育厅', kind: 'government', segment: 'gov', city: '330100', provincial: true, group: 'GOV-PROV', parent: 'zj-gov', status: 'prospect', industry: '政府' },
  { key: 'zj-dsj', name: '浙江省大数据发展管理局', kind: 'government', segment: 'gov', city: '330100', provincial: true, group: 'GOV-PROV', parent: 'zj-gov', status: 'customer', tier: 'key', industry: '政府' },
  { key: 'zj-jtt', name: '浙江省交通运输厅', kind: 'government', segment: 'gov', city: '330100', provincial: true, group: 'GOV-PROV', parent: 'zj-gov', status: 'prospect', industry: '政府' },
  { key: 'js-gov', name: '江苏省人民政府', kind: 'government', segment: 'gov', city: '320100', provincial: true, group: 'GOV-PROV', status: 'prospect', tier: 'strategic', industry: '政府' },
  { key: 'js-czt', name: '江苏省财政厅', kind: 'government', segment: 'gov', city: '320100', provincial: true, group: 'GOV-PROV', parent: 'js-gov', status: 'customer', industry: '政府' },
  { key: 'js-rst', name: '江苏省人力资源和社会保障厅', kind: 'government', segment: 'gov', city: '320100', provincial: true, group: 'GOV-PROV', parent: 'js-gov', status: 'prospect', industry: '政府' },
  { key: 'hz-sjj', name: '杭州市数据资源管理局', kind: 'government', segment: 'gov', city: '330100', group: 'GOV-CITY', status: 'customer', industry: '政府' },
  { key: 'hx', name: '华夏能源集团有限公司', nameEn: 'Huaxia Energy Group', kind: 'state_owned', segment: 'soe', city: '110100', group: 'SOE-ENERGY', status: 'customer', tier: 'strategic', industry: '能源' },
  { key: 'hx-zj', name: '华夏能源集团浙江电力有限公司', kind: 'state_owned', segment: 'soe', city: '330100', group: 'SOE-ENERGY', parent: 'hx', status: 'customer', tier: 'key', industry: '能源' },
  { key: 'hx-zj-nb', name: '华夏能源集团浙江电力有限公司宁波分公司', kind: 'state_owned', segment: 'soe', city: '330200', group: 'SOE-ENERGY', parent: 'hx-zj', status: 'customer', industry: '能源' },
  { key: 'hx-js', name: '华夏能源集团江苏电力有限公司', kind: 'state_owned', segment: 'soe', city: '320100', group: 'SOE-ENERGY', parent: 'hx', status: 'prospect', tier: 'key', industry: '能源' },
  { key: 'hx-gd', name: '华夏能源集团广东电力有限公司', kind: 'state_owned', segment: 'soe', city: '440100', group: 'SOE-ENERGY', parent: 'hx', status: 'prospect', industry: '能源' },
  { key: 'hx-tech', name: '华夏能源数字科技有限公司', kind: 'state_owned', segment: 'soe', city: '110100', group: 'SOE-ENERGY', parent: 'hx', status: 'customer', industry: '信息技术' },
  { key: 'jn', name: '江南商业银行股份有限公司', nameEn: 'Jiangnan Commercial Bank', kind: 'enterprise', segment: 'bank', city: '310100', group: 'FIN-BANK', status: 'customer', tier: 'strategic', industry: '银行' },
  { key: 'jn-hz', name: '江南商业银行股份有限公司杭州分行', kind: 'enterprise', segment: 'bank', city: '330100', group: 'FIN-BANK', parent: 'jn', status: 'customer', tier: 'key', industry: '银行' },
  { key: 'jn-hz-xh', name: '江南商业银行股份有限公司杭州西湖支行', kind: 'enterprise', segment: 'bank', city: '330100', group: 'FIN-BANK', parent: 'jn-hz', status: 'customer', industry: '银行' },
  { key: 'jn-nj', name: '江南商业银行股份有限公司南京分行', kind: 'enterprise', segment: 'bank', city: '320100', group: 'FIN-BANK', parent: 'jn', status: 'prospect', industry: '银行' },
  { key: 'jn-sz', name: '江南商业银行股份有限公司深圳分行', kind: 'enterprise', segment: 'bank', city: '440300', group: 'FIN-BANK', parent: 'jn', status: 'former', industry: '银行' },
  { key: 'dh', name: '东海农村商业银行股份有限公司', kind: 'enterprise', segment: 'bank', city: '330200', group: 'FIN-BANK', status: 'prospect', industry: '银行' },
  { key: 'h-hz', name: '杭州市滨江区第一人民医院', kind: 'healthcare', segment: 'health', city: '330100', group: 'HEALTH', status: 'customer', tier: 'key', industry: '医疗' },
  { key: 'h-nb', name: '宁波市东部新城中心医院', kind: 'healthcare', segment: 'health', city: '330200', group: 'HEALTH', status: 'customer', industry: '医疗' },
  { key: 'h-sz', name: '苏州市工业园区人民医院', kind: 'healthcare', segment: 'health', city: '320500', group: 'HEALTH', status: 'prospect', industry: '医疗' },
  { key: 'h-nj', name: '南京市江北新区妇幼保健院', kind: 'healthcare', segment: 'health', city: '320100', group: 'HEALTH', status: 'prospect', industry: '医疗' },
  { key: 'h-cd', name: '成都市天府新区第二人民医院', kind: 'healthcare', segment: 'health', city: '510100', group: 'HEALTH', status: 'former', industry: '医疗' },
  { key: 'u-zd', name: '浙东理工大学', kind: 'education', segment: 'edu', city: '330200', group: 'EDU', status: 'customer', tier: 'key', industry: '高等教育' },
  { key: 'u-jh', name: '江淮科技大学', kind: 'education', segment: 'edu', city: '340100', group: 'EDU', status: 'prospect', industry: '高等教育' },
  { key: 'u-xn', name: '西南交通职业技术学院', kind: 'education', segment: 'edu', city: '510100', group: 'EDU', status: 'customer', industry: '职业教育' },
  { key: 'm-hy', name: '宁波恒远精密机械股份有限公司', kind: 'enterprise', segment: 'mfg', city: '330200', group: 'MFG-EQUIP', status: 'customer', tier: 'key', industry: '装备制造' },
  { key: 'm-rk', name: '苏州瑞科新材料有限公司', kind: 'enterprise', segment: 'mfg', city: '320500', group: 'MFG', status: 'customer', industry: '新材料' },
  { key: 'm-xh', name: '深圳星河智能装备有限公司', kind: 'enterprise', segment: 'mfg', city: '440300', group: 'MFG-EQUIP', status: 'prospect', industry: '装备制造' },
  { key: 'm-sl', name: '佛山顺联家电制造有限公司', kind: 'enterprise', segment: 'mfg', city: '440600', group: 'MFG', status: 'customer', industry: '家电' },
  { key: 'm-hw', name: '青岛海湾重工集团有限公司', kind: 'enterprise', segment: 'mfg', city: '370200', group: 'MFG-EQUIP', status: 'customer', tier: 'key', industry: '装备制造' },
  { key: 'm-hw-qz', name: '青岛海湾重工起重机械有限公司', kind: 'enterprise', segment: 'mfg', city: '370200', group: 'MFG-EQUIP', parent: 'm-hw', status: 'customer', industry: '装备制造' },
  { key: 'm-rx', name: '无锡锐芯半导体有限公司', kind: 'enterprise', segment: 'mfg', city: '320200', group: 'MFG-ELEC', status: 'prospect', tier: 'key', industry: '半导体' },
  { key: 'm-gg', name: '武汉光谷激光科技有限公司', kind: 'enterprise', segment: 'mfg', city: '420100', group: 'MFG-ELEC', status: 'prospect', industry: '激光' },
  { key: 'm-cj', name: '重庆长江汽车零部件有限公司', kind: 'enterprise', segment: 'mfg', city: '500100', group: 'MFG', status: 'former', industry: '汽车零部件' },
  { key: 'm-ac', name: '合肥安储新能源科技有限公司', kind: 'enterprise', segment: 'mfg', city: '340100', group: 'MFG-ELEC', status: 'customer', industry: '新能源' },
];

// ── Generation ──────────────────────────────────────────────────────────────────────────────────

interface People {
  reps: AccountSeedUser[];
  byId: Map<string, AccountSeedUser>;
  pms: AccountSeedUser[];
  engineers: AccountSeedUser[];
}

function people(users: readonly AccountSeedUser[]): People {
  const reps = users.filter((u) => u.roles.includes('sales_rep'));
  if (reps.length === 0) throw new Error('the demo company has no sales reps to own accounts');
  return {
    reps,
    byId: new Map(users.map((u) => [u.id, u])),
    pms: users.filter((u) => u.roles.includes('project_manager')),
    engineers: users.filter((u) => u.roles.includes('engineer') && !u.roles.includes('resource_manager')),
  };
}

/** The demo customer groups (ids from the seed). */
export function generateCustomerGroups(seed = 20261125): GroupInsert[] {
  const rng = createRng(seed ^ 0x5eed);
  const ids = new Map(GROUPS.map((g) => [g.code, seededUuid(rng)]));
  return GROUPS.map((g) => ({ id: ids.get(g.code)!, code: g.code, nameZh: g.zh, nameEn: g.en, parentId: g.parent ? ids.get(g.parent)! : null }));
}

interface AccountSpec {
  name: string;
  nameEn?: string | undefined;
  kind: Kind;
  segment: Segment;
  city: string;
  provincial?: boolean | undefined;
  group: string;
  parentId: string | null;
  status: AccountInsert['status'];
  tier: AccountInsert['tier'];
  industry: string;
  owner: AccountSeedUser;
}

class AccountGenerator {
  private readonly rng: () => number;
  private serial: number;
  private readonly groupIds: Map<string, string>;

  constructor(
    private readonly who: People,
    private readonly now: Date,
    seed: number,
    groups: readonly GroupInsert[],
  ) {
    this.rng = createRng(seed);
    // Organisation-code serials start somewhere seeded, so two seeds rarely share a USCC.
    this.serial = 10_000_000 + Math.floor(this.rng() * 50_000_000);
    this.groupIds = new Map(groups.map((g) => [g.code, g.id!]));
  }

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.rng() * list.length)]!;
  }

  chance(p: number): boolean {
    return this.rng() < p;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.rng() * (max - min + 1));
  }

  rep(): AccountSeedUser {
    return this.pick(this.who.reps);
  }

  daysAgo(min: number, max: number): Date {
    return new Date(this.now.getTime() - (min + this.rng() * (max - min)) * DAY_MS);
  }

  personName(): string {
    return this.pick(SURNAMES) + this.pick(GIVEN);
  }

  /** One account with its team, contacts and coverage, appended to `batch`. */
  account(spec: AccountSpec, batch: AccountBatch, contactCount: { decision: [number, number]; management: [number, number]; execution: [number, number] }): string {
    const id = seededUuid(this.rng);
    const city = cityOf(spec.city);
    const division = spec.provincial ? city.province : city.city;
    const createdAt = this.daysAgo(30, 900);
    const owner = spec.owner;
    batch.accounts.push({
      id,
      nameZh: spec.name,
      nameEn: spec.nameEn ?? null,
      uscc: demoUscc(spec.kind, division, this.serial++),
      kind: spec.kind,
      industry: spec.industry,
      provinceCode: city.province,
      cityCode: city.city,
      tier: spec.tier,
      customerGroupId: this.groupIds.get(spec.group) ?? null,
      status: spec.status,
      parentId: spec.parentId,
      ownerId: owner.id,
      unitId: owner.unitId,
      tags: this.chance(0.6) ? [...new Set([this.pick(TAGS), ...(this.chance(0.3) ? [this.pick(TAGS)] : [])])] : [],
      createdAt,
      updatedAt: new Date(Math.min(this.now.getTime(), createdAt.getTime() + this.rng() * 200 * DAY_MS)),
    });

    // The team: the owner leads; a strategic or key account gets the owner's manager as sponsor;
    // a customer a delivery lead, sometimes a solution engineer.
    const team = new Map<string, TeamInsert['role']>([[owner.id, 'account_lead']]);
    const manager = owner.managerId ? this.who.byId.get(owner.managerId) : undefined;
    if (manager && (spec.tier === 'strategic' || spec.tier === 'key')) team.set(manager.id, 'executive_sponsor');
    if (spec.status === 'customer' && this.who.pms.length > 0 && this.chance(0.6)) team.set(this.pick(this.who.pms).id, 'delivery_lead');
    if (this.who.engineers.length > 0 && this.chance(0.2)) {
      const eng = this.pick(this.who.engineers);
      if (!team.has(eng.id)) team.set(eng.id, 'solution');
    }
    for (const [userId, role] of team) batch.team.push({ accountId: id, userId, role, addedAt: createdAt });

    // Contacts: decision-makers at the top, managers reporting to them, staff to the managers.
    const titles = TITLES[spec.segment];
    const byLevel: Record<'decision' | 'management' | 'execution', string[]> = { decision: [], management: [], execution: [] };
    for (const level of ['decision', 'management', 'execution'] as const) {
      const [lo, hi] = contactCount[level];
      const n = this.int(lo, hi);
      for (let i = 0; i < n; i++) {
        const cid = seededUuid(this.rng);
        const [title, department] = titles[level][i % titles[level].length]!;
        const above = level === 'management' ? byLevel.decision : level === 'execution' ? byLevel.management : [];
        const serial = this.serial++;
        batch.contacts.push({
          id: cid,
          accountId: id,
          name: this.personName(),
          title,
          department,
          level,
          reportsToId: above.length > 0 ? this.pick(above) : null,
          phones: this.chance(0.8) ? [`+86 13${this.int(0, 9)} ${String(this.int(0, 9999)).padStart(4, '0')} ${String(serial % 10000).padStart(4, '0')}`] : [],
          emails: this.chance(0.5) ? [`c${serial}@customer.example.cn`] : [],
          wechatId: this.chance(0.3) ? `wx_${serial}` : null,
          influence: this.pick(['champion', 'supporter', 'supporter', 'neutral', 'neutral', 'neutral', 'blocker'] as const),
          status: this.chance(0.07) ? 'left' : 'active',
          ownerId: owner.id,
          createdAt,
          updatedAt: createdAt,
        });
        byLevel[level].push(cid);

        // Coverage: the owner on most decision-makers and half the managers; their manager on some
        // decision-makers. Touches over the last six months, some never: the gap report has work.
        const coverers: [AccountSeedUser, number][] = [];
        if (level === 'decision' && this.chance(0.7)) coverers.push([owner, this.int(2, 5)]);
        if (level === 'decision' && manager && this.chance(0.35)) coverers.push([manager, this.int(2, 4)]);
        if (level === 'management' && this.chance(0.5)) coverers.push([owner, this.int(1, 4)]);
        for (const [user, strength] of coverers) {
          batch.coverage.push({
            id: seededUuid(this.rng),
            accountId: id,
            contactId: cid,
            userId: user.id,
            relationshipRole: user === owner ? 'primary' : 'executive_sponsor',
            strength,
            lastTouchAt: this.chance(0.85) ? this.daysAgo(0, 200) : null,
            createdAt,
            updatedAt: createdAt,
          });
        }
      }
    }
    return id;
  }

  /** The hand-written set: one batch. */
  small(): AccountBatch {
    const batch: AccountBatch = { accounts: [], team: [], contacts: [], coverage: [] };
    const ids = new Map<string, string>();
    const owners = new Map<string, AccountSeedUser>();
    for (const tpl of SMALL) {
      // A group's subsidiaries mostly stay with the group's rep; some are covered regionally.
      const parentOwner = tpl.parent ? owners.get(tpl.parent) : undefined;
      const owner = parentOwner && this.chance(0.7) ? parentOwner : this.rep();
      owners.set(tpl.key, owner);
      const id = this.account(
        {
          name: tpl.name,
          nameEn: tpl.nameEn,
          kind: tpl.kind,
          segment: tpl.segment,
          city: tpl.city,
          provincial: tpl.provincial,
          group: tpl.group,
          parentId: tpl.parent ? ids.get(tpl.parent)! : null,
          status: tpl.status ?? 'prospect',
          tier: tpl.tier ?? 'standard',
          industry: tpl.industry,
          owner,
        },
        batch,
        { decision: [1, 2], management: [1, 3], execution: [1, 3] },
      );
      ids.set(tpl.key, id);
    }
    return batch;
  }

  /** A generated customer of some segment, named from the word lists. */
  generated(parent: { id: string; name: string; spec: AccountSpec } | null): AccountSpec {
    const city = this.pick(CITIES);
    if (parent) {
      const base = parent.name.replace(/(集团)?(股份)?有限公司$/, '');
      const child: AccountSpec = {
        ...parent.spec,
        name: parent.spec.segment === 'bank' ? `${base}${city.zh}分行` : parent.spec.segment === 'gov' ? `${base}${this.pick(['办公室', '信息中心', '直属分局'])}` : `${base}${city.zh}分公司`,
        nameEn: undefined,
        city: city.city,
        provincial: false,
        parentId: parent.id,
        tier: this.chance(0.3) ? 'key' : 'standard',
        status: this.pick(['customer', 'customer', 'prospect', 'prospect', 'former'] as const),
        owner: this.chance(0.6) ? parent.spec.owner : this.rep(),
      };
      return child;
    }
    const roll = this.rng();
    const status = this.pick(['customer', 'customer', 'prospect', 'prospect', 'prospect', 'former'] as const);
    const tier = this.pick(['key', 'standard', 'standard', 'standard', 'small', 'small'] as const);
    const owner = this.rep();
    if (roll < 0.1) {
      return { name: `${city.zh}市${this.pick(BUREAUS)}`, kind: 'government', segment: 'gov', city: city.city, group: 'GOV-CITY', parentId: null, status, tier, industry: '政府', owner };
    }
    if (roll < 0.18) {
      return { name: `${city.zh}${this.pick(['第一', '第二', '第三', '中心', '中医'])}${this.pick(['人民医院', '医院'])}`, kind: 'healthcare', segment: 'health', city: city.city, group: 'HEALTH', parentId: null, status, tier, industry: '医疗', owner };
    }
    if (roll < 0.25) {
      return { name: `${city.zh}${this.pick(['理工', '科技', '财经', '师范', '职业技术'])}${this.pick(['大学', '学院'])}`, kind: 'education', segment: 'edu', city: city.city, group: 'EDU', parentId: null, status, tier, industry: '教育', owner };
    }
    if (roll < 0.32) {
      return { name: `${city.zh}${this.pick(BRANDS)}${this.pick(['农村商业银行', '商业银行', '村镇银行'])}股份有限公司`, kind: 'enterprise', segment: 'bank', city: city.city, group: 'FIN-BANK', parentId: null, status, tier, industry: '银行', owner };
    }
    if (roll < 0.42) {
      return { name: `${this.pick(BRANDS)}${this.pick(['能源', '交通', '建设', '水务', '燃气'])}集团有限公司`, kind: 'state_owned', segment: 'soe', city: city.city, group: 'SOE', parentId: null, status, tier, industry: '国有企业', owner };
    }
    const trade = this.pick(TRADES);
    return {
      name: `${city.zh}${this.pick(BRANDS)}${trade}${this.pick(['有限公司', '股份有限公司'])}`,
      kind: this.chance(0.95) ? 'enterprise' : 'other',
      segment: 'mfg',
      city: city.city,
      group: trade === '半导体' || trade === '电子' ? 'MFG-ELEC' : trade === '智能装备' || trade === '精密机械' ? 'MFG-EQUIP' : 'MFG',
      parentId: null,
      status,
      tier,
      industry: trade,
      owner,
    };
  }

  /**
   * `total` generated accounts in batches of about `batchSize`: about 8 % are group heads with
   * 2–8 subsidiaries (some with 1–3 branches of their own); a family never spans two batches, so
   * every parent is inserted with or before its children.
   */
  *large(total: number, batchSize: number): Generator<AccountBatch> {
    let made = 0;
    let batch: AccountBatch = { accounts: [], team: [], contacts: [], coverage: [] };
    const counts = { decision: [1, 1], management: [0, 2], execution: [0, 2] } as { decision: [number, number]; management: [number, number]; execution: [number, number] };
    while (made < total) {
      const spec = this.generated(null);
      if (this.chance(0.08) && total - made >= 3) {
        spec.tier = 'strategic';
        spec.status = 'customer';
        const headId = this.account(spec, batch, counts);
        made++;
        const children = Math.min(this.int(2, 8), total - made);
        for (let i = 0; i < children && made < total; i++) {
          const childSpec = this.generated({ id: headId, name: spec.name, spec });
          const childId = this.account(childSpec, batch, counts);
          made++;
          if (this.chance(0.3)) {
            const grand = this.int(1, 3);
            for (let g = 0; g < grand && made < total; g++) {
              this.account(this.generated({ id: childId, name: childSpec.name, spec: childSpec }), batch, counts);
              made++;
            }
          }
        }
      } else {
        this.account(spec, batch, counts);
        made++;
      }
      if (batch.accounts.length >= batchSize) {
        yield batch;
        batch = { accounts: [], team: [], contacts: [], coverage: [] };
      }
    }
    if (batch.accounts.length > 0) yield batch;
  }
}

/**
 * The demo accounts as batches (one for `small`). Deterministic for the same users, options and
 * `now`. Call generateCustomerGroups with the same seed for the groups the accounts refer to.
 */
export function* generateAccounts(users: readonly AccountSeedUser[], opts: AccountSeedOptions = {}): Generator<AccountBatch> {
  const seed = opts.seed ?? 20261125;
  const gen = new AccountGenerator(people(users), opts.now ?? new Date(), seed, generateCustomerGroups(seed));
  const scale = opts.scale ?? 'small';
  if (scale === 'small') yield gen.small();
  else yield* gen.large(scale.accounts, 1000);
}

/** A PostgreSQL array literal of text values (quoted, NULL for null), for one unnest() parameter. */
function arrayLiteral(values: readonly (string | null)[]): string {
  return `{${values.map((v) => (v === null ? 'NULL' : `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)).join(',')}}`;
}

interface Column<R> {
  name: string;
  /** The column's type; `text[]` columns travel as one array literal per row. */
  type: 'uuid' | 'text' | 'int' | 'timestamptz' | 'text[]';
  value: (row: R) => string | number | Date | readonly string[] | null | undefined;
}

/**
 * One INSERT … SELECT FROM unnest(…) per call: a parameter per column rather than per value, so
 * thousands of rows cost one statement and a handful of parameters (about four times faster than a
 * multi-row VALUES on PostgreSQL at 100,000 accounts).
 */
async function insertUnnest<R>(db: DbOrTx, table: string, columns: readonly Column<R>[], rows: readonly R[]): Promise<void> {
  if (rows.length === 0) return;
  const params = columns.map((c) => {
    const values = rows.map((r) => {
      const v = c.value(r);
      if (v === null || v === undefined) return null;
      if (v instanceof Date) return v.toISOString();
      if (Array.isArray(v)) return arrayLiteral(v as string[]);
      return String(v);
    });
    return sql`${arrayLiteral(values)}::${sql.raw(c.type === 'text[]' ? 'text' : c.type)}[]`;
  });
  const names = columns.map((c) => c.name).join(', ');
  const selects = columns.map((c) => (c.type === 'text[]' ? `t.${c.name}::text[]` : `t.${c.name}`)).join(', ');
  await db.execute(sql`INSERT INTO ${sql.raw(table)} (${sql.raw(names)}) SELECT ${sql.raw(selects)} FROM unnest(${sql.join(params, sql`, `)}) AS t(${sql.raw(names)})`);
}

const ACCOUNT_COLUMNS: readonly Column<AccountInsert>[] = [
  { name: 'id', type: 'uuid', value: (r) => r.id },
  { name: 'name_zh', type: 'text', value: (r) => r.nameZh },
  { name: 'name_en', type: 'text', value: (r) => r.nameEn },
  { name: 'uscc', type: 'text', value: (r) => r.uscc },
  { name: 'kind', type: 'text', value: (r) => r.kind },
  { name: 'industry', type: 'text', value: (r) => r.industry },
  { name: 'province_code', type: 'text', value: (r) => r.provinceCode },
  { name: 'city_code', type: 'text', value: (r) => r.cityCode },
  { name: 'tier', type: 'text', value: (r) => r.tier },
  { name: 'customer_group_id', type: 'uuid', value: (r) => r.customerGroupId },
  { name: 'status', type: 'text', value: (r) => r.status },
  { name: 'parent_id', type: 'uuid', value: (r) => r.parentId },
  { name: 'owner_id', type: 'uuid', value: (r) => r.ownerId },
  { name: 'unit_id', type: 'uuid', value: (r) => r.unitId },
  { name: 'tags', type: 'text[]', value: (r) => r.tags },
  { name: 'created_at', type: 'timestamptz', value: (r) => r.createdAt },
  { name: 'updated_at', type: 'timestamptz', value: (r) => r.updatedAt },
];
const TEAM_COLUMNS: readonly Column<TeamInsert>[] = [
  { name: 'account_id', type: 'uuid', value: (r) => r.accountId },
  { name: 'user_id', type: 'uuid', value: (r) => r.userId },
  { name: 'role', type: 'text', value: (r) => r.role },
  { name: 'added_at', type: 'timestamptz', value: (r) => r.addedAt },
];
const CONTACT_COLUMNS: readonly Column<ContactInsert>[] = [
  { name: 'id', type: 'uuid', value: (r) => r.id },
  { name: 'account_id', type: 'uuid', value: (r) => r.accountId },
  { name: 'name', type: 'text', value: (r) => r.name },
  { name: 'title', type: 'text', value: (r) => r.title },
  { name: 'department', type: 'text', value: (r) => r.department },
  { name: 'level', type: 'text', value: (r) => r.level },
  { name: 'reports_to_id', type: 'uuid', value: (r) => r.reportsToId },
  { name: 'phones', type: 'text[]', value: (r) => r.phones },
  { name: 'emails', type: 'text[]', value: (r) => r.emails },
  { name: 'wechat_id', type: 'text', value: (r) => r.wechatId },
  { name: 'influence', type: 'text', value: (r) => r.influence },
  { name: 'status', type: 'text', value: (r) => r.status },
  { name: 'owner_id', type: 'uuid', value: (r) => r.ownerId },
  { name: 'created_at', type: 'timestamptz', value: (r) => r.createdAt },
  { name: 'updated_at', type: 'timestamptz', value: (r) => r.updatedAt },
];
const COVERAGE_COLUMNS: readonly Column<CoverageInsert>[] = [
  { name: 'id', type: 'uuid', value: (r) => r.id },
  { name: 'account_id', type: 'uuid', value: (r) => r.accountId },
  { name: 'contact_id', type: 'uuid', value: (r) => r.contactId },
  { name: 'user_id', type: 'uuid', value: (r) => r.userId },
  { name: 'relationship_role', type: 'text', value: (r) => r.relationshipRole },
  { name: 'strength', type: 'int', value: (r) => r.strength },
  { name: 'last_touch_at', type: 'timestamptz', value: (r) => r.lastTouchAt },
  { name: 'created_at', type: 'timestamptz', value: (r) => r.createdAt },
  { name: 'updated_at', type: 'timestamptz', value: (r) => r.updatedAt },
];

export interface AccountSeedResult {
  rows: Record<string, number>;
  /** Every account inserted, in insertion order (opportunity seeding hangs deals on them). */
  accountIds: string[];
}

/**
 * Insert customer groups and accounts (with teams, contacts and coverage) in the caller's
 * transaction, one unnest() statement per table and batch of about 1,000 accounts. `onProgress` gets the accounts inserted so far.
 */
export async function seedAccounts(
  tx: DbOrTx,
  users: readonly AccountSeedUser[],
  opts: AccountSeedOptions & { onProgress?: (accounts: number) => void } = {},
): Promise<AccountSeedResult> {
  const groups = generateCustomerGroups(opts.seed ?? 20261125);
  await tx.insert(customerGroups).values(groups);
  const rows = { crm_customer_groups: groups.length, crm_accounts: 0, crm_account_team: 0, crm_contacts: 0, crm_coverage: 0 };
  const accountIds: string[] = [];
  for (const batch of generateAccounts(users, opts)) {
    await insertUnnest(tx, 'crm_accounts', ACCOUNT_COLUMNS, batch.accounts);
    await insertUnnest(tx, 'crm_account_team', TEAM_COLUMNS, batch.team);
    await insertUnnest(tx, 'crm_contacts', CONTACT_COLUMNS, batch.contacts);
    await insertUnnest(tx, 'crm_coverage', COVERAGE_COLUMNS, batch.coverage);
    rows.crm_accounts += batch.accounts.length;
    rows.crm_account_team += batch.team.length;
    rows.crm_contacts += batch.contacts.length;
    rows.crm_coverage += batch.coverage.length;
    for (const a of batch.accounts) accountIds.push(a.id!);
    opts.onProgress?.(rows.crm_accounts);
  }
  return { rows, accountIds };
}
