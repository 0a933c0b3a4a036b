import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import { asc, eq, sql, type SQL } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import type { Locale } from '../../../shared/i18n/resources.ts';
import { whereAll } from '../../platform/access.ts';
import type { ServiceContext } from '../../platform/context.ts';
import { validationError } from '../../platform/http.ts';
import { escapeLike } from '../org/service.ts';
import type { Account, Contact } from './account-contract.ts';
import { listAccounts } from './account-service.ts';
import { accountReadFilter, getVisibleAccount } from './crm-access.ts';
import type { ExportAccountsQuery, ExportContactsQuery, ExportOpportunitiesQuery, FileFormat } from './import-contract.ts';
import {
  ACCOUNT_KIND_WORDS,
  ACCOUNT_STATUS_WORDS,
  ACCOUNT_TIER_WORDS,
  CONTACT_LEVEL_WORDS,
  CONTACT_STATUS_WORDS,
  INFLUENCE_WORDS,
  IMPORT_FIELDS,
  CUSTOM_PREFIX,
  UTF8_BOM,
  csvLines,
  customCell,
} from './import.ts';
import { loadCustomFieldDefinitions } from './custom-field-service.ts';
import type { CustomFieldEntity } from './custom-fields.ts';
import type { Opportunity } from './opportunity-contract.ts';
import { listOpportunities } from './opportunity-service.ts';
import { accounts, contacts } from './schema.ts';
import { toContact } from './contact-service.ts';

/**
 * Exports of the account, contact and deal lists to CSV (UTF-8 with a BOM, so Excel opens Chinese
 * text) or XLSX. Rows come from the same list functions as the API, with the same filters and the
 * same visibility, a page of PAGE_SIZE at a time written straight to the response: memory stays
 * flat however long the list. Headers are the import's labels in the caller's language, so an
 * exported file imports back with the suggested mapping.
 */

const PAGE_SIZE = 200;

export type ExportEntity = 'accounts' | 'contacts' | 'opportunities';

interface Column<T> {
  key: string;
  labels: { zh: string; en: string };
  value: (row: T, locale: Locale) => string;
}

function importLabels(entity: 'account' | 'contact' | 'opportunity', field: string): { zh: string; en: string } {
  return IMPORT_FIELDS[entity].find((f) => f.field === field)!.labels;
}

/** Enum values: the Chinese word for zh-CN readers, the key otherwise (both import back). */
function choice(words: Record<string, string[]>, value: string | null, locale: Locale): string {
  if (value === null) return '';
  return locale === 'zh-CN' ? (words[value]?.[0] ?? value) : value;
}

const text = (v: string | null | undefined) => v ?? '';
const list = (v: readonly string[]) => v.join(', ');

const ACCOUNT_COLUMNS: Column<Account>[] = [
  { key: 'nameZh', labels: importLabels('account', 'nameZh'), value: (a) => a.nameZh },
  { key: 'nameEn', labels: importLabels('account', 'nameEn'), value: (a) => text(a.nameEn) },
  { key: 'shortName', labels: importLabels('account', 'shortName'), value: (a) => text(a.shortName) },
  { key: 'uscc', labels: importLabels('account', 'uscc'), value: (a) => text(a.uscc) },
  { key: 'kind', labels: importLabels('account', 'kind'), value: (a, l) => choice(ACCOUNT_KIND_WORDS, a.kind, l) },
  { key: 'industry', labels: importLabels('account', 'industry'), value: (a) => text(a.industry) },
  { key: 'provinceCode', labels: importLabels('account', 'provinceCode'), value: (a) => text(a.provinceCode) },
  { key: 'cityCode', labels: importLabels('account', 'cityCode'), value: (a) => text(a.cityCode) },
  { key: 'address', labels: importLabels('account', 'address'), value: (a) => text(a.address) },
  { key: 'website', labels: importLabels('account', 'website'), value: (a) => text(a.website) },
  { key: 'tier', labels: importLabels('account', 'tier'), value: (a, l) => choice(ACCOUNT_TIER_WORDS, a.tier, l) },
  { key: 'status', labels: importLabels('account', 'status'), value: (a, l) => choice(ACCOUNT_STATUS_WORDS, a.status, l) },
  { key: 'tags', labels: importLabels('account', 'tags'), value: (a) => list(a.tags) },
  { key: 'notes', labels: importLabels('account', 'notes'), value: (a) => text(a.notes) },
  { key: 'owner', labels: importLabels('account', 'owner'), value: (a) => text(a.ownerName) },
  { key: 'createdAt', labels: { zh: '创建时间', en: 'Created at' }, value: (a) => a.createdAt },
];

type ContactRow = Contact & { accountName: string };

