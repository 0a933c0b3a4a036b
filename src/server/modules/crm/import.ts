import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { z } from 'zod';
import type { Locale } from '../../../shared/i18n/resources.ts';
import { CreateAccountBody, CreateContactBody, UpdateAccountBody, UpdateContactBody } from './account-contract.ts';
import { normalizeAccountName } from './account-names.ts';
import type { FileFormat, ImportEntity, ImportFieldInfo, ImportMapping } from './import-contract.ts';
import { type CustomFieldDefinition, buildCustomValuesSchema } from './custom-fields.ts';
import { CreateOpportunityBody, UpdateOpportunityBody } from './opportunity-contract.ts';
import { getProvince, listCities, listProvinces } from './region.ts';
import { normalizeUscc, validateUscc } from '../../../shared/uscc.ts';

/**
 * The pure half of CRM import and export: bytes → text (encoding detection), text or a workbook →
 * a table, headers → a suggested field mapping, a row → the same create body the API takes
 * (validated by the API's own Zod schemas, so a row fails exactly where the API would), and
 * tables → CSV/XLSX files. No database, no clock.
 */

// ── Decoding ────────────────────────────────────────────────────────────────────────────────────

export type Decoded = { ok: true; text: string; encoding: string } | { ok: false; tried: string[]; reason: 'binary' | 'undecodable' };

function decodeStrict(label: string, bytes: Uint8Array): string | null {
  try {
    return new TextDecoder(label, { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** Control characters other than tab, CR and LF, and U+FFFD: a text file has none of them. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const NOT_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFD]/;
/** GB18030 maps user-defined byte ranges to the Private Use Area; a real GBK file never uses them. */
const PRIVATE_USE = /[\uE000-\uF8FF]/;

/**
 * Decode a text file: a BOM decides (UTF-8, UTF-16 LE/BE); otherwise strict UTF-8, then strict
 * GB18030 (a superset of GBK and GB2312, what Excel on a Chinese Windows writes). Anything that is
 * neither, or that decodes to control characters or private-use code points, is refused: guessing
 * would store mojibake.
 */
export function decodeText(bytes: Uint8Array): Decoded {
  const bom = (...b: number[]) => b.every((v, i) => bytes[i] === v);
  let attempt: { label: string; name: string; skip: number }[];
  if (bom(0xef, 0xbb, 0xbf)) attempt = [{ label: 'utf-8', name: 'utf-8-bom', skip: 3 }];
  else if (bom(0xff, 0xfe)) attempt = [{ label: 'utf-16le', name: 'utf-16le', skip: 2 }];
  else if (bom(0xfe, 0xff)) attempt = [{ label: 'utf-16be', name: 'utf-16be', skip: 2 }];
  else
    attempt = [
      { label: 'utf-8', name: 'utf-8', skip: 0 },
      { label: 'gb18030', name: 'gb18030', skip: 0 },
    ];
  const tried = attempt.map((a) => a.name);
  if (attempt.length > 1 && bytes.includes(0)) return { ok: false, tried, reason: 'binary' };
  for (const a of attempt) {
    const text = decodeStrict(a.label, bytes.subarray(a.skip));
    if (text === null || NOT_TEXT.test(text)) continue;
    if (a.label === 'gb18030' && PRIVATE_USE.test(text)) continue;
    return { ok: true, text, encoding: a.name };
  }
  return { ok: false, tried, reason: 'undecodable' };
}

/** XLSX files are ZIP archives; anything else is read as delimited text. */
export function detectFormat(bytes: Uint8Array): FileFormat {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04 ? 'xlsx' : 'csv';
}

// ── Tables ──────────────────────────────────────────────────────────────────────────────────────

export interface Table {
  columns: string[];
  /** Data rows (the header excluded), each as long as `columns`; `line` is the 1-based row in the file. */
  rows: { line: number; cells: string[] }[];
}

/** Text → rows with papaparse (delimiter sniffed: comma, semicolon, tab). */
export function parseCsv(text: string): string[][] {
  const res = Papa.parse<string[]>(text, { skipEmptyLines: false, delimitersToGuess: [',', ';', '\t', '|'] });
  return res.data.map((r) => r.map((c) => String(c ?? '')));
}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    // Excel dates carry no zone; exceljs reads them as UTC midnight.
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('text' in value && typeof value.text === 'string') return value.text;
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
    if ('error' in value) return '';
    return '';
  }
  return String(value);
}

/** The first worksheet as rows of text (rich text flattened, dates as YYYY-MM-DD, formulas as their results). */
export async function parseXlsx(bytes: Uint8Array): Promise<string[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as ExcelJS.Buffer);
  const sheet = wb.worksheets[0];
  if (!sheet) return [];
  const out: string[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row, n) => {
    const cells: string[] = [];
    for (let c = 1; c <= sheet.columnCount; c++) cells.push(cellText(row.getCell(c).value));
    out[n - 1] = cells;
  });
  for (let i = 0; i < out.length; i++) out[i] ??= [];
  return out;
}

