import { getColumns, isBlankRow, type CellOut, type SheetOut, type SheetRows } from '../catalog/workbook.ts';
import { normalizeDecimal } from '../catalog/price-book-xlsx.ts';
import type { RuleDefinition } from './contract.ts';
import { COMBINE_POLICIES, PRICING_PHASES, TIER_MODES, isLocalDate, type CombinePolicy, type PricingPhase, type TierMode } from './pricing-rule.ts';

/**
 * Pricing rules as a workbook, the way pricing teams keep them: sheet `Rules` (one row per rule,
 * scopes named by SKU and group codes, amounts as "CNY 200; USD 30") and sheet `Tiers` (one row
 * per band of a tier rule). Import reads the same layout back and reports every problem with its
 * sheet, row and column; the service compiles each rule with the engine and applies all or nothing.
 */

export const RULE_SHEET = 'Rules';
export const RULE_TIER_SHEET = 'Tiers';
const RULE_COLUMNS = [
  'Code',
  'Name',
  'Phase',
  'Priority',
  'Combine',
  'Product scope',
  'Product',
  'Customer scope',
  'Customer',
  'Condition',
  'Valid from',
  'Valid to',
  'Action',
  'Percent',
  'Amounts',
  'Min margin %',
  'Free product',
  'Free quantity',
  'Per quantity',
  'Tier basis',
  'Tier mode',
  'Tier value',
] as const;
const TIER_COLUMNS = ['Code', 'From quantity', 'Percent', 'Amounts'] as const;

/** Ids ↔ the codes people read in a sheet. */
export interface RuleSheetNames {
  productSku(id: string): string | undefined;
  productId(sku: string): string | undefined;
  groupCode(id: string): string | undefined;
  groupId(code: string): string | undefined;
  customerGroupCode(id: string): string | undefined;
  customerGroupId(code: string): string | undefined;
}

export function formatAmounts(amounts: Record<string, string> | undefined): string {
  return amounts ? Object.entries(amounts).map(([c, v]) => `${c} ${v}`).join('; ') : '';
}

/** "CNY 200; USD 30" → { CNY: "200", USD: "30" }, or null when it does not read. */
export function parseAmounts(text: string): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (const part of text.split(/[;；\n]/).map((p) => p.trim()).filter(Boolean)) {
    const m = /^([A-Za-z]{3})\s*[: ]?\s*(\S+)$/.exec(part);
    const value = m ? normalizeDecimal(m[2]!) : null;
    if (!m || value === null) return null;
    out[m[1]!.toUpperCase()] = value;
  }
  return Object.keys(out).length > 0 ? out : null;
}

export function buildRuleSheets(rules: readonly { code: string; name: string; definition: RuleDefinition }[], names: RuleSheetNames): SheetOut[] {
  const sorted = [...rules].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  const ruleRows: CellOut[][] = [];
  const tierRows: CellOut[][] = [];
  for (const r of sorted) {
    const d = r.definition;
    const p = d.scope.product;
    const c = d.scope.customer ?? { kind: 'all' as const };
    const a = d.action;
    ruleRows.push([
      r.code,
      r.name,
      d.phase,
      d.priority,
      d.combine,
      p.kind,
      p.kind === 'product' ? (names.productSku(p.productId) ?? p.productId) : p.kind === 'group' ? (names.groupCode(p.groupId) ?? p.groupId) : null,
      c.kind,
      c.kind === 'account' ? c.accountId : c.kind === 'customerGroup' ? (names.customerGroupCode(c.groupId) ?? c.groupId) : null,
      d.condition ?? null,
      d.validFrom ?? null,
      d.validTo ?? null,
      a.type,
      a.type === 'percentDiscount' ? a.percent : null,
      'amounts' in a && a.amounts ? formatAmounts(a.amounts) : null,
      a.type === 'floor' ? (a.minMarginPercent ?? null) : null,
      a.type === 'freeItem' ? (names.productSku(a.productId) ?? a.productId) : null,
      a.type === 'freeItem' ? a.quantity : null,
      a.type === 'freeItem' ? (a.perQuantity ?? null) : null,
      a.type === 'tiers' ? a.basis : null,
      a.type === 'tiers' ? a.mode : null,
      a.type === 'tiers' ? a.valueKind : null,
    ]);
    if (a.type === 'tiers') {
      for (const b of a.bands) tierRows.push([r.code, b.fromQty, b.percent ?? null, b.amounts ? formatAmounts(b.amounts) : null]);
    }
  }
  return [
    { name: RULE_SHEET, header: [...RULE_COLUMNS], rows: ruleRows, widths: [14, 24, 10, 9, 11, 13, 16, 15, 16, 40, 12, 12, 16, 9, 20, 12, 14, 12, 12, 11, 10, 10] },
    { name: RULE_TIER_SHEET, header: [...TIER_COLUMNS], rows: tierRows, widths: [14, 14, 10, 20] },
  ];
}

