import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PriceBookEntryList, PriceBookList, Product } from '../src/server/modules/catalog/contract.ts';
import type { Rule, RuleCheck, WhatIfResult } from '../src/server/modules/pricing/contract.ts';
import { compileCondition } from '../src/server/modules/pricing/cel-context.ts';
import type { Page as ApiPage } from '../src/shared/api.ts';
import { Dec } from '../src/shared/money.ts';
import enValidation from '../src/shared/i18n/en/validation.json';
import zhValidation from '../src/shared/i18n/zh-CN/validation.json';
import enCatalog from '../src/web/i18n/locales/en/cpq-catalog.json';
import zhCatalog from '../src/web/i18n/locales/zh-CN/cpq-catalog.json';
import { formatMoney } from '../src/web/modules/crm/pipeline/money-display.ts';
import { type Harness, apiAs, signIn, startHarness } from './harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.stop();
});

/** Pick an option of an antd select by typing into it. */
async function choose(page: Page, testId: string, search: string, optionText: string): Promise<void> {
  await page.getByTestId(testId).first().click();
  await page.keyboard.type(search);
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: optionText }).first().click();
}

/** A catalogue message with its {{placeholders}} filled, as i18next would. */
const fill = (text: string, params: Record<string, string | number>) => text.replace(/\{\{(\w+)\}\}/g, (_, k: string) => String(params[k]));

/** The signed-in user's language decides the texts (a demo user may have chosen one). */
async function texts(page: Page) {
  const isEn = (await page.locator('html').getAttribute('lang')) === 'en';
  return { isEn, ui: isEn ? enCatalog : zhCatalog, validation: isEn ? enValidation : zhValidation };
}

/** Switch the UI language from the shell (the choice is saved for the user). */
async function useLanguage(page: Page, locale: 'en' | 'zh-CN'): Promise<void> {
  if ((await page.locator('html').getAttribute('lang')) === locale) return;
  await page.getByTestId('language-switch').click();
  await page.getByTestId(`language-option-${locale}`).click();
  await expect.poll(() => page.locator('html').getAttribute('lang')).toBe(locale);
}

const inputIn = (scope: Locator, testId: string) => scope.locator(`input[data-testid="${testId}"], [data-testid="${testId}"] input`).first();
const inputOf = (page: Page, testId: string) => page.locator(`input[data-testid="${testId}"], [data-testid="${testId}"] input`).first();

async function catalogFacts(page: Page, sku: string) {
  const { body: products } = await apiAs<ApiPage<Product>>(page, 'GET', `/api/v1/catalog/products?q=${sku}&limit=10`);
  const product = products.items.find((p) => p.sku === sku)!;
  const { body: books } = await apiAs<PriceBookList>(page, 'GET', '/api/v1/catalog/price-books');
  const book = books.items.find((b) => b.currency === 'CNY' && b.isActive)!;
  const { body: entries } = await apiAs<PriceBookEntryList>(page, 'GET', `/api/v1/catalog/price-books/${book.id}/entries`);
  const listPrice = entries.items.find((e) => e.productId === product.id)!.unitPrice;
  return { product, book, listPrice };
}

