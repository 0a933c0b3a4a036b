import type { Role } from '../../shared/roles.ts';
import { createSeededRandom } from '../../shared/seeded-random.ts';
import type { OrgPlan } from '../modules/org/seed.ts';

/**
 * A deterministic, realistic demo company: 云澜软件 (Yunlan Software), a software and services
 * firm selling to governments, banks and manufacturers. Three business groups each with sales and
 * delivery departments; shared R&D that lends engineers; customer service; deal desk; finance.
 * The same seed gives the same company, ids included. `sellers` scales it for benchmarks.
 */

/** The demo's seeded generator (kept under this name for callers of the demo module). */
export const createRng = createSeededRandom;

/** A UUID (version 4 layout) drawn from the seeded generator, so demo ids are reproducible. */
export function seededUuid(rng: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rng() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const SURNAMES: [string, string][] = [
  ['王', 'Wang'], ['李', 'Li'], ['张', 'Zhang'], ['刘', 'Liu'], ['陈', 'Chen'], ['杨', 'Yang'], ['赵', 'Zhao'],
  ['黄', 'Huang'], ['周', 'Zhou'], ['吴', 'Wu'], ['徐', 'Xu'], ['孙', 'Sun'], ['胡', 'Hu'], ['朱', 'Zhu'],
  ['高', 'Gao'], ['林', 'Lin'], ['何', 'He'], ['郭', 'Guo'], ['马', 'Ma'], ['罗', 'Luo'], ['梁', 'Liang'],
  ['宋', 'Song'], ['郑', 'Zheng'], ['谢', 'Xie'], ['韩', 'Han'], ['唐', 'Tang'], ['冯', 'Feng'], ['于', 'Yu'],
];
const GIVEN: [string, string][] = [
  ['伟', 'Wei'], ['芳', 'Fang'], ['娜', 'Na'], ['敏', 'Min'], ['静', 'Jing'], ['磊', 'Lei'], ['洋', 'Yang'],
  ['艳', 'Yan'], ['勇', 'Yong'], ['军', 'Jun'], ['杰', 'Jie'], ['涛', 'Tao'], ['明', 'Ming'], ['超', 'Chao'],
  ['秀英', 'Xiuying'], ['霞', 'Xia'], ['平', 'Ping'], ['刚', 'Gang'], ['建华', 'Jianhua'], ['晓东', 'Xiaodong'],
  ['思远', 'Siyuan'], ['雨涵', 'Yuhan'], ['子轩', 'Zixuan'], ['欣怡', 'Xinyi'], ['浩然', 'Haoran'], ['梓涵', 'Zihan'],
  ['一鸣', 'Yiming'], ['嘉怡', 'Jiayi'], ['志强', 'Zhiqiang'], ['丽娟', 'Lijuan'], ['文博', 'Wenbo'], ['佳琪', 'Jiaqi'],
];

export const DEMO_DOMAIN = 'yunlan.demo';

/**
 * The demo company's profile, the seller block of its quotes. Fictional: the building, the phone
 * number and the bank account do not exist; the credit code is made up (91 = enterprise, 330106 =
 * 杭州市西湖区) with a correct check character, so it passes the check like a real one.
 */
export const DEMO_COMPANY_PROFILE = {
  addressZh: '浙江省杭州市西湖区文三路 100 号云澜大厦 8 层',
  addressEn: '8/F Yunlan Tower, 100 Wensan Road, Xihu District, Hangzhou, Zhejiang, China',
  phone: '0571-8600 0000',
  email: `sales@${DEMO_DOMAIN}`,
  website: 'https://www.yunlan.demo',
  taxId: '91330106MA2YL2026T',
  bankName: '招商银行杭州云澜路支行',
  bankAccount: '5719 0000 0000 2026',
};
export const DEMO_PASSWORD = 'Throughline2026';

export interface DemoCompany extends Omit<OrgPlan, 'passwordHash' | 'effectiveDate'> {
  /** One sign-in per role, for the README and the start banner. */
  logins: { role: Role; email: string; nameZh: string; nameEn: string }[];
}

export interface CompanyOptions {
  seed?: number;
  /** Number of sales reps (default ~18, about 65 people in all; 1,000 for benchmarks). */
  sellers?: number;
}

const BUSINESS_GROUPS = [
  { code: 'GOV', zh: '政企事业群', en: 'Government & Enterprise BG' },
  { code: 'FIN', zh: '金融事业群', en: 'Financial Services BG' },
  { code: 'MFG', zh: '制造与能源事业群', en: 'Manufacturing & Energy BG' },
];
const REGIONS = [
  ['华东', 'East China'], ['华北', 'North China'], ['华南', 'South China'], ['西南', 'Southwest'], ['华中', 'Central China'],
  ['西北', 'Northwest'], ['东北', 'Northeast'],
];

export function generateCompany(opts: CompanyOptions = {}): DemoCompany {
  const rng = createRng(opts.seed ?? 20261125);
  const sellers = opts.sellers ?? 18;
  const repsPerTeam = sellers <= 30 ? 3 : 8;
  const teamsPerBg = Math.max(1, Math.ceil(sellers / (BUSINESS_GROUPS.length * repsPerTeam)));

  const units: DemoCompany['units'] = [];
  const people: DemoCompany['users'] = [];
  const usedEmails = new Set<string>();
  const pick = <T>(list: readonly T[]) => list[Math.floor(rng() * list.length)]!;

  const unit = (code: string, kind: DemoCompany['units'][number]['kind'], nameZh: string, nameEn: string, parentId: string | null) => {
    const u = { id: seededUuid(rng), code, kind, nameZh, nameEn, parentId };
    units.push(u);
    return u;
  };
  const person = (
    unitRef: { id: string },
    managerId: string | null,
    roles: Role[],
    titleZh: string,
    fixedEmail?: string,
  ) => {
    const [sz, se] = pick(SURNAMES);
    const [gz, ge] = pick(GIVEN);
    let email = fixedEmail ?? `${ge.toLowerCase()}.${se.toLowerCase()}@${DEMO_DOMAIN}`;
    for (let n = 2; usedEmails.has(email); n++) email = `${ge.toLowerCase()}.${se.toLowerCase()}${n}@${DEMO_DOMAIN}`;
    usedEmails.add(email);
    const p = {
      id: seededUuid(rng),
      email,
      nameZh: `${sz}${gz}`,
      nameEn: `${ge} ${se}`,
      title: titleZh,
      unitId: unitRef.id,
      managerId,
      roles,
      phone: `+86 139${String(Math.floor(rng() * 1e8)).padStart(8, '0')}`,
      locale: 'zh-CN' as const,
    };
    people.push(p);
    return p;
  };
  const head = (u: { id: string }, p: { id: string }) => {
    const found = units.find((x) => x.id === u.id)!;
    (found as { headUserId?: string }).headUserId = p.id;
  };

  const company = unit('YL', 'company', '云澜软件', 'Yunlan Software', null);
  const ceo = person(company, null, ['executive'], '首席执行官', `ceo@${DEMO_DOMAIN}`);
  head(company, ceo);

  const it = unit('YL-IT', 'department', '信息技术部', 'IT Department', company.id);
  const admin = person(it, ceo.id, ['admin'], '系统管理员', `admin@${DEMO_DOMAIN}`);
  head(it, admin);

  let firstManager: { id: string; email: string } | undefined;
  let firstRep: { id: string; email: string } | undefined;
  let firstPm: { id: string; email: string } | undefined;
  for (const bg of BUSINESS_GROUPS) {
    const bgUnit = unit(`YL-${bg.code}`, 'business_group', bg.zh, bg.en, company.id);
    const bgHead = person(bgUnit, ceo.id, ['executive'], '事业群总裁');
    head(bgUnit, bgHead);

    const sales = unit(`YL-${bg.code}-S`, 'department', `${bg.zh}销售部`, `${bg.en} Sales`, bgUnit.id);
    const director = person(sales, bgHead.id, ['sales_manager'], '销售总监');
    head(sales, director);
    for (let t = 0; t < teamsPerBg; t++) {
      const [rz, re] = REGIONS[t % REGIONS.length]!;
      const suffix = t >= REGIONS.length ? String(Math.floor(t / REGIONS.length) + 1) : '';
      const team = unit(`YL-${bg.code}-S${t + 1}`, 'team', `${rz}${suffix}销售组`, `${re}${suffix ? ' ' + suffix : ''} Sales Team`, sales.id);
      const manager = person(team, director.id, ['sales_manager'], '销售经理', firstManager ? undefined : `manager@${DEMO_DOMAIN}`);
      head(team, manager);
      firstManager ??= manager;
      for (let r = 0; r < repsPerTeam; r++) {
        const rep = person(team, manager.id, ['sales_rep'], '客户经理', firstRep ? undefined : `rep@${DEMO_DOMAIN}`);
        firstRep ??= rep;
      }
    }

    const delivery = unit(`YL-${bg.code}-D`, 'department', `${bg.zh}交付部`, `${bg.en} Delivery`, bgUnit.id);
    const deliveryHead = person(delivery, bgHead.id, ['project_manager', 'resource_manager'], '交付总监');
    head(delivery, deliveryHead);
    for (let p = 0; p < 2; p++) {
      const pm = person(delivery, deliveryHead.id, ['project_manager'], '项目经理', firstPm ? undefined : `pm@${DEMO_DOMAIN}`);
      firstPm ??= pm;
    }
    for (let e = 0; e < 2; e++) person(delivery, deliveryHead.id, ['engineer'], '实施工程师');
  }

  const rd = unit('YL-RD', 'department', '研发中心', 'R&D Center', company.id);
  const rdHead = person(rd, ceo.id, ['resource_manager'], '研发中心总经理', `rd-head@${DEMO_DOMAIN}`);
  head(rd, rdHead);
  let firstEngineer: { id: string; email: string } | undefined;
  for (const [code, zh, en] of [
    ['PLT', '平台研发组', 'Platform Team'],
    ['DATA', '数据智能组', 'Data Intelligence Team'],
  ] as const) {
    const team = unit(`YL-RD-${code}`, 'team', zh, en, rd.id);
    const lead = person(team, rdHead.id, ['resource_manager', 'engineer'], '研发经理');
    head(team, lead);
    for (let e = 0; e < 3; e++) {
      const eng = person(team, lead.id, ['engineer'], '高级工程师', firstEngineer ? undefined : `engineer@${DEMO_DOMAIN}`);
      firstEngineer ??= eng;
    }
  }

  const svc = unit('YL-SVC', 'department', '客户服务中心', 'Customer Service Center', company.id);
  const svcHead = person(svc, ceo.id, ['service_agent', 'resource_manager'], '客服中心经理');
  head(svc, svcHead);
  let firstAgent: { id: string; email: string } | undefined;
  for (let a = 0; a < 4; a++) {
    const agent = person(svc, svcHead.id, ['service_agent'], '客服专员', firstAgent ? undefined : `agent@${DEMO_DOMAIN}`);
    firstAgent ??= agent;
  }

  const desk = unit('YL-DESK', 'department', '商务部', 'Deal Desk', company.id);
  const deskHead = person(desk, ceo.id, ['deal_desk'], '商务经理', `dealdesk@${DEMO_DOMAIN}`);
  head(desk, deskHead);
  person(desk, deskHead.id, ['deal_desk'], '商务专员');

  const fin = unit('YL-ACC', 'department', '财务部', 'Finance', company.id);
  const finHead = person(fin, ceo.id, ['finance'], '财务经理', `finance@${DEMO_DOMAIN}`);
  head(fin, finHead);
  person(fin, finHead.id, ['finance'], '会计');

  const byEmail = (email: string) => people.find((p) => p.email === email)!;
  const login = (role: Role, email: string) => {
    const p = byEmail(email);
    return { role, email, nameZh: p.nameZh, nameEn: p.nameEn };
  };
  return {
    units,
    users: people,
    logins: [
      login('admin', `admin@${DEMO_DOMAIN}`),
      login('executive', `ceo@${DEMO_DOMAIN}`),
      login('sales_manager', `manager@${DEMO_DOMAIN}`),
      login('sales_rep', `rep@${DEMO_DOMAIN}`),
      login('deal_desk', `dealdesk@${DEMO_DOMAIN}`),
      login('finance', `finance@${DEMO_DOMAIN}`),
      login('project_manager', `pm@${DEMO_DOMAIN}`),
      login('resource_manager', `rd-head@${DEMO_DOMAIN}`),
      login('engineer', `engineer@${DEMO_DOMAIN}`),
      login('service_agent', `agent@${DEMO_DOMAIN}`),
    ],
  };
}
