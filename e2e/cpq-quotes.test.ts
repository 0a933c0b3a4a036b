import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account } from '../src/server/modules/crm/account-contract.ts';
import type { OpportunityDetail, OpportunityPage, PipelineList } from '../src/server/modules/crm/opportunity-contract.ts';
import type { ContractDetail } from '../src/server/modules/contracts/contract.ts';
import type { SessionInfo } from '../src/server/modules/org/contract.ts';
import type { ApprovalPreview, ApprovalRequestPage } from '../src/server/modules/quotes/approval-contract.ts';
import type { QuoteDetail, QuotePage } from '../src/server/modules/quotes/contract.ts';
import { formatAmount } from '../src/server/modules/quotes/quote-pdf.ts';
import { formatMoney } from '../src/web/modules/crm/pipeline/money-display.ts';
import { type Harness, apiAs, signIn, startHarness } from './harness.ts';

/**
 * The quote-to-contract path in the browser, under the demo approval policy (a quote discount above
 * 10 % needs the seller's manager): a rep quotes one of their deals at 15 % off and submits it
 * (recalling and resubmitting once), the manager rejects it from the inbox with a reason, the rep
 * starts version 2 and submits it, the manager approves; the rep sends it and records the
 * customer's acceptance with a one-time billing plan; the contract appears and the deal is won.
 * The PDF of the accepted version is then downloaded and read back with pdftotext.
 */
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.stop();
});

const inputOf = (page: Page, testId: string) => page.locator(`input[data-testid="${testId}"], [data-testid="${testId}"] input`).first();

async function pickOption(page: Page, optionText: string): Promise<void> {
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: optionText }).first().click();
}

async function versionStatus(page: Page): Promise<string | null> {
  return page.getByTestId('version-view').getAttribute('data-status');
}

/** Submit the draft on screen through the approval preview dialog. */
async function submitFromEditor(page: Page, versionId: string): Promise<void> {
  await page.getByTestId('action-submit').click();
  await page.getByTestId('submit-required').waitFor();
  const submitted = page.waitForResponse((r) => r.url().endsWith(`/api/v1/quotes/versions/${versionId}/submit`));
  await page.getByTestId('submit-confirm').click();
  expect((await submitted).status()).toBe(200);
  await expect.poll(() => versionStatus(page)).toBe('in_approval');
}

/** As an approver: open the quote's pending request from the inbox. */
async function openFromInbox(page: Page, quoteNumber: string): Promise<void> {
  await page.goto('/cpq/approvals');
  await page.getByTestId('approvals-inbox').waitFor();
  const row = page.locator(`[data-testid="approval-row"][data-quote="${quoteNumber}"]`);
  await row.getByTestId('approval-link').click();
  await page.getByTestId('approval-request').waitFor();
  expect(await page.getByTestId('approval-request').getAttribute('data-status')).toBe('pending');
}

