import { describe, expect, it } from 'vitest';
import type { RuleDefinition } from './contract.ts';
import { buildRuleSheets, parseAmounts, parseRuleSheets, type RuleSheetNames } from './rules-xlsx.ts';

const names: RuleSheetNames = {
  productSku: (id) => ({ 'p-1': 'ERP-STD' })[id],
  productId: (sku) => ({ 'erp-std': 'p-1' })[sku.toLowerCase()],
  groupCode: (id) => ({ 'g-1': 'CLOUD' })[id],
  groupId: (code) => ({ cloud: 'g-1' })[code.toLowerCase()],
  customerGroupCode: (id) => ({ 'c-1': 'GOV' })[id],
  customerGroupId: (code) => ({ gov: 'c-1' })[code.toLowerCase()],
};

/** The sheets as text rows, the way readWorkbook returns them. */
function asRows(sheets: ReturnType<typeof buildRuleSheets>): Map<string, string[][]> {
  return new Map(sheets.map((s) => [s.name, [s.header, ...s.rows.map((r) => r.map((c) => (c === null ? '' : String(c))))]]));
}

describe('rules workbook', () => {
  const rules: { code: string; name: string; definition: RuleDefinition }[] = [
    {
      code: 'VOL',
      name: '批量',
      definition: {
        scope: { product: { kind: 'group', groupId: 'g-1' } },
        action: { type: 'tiers', basis: 'quantity', mode: 'range', valueKind: 'percent', bands: [{ fromQty: 100, percent: '5' }, { fromQty: 500, percent: '10' }] },
        phase: 'SYSTEM',
        priority: 30,
        combine: 'compound',
      },
    },
    {
      code: 'GOV',
      name: '政府',
      definition: {
        scope: { product: { kind: 'product', productId: 'p-1' }, customer: { kind: 'customerGroup', groupId: 'c-1' } },
        condition: 'line.quantity >= 2',
        action: { type: 'amountDiscount', amounts: { CNY: '200', USD: '30' } },
        phase: 'SYSTEM',
        priority: 5,
        combine: 'exclusive',
        validFrom: '2026-01-01',
        validTo: '2026-12-31',
      },
    },
  ];

  it('reads back what it writes', () => {
    const parsed = parseRuleSheets(asRows(buildRuleSheets(rules, names)), names);
    expect(parsed.issues).toEqual([]);
    expect(parsed.rules.map(({ code, name, definition }) => ({ code, name, definition }))).toEqual([rules[1], rules[0]]);
  });

  it('reports each bad cell with its row and column', () => {
    const rows = asRows(buildRuleSheets(rules, names));
    const sheet = rows.get('Rules')!;
    const col = (name: string) => sheet[0]!.indexOf(name);
    sheet[1]![col('Phase')] = 'LATE';
    sheet[1]![col('Product')] = 'NO-SUCH';
    sheet[2]![col('Customer scope')] = 'customerGroup';
    sheet[2]![col('Customer')] = 'NOBODY';
    sheet[2]![col('Code')] = 'GOV';
    const parsed = parseRuleSheets(rows, names);
    expect(parsed.issues.map((i) => `${i.sheet}:${i.row}:${i.column}:${i.message}`)).toEqual([
      'Rules:2:Phase:v:rule_phase',
      'Rules:2:Product:v:unknown_sku',
      'Rules:3:Code:v:duplicate_code',
      'Rules:3:Customer:v:unknown_group_code',
      // renamed away from its bands: the tier rule has none, and the bands have no rule
      'Rules:3:Action:v:tiers_empty',
      'Tiers:1:Code:v:tier_without_entry',
    ]);
  });

  it('reads amounts per currency', () => {
    expect(parseAmounts('CNY 200; usd 30.5')).toEqual({ CNY: '200', USD: '30.5' });
    expect(parseAmounts('200')).toBeNull();
  });
});