const CONTACT_COLUMNS: Column<ContactRow>[] = [
  { key: 'account', labels: importLabels('contact', 'account'), value: (c) => c.accountName },
  { key: 'name', labels: importLabels('contact', 'name'), value: (c) => c.name },
  { key: 'title', labels: importLabels('contact', 'title'), value: (c) => text(c.title) },
  { key: 'department', labels: importLabels('contact', 'department'), value: (c) => text(c.department) },
  { key: 'level', labels: importLabels('contact', 'level'), value: (c, l) => choice(CONTACT_LEVEL_WORDS, c.level, l) },
  { key: 'phones', labels: importLabels('contact', 'phones'), value: (c) => list(c.phones) },
  { key: 'emails', labels: importLabels('contact', 'emails'), value: (c) => list(c.emails) },
  { key: 'wechatId', labels: importLabels('contact', 'wechatId'), value: (c) => text(c.wechatId) },
  { key: 'influence', labels: importLabels('contact', 'influence'), value: (c, l) => choice(INFLUENCE_WORDS, c.influence, l) },
  { key: 'status', labels: importLabels('contact', 'status'), value: (c, l) => choice(CONTACT_STATUS_WORDS, c.status, l) },
  { key: 'createdAt', labels: { zh: '创建时间', en: 'Created at' }, value: (c) => c.createdAt },
];

const OPPORTUNITY_COLUMNS: Column<Opportunity>[] = [
  { key: 'number', labels: { zh: '商机编号', en: 'Number' }, value: (o) => o.number },
  { key: 'name', labels: importLabels('opportunity', 'name'), value: (o) => o.name },
  { key: 'account', labels: importLabels('opportunity', 'account'), value: (o) => o.accountName },
  { key: 'amount', labels: importLabels('opportunity', 'amount'), value: (o) => o.amount.amount },
  { key: 'currency', labels: importLabels('opportunity', 'currency'), value: (o) => o.amount.currency },
  { key: 'expectedCloseDate', labels: importLabels('opportunity', 'expectedCloseDate'), value: (o) => o.expectedCloseDate },
  { key: 'stageKey', labels: importLabels('opportunity', 'stageKey'), value: (o) => o.stageKey },
  { key: 'probability', labels: importLabels('opportunity', 'probability'), value: (o) => String(o.probability) },
  { key: 'forecastCategory', labels: { zh: '预测类别', en: 'Forecast category' }, value: (o) => o.forecastCategory },
  { key: 'amountCompany', labels: { zh: '本币金额', en: 'Amount (company currency)' }, value: (o) => o.amountCompany.amount },
  { key: 'source', labels: importLabels('opportunity', 'source'), value: (o) => text(o.source) },
  { key: 'nextStep', labels: importLabels('opportunity', 'nextStep'), value: (o) => text(o.nextStep) },
  { key: 'competitors', labels: importLabels('opportunity', 'competitors'), value: (o) => list(o.competitors) },
  { key: 'owner', labels: importLabels('opportunity', 'owner'), value: (o) => o.ownerName },
  { key: 'createdAt', labels: { zh: '创建时间', en: 'Created at' }, value: (o) => o.createdAt },
];

export const EXPORT_COLUMNS = {
  accounts: ACCOUNT_COLUMNS.map((c) => c.key),
  contacts: CONTACT_COLUMNS.map((c) => c.key),
  opportunities: OPPORTUNITY_COLUMNS.map((c) => c.key),
};

/** `custom.<key>` columns for the entity's custom fields (archived ones only when asked for by name). */
async function withCustomColumns<T extends { custom: Record<string, unknown> }>(
  ctx: ServiceContext,
  entity: CustomFieldEntity,
  base: Column<T>[],
  keys: string[] | undefined,
): Promise<Column<T>[]> {
  const defs = await loadCustomFieldDefinitions(ctx.db, entity);
  const custom = defs
    .filter((d) => !d.archived || keys?.includes(`${CUSTOM_PREFIX}${d.key}`))
    .map(
      (d): Column<T> => ({
        key: `${CUSTOM_PREFIX}${d.key}`,
        labels: { zh: d.label.zh, en: d.label.en },
        value: (row, locale) => customCell(d, row.custom[d.key], locale),
      }),
    );
  return [...base, ...custom];
}

function pickColumns<T>(all: Column<T>[], keys: string[] | undefined): Column<T>[] {
  if (!keys) return all;
  const unknown = keys.filter((k) => !all.some((c) => c.key === k));
  if (unknown.length > 0) throw validationError(unknown.map((k) => ({ path: `query.columns.${k}`, message: 'v:unknown_field' })));
  return keys.map((k) => all.find((c) => c.key === k)!);
}