describe('CPQ quotes in the browser', () => {
  it('a discounted quote is recalled, rejected, revised, approved, sent and accepted into a contract; its PDF carries the customer and the total', async () => {
    // ── The rep picks one of their open deals that has no quote yet, on an account they can see
    // (quoting reads the account's pricing profile).
    const { page: rep } = await h.newPage('zh-CN');
    await signIn(rep, 'rep@yunlan.demo');
    const { body: session } = await apiAs<SessionInfo>(rep, 'GET', '/api/v1/auth/session');
    const { body: deals } = await apiAs<OpportunityPage>(rep, 'GET', `/api/v1/crm/opportunities?ownerId=${session.user.id}&limit=200`);
    let deal: OpportunityPage['items'][number] | undefined;
    let account: Account | undefined;
    for (const d of deals.items.filter((x) => x.closedAt === null)) {
      const { body: quotes } = await apiAs<QuotePage>(rep, 'GET', `/api/v1/quotes?opportunityId=${d.id}`);
      const seen = await apiAs<Account>(rep, 'GET', `/api/v1/crm/accounts/${d.accountId}`);
      if (quotes.items.length === 0 && seen.status === 200) {
        deal = d;
        account = seen.body;
        break;
      }
    }
    expect(deal, 'the rep has an open deal without quotes on a visible account').toBeDefined();

    // ── New quote from the deal's page.
    await rep.goto(`/crm/opportunities/${deal!.id}`);
    await rep.getByTestId('deal-quotes').waitFor();
    await rep.getByTestId('deal-new-quote').click();
    await expect.poll(() => inputOf(rep, 'new-quote-price-book').isVisible()).toBe(true);
    // The CNY book is preselected once the price books have loaded.
    await expect.poll(() => rep.getByTestId('new-quote-price-book').textContent()).toContain('CNY');
    const created = rep.waitForResponse((r) => r.url().endsWith('/api/v1/quotes') && r.request().method() === 'POST');
    await rep.getByTestId('new-quote-submit').click();
    const createdRes = await created;
    expect(createdRes.status()).toBe(201);
    expect(createdRes.request().headers()['idempotency-key']).toBeTruthy();
    const quote = (await createdRes.json()) as QuoteDetail;
    await rep.waitForURL(`**/cpq/quotes/${quote.id}`);
    await rep.getByTestId('quote-editor').waitFor();
    // The header names the customer and the deal, not bare links.
    expect(await rep.getByTestId('quote-account').textContent()).toBe(account!.nameZh);
    expect(await rep.getByTestId('quote-deal').textContent()).toBe(deal!.name);

    // ── One line: ERP Standard at 15 % off; the live preview prices it and says approval is needed.
    await rep.getByTestId('editor-add-line').click();
    await rep.getByTestId('line-product').first().click();
    await rep.keyboard.type('ERP-STD');
    await rep.locator('.ant-select-dropdown:visible [data-testid="product-option"][data-sku="ERP-STD"]').first().click();
    await rep.getByTestId('line-price-mode').first().click();
    await pickOption(rep, '折扣 %');
    // A discount over 100 % is refused by the server's contract; the problem lands on the field itself.
    await inputOf(rep, 'line-discount-input').fill('150');
    const refused = rep.waitForResponse((r) => r.url().endsWith(`/api/v1/quotes/versions/${quote.versions[0]!.id}`) && r.request().method() === 'PATCH');
    await rep.getByTestId('action-save').click();
    expect((await refused).status()).toBe(400);
    const discountItem = rep.locator('.ant-form-item', { has: rep.locator('input[data-testid="line-discount-input"]') });
    await discountItem.locator('.ant-form-item-explain-error').waitFor();
    await inputOf(rep, 'line-discount-input').fill('15');
    await expect.poll(() => rep.getByTestId('editor-approval-required').getAttribute('data-required'), { timeout: 15_000 }).toBe('true');
    await expect.poll(() => rep.getByTestId('line-discount').first().textContent()).toBe('15%');
    await expect.poll(() => rep.getByTestId('totals-in-words').textContent()).toMatch(/^大写：.+元/);

    const saved = rep.waitForResponse((r) => r.url().endsWith(`/api/v1/quotes/versions/${quote.versions[0]!.id}`) && r.request().method() === 'PATCH');
    await rep.getByTestId('action-save').click();
    const savedRes = await saved;
    expect(savedRes.status()).toBe(200);
    expect((savedRes.request().postDataJSON() as { lines: unknown[] }).lines).toEqual([
      { id: 'L1', productId: expect.any(String), quantity: 1, manualDiscountPercent: '15' },
    ]);
    await expect.poll(() => rep.getByTestId('quote-editor').getAttribute('data-dirty')).toBe('false');

    // ── The editor explains its line in a drawer (the live preview carries the explanation).
    expect(((await savedRes.json()) as QuoteDetail).versions[0]!.priced[0]).not.toHaveProperty('explanation');
    const repLang = await rep.locator('html').getAttribute('lang');
    await rep.getByTestId('explain-line').first().click();
    const repDrawer = rep.getByTestId('explanation-drawer');
    await expect.poll(() => repDrawer.getByTestId('waterfall-text').allTextContents()).toContainEqual(expect.stringContaining(repLang === 'en' ? 'manual discount 15 %' : '手工折扣 15%'));
    await rep.keyboard.press('Escape');
    await repDrawer.waitFor({ state: 'hidden' });

    // ── Submit: the preview shows the manager step and why, before anything is stored.
    const v1 = quote.versions[0]!;
    const { body: approvalPreview } = await apiAs<ApprovalPreview>(rep, 'GET', `/api/v1/quotes/versions/${v1.id}/approval-preview`);
    expect(approvalPreview.steps.map((s) => s.level)).toEqual(['manager']);
    await rep.getByTestId('action-submit').click();
    await rep.getByTestId('submit-required').waitFor();
    await expect.poll(() => rep.locator('[data-testid="approval-step"]').count()).toBe(1);
    expect(await rep.locator('[data-testid="approval-step"]').getAttribute('data-level')).toBe('manager');
    expect(await rep.locator('[data-testid="approval-trigger"]').first().getAttribute('data-rule')).toBe('discount-manager');
    expect(await rep.locator('[data-testid="approval-trigger"]').first().textContent()).toContain('整单折扣 15%');
    const submitted = rep.waitForResponse((r) => r.url().endsWith(`/api/v1/quotes/versions/${v1.id}/submit`));
    await rep.getByTestId('submit-confirm').click();
    expect((await submitted).status()).toBe(200);
    await expect.poll(() => versionStatus(rep)).toBe('in_approval');
    // The submitter may recall while it waits: the version is a draft again, and is submitted again.
    await rep.getByTestId('action-recall').click();
    const recalled = rep.waitForResponse((r) => r.url().includes('/api/v1/quotes/approvals/') && r.url().endsWith('/recall'));
    await rep.getByTestId('recall-confirm').click();
    expect((await recalled).status()).toBe(200);
    await expect.poll(() => versionStatus(rep)).toBe('draft');
    await rep.getByTestId('quote-editor').waitFor();
    await submitFromEditor(rep, v1.id);

    // ── The manager finds it in the inbox (the menu shows how many wait) and rejects it, with a reason.
    const { page: manager } = await h.newPage('en');
    await signIn(manager, 'manager@yunlan.demo');
    await manager.getByTestId('nav-cpq').click();
    await expect.poll(async () => Number((await manager.getByTestId('nav-approvals-count').getAttribute('data-count')) ?? 0)).toBeGreaterThan(0);
    await manager.getByTestId('nav-cpq-approvals').click();
    await manager.getByTestId('approvals-inbox').waitFor();
    const row = manager.locator(`[data-testid="approval-row"][data-quote="${quote.number}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain(account!.nameZh);
    await row.getByTestId('approval-link').click();
    await manager.getByTestId('approval-request').waitFor();
    expect(await manager.getByTestId('approval-request').getAttribute('data-status')).toBe('pending');
    // The UI speaks the manager's saved language; the trigger reads the same in either.
    const managerLang = await manager.locator('html').getAttribute('lang');
    expect(await manager.locator('[data-testid="approval-trigger"]').first().textContent()).toBe(
      managerLang === 'en' ? 'Quote discount 15% is above 10%' : '整单折扣 15%，高于 10%',
    );
    await manager.getByTestId('changes-none').waitFor();
    // A submitted version's explanation is read from what was stored with it, when the drawer opens.
    const explained = manager.waitForResponse((r) => r.url().includes('/explanation?lineId=L1'));
    await manager.getByTestId('explain-line').first().click();
    expect((await explained).status()).toBe(200);
    const managerDrawer = manager.getByTestId('explanation-drawer');
    await expect
      .poll(() => managerDrawer.getByTestId('waterfall-text').allTextContents())
      .toContainEqual(expect.stringContaining(managerLang === 'en' ? 'manual discount 15 %' : '手工折扣 15%'));
    await manager.keyboard.press('Escape');
    await managerDrawer.waitFor({ state: 'hidden' });
    await manager.getByTestId('request-reject').click();
    expect(await manager.getByTestId('decision-confirm').isDisabled()).toBe(true);
    await manager.getByTestId('decision-comment').fill('15% is more than this account has ever had; try 12%.');
    const rejected = manager.waitForResponse((r) => r.url().includes('/api/v1/quotes/approvals/') && r.url().endsWith('/reject'));
    await manager.getByTestId('decision-confirm').click();
    expect((await rejected).status()).toBe(200);
    await expect.poll(() => manager.getByTestId('approval-request').getAttribute('data-status')).toBe('rejected');
    expect(await manager.locator('[data-testid="request-decision"][data-decision="rejected"]').textContent()).toContain('try 12%');

    // ── The rep sees the rejection and starts version 2 from it (same lines), then submits that.
    await rep.reload();
    await expect.poll(() => versionStatus(rep)).toBe('rejected');
    const revised = rep.waitForResponse((r) => r.url().endsWith(`/api/v1/quotes/${quote.id}/versions`) && r.request().method() === 'POST');
    await rep.getByTestId('action-new-version').click();
    const revisedRes = await revised;
    expect(revisedRes.status()).toBe(201);
    const v2 = ((await revisedRes.json()) as QuoteDetail).versions.find((v) => v.number === 2)!;
    await expect.poll(() => rep.getByTestId('version-view').getAttribute('data-number')).toBe('2');
    await expect.poll(() => versionStatus(rep)).toBe('draft');
    await expect.poll(() => rep.getByTestId('line-discount').first().textContent()).toBe('15%');
    await submitFromEditor(rep, v2.id);

    // ── This time the manager approves.
    await openFromInbox(manager, quote.number);
    await manager.getByTestId('request-approve').click();
    const approved = manager.waitForResponse((r) => r.url().includes('/api/v1/quotes/approvals/') && r.url().endsWith('/approve'));
    await manager.getByTestId('decision-confirm').click();
    expect((await approved).status()).toBe(200);
    await expect.poll(() => manager.getByTestId('approval-request').getAttribute('data-status')).toBe('approved');
    await expect.poll(() => manager.locator('[data-testid="request-decision"][data-decision="approved"]').count()).toBe(1);
    const { body: inbox } = await apiAs<ApprovalRequestPage>(manager, 'GET', '/api/v1/quotes/approvals?status=pending&mine=true');
    expect(inbox.items.some((r) => r.quoteId === quote.id)).toBe(false);

    // ── The rep sends the approved version and records the customer's acceptance (one-time billing).
    await rep.reload();
    await expect.poll(() => versionStatus(rep)).toBe('approved');
    const sent = rep.waitForResponse((r) => r.url().endsWith(`/api/v1/quotes/versions/${v2.id}/send`));
    await rep.getByTestId('action-send').click();
    expect((await sent).status()).toBe(200);
    await expect.poll(() => versionStatus(rep)).toBe('sent');
    const grandTotal = (await apiAs<QuoteDetail>(rep, 'GET', `/api/v1/quotes/${quote.id}`)).body.versions.find((v) => v.id === v2.id)!.totals.grandTotal;
    expect(await rep.getByTestId('totals-grand').getAttribute('data-amount')).toBe(grandTotal.amount);

    await rep.getByTestId('action-accept').click();
    await rep.getByTestId('accept-form').waitFor();
    // Milestones must add up to 100 %: checked before anything is sent.
    let acceptCalls = 0;
    rep.on('request', (r) => {
      if (r.url().endsWith(`/api/v1/quotes/versions/${v2.id}/accept`)) acceptCalls++;
    });
    await rep.getByTestId('accept-billing-type').getByText('按里程碑').click();
    const milestone = rep.getByTestId('accept-milestone').first();
    await milestone.locator('input').nth(0).fill('签约');
    await milestone.locator('input').nth(1).fill('50');
    await expect.poll(() => rep.getByTestId('accept-milestone-sum').textContent()).toBe('合计：50%');
    await rep.getByTestId('accept-confirm').click();
    await rep.getByText('各里程碑比例之和必须为 100%（当前 50%）').waitFor();
    expect(acceptCalls).toBe(0);
    await rep.getByTestId('accept-billing-type').getByText('一次性').click();
    const accepted = rep.waitForResponse((r) => r.url().endsWith(`/api/v1/quotes/versions/${v2.id}/accept`));
    await rep.getByTestId('accept-confirm').click();
    const acceptedRes = await accepted;
    expect(acceptedRes.status()).toBe(200);
    expect((acceptedRes.request().postDataJSON() as { billing: unknown }).billing).toEqual({ type: 'one_time' });
    const { contract } = (await acceptedRes.json()) as { contract: { id: string; number: string } };

    // ── The contract page shows its number and total; its one installment is the whole amount.
    await rep.waitForURL(`**/cpq/contracts/${contract.id}`);
    await rep.getByTestId('contract-page').waitFor();
    expect(await rep.getByTestId('contract-number').textContent()).toBe(contract.number);
    expect(await rep.getByTestId('contract-total').textContent()).toBe(formatMoney(grandTotal));
    await expect.poll(() => rep.getByTestId('billing-row').count()).toBe(1);
    expect(await rep.getByTestId('billing-row').getAttribute('data-amount')).toBe(grandTotal.amount);
    expect(await rep.getByTestId('contract-account').textContent()).toBe(account!.nameZh);
    expect(await rep.getByTestId('contract-deal').textContent()).toBe(deal!.name);
    const { body: signed } = await apiAs<ContractDetail>(rep, 'GET', `/api/v1/contracts/${contract.id}`);
    expect(signed.quoteVersionId).toBe(v2.id);
    expect(signed.billingType).toBe('one_time');

    // ── The deal is closed-won.
    const { body: won } = await apiAs<OpportunityDetail>(rep, 'GET', `/api/v1/crm/opportunities/${deal!.id}`);
    const { body: pipelines } = await apiAs<PipelineList>(rep, 'GET', '/api/v1/crm/pipelines');
    const pipeline = pipelines.items.find((p) => p.id === won.pipelineId)!;
    expect(pipeline.definition.stages.find((s) => s.key === won.stageKey)?.kind).toBe('won');
    expect(won.closedAt).not.toBeNull();

    // ── The lists name the customer and the deal of each row.
    await rep.goto('/cpq/quotes');
    const quoteRow = rep.locator(`[data-testid="quote-row"][data-id="${quote.id}"]`);
    await quoteRow.waitFor();
    expect(await quoteRow.getByTestId('quote-row-account').textContent()).toBe(account!.nameZh);
    expect(await quoteRow.getByTestId('quote-row-deal').textContent()).toBe(deal!.name);
    await rep.goto('/cpq/contracts');
    const contractRow = rep.locator(`[data-testid="contract-row"][data-id="${contract.id}"]`);
    await contractRow.waitFor();
    expect(await contractRow.getByTestId('contract-row-account').textContent()).toBe(account!.nameZh);
    expect(await contractRow.getByTestId('contract-row-deal').textContent()).toBe(deal!.name);

    // The quote page of the accepted version leads to its contract.
    await rep.goto(`/cpq/quotes/${quote.id}`);
    await expect.poll(() => versionStatus(rep)).toBe('accepted');
    expect(await rep.getByTestId('action-contract').textContent()).toContain(contract.number);

    // ── The PDF of that version, in Chinese, as the browser downloads it with the rep's session.
    const pdf = await rep.context().request.get(`/api/v1/quotes/versions/${v2.id}/pdf?locale=zh-CN&download=1`);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toContain('application/pdf');
    const dir = mkdtempSync(path.join(tmpdir(), 'cpq-quote-pdf-'));
    try {
      const file = path.join(dir, 'quote.pdf');
      writeFileSync(file, await pdf.body());
      const text = execFileSync('/usr/bin/pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
      expect(text.replace(/\s+/g, '')).toContain(account!.nameZh.replace(/\s+/g, ''));
      expect(text).toContain(`CNY ${formatAmount(grandTotal.amount, 'CNY')}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
