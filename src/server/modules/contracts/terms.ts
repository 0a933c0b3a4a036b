import { type Currency, Dec, Money } from '../../../shared/money.ts';
import type { QuoteLineInput, QuotePricedLine } from '../quotes/contract.ts';
import type { AmendLines, ContractLine, ContractTotals } from './contract.ts';

/**
 * A contract's lines and totals, pure. Signing freezes the counted priced lines of the accepted
 * quote version (bundle headers carry no money: their components do) with the product's SKU,
 * names and unit as they were that day. An amendment re-prices only the lines it touches, with
 * the engine's rounding: the line net is netUnit × quantity rounded once, half-up, to the minor
 * unit; the tax is the rounded net × the line's tax percent, rounded the same way. Untouched lines
 * keep their frozen amounts (bundle allocations and all). Totals are sums of the rounded lines.
 */

export interface ProductName {
  sku: string;
  nameZh: string;
  nameEn: string | null;
  unit: string | null;
}

/** A product as an added amendment line needs it: names plus its tax rate (the default for the line). */
export interface AmendmentProduct extends ProductName {
  taxPercent: string;
}

function wire(m: Money): { amount: string; currency: Currency } {
  return { amount: m.toFixedString(), currency: m.currency };
}

function roundHalfUp(d: Dec, currency: Currency): Money {
  return Money.of(d, currency).round('half_up');
}

/** The contract's term in months: the version's term, else the longest line term, else null. */
export function getContractTermMonths(version: { termMonths: number | null; lines: readonly Pick<QuoteLineInput, 'termMonths'>[] }): number | null {
  if (version.termMonths) return version.termMonths;
  const terms = version.lines.flatMap((l) => (l.termMonths ? [l.termMonths] : []));
  return terms.length > 0 ? Math.max(...terms) : null;
}

/** Freeze the counted priced lines of a version, joined with their products. Throws if a product's names are missing (the caller loads them). */
export function freezeLines(
  priced: readonly QuotePricedLine[],
  entered: readonly Pick<QuoteLineInput, 'id' | 'termMonths'>[],
  products: ReadonlyMap<string, ProductName>,
): ContractLine[] {
  const termOf = new Map(entered.map((l) => [l.id, l.termMonths ?? null]));
  return priced
    .filter((l) => l.isCounted)
    .map((l) => {
      const p = products.get(l.productId);
      if (!p) throw new Error(`product ${l.productId} of line ${l.lineId} was not loaded`);
      return {
        lineId: l.lineId,
        productId: l.productId,
        sku: p.sku,
        nameZh: p.nameZh,
        nameEn: p.nameEn,
        unit: p.unit,
        quantity: l.quantity,
        termMonths: termOf.get(l.lineId) ?? null,
        listUnit: l.listUnit,
        netUnit: l.netUnit,
        list: l.list,
        net: l.net,
        tax: l.tax,
        taxPercent: l.taxPercent,
      };
    });
}

export function computeContractTotals(lines: readonly ContractLine[], currency: Currency): ContractTotals {
  let list = new Dec(0);
  let net = new Dec(0);
  let tax = new Dec(0);
  for (const l of lines) {
    list = list.plus(l.list.amount);
    net = net.plus(l.net.amount);
    tax = tax.plus(l.tax.amount);
  }
  const m = (d: Dec) => wire(Money.of(d, currency));
  return { list: m(list), net: m(net), discount: m(list.minus(net)), tax: m(tax), grandTotal: m(net.plus(tax)) };
}

/** A line's amounts at a quantity and net unit price: net rounded once, tax on the rounded net. */
export function priceContractLine(
  line: Pick<ContractLine, 'listUnit' | 'taxPercent'>,
  quantity: number,
  netUnit: string,
  currency: Currency,
): Pick<ContractLine, 'list' | 'net' | 'tax'> {
  const net = roundHalfUp(new Dec(netUnit).times(quantity), currency);
  const tax = roundHalfUp(net.amount.times(line.taxPercent).dividedBy(100), currency);
  // Without a list price the line counts at its net in the list total, so it adds no discount.
  const list = line.listUnit === null ? net : roundHalfUp(new Dec(line.listUnit).times(quantity), currency);
  return { list: wire(list), net: wire(net), tax: wire(tax) };
}

export interface LineIssue {
  path: string;
  message: string;
}

/**
 * The lines after an amendment's line changes: removals, then updates, then additions (new ids
 * L<n> after the highest in use). Unknown line ids and products are issues with their paths
 * (relative to `changes.lines`); a line both updated and removed is an issue too.
 */
export function applyLineChanges(
  lines: readonly ContractLine[],
  changes: AmendLines | undefined,
  products: ReadonlyMap<string, AmendmentProduct>,
  currency: Currency,
): { lines: ContractLine[]; issues: LineIssue[] } {
  if (!changes) return { lines: [...lines], issues: [] };
  const issues: LineIssue[] = [];
  const known = new Set(lines.map((l) => l.lineId));
  const removed = new Set<string>();
  (changes.remove ?? []).forEach((id, i) => {
    if (!known.has(id)) issues.push({ path: `remove.${i}`, message: 'v:unknown_line' });
    else if (removed.has(id)) issues.push({ path: `remove.${i}`, message: 'v:duplicate' });
    removed.add(id);
  });
  const updates = new Map<string, NonNullable<AmendLines['update']>[number]>();
  (changes.update ?? []).forEach((u, i) => {
    if (!known.has(u.lineId)) issues.push({ path: `update.${i}.lineId`, message: 'v:unknown_line' });
    else if (removed.has(u.lineId) || updates.has(u.lineId)) issues.push({ path: `update.${i}.lineId`, message: 'v:duplicate' });
    updates.set(u.lineId, u);
  });
  const out: ContractLine[] = [];
  for (const l of lines) {
    if (removed.has(l.lineId)) continue;
    const u = updates.get(l.lineId);
    if (!u || (u.quantity === undefined && u.netUnit === undefined)) {
      out.push(l);
      continue;
    }
    const quantity = u.quantity ?? l.quantity;
    const netUnit = u.netUnit ?? l.netUnit;
    out.push({ ...l, quantity, netUnit, ...priceContractLine(l, quantity, netUnit, currency) });
  }
  let n = Math.max(0, ...lines.map((l) => (/^L\d+$/.test(l.lineId) ? Number(l.lineId.slice(1)) : 0)));
  (changes.add ?? []).forEach((a, i) => {
    const p = products.get(a.productId);
    if (!p) {
      issues.push({ path: `add.${i}.productId`, message: 'v:unknown_product' });
      return;
    }
    const base = { listUnit: null, taxPercent: a.taxPercent ?? p.taxPercent };
    out.push({
      lineId: `L${++n}`,
      productId: a.productId,
      sku: p.sku,
      nameZh: p.nameZh,
      nameEn: p.nameEn,
      unit: p.unit,
      quantity: a.quantity,
      termMonths: a.termMonths ?? null,
      netUnit: a.netUnit,
      ...base,
      ...priceContractLine(base, a.quantity, a.netUnit, currency),
    });
  });
  return { lines: out, issues };
}