export interface RuleSheetIssue {
  sheet: string;
  row: number;
  column: string | null;
  /** `v:<key>`, or an engine message (already in words). */
  message: string;
}

export interface ParsedRuleRow {
  row: number;
  code: string;
  name: string;
  definition: RuleDefinition;
}

const int = (text: string): number | null => (/^-?\d+$/.test(text) ? Number(text) : null);

export function parseRuleSheets(sheets: ReadonlyMap<string, SheetRows>, names: RuleSheetNames): { rules: ParsedRuleRow[]; issues: RuleSheetIssue[]; rows: number } {
  const issues: RuleSheetIssue[] = [];
  const rows = sheets.get(RULE_SHEET);
  if (!rows) return { rules: [], issues: [{ sheet: RULE_SHEET, row: 1, column: null, message: 'v:sheet_missing' }], rows: 0 };
  const cols = getColumns(rows, RULE_COLUMNS);
  for (const name of ['Code', 'Name', 'Phase', 'Priority', 'Product scope', 'Action'] as const) {
    if (!cols.has(name)) issues.push({ sheet: RULE_SHEET, row: 1, column: name, message: 'v:column_missing' });
  }
  if (issues.length > 0) return { rules: [], issues, rows: 0 };

  const tierRows = sheets.get(RULE_TIER_SHEET) ?? [];
  const tcols = getColumns(tierRows, TIER_COLUMNS);
  const bands = new Map<string, { fromQty: number; percent?: string; amounts?: Record<string, string> }[]>();
  let count = 0;
  for (let i = 1; i < tierRows.length; i++) {
    const row = tierRows[i];
    if (isBlankRow(row)) continue;
    count++;
    const at = i + 1;
    const cell = (name: string) => (tcols.has(name) ? (row![tcols.get(name)!] ?? '') : '');
    const code = cell('Code').toLowerCase();
    const fromQty = int(cell('From quantity'));
    if (fromQty === null) issues.push({ sheet: RULE_TIER_SHEET, row: at, column: 'From quantity', message: 'v:positive_integer' });
    const band: { fromQty: number; percent?: string; amounts?: Record<string, string> } = { fromQty: fromQty ?? 0 };
    if (cell('Percent') !== '') {
      const percent = normalizeDecimal(cell('Percent'));
      if (percent === null) issues.push({ sheet: RULE_TIER_SHEET, row: at, column: 'Percent', message: 'v:decimal_string' });
      else band.percent = percent;
    }
    if (cell('Amounts') !== '') {
      const amounts = parseAmounts(cell('Amounts'));
      if (amounts === null) issues.push({ sheet: RULE_TIER_SHEET, row: at, column: 'Amounts', message: 'v:amounts' });
      else band.amounts = amounts;
    }
    bands.set(code, [...(bands.get(code) ?? []), band]);
  }

  const rules: ParsedRuleRow[] = [];
  const seen = new Set<string>();
  for (let i = 1; i < rows.length; i++) {
    const row = rows[i];
    if (isBlankRow(row)) continue;
    count++;
    const at = i + 1;
    const before = issues.length;
    const cell = (name: string) => (cols.has(name) ? (row![cols.get(name)!] ?? '') : '');
    const issue = (column: string, message: string) => issues.push({ sheet: RULE_SHEET, row: at, column, message });
    const code = cell('Code');
    if (!/^[A-Za-z0-9_.-]{1,60}$/.test(code)) issue('Code', 'v:code');
    else if (seen.has(code.toLowerCase())) issue('Code', 'v:duplicate_code');
    seen.add(code.toLowerCase());
    const name = cell('Name');
    if (!name) issue('Name', 'v:required');
    const phase = cell('Phase').toUpperCase() as PricingPhase;
    if (!PRICING_PHASES.includes(phase)) issue('Phase', 'v:rule_phase');
    const priority = int(cell('Priority'));
    if (priority === null) issue('Priority', 'v:integer');
    const combine = (cell('Combine') || 'exclusive').toLowerCase() as CombinePolicy;
    if (!COMBINE_POLICIES.includes(combine)) issue('Combine', 'v:rule_combine');

    const productScopeKind = cell('Product scope').toLowerCase();
    let product: RuleDefinition['scope']['product'] = { kind: 'all' };
    if (productScopeKind === 'product') {
      const id = names.productId(cell('Product'));
      if (!id) issue('Product', 'v:unknown_sku');
      else product = { kind: 'product', productId: id };
    } else if (productScopeKind === 'group') {
      const id = names.groupId(cell('Product'));
      if (!id) issue('Product', 'v:unknown_group_code');
      else product = { kind: 'group', groupId: id };
    } else if (productScopeKind !== 'all') issue('Product scope', 'v:rule_product_scope');

    const customerScopeKind = (cell('Customer scope') || 'all').toLowerCase();
    let customer: RuleDefinition['scope']['customer'];
    if (customerScopeKind === 'account') {
      const id = cell('Customer');
      if (!/^[0-9a-f-]{36}$/i.test(id)) issue('Customer', 'v:uuid');
      else customer = { kind: 'account', accountId: id.toLowerCase() };
    } else if (customerScopeKind === 'customergroup') {
      const id = names.customerGroupId(cell('Customer'));
      if (!id) issue('Customer', 'v:unknown_group_code');
      else customer = { kind: 'customerGroup', groupId: id };
    } else if (customerScopeKind !== 'all') issue('Customer scope', 'v:rule_customer_scope');

    for (const column of ['Valid from', 'Valid to'] as const) if (cell(column) !== '' && !isLocalDate(cell(column))) issue(column, 'v:date');

    const type = cell('Action') as RuleDefinition['action']['type'];
    const amounts = cell('Amounts') === '' ? undefined : (parseAmounts(cell('Amounts')) ?? undefined);
    if (cell('Amounts') !== '' && amounts === undefined) issue('Amounts', 'v:amounts');
    let action: RuleDefinition['action'] | null = null;
    switch (type) {
      case 'setPrice':
      case 'amountDiscount':
      case 'ceiling':
      case 'bundlePrice':
        if (!amounts) issue('Amounts', 'v:required');
        else action = { type, amounts };
        break;
      case 'percentDiscount': {
        const percent = normalizeDecimal(cell('Percent'));
        if (percent === null) issue('Percent', 'v:decimal_string');
        else action = { type, percent };
        break;
      }
      case 'floor': {
        const margin = cell('Min margin %') === '' ? undefined : (normalizeDecimal(cell('Min margin %')) ?? undefined);
        if (cell('Min margin %') !== '' && margin === undefined) issue('Min margin %', 'v:decimal_string');
        action = { type, ...(amounts ? { amounts } : {}), ...(margin !== undefined ? { minMarginPercent: margin } : {}) };
        break;
      }
      case 'freeItem': {
        const id = names.productId(cell('Free product'));
        const quantity = int(cell('Free quantity'));
        const per = cell('Per quantity') === '' ? undefined : int(cell('Per quantity'));
        if (!id) issue('Free product', 'v:unknown_sku');
        if (quantity === null) issue('Free quantity', 'v:positive_integer');
        if (per === null) issue('Per quantity', 'v:positive_integer');
        if (id && quantity !== null && per !== null) action = { type, productId: id, quantity, ...(per !== undefined ? { perQuantity: per } : {}) };
        break;
      }
      case 'tiers': {
        const basis = cell('Tier basis') || 'quantity';
        const mode = cell('Tier mode') as TierMode;
        const valueKind = cell('Tier value');
        if (basis !== 'quantity' && basis !== 'termMonths') issue('Tier basis', 'v:rule_tier_basis');
        if (!TIER_MODES.includes(mode)) issue('Tier mode', 'v:tier_mode');
        if (valueKind !== 'price' && valueKind !== 'percent' && valueKind !== 'amount') issue('Tier value', 'v:rule_tier_value');
        const list = bands.get(code.toLowerCase()) ?? [];
        if (list.length === 0) issue('Action', 'v:tiers_empty');
        action = { type, basis: basis as 'quantity' | 'termMonths', mode, valueKind: valueKind as 'price' | 'percent' | 'amount', bands: list };
        break;
      }
      default:
        issue('Action', 'v:rule_action');
    }
    if (issues.length > before || !action) continue;
    const definition: RuleDefinition = {
      scope: customer ? { product, customer } : { product },
      action,
      phase,
      priority: priority!,
      combine,
      ...(cell('Condition') !== '' ? { condition: cell('Condition') } : {}),
      ...(cell('Valid from') !== '' ? { validFrom: cell('Valid from') } : {}),
      ...(cell('Valid to') !== '' ? { validTo: cell('Valid to') } : {}),
    };
    rules.push({ row: at, code, name, definition });
  }
  for (const code of bands.keys()) {
    if (!seen.has(code)) issues.push({ sheet: RULE_TIER_SHEET, row: 1, column: 'Code', message: 'v:tier_without_entry' });
  }
  issues.sort((a, b) => (a.sheet !== b.sheet ? (a.sheet === RULE_SHEET ? -1 : 1) : a.row - b.row));
  return { rules, issues, rows: count };
}