describe('CPQ pricing rules in the browser', () => {
  it('the deal desk writes a rule with a CEL error, sees its position, fixes it, tries the draft in the what-if tester and publishes it', async () => {
    const { page } = await h.newPage('en');
    await signIn(page, 'dealdesk@yunlan.demo');
    await useLanguage(page, 'en');
    const { product, listPrice } = await catalogFacts(page, 'HCM-STD');

    await page.goto('/cpq/pricing-rules');
    await page.getByTestId('rules-table').waitFor();
    await page.getByTestId('rules-create').click();
    await page.getByTestId('rule-form').waitFor();
    await page.getByTestId('rule-code').fill('E2E-HCM-VOL');
    await page.getByTestId('rule-name').fill('HCM volume discount');

    // A condition with its second line cut short: the engine's compiler says where.
    const broken = 'line.product.sku == "HCM-STD" &&\n  line.quantity >= ';
    const compiled = compileCondition(broken);
    expect(compiled.ok).toBe(false);
    const expected = compiled.ok ? null : compiled.error;
    expect(expected!.line).toBe(2);
    await page.getByTestId('condition-input').fill(broken);
    await page.getByTestId('condition-check').click();
    const position = page.getByTestId('condition-position');
    await position.waitFor();
    expect(await position.getAttribute('data-line')).toBe('2');
    expect(await position.getAttribute('data-column')).toBe(String(expected!.column));
    const { isEn, ui, validation } = await texts(page);
    expect(isEn).toBe(true);
    expect(await position.textContent()).toBe(fill(ui.condition.position, { line: 2, column: expected!.column }));

    // The server refuses to store it too, naming the same place; nothing is created.
    await page.getByTestId('action-percent').fill('12.5');
    const refused = page.waitForResponse((r) => r.url().endsWith('/api/v1/pricing/rules') && r.request().method() === 'POST');
    await page.getByTestId('rule-save').click();
    const refusedRes = await refused;
    expect(refusedRes.status()).toBe(422);
    // The problem document carries the position the editor showed.
    expect(await refusedRes.json()).toMatchObject({ code: 'pricing.invalid_rule', line: 2, column: expected!.column });
    await expect
      .poll(() =>
        page
          .locator('.ant-form-item-explain-error')
          .filter({ hasText: fill(validation.cel_error, { line: 2, column: expected!.column, message: '' }).replace(/[:：]\s*$/, '') })
          .count(),
      )
      .toBeGreaterThan(0);
    const { body: none } = await apiAs<ApiPage<Rule>>(page, 'GET', '/api/v1/pricing/rules?q=E2E-HCM-VOL');
    expect(none.items).toHaveLength(0);

    // Fixed: the check passes and the draft is saved (once, with an Idempotency-Key).
    await page.getByTestId('condition-input').fill('line.product.sku == "HCM-STD" &&\n  line.quantity >= 5');
    await page.getByTestId('condition-check').click();
    await page.getByTestId('condition-ok').waitFor();
    expect(await page.getByTestId('condition-position').count()).toBe(0);
    await inputOf(page, 'rule-priority').fill('50');
    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/pricing/rules') && r.request().method() === 'POST');
    await page.getByTestId('rule-save').click();
    const createdRes = await created;
    expect(createdRes.status()).toBe(201);
    expect(createdRes.request().headers()['idempotency-key']).toBeTruthy();
    const rule = (await createdRes.json()) as Rule;
    expect(rule.draftVersion).toBe(1);
    expect(rule.versions[0]!.definition).toMatchObject({
      condition: 'line.product.sku == "HCM-STD" &&\n  line.quantity >= 5',
      action: { type: 'percentDiscount', percent: '12.5' },
      priority: 50,
      phase: 'SYSTEM',
    });
    await page.waitForURL(`**/cpq/pricing-rules/${rule.id}`);
    await page.getByTestId('rule-draft-version').waitFor();

    // What-if with the draft: the rule applies to 10 HCM licences, 12.5 % off the list price.
    await choose(page, 'what-if-product', 'HCM-STD', 'HCM-STD');
    await inputOf(page, 'what-if-quantity').fill('10');
    const priced = page.waitForResponse((r) => r.url().endsWith('/api/v1/pricing/what-if'));
    await page.getByTestId('what-if-run').click();
    const pricedRes = await priced;
    expect(pricedRes.status()).toBe(200);
    expect(pricedRes.request().postDataJSON()).toMatchObject({ draftRuleIds: [rule.id], lines: [{ productId: product.id, quantity: 10 }] });
    const result = (await pricedRes.json()) as WhatIfResult;
    const net = new Dec(listPrice).times(new Dec(1).minus(new Dec('12.5').div(100)));
    // 68000 × 0.875 = 59500 (the demo list price), computed from whatever the book says.
    expect(new Dec(result.lines[0]!.netUnit).equals(net)).toBe(true);

    const applied = page.locator(`[data-testid="waterfall-step"][data-rule-id="${rule.id}"]`);
    await applied.first().waitFor();
    expect(await applied.first().getAttribute('data-type')).toBe('applied');
    const appliedText = (await applied.first().getByTestId('waterfall-text').textContent()) ?? '';
    expect(appliedText).toContain('E2E-HCM-VOL');
    expect(appliedText).toContain(isEn ? '12.5 % off' : '折扣 12.5%');
    expect(appliedText).toContain(`→ ${net.toFixed(2)}`);
    expect(await applied.first().getByTestId('waterfall-running').textContent()).toBe(formatMoney({ amount: net.toFixed(2), currency: 'CNY' }));
    expect(await page.getByTestId('what-if-net-unit').first().textContent()).toBe(formatMoney({ amount: result.lines[0]!.netUnit, currency: 'CNY' }));
    const used = page.locator(`[data-testid="what-if-rule-used"][data-rule-id="${rule.id}"]`);
    expect(await used.getAttribute('data-draft')).toBe('true');
    // The rules that were looked at and left out are listed too (the government discount, for one).
    expect(await page.locator('[data-testid="waterfall-step"][data-kind="skipped"]').count()).toBe(
      result.lines[0]!.explanation.filter((s) => s.type === 'skipped').length,
    );

    // Publish: the analysis is shown first, then confirmed.
    const checked = page.waitForResponse((r) => r.url().endsWith(`/api/v1/pricing/rules/${rule.id}/check`));
    await page.getByTestId('rule-publish').click();
    const check = (await (await checked).json()) as RuleCheck;
    // Nothing is published until the analysis has been seen and confirmed.
    await page.getByTestId('publish-confirm').waitFor();
    expect((await apiAs<Rule>(page, 'GET', `/api/v1/pricing/rules/${rule.id}`)).body.publishedVersion).toBeNull();
    if (check.findings.length === 0) await page.getByTestId('publish-findings-none').waitFor();
    else await expect.poll(() => page.locator('[data-testid="publish-findings"] [data-testid="rule-finding"]').count()).toBe(check.findings.length);
    const published = page.waitForResponse((r) => r.url().endsWith(`/api/v1/pricing/rules/${rule.id}/publish`));
    await page.getByTestId('publish-confirm').click();
    const publishedRes = await published;
    expect(publishedRes.status()).toBe(200);
    expect(publishedRes.request().postDataJSON()).toEqual({ version: rule.version });
    await page.getByTestId('rule-published-version').waitFor();
    expect(await page.getByTestId('rule-draft-version').count()).toBe(0);
    const { body: after } = await apiAs<Rule>(page, 'GET', `/api/v1/pricing/rules/${rule.id}`);
    expect(after.publishedVersion).toBe(1);
    expect(after.draftVersion).toBeNull();
    expect(after.versions.map((v) => v.status)).toEqual(['published']);
    expect(await page.locator('[data-testid="rule-version"][data-status="published"]').count()).toBe(1);

    // Published, it applies without any draft.
    const again = page.waitForResponse((r) => r.url().endsWith('/api/v1/pricing/what-if'));
    await page.getByTestId('what-if-run').click();
    const againRes = await again;
    expect(againRes.request().postDataJSON()).toMatchObject({ draftRuleIds: [] });
    await expect.poll(() => page.locator(`[data-testid="what-if-rule-used"][data-rule-id="${rule.id}"]`).getAttribute('data-draft')).toBe('false');
  });

  it('in Chinese: the condition position and the waterfall read in Chinese, and the product tree filters the catalog', async () => {
    const { page } = await h.newPage('zh-CN');
    await signIn(page, 'dealdesk@yunlan.demo');
    await useLanguage(page, 'zh-CN');
    await page.goto('/cpq/pricing-rules/new');
    await page.getByTestId('rule-form').waitFor();
    await page.getByTestId('condition-input').fill('customer.regoin == "east"');
    await page.getByTestId('condition-check').click();
    const position = page.getByTestId('condition-position');
    await position.waitFor();
    expect(await position.textContent()).toMatch(/^第 1 行第 \d+ 列$/);

    // What-if without a rule of its own: the published demo rules, explained in Chinese.
    await choose(page, 'what-if-product', 'CLOUD-ERP', 'CLOUD-ERP');
    await inputOf(page, 'what-if-quantity').fill('120');
    const priced = page.waitForResponse((r) => r.url().endsWith('/api/v1/pricing/what-if'));
    await page.getByTestId('what-if-run').click();
    expect((await priced).status()).toBe(200);
    const applied = page.locator('[data-testid="waterfall-step"][data-type="applied"]');
    await applied.first().waitFor();
    // 120 users reach the 100-user band of VOL-CLOUD: 5 % off.
    expect(await applied.first().getByTestId('waterfall-text').textContent()).toMatch(/规则 VOL-CLOUD 生效：折扣 5%/);

    // The group tree: choosing "云订阅" shows exactly the cloud products the API lists for it.
    await page.goto('/cpq/products');
    await page.getByTestId('products-table').waitFor();
    await page.locator('[data-testid="product-group-node"][data-code="CLOUD"]').click();
    const { body: groups } = await apiAs<{ items: { id: string; code: string }[] }>(page, 'GET', '/api/v1/catalog/product-groups');
    const cloud = groups.items.find((g) => g.code === 'CLOUD')!;
    const { body: cloudProducts } = await apiAs<ApiPage<Product>>(page, 'GET', `/api/v1/catalog/products?groupId=${cloud.id}&limit=200`);
    expect(cloudProducts.items.length).toBeGreaterThan(0);
    await expect
      .poll(async () => (await page.locator('[data-testid="product-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-sku')))).sort())
      .toEqual(cloudProducts.items.map((p) => p.sku).sort());
  });

  it('price books: an inline price and a tier table (bad band shown before saving), then the XLSX round trip with a dry run that lists every bad row', async () => {
    const { page } = await h.newPage('en');
    await signIn(page, 'dealdesk@yunlan.demo');
    await useLanguage(page, 'en');
    const { book } = await catalogFacts(page, 'SVC-TRAIN');
    await page.goto('/cpq/price-books');
    await page.locator(`[data-testid="price-book-row"][data-code="${book.code}"] a`).click();
    await page.getByTestId('entries-table').waitFor();

    const row = page.locator('[data-testid="entry-row"][data-sku="SVC-TRAIN"]');
    await inputIn(row, 'entry-price').fill('2300');
    expect(await row.getAttribute('data-edited')).toBe('true');
    await row.getByTestId('entry-edit-tiers').click();
    const editor = page.locator('.ant-modal:has([data-testid="tier-editor-mode"])');
    await editor.waitFor();
    const bands = editor.locator('[data-testid="tier-row"]');
    await inputIn(bands.nth(0), 'tier-price').fill('2100');
    await editor.getByTestId('tier-add').click();
    // A second band that does not start after the first: flagged on its row, and it cannot be applied.
    await inputIn(bands.nth(1), 'tier-from').fill('5');
    await inputIn(bands.nth(1), 'tier-price').fill('2000');
    await expect.poll(() => bands.nth(1).getByTestId('tier-issue').textContent()).toBe(enValidation.tiers_not_ascending);
    expect(await editor.getByTestId('tier-editor-apply').isDisabled()).toBe(true);
    await inputIn(bands.nth(1), 'tier-from').fill('20');
    await expect.poll(() => editor.getByTestId('tier-issue').count()).toBe(0);
    await editor.getByTestId('tier-editor-apply').click();

    const patched = page.waitForResponse((r) => r.url().endsWith(`/api/v1/catalog/price-books/${book.id}/entries`) && r.request().method() === 'PATCH');
    await page.getByTestId('entries-save').click();
    const patchRes = await patched;
    expect(patchRes.status()).toBe(200);
    const { product: training } = await catalogFacts(page, 'SVC-TRAIN');
    expect(patchRes.request().postDataJSON()).toEqual({
      version: book.version,
      currency: 'CNY',
      entries: [{ productId: training.id, unitPrice: '2300', tiers: { mode: 'range', bands: [{ fromQty: 10, unitPrice: '2100' }, { fromQty: 20, unitPrice: '2000' }] } }],
    });
    const { body: saved } = await apiAs<PriceBookEntryList>(page, 'GET', `/api/v1/catalog/price-books/${book.id}/entries`);
    const savedEntry = saved.items.find((e) => e.productId === training.id)!;
    expect(new Dec(savedEntry.unitPrice).equals('2300')).toBe(true);
    expect(savedEntry.tiers?.bands.map((b) => b.fromQty)).toEqual([10, 20]);
    await expect.poll(() => row.getAttribute('data-edited')).toBe('false');

    // Export, then import a copy with two bad rows: the dry run lists both, and nothing can be committed.
    const download = page.waitForEvent('download');
    await page.getByTestId('price-book-export').click();
    const exported = readFileSync(await (await download).path());
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(exported as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('Entries')!;
    const header = (sheet.getRow(1).values as unknown[]).map(String);
    const skuCol = header.indexOf('SKU');
    const priceCol = header.indexOf('Unit price');
    let pmRow = 0;
    sheet.eachRow((r, n) => {
      if (r.getCell(skuCol).value === 'SVC-PM') pmRow = n;
    });
    expect(pmRow).toBeGreaterThan(1);
    const bad = new ExcelJS.Workbook();
    await bad.xlsx.load(exported as unknown as ArrayBuffer);
    const badSheet = bad.getWorksheet('Entries')!;
    badSheet.getRow(pmRow).getCell(priceCol).value = 'abc';
    const extra = badSheet.addRow([]);
    extra.getCell(skuCol).value = 'NO-SUCH-SKU';
    extra.getCell(header.indexOf('Currency')).value = 'CNY';
    extra.getCell(priceCol).value = 100;
    const badRowNumber = extra.number;
    const badFile = Buffer.from(await bad.xlsx.writeBuffer());

    await page.getByTestId('price-book-import').click();
    const dry = page.waitForResponse((r) => r.url().endsWith(`/api/v1/catalog/price-books/${book.id}/import`));
    await page.getByTestId('price-book-import-modal-file').setInputFiles({ name: 'bad.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: badFile });
    const dryRes = await dry;
    expect(dryRes.request().postDataJSON()).toMatchObject({ dryRun: true });
    const issues = page.locator('[data-testid="price-book-import-modal-issue"]');
    await expect.poll(async () => (await issues.evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('data-row'))))).sort((a, b) => a - b)).toEqual([pmRow, badRowNumber]);
    expect(await page.getByTestId('price-book-import-modal-commit').isDisabled()).toBe(true);

    // A clean copy with one price changed: the dry run says one change, the commit applies it.
    sheet.getRow(pmRow).getCell(priceCol).value = 3600;
    const goodFile = Buffer.from(await workbook.xlsx.writeBuffer());
    const dry2 = page.waitForResponse((r) => r.url().endsWith(`/api/v1/catalog/price-books/${book.id}/import`));
    await page.getByTestId('price-book-import-modal-file').setInputFiles({ name: 'good.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: goodFile });
    await dry2;
    await page.getByTestId('price-book-import-modal-clean').waitFor();
    expect(await page.getByTestId('price-book-import-modal-updated').textContent()).toBe('1');
    const committed = page.waitForResponse((r) => r.url().endsWith(`/api/v1/catalog/price-books/${book.id}/import`));
    await page.getByTestId('price-book-import-modal-commit').click();
    const commitRes = await committed;
    expect(commitRes.request().postDataJSON()).toMatchObject({ dryRun: false });
    await page.getByTestId('price-book-import-modal-applied').waitFor();
    const { product: pm } = await catalogFacts(page, 'SVC-PM');
    const { body: after } = await apiAs<PriceBookEntryList>(page, 'GET', `/api/v1/catalog/price-books/${book.id}/entries`);
    expect(new Dec(after.items.find((e) => e.productId === pm.id)!.unitPrice).equals('3600')).toBe(true);
    // The tiers saved earlier came back unchanged through the round trip.
    expect(after.items.find((e) => e.productId === training.id)!.tiers?.bands.map((b) => b.fromQty)).toEqual([10, 20]);
  });

  it('products: a taken SKU comes back on the SKU field of the drawer', async () => {
    const { page } = await h.newPage('en');
    await signIn(page, 'dealdesk@yunlan.demo');
    await useLanguage(page, 'en');
    await page.goto('/cpq/products');
    await page.getByTestId('products-table').waitFor();
    await page.getByTestId('products-create').click();
    await page.getByTestId('product-form-sku').fill('ERP-STD');
    await page.getByTestId('product-form-nameZh').fill('重复的产品');
    await page.getByTestId('product-form-unit').fill('套');
    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/catalog/products') && r.request().method() === 'POST');
    await page.getByTestId('product-form-submit').click();
    const res = await created;
    expect(res.status()).toBe(409);
    const problem = (await res.json()) as { errors: { path: string; message: string }[] };
    const skuError = problem.errors.find((e) => e.path === 'sku')!;
    const skuItem = page.locator('.ant-form-item').filter({ has: page.getByTestId('product-form-sku') });
    await expect.poll(() => skuItem.locator('.ant-form-item-explain-error').textContent()).toBe(skuError.message);
  });
});