export interface ExportFile {
  fileName: string;
  contentType: string;
  body: Readable;
}

/**
 * Pages of rows → a file stream. The first page is read before the response starts, so a denied
 * or malformed request is still a problem document, not a broken download.
 */
async function toFile<T>(
  entity: ExportEntity,
  format: FileFormat,
  locale: Locale,
  columns: Column<T>[],
  pages: AsyncGenerator<T[]>,
  now: Date,
): Promise<ExportFile> {
  const first = await pages.next();
  const header = columns.map((c) => (locale === 'zh-CN' ? c.labels.zh : c.labels.en));
  const stamp = now.toISOString().slice(0, 10);
  const toRow = (r: T) => columns.map((c) => c.value(r, locale));
  async function* all(): AsyncGenerator<T[]> {
    if (!first.done) yield first.value;
    yield* pages;
  }
  if (format === 'csv') {
    async function* lines(): AsyncGenerator<string> {
      yield UTF8_BOM + csvLines([header]);
      for await (const page of all()) yield csvLines(page.map(toRow));
    }
    return { fileName: `${entity}-${stamp}.csv`, contentType: 'text/csv; charset=utf-8', body: Readable.from(lines()) };
  }
  const out = new PassThrough();
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: true });
  const ws = wb.addWorksheet(entity);
  void (async () => {
    const head = ws.addRow(header);
    head.font = { bold: true };
    head.commit();
    for await (const page of all()) {
      for (const r of page) ws.addRow(toRow(r)).commit();
      // A slow client: wait for the response to take what is written before reading the next page.
      if (out.writableNeedDrain) await once(out, 'drain');
    }
    ws.commit();
    await wb.commit();
  })().catch((err: unknown) => out.destroy(err as Error));
  return { fileName: `${entity}-${stamp}.xlsx`, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', body: out };
}

export async function exportAccounts(ctx: ServiceContext, locale: Locale, q: ExportAccountsQuery): Promise<ExportFile> {
  const { format, columns, ...filters } = q;
  const cols = pickColumns(await withCustomColumns(ctx, 'account', ACCOUNT_COLUMNS, columns), columns);
  async function* pages(): AsyncGenerator<Account[]> {
    let cursor: string | undefined;
    do {
      const page = await listAccounts(ctx, { ...filters, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
      yield page.items;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  return toFile('accounts', format, locale, cols, pages(), ctx.now);
}

export async function exportOpportunities(ctx: ServiceContext, locale: Locale, q: ExportOpportunitiesQuery): Promise<ExportFile> {
  const { format, columns, ...filters } = q;
  const cols = pickColumns(await withCustomColumns(ctx, 'opportunity', OPPORTUNITY_COLUMNS, columns), columns);
  async function* pages(): AsyncGenerator<Opportunity[]> {
    let cursor: string | undefined;
    do {
      const page = await listOpportunities(ctx, { ...filters, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
      yield page.items;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  return toFile('opportunities', format, locale, cols, pages(), ctx.now);
}

/** Contacts of every account the caller can see (or of one), by account name, then contact name. */
export async function exportContacts(ctx: ServiceContext, locale: Locale, q: ExportContactsQuery): Promise<ExportFile> {
  const cols = pickColumns(await withCustomColumns(ctx, 'contact', CONTACT_COLUMNS, q.columns), q.columns);
  if (q.accountId) await getVisibleAccount(ctx, q.accountId);
  const visible = await accountReadFilter(ctx);
  async function* pages(): AsyncGenerator<ContactRow[]> {
    let after: SQL | undefined;
    for (;;) {
      const rows = await ctx.db
        .select({ contact: contacts, accountName: accounts.nameZh })
        .from(contacts)
        .innerJoin(accounts, eq(accounts.id, contacts.accountId))
        .where(
          whereAll(
            visible,
            q.accountId ? eq(contacts.accountId, q.accountId) : undefined,
            q.level ? eq(contacts.level, q.level) : undefined,
            q.status ? eq(contacts.status, q.status) : undefined,
            q.q ? sql`${contacts.name} ILIKE ${`%${escapeLike(q.q)}%`}` : undefined,
            after,
          ),
        )
        .orderBy(asc(accounts.nameZh), asc(contacts.name), asc(contacts.id))
        .limit(PAGE_SIZE);
      yield rows.map((r) => ({ ...toContact(r.contact), accountName: r.accountName }));
      if (rows.length < PAGE_SIZE) return;
      const last = rows[rows.length - 1]!;
      after = sql`(${accounts.nameZh}, ${contacts.name}, ${contacts.id}) > (${last.accountName}, ${last.contact.name}, ${last.contact.id})`;
    }
  }
  return toFile('contacts', q.format, locale, cols, pages(), ctx.now);
}
