import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../platform/ids.ts';
import { type TestApp, createTestApp, sql } from '../../testing/test-app.ts';
import { quoteVersions, quotes } from './schema.ts';

/**
 * Migration 0013 moves the explanations saved inside each version's priced lines (before 0013) to
 * quote_version_explanations. Its data statements run here against versions written in the old
 * shape: every line must read back exactly the steps it had, in order, and the lines lose the key.
 */

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});

afterAll(async () => {
  await t?.close();
});

const MIGRATION = new URL('../../../../drizzle/0013_quote_version_explanations.sql', import.meta.url);

/** The migration's statements that move data (the ones after the table and its foreign key). */
function dataStatements(): string[] {
  return readFileSync(MIGRATION, 'utf8')
    .split('--> statement-breakpoint')
    .map((s) => s.trim())
    .filter((s) => !s.startsWith('CREATE TABLE') && !s.startsWith('ALTER TABLE'));
}

const step = (type: string, ruleId: string | null, text: string) => ({ type, ruleId, zh: `${text}（中）`, en: text });

type TextStep = ReturnType<typeof step>;

function pricedLine(lineId: string, explanation?: TextStep[]) {
  return {
    lineId,
    productId: newId(),
    quantity: 1,
    role: 'standalone',
    parentLineId: null,
    isCounted: true,
    listUnit: '100',
    netUnit: '90',
    list: { amount: '100.00', currency: 'CNY' },
    net: { amount: '90.00', currency: 'CNY' },
    tax: { amount: '11.70', currency: 'CNY' },
    cost: null,
    taxPercent: '13',
    discountPercent: '10.00',
    floor: null,
    belowFloor: false,
    floorOverride: false,
    rulesUsed: [],
    ...(explanation ? { explanation } : {}),
  };
}

describe('migration 0013: explanations out of the priced lines', () => {
  it('keeps every line’s steps in order, strips them from the lines, and handles versions without lines or steps', async () => {
    const dismissed = step('skipped', 'R-1', 'dismissed for the quote');
    const legacy = [
      { lines: [pricedLine('L1', [step('base', null, 'list price'), dismissed]), pricedLine('L2', [step('applied', 'R-2', '10 % off'), dismissed]), pricedLine('L3', [])] },
      { lines: [pricedLine('L1')] },
      { lines: [] },
    ];
    const db = t.database.db;
    const versionIds: string[] = [];
    for (const [i, v] of legacy.entries()) {
      const quoteId = newId();
      await db.insert(quotes).values({
        id: quoteId,
        number: `Q-LEGACY-${i}`,
        opportunityId: newId(),
        accountId: newId(),
        ownerId: newId(),
        unitId: newId(),
        currency: 'CNY',
        priceBookId: newId(),
        createdBy: newId(),
      });
      const id = newId();
      versionIds.push(id);
      await db.insert(quoteVersions).values({
        id,
        quoteId,
        number: 1,
        pricingDate: '2026-11-01',
        validUntil: '2026-12-01',
        lines: [],
        // The shape before 0013: explanation inside each priced line.
        priced: v.lines as never,
        totals: {} as never,
        createdBy: newId(),
      });
    }

    for (const statement of dataStatements()) await t.rows(sql.raw(statement));

    const read = async (id: string) => {
      const [x] = await t.rows<{ steps: unknown[]; lines: Record<string, number[]> }>(sql`SELECT steps, lines FROM quote_version_explanations WHERE version_id = ${id}`);
      const [v] = await t.rows<{ priced: Record<string, unknown>[] }>(sql`SELECT priced FROM quote_versions WHERE id = ${id}`);
      return { x: x!, priced: v!.priced };
    };
    const first = await read(versionIds[0]!);
    const stepsOf = (lineId: string) => (first.x.lines[lineId] ?? []).map((i) => first.x.steps[i]);
    expect(stepsOf('L1')).toEqual(legacy[0]!.lines[0]!.explanation);
    expect(stepsOf('L2')).toEqual(legacy[0]!.lines[1]!.explanation);
    expect(stepsOf('L3')).toEqual([]);
    expect(first.priced).toEqual(legacy[0]!.lines.map(({ explanation: _e, ...line }) => line));

    const second = await read(versionIds[1]!);
    expect(second.x).toEqual({ steps: [], lines: {} });
    expect(second.priced).toEqual(legacy[1]!.lines);
    const third = await read(versionIds[2]!);
    expect(third.x).toEqual({ steps: [], lines: {} });
    expect(third.priced).toEqual([]);

    // Read through the API, the moved texts come back as they were rendered, in the reader's language.
    const admin = await t.as('admin');
    const res = await admin.get(`/api/v1/quotes/versions/${versionIds[0]}/explanation?lineId=L2`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { locale: string; lines: { lineId: string; steps: { type: string; ruleId: string | null; text: string }[] }[] };
    const lang = body.locale === 'en' ? 'en' : 'zh';
    expect(body.lines).toHaveLength(1);
    expect(body.lines[0]!.steps).toEqual(legacy[0]!.lines[1]!.explanation!.map((s) => ({ type: s.type, ruleId: s.ruleId, text: s[lang] })));
  });
});