/**
 * Rows → header + data rows. Leading blank rows are skipped (the header is the first non-blank
 * row); blank data rows are dropped but the others keep their line numbers; a repeated header gets
 * a suffix (`电话 (2)`) so every column can be mapped.
 */
export function toTable(raw: string[][]): Table | null {
  const isBlank = (r: string[]) => r.every((c) => c.trim() === '');
  const headerIndex = raw.findIndex((r) => !isBlank(r));
  if (headerIndex < 0) return null;
  const header = raw[headerIndex]!.map((h) => h.replace(/^\uFEFF/, '').trim());
  while (header.length > 0 && header[header.length - 1] === '') header.pop();
  if (header.length === 0) return null;
  const seen = new Map<string, number>();
  const columns = header.map((h, i) => {
    const base = h === '' ? `#${i + 1}` : h;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base} (${n})`;
  });
  const rows: Table['rows'] = [];
  for (let i = headerIndex + 1; i < raw.length; i++) {
    const r = raw[i]!;
    if (isBlank(r)) continue;
    rows.push({ line: i + 1, cells: columns.map((_, c) => (r[c] ?? '').trim()) });
  }
  return { columns, rows };
}

// ── Fields ──────────────────────────────────────────────────────────────────────────────────────

type FieldKind = 'text' | 'enum' | 'list' | 'date' | 'amount' | 'currency' | 'int' | 'uscc' | 'region' | 'ref' | 'custom';

export interface FieldSpec {
  field: string;
  required: boolean;
  labels: { zh: string; en: string };
  /** Other headers that mean this field (compared after normalizing case, width and spaces). */
  aliases: string[];
  kind: FieldKind;
  /** Enum values and their zh/en words. */
  choices?: Record<string, string[]>;
  /** For `custom.<key>` fields: the custom-field definition. */
  definition?: CustomFieldDefinition;
}

const f = (field: string, kind: FieldKind, zh: string, en: string, aliases: string[] = [], required = false, choices?: Record<string, string[]>): FieldSpec => ({
  field,
  required,
  labels: { zh, en },
  aliases,
  kind,
  ...(choices ? { choices } : {}),
});

export const ACCOUNT_KIND_WORDS: Record<string, string[]> = {
  enterprise: ['企业', '民营企业', '私营企业'],
  state_owned: ['国有企业', '国企', 'state-owned', 'soe'],
  government: ['政府', '政府机关', '机关', 'gov'],
  education: ['教育', '学校', '高校'],
  healthcare: ['医疗', '医院', '卫生'],
  other: ['其他', '其它'],
};
export const ACCOUNT_TIER_WORDS: Record<string, string[]> = {
  strategic: ['战略', '战略客户'],
  key: ['重点', '重点客户', '重要'],
  standard: ['标准', '普通', '一般'],
  small: ['小型', '小客户'],
};
export const ACCOUNT_STATUS_WORDS: Record<string, string[]> = {
  prospect: ['潜在', '潜在客户', '线索'],
  customer: ['客户', '成交客户', '已签约'],
  former: ['流失', '流失客户', '前客户'],
};
export const CONTACT_LEVEL_WORDS: Record<string, string[]> = {
  decision: ['决策层', '决策', '决策者'],
  management: ['管理层', '管理'],
  execution: ['执行层', '执行'],
};
export const INFLUENCE_WORDS: Record<string, string[]> = {
  champion: ['倡导者', '拥护者', '教练'],
  supporter: ['支持者', '支持'],
  neutral: ['中立'],
  blocker: ['反对者', '阻碍者', '反对'],
};
export const CONTACT_STATUS_WORDS: Record<string, string[]> = {
  active: ['在职', '有效'],
  left: ['离职', '已离职'],
};

const ACCOUNT_FIELDS: FieldSpec[] = [
  f('nameZh', 'text', '客户名称', 'Account name', ['名称', '公司名称', '企业名称', '单位名称', '客户', '中文名称', 'name', 'company', 'company name', 'account', 'name zh'], true),
  f('nameEn', 'text', '英文名称', 'English name', ['name en', '英文名']),
  f('shortName', 'text', '简称', 'Short name', ['客户简称', '公司简称']),
  f('uscc', 'uscc', '统一社会信用代码', 'USCC', ['信用代码', '社会信用代码', '统一代码', 'credit code', 'unified social credit code']),
  f('kind', 'enum', '客户类型', 'Kind', ['类型', '单位性质', '企业性质', 'type', 'account type'], true, ACCOUNT_KIND_WORDS),
  f('industry', 'text', '行业', 'Industry', ['所属行业']),
  f('provinceCode', 'region', '省份', 'Province', ['省', '省份代码', '省/直辖市', 'province code']),
  f('cityCode', 'region', '城市', 'City', ['市', '城市代码', 'city code']),
  f('address', 'text', '地址', 'Address', ['详细地址', '办公地址']),
  f('website', 'text', '网站', 'Website', ['网址', '官网', 'url']),
  f('tier', 'enum', '客户等级', 'Tier', ['等级', '级别', 'level'], false, ACCOUNT_TIER_WORDS),
  f('status', 'enum', '客户状态', 'Status', ['状态'], false, ACCOUNT_STATUS_WORDS),
  f('tags', 'list', '标签', 'Tags', ['tag']),
  f('notes', 'text', '备注', 'Notes', ['说明', 'note', 'remarks', 'comment']),
  f('owner', 'ref', '负责人', 'Owner', ['销售', '客户负责人', '负责人邮箱', 'owner email', 'sales rep', 'owner name']),
];

const CONTACT_FIELDS: FieldSpec[] = [
  f('account', 'ref', '所属客户', 'Account', ['客户名称', '客户', '公司', '公司名称', '单位', 'account name', 'company', 'company name'], true),
  f('name', 'text', '姓名', 'Name', ['联系人', '联系人姓名', '名字', 'contact', 'contact name', 'full name'], true),
  f('title', 'text', '职务', 'Title', ['职位', 'job title', 'position']),
  f('department', 'text', '部门', 'Department', ['dept']),
  f('level', 'enum', '层级', 'Level', ['级别', '决策层级'], true, CONTACT_LEVEL_WORDS),
  f('phones', 'list', '电话', 'Phones', ['手机', '手机号', '手机号码', '电话号码', '联系电话', 'phone', 'mobile', 'tel']),
  f('emails', 'list', '邮箱', 'Emails', ['电子邮件', '电子邮箱', 'email', 'e-mail', 'mail']),
  f('wechatId', 'text', '微信', 'WeChat ID', ['微信号', 'wechat']),
  f('influence', 'enum', '影响力', 'Influence', ['态度', '立场'], false, INFLUENCE_WORDS),
  f('status', 'enum', '状态', 'Status', ['在职状态'], false, CONTACT_STATUS_WORDS),
];

const OPPORTUNITY_FIELDS: FieldSpec[] = [
  f('name', 'text', '商机名称', 'Opportunity name', ['名称', '项目名称', '机会名称', 'name', 'opportunity', 'deal', 'deal name'], true),
  f('account', 'ref', '客户名称', 'Account', ['客户', '所属客户', '公司', '公司名称', 'account name', 'company'], true),
  f('amount', 'amount', '金额', 'Amount', ['商机金额', '预计金额', '合同金额', 'deal amount', 'value']),
  f('currency', 'currency', '币种', 'Currency', ['货币', 'ccy']),
  f('expectedCloseDate', 'date', '预计成交日期', 'Expected close date', ['成交日期', '预计签约日期', '结单日期', 'close date'], true),
  f('stageKey', 'text', '阶段', 'Stage', ['销售阶段', '商机阶段', 'stage key']),
  f('probability', 'int', '赢率', 'Probability', ['成交概率', '概率', 'win rate', 'probability %']),
  f('source', 'text', '来源', 'Source', ['商机来源', 'lead source']),
  f('nextStep', 'text', '下一步', 'Next step', ['下一步计划', 'next steps']),
  f('competitors', 'list', '竞争对手', 'Competitors', ['竞品', 'competitor']),
  f('owner', 'ref', '负责人', 'Owner', ['销售', '商机负责人', '负责人邮箱', 'owner email', 'sales rep', 'owner name']),
];
// Amount is required by the API; it is listed as required here too.
OPPORTUNITY_FIELDS.find((x) => x.field === 'amount')!.required = true;

export const IMPORT_FIELDS: Record<ImportEntity, readonly FieldSpec[]> = {
  account: ACCOUNT_FIELDS,
  contact: CONTACT_FIELDS,
  opportunity: OPPORTUNITY_FIELDS,
};

/** The prefix of custom-field columns and mapping keys: `custom.<key>`. */
export const CUSTOM_PREFIX = 'custom.';

/** Import fields for the entity's active custom fields (archived ones are read-only). */
export function customFieldSpecs(definitions: readonly CustomFieldDefinition[]): FieldSpec[] {
  return definitions
    .filter((d) => !d.archived)
    .map((d) => ({
      field: `${CUSTOM_PREFIX}${d.key}`,
      required: d.required,
      labels: { zh: d.label.zh, en: d.label.en },
      aliases: [d.key],
      kind: 'custom' as const,
      definition: d,
    }));
}

export function specsOf(entity: ImportEntity, custom: readonly CustomFieldDefinition[] = []): FieldSpec[] {
  return [...IMPORT_FIELDS[entity], ...customFieldSpecs(custom)];
}

export function fieldInfo(entity: ImportEntity, custom: readonly CustomFieldDefinition[] = []): ImportFieldInfo[] {
  return specsOf(entity, custom).map((s) => ({ field: s.field, required: s.required, labels: s.labels }));
}

/** Headers compared without case, width, spaces, punctuation and a trailing `*` (required marks). */
export function normalizeHeader(h: string): string {
  return h
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_\-*:：()（）[\]【】/.]+/g, '');
}

/** For each field, the first column whose header is its label or one of its aliases; a column serves one field. */
export function suggestMapping(entity: ImportEntity, columns: readonly string[], custom: readonly CustomFieldDefinition[] = []): Record<string, string> {
  const taken = new Set<string>();
  const out: Record<string, string> = {};
  const byNorm = columns.map((c) => ({ c, n: normalizeHeader(c) }));
  // Labels first (exact), then aliases, so "客户名称" goes to the field whose label it is.
  for (const pass of ['label', 'alias'] as const) {
    for (const spec of specsOf(entity, custom)) {
      if (out[spec.field]) continue;
      const names = pass === 'label' ? [spec.labels.zh, spec.labels.en, spec.field] : spec.aliases;
      const wanted = new Set(names.map(normalizeHeader));
      const hit = byNorm.find((x) => !taken.has(x.c) && wanted.has(x.n));
      if (hit) {
        out[spec.field] = hit.c;
        taken.add(hit.c);
      }
    }
  }
  return out;
}

export interface MappingIssue {
  path: string;
  message: string;
}

/** Known fields, existing columns, every required field mapped, no column mapped twice. */
export function checkMapping(
  entity: ImportEntity,
  mapping: ImportMapping,
  columns: readonly string[],
  custom: readonly CustomFieldDefinition[] = [],
): MappingIssue[] {
  const issues: MappingIssue[] = [];
  const specs = new Map(specsOf(entity, custom).map((s) => [s.field, s]));
  const cols = new Set(columns);
  const used = new Map<string, string>();
  for (const [field, column] of Object.entries(mapping)) {
    if (!specs.has(field)) issues.push({ path: `mapping.${field}`, message: 'v:unknown_field' });
    else if (!cols.has(column)) issues.push({ path: `mapping.${field}`, message: 'v:import_unknown_column' });
    else if (used.has(column)) issues.push({ path: `mapping.${field}`, message: 'v:import_column_twice' });
    used.set(column, field);
  }
  for (const spec of specs.values()) {
    if (spec.required && !mapping[spec.field]) issues.push({ path: `mapping.${spec.field}`, message: 'v:required' });
  }
  return issues;
}

// ── Rows → records ──────────────────────────────────────────────────────────────────────────────

export interface CellIssue {
  field: string;
  /** `v:<key>` from the validation catalogue, or a message already in the user's language. */
  message: string;
  code: string;
}

export interface RowRecord {
  /** Values as the create body takes them, for the mapped, non-empty cells only (before defaults). */
  input: Record<string, unknown>;
  /** The create body after the API's schema (defaults applied), when the row is valid. */
  body: Record<string, unknown> | null;
  /**
   * References the service resolves: the account (name or USCC), the owner (email or name), and
   * people named by user-reference custom fields (by key).
   */
  refs: { account?: string; owner?: string; users?: Record<string, string> };
  issues: CellIssue[];
}

const LIST_SEPARATORS = /[,，;；、|\n]+/;

export function splitList(value: string): string[] {
  return value
    .split(LIST_SEPARATORS)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function choiceOf(spec: FieldSpec, value: string): string | null {
  const n = normalizeHeader(value);
  for (const [key, words] of Object.entries(spec.choices ?? {})) {
    if (normalizeHeader(key) === n || words.some((w) => normalizeHeader(w) === n)) return key;
  }
  return null;
}

/** YYYY-MM-DD from 2026-3-5, 2026/03/05, 2026.3.5 or 2026年3月5日; null when it is none of them. */
export function normalizeDate(value: string): string | null {
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]00:00(?::00(?:\.000)?)?Z?)?$/.exec(value.trim());
  if (!m) return null;
  return `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
}

/** "¥1,234.50", "1 234.5", "１２３４" → "1234.50" style decimal strings; others are returned as given (the schema says why). */
export function normalizeAmount(value: string): string {
  return value
    .normalize('NFKC')
    .replace(/^[¥$€£]|元$/g, '')
    .replace(/[,\s]/g, '');
}

function regionCode(field: 'provinceCode' | 'cityCode', value: string, provinceCode: string | undefined): string {
  if (/^\d{6}$/.test(value)) return value;
  const n = value.replace(/(省|市|自治区|特别行政区|壮族|回族|维吾尔)$/g, '');
  if (field === 'provinceCode') {
    const p = listProvinces().find((x) => x.name.zh === value || x.name.zh.startsWith(n));
    return p ? p.code : value;
  }
  if (provinceCode && getProvince(provinceCode)) {
    const c = listCities(provinceCode).find((x) => x.name.zh === value || x.name.zh.startsWith(n));
    if (c) return c.code;
  }
  return value;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const PENDING_USER = '00000000-0000-4000-8000-000000000000';

function optionKey(def: CustomFieldDefinition, value: string): string {
  const n = normalizeHeader(value);
  const hit = (def.options ?? []).find((o) => normalizeHeader(o.key) === n || normalizeHeader(o.label.zh) === n || normalizeHeader(o.label.en) === n);
  return hit ? hit.key : value;
}

/** A custom-field cell → the value the API takes; what cannot be read is passed on for the schema to name. */
function customValue(def: CustomFieldDefinition, v: string, defaultCurrency: string): unknown {
  switch (def.type) {
    case 'text':
    case 'user_ref':
      return v;
    case 'number': {
      const n = normalizeAmount(v);
      return /^-?\d+(\.\d+)?$/.test(n) ? Number(n) : v;
    }
    case 'decimal_money': {
      const m = /^([A-Za-z]{3})\s*[: ]?\s*(.+)$/.exec(v.trim());
      return m ? { amount: normalizeAmount(m[2]!), currency: m[1]!.toUpperCase() } : { amount: normalizeAmount(v), currency: def.currency ?? defaultCurrency };
    }
    case 'date':
      return normalizeDate(v) ?? v;
    case 'single_select':
      return optionKey(def, v);
    case 'multi_select':
      return splitList(v).map((x) => optionKey(def, x));
  }
}

/** A stored custom value as a cell: option labels for Chinese readers (keys otherwise), money as "CNY 12.50". */
export function customCell(def: CustomFieldDefinition, value: unknown, locale: Locale): string {
  if (value === undefined || value === null) return '';
  const label = (key: string) => {
    const o = (def.options ?? []).find((x) => x.key === key);
    return o && locale === 'zh-CN' ? o.label.zh : key;
  };
  if (def.type === 'single_select' && typeof value === 'string') return label(value);
  if (def.type === 'multi_select' && Array.isArray(value)) return value.map((k) => label(String(k))).join(', ');
  if (def.type === 'decimal_money' && typeof value === 'object') {
    const m = value as { amount: string; currency: string };
    return def.currency ? m.amount : `${m.currency} ${m.amount}`;
  }
  return String(value);
}

/** Exported values that start like a formula are written with a leading `'`; strip it on the way back. */
export function unescapeCell(value: string): string {
  return /^'[=+\-@]/.test(value) ? value.slice(1) : value;
}

const zodLocales: Record<Locale, z.core.$ZodErrorMap> = {
  en: z.locales.en().localeError,
  'zh-CN': z.locales.zhCN().localeError,
};

const CREATE_SCHEMAS: Record<ImportEntity, z.ZodType> = {
  account: CreateAccountBody,
  contact: CreateContactBody,
  // The account and owner come from references the service resolves.
  opportunity: CreateOpportunityBody.omit({ accountId: true, ownerId: true }),
};

const UPDATE_SCHEMAS: Record<ImportEntity, z.ZodType> = {
  account: UpdateAccountBody,
  contact: UpdateContactBody,
  opportunity: UpdateOpportunityBody,
};

/** Which import field a body path belongs to (`amount.currency` → currency). */
function fieldOfPath(entity: ImportEntity, path: readonly PropertyKey[]): string {
  const head = String(path[0] ?? '');
  if (head === 'custom' && path.length > 1) return `${CUSTOM_PREFIX}${String(path[1])}`;
  if (entity === 'opportunity' && head === 'amount') return path[1] === 'currency' ? 'currency' : 'amount';
  return head;
}

function issueFrom(entity: ImportEntity, issue: z.core.$ZodIssue): CellIssue {
  const message = issue.message;
  return { field: fieldOfPath(entity, issue.path), message, code: message.startsWith('v:') ? message.slice(2) : issue.code };
}

/**
 * One row → the API's create body. Cells are read by the mapping; empty cells are left out (the
 * API's defaults apply); enum cells take the key or its zh/en word; lists split on , ， ; ； 、 |.
 * Then the API's own schema validates, and every problem of the row is returned (not just the first).
 */
export function toRecord(
  entity: ImportEntity,
  mapping: ImportMapping,
  columns: readonly string[],
  cells: readonly string[],
  opts: { locale: Locale; defaultCurrency: string; custom?: readonly CustomFieldDefinition[] },
): RowRecord {
  const issues: CellIssue[] = [];
  const input: Record<string, unknown> = {};
  const refs: RowRecord['refs'] = {};
  const cell = (field: string): string | undefined => {
    const col = mapping[field];
    if (col === undefined) return undefined;
    const i = columns.indexOf(col);
    const v = i < 0 ? '' : unescapeCell(cells[i] ?? '').trim();
    return v === '' ? undefined : v;
  };
  let amount: string | undefined;
  let currency: string | undefined;
  const custom: Record<string, unknown> = {};
  for (const spec of specsOf(entity, opts.custom ?? [])) {
    const v = cell(spec.field);
    if (v === undefined) continue;
    switch (spec.kind) {
      case 'text':
        input[spec.field] = v;
        break;
      case 'enum': {
        const key = choiceOf(spec, v);
        if (key) input[spec.field] = key;
        else issues.push({ field: spec.field, message: 'v:unknown_option', code: 'unknown_option' });
        break;
      }
      case 'list':
        input[spec.field] = spec.field === 'emails' ? splitList(v).map((e) => e.toLowerCase()) : splitList(v);
        break;
      case 'date':
        input[spec.field] = normalizeDate(v) ?? v;
        break;
      case 'amount':
        amount = normalizeAmount(v);
        break;
      case 'currency':
        currency = v.toUpperCase();
        break;
      case 'int': {
        const s = v.replace(/%$/, '').trim();
        input[spec.field] = /^\d+$/.test(s) ? Number(s) : s;
        break;
      }
      case 'uscc': {
        input[spec.field] = v;
        const res = validateUscc(v);
        if (!res.ok) issues.push({ field: spec.field, message: `v:uscc_${res.reason}`, code: `uscc_${res.reason}` });
        break;
      }
      case 'region':
        input[spec.field] = regionCode(spec.field as 'provinceCode' | 'cityCode', v, input['provinceCode'] as string | undefined);
        break;
      case 'ref':
        refs[spec.field as 'account' | 'owner'] = v;
        break;
      case 'custom': {
        const def = spec.definition!;
        if (def.type === 'user_ref' && !UUID.test(v)) {
          (refs.users ??= {})[def.key] = v;
          // Validated with a stand-in id until the service has found the person.
          custom[def.key] = PENDING_USER;
        } else custom[def.key] = customValue(def, v, opts.defaultCurrency);
        break;
      }
    }
  }
  if (Object.keys(custom).length > 0) input['custom'] = custom;
  if (amount !== undefined || currency !== undefined) {
    input['amount'] = { amount: amount ?? '', currency: currency ?? opts.defaultCurrency };
  }
  const res = CREATE_SCHEMAS[entity].safeParse(input, { error: zodLocales[opts.locale] });
  const seen = new Set(issues.map((i) => i.field));
  if (!res.success) {
    for (const issue of res.error.issues) {
      const ci = issueFrom(entity, issue);
      // An enum cell already reported as unknown is not reported twice.
      if (seen.has(ci.field) && issues.some((x) => x.field === ci.field && x.code === 'unknown_option')) continue;
      issues.push(ci);
    }
  }
  const customDefs = opts.custom ?? [];
  if (customDefs.length > 0) {
    const checked = buildCustomValuesSchema(customDefs).safeParse(custom, { error: zodLocales[opts.locale] });
    if (!checked.success) {
      for (const issue of checked.error.issues) {
        const key = issue.path.length > 0 ? String(issue.path[0]) : '';
        issues.push({ field: `${CUSTOM_PREFIX}${key}`, message: issue.message, code: issue.message.startsWith('v:') ? issue.message.slice(2) : issue.code });
      }
    }
  }
  if (entity === 'account') {
    const province = input['provinceCode'];
    const city = input['cityCode'];
    if (typeof city === 'string' && province === undefined) issues.push({ field: 'provinceCode', message: 'v:required', code: 'required' });
    else if (typeof province === 'string' && /^\d{6}$/.test(province)) {
      if (!getProvince(province)) issues.push({ field: 'provinceCode', message: 'v:unknown_region', code: 'unknown_region' });
      else if (typeof city === 'string' && /^\d{6}$/.test(city)) {
        const known = listCities(province).some((c) => c.code === city);
        if (!known) issues.push({ field: 'cityCode', message: 'v:city_not_in_province', code: 'city_not_in_province' });
      }
    }
  }
  return { input, body: res.success && issues.length === 0 ? (res.data as Record<string, unknown>) : null, refs, issues };
}

/** The update body for an existing record from the same row: only the mapped, non-empty cells. */
export function toUpdateBody(entity: ImportEntity, input: Record<string, unknown>, version: number): { ok: true; body: Record<string, unknown> } | { ok: false } {
  const res = UPDATE_SCHEMAS[entity].safeParse({ ...input, version });
  return res.success ? { ok: true, body: res.data as Record<string, unknown> } : { ok: false };
}

// ── Dedupe keys ─────────────────────────────────────────────────────────────────────────────────

/** Accounts are the same customer when their USCCs are. */
export function accountDedupeKey(body: { uscc?: unknown }): string | null {
  if (typeof body.uscc !== 'string') return null;
  const res = validateUscc(body.uscc);
  return res.ok ? res.code : null;
}

export function nameKey(name: string): string {
  return normalizeAccountName(name);
}

export function phoneKey(phone: string): string {
  return phone.replace(/\D/g, '').replace(/^86(?=1\d{10}$)/, '');
}

/**
 * Contacts are the same person when, in the same account, they have the same name or share a
 * phone number or an email address.
 */
export function contactDedupeKeys(accountId: string, body: { name?: unknown; phones?: unknown; emails?: unknown }): string[] {
  const keys: string[] = [];
  if (typeof body.name === 'string') keys.push(`${accountId}|n|${nameKey(body.name)}`);
  for (const p of Array.isArray(body.phones) ? (body.phones as string[]) : []) keys.push(`${accountId}|p|${phoneKey(p)}`);
  for (const e of Array.isArray(body.emails) ? (body.emails as string[]) : []) keys.push(`${accountId}|e|${e.toLowerCase()}`);
  return keys;
}

/** Deals are the same when they have the same name on the same account. */
export function opportunityDedupeKey(accountId: string, name: string): string {
  return `${accountId}|${nameKey(name)}`;
}

export { normalizeUscc };

// ── Files out ───────────────────────────────────────────────────────────────────────────────────

/** A leading `'` stops Excel and WPS from running a cell as a formula (CSV injection). */
export function escapeCell(value: string): string {
  return /^[=@]/.test(value) || /^[+-][^\d\s]/.test(value) ? `'${value}` : value;
}

/** CSV lines (RFC 4180, CRLF) for rows; the caller writes the BOM once before the first line. */
export function csvLines(rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '';
  return `${Papa.unparse(rows.map((r) => r.map(escapeCell)) as string[][], { newline: '\r\n', quotes: false })}\r\n`;
}

/** UTF-8 with a BOM, so Excel on Windows opens Chinese text correctly. */
export const UTF8_BOM = '\uFEFF';

/** A whole small table as an XLSX workbook (error reports; exports stream instead). */
export async function xlsxBuffer(sheetName: string, rows: readonly (readonly string[])[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheetName);
  for (const r of rows) ws.addRow([...r]);
  if (rows.length > 0) ws.getRow(1).font = { bold: true };
  return Buffer.from(await wb.xlsx.writeBuffer());
}
