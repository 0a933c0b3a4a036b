import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportJob } from '../src/server/modules/crm/import-contract.ts';
import type {
  Forecast,
  ForecastSubmission,
  Opportunity,
  OpportunityDetail,
  OpportunityPage,
  PipelineList,
} from '../src/server/modules/crm/opportunity-contract.ts';
import { Dec } from '../src/shared/money.ts';
import { formatMoney } from '../src/web/modules/crm/pipeline/money-display.ts';
import enErrors from '../src/shared/i18n/en/errors.json';
import zhErrors from '../src/shared/i18n/zh-CN/errors.json';
import { type Harness, apiAs, signIn, startHarness } from './harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.stop();
});

const card = (page: Page, id: string) => page.locator(`[data-testid="kanban-card"][data-id="${id}"]`);
const column = (page: Page, stage: string) => page.locator(`[data-testid="kanban-column"][data-stage="${stage}"]`);

async function myDeals(page: Page, stages: string): Promise<Opportunity[]> {
  const { body } = await apiAs<OpportunityPage>(page, 'GET', `/api/v1/crm/opportunities?stage=${stages}&limit=200&sort=closeDate`);
  return body.items;
}

async function openKanban(page: Page): Promise<void> {
  await page.goto('/crm/pipeline');
  await page.getByTestId('pipeline-kanban').waitFor();
}

describe('CRM pipeline in the browser', () => {
  it('a rep drags a deal to the next stage, is refused reopening a won deal, closes a deal as lost with a reason, and moves a deal from its drawer', async () => {
    const { page } = await h.newPage('en');
    await signIn(page, 'rep@yunlan.demo');
    const { body: pipelines } = await apiAs<PipelineList>(page, 'GET', '/api/v1/crm/pipelines');
    const pipeline = pipelines.items.find((p) => p.isDefault)!;
    const openStages = pipeline.definition.stages.filter((s) => s.kind === 'open').map((s) => s.key);
    const won = pipeline.definition.stages.find((s) => s.kind === 'won')!.key;
    const lost = pipeline.definition.stages.find((s) => s.kind === 'lost')!.key;

    // A deal of the rep's own in an open stage that has a next open stage.
    const movable = (await myDeals(page, openStages.slice(0, -1).join(','))).filter((d) => d.pipelineId === pipeline.id);
    expect(movable.length).toBeGreaterThan(1);
    const deal = movable[0]!;
    const next = openStages[openStages.indexOf(deal.stageKey) + 1]!;

    await openKanban(page);
    await card(page, deal.id).waitFor();
    expect(await card(page, deal.id).getAttribute('data-stage')).toBe(deal.stageKey);
    const totalsBefore = await column(page, next).getByTestId('kanban-column-totals').getAttribute('data-count');

    const moved = page.waitForResponse((r) => r.url().endsWith(`/api/v1/crm/opportunities/${deal.id}/stage`) && r.request().method() === 'POST');
    await card(page, deal.id).dragTo(column(page, next));
    const res = await moved;
    expect(res.status()).toBe(200);
    expect(res.request().postDataJSON()).toEqual({ version: deal.version, stageKey: next });
    await expect.poll(() => column(page, next).locator(`[data-testid="kanban-card"][data-id="${deal.id}"]`).count()).toBe(1);
    expect(Number(await column(page, next).getByTestId('kanban-column-totals').getAttribute('data-count'))).toBe(Number(totalsBefore) + 1);

    // It stays there after a reload, and the server has the change with its history.
    await page.reload();
    await page.getByTestId('pipeline-kanban').waitFor();
    await expect.poll(() => column(page, next).locator(`[data-testid="kanban-card"][data-id="${deal.id}"]`).count()).toBe(1);
    const { body: saved } = await apiAs<OpportunityDetail>(page, 'GET', `/api/v1/crm/opportunities/${deal.id}`);
    expect(saved.stageKey).toBe(next);
    expect(saved.version).toBe(deal.version + 1);

    // A won deal cannot be reopened in the default pipeline: the board refuses and the card stays.
    const wonDeals = (await myDeals(page, won)).filter((d) => d.pipelineId === pipeline.id);
    expect(wonDeals.length).toBeGreaterThan(0);
    {
      const closed = wonDeals[0]!;
      await card(page, closed.id).waitFor();
      let stageCalls = 0;
      page.on('request', (r) => {
        if (r.url().endsWith(`/api/v1/crm/opportunities/${closed.id}/stage`)) stageCalls++;
      });
      await card(page, closed.id).dragTo(column(page, openStages[0]!));
      const errors = (await page.locator('html').getAttribute('lang')) === 'en' ? enErrors : zhErrors;
      await expect.poll(() => page.getByTestId('kanban-problem-title').textContent()).toBe(errors.crm.stage_transition_not_allowed.title);
      expect(await column(page, won).locator(`[data-testid="kanban-card"][data-id="${closed.id}"]`).count()).toBe(1);
      expect(stageCalls).toBe(0);
      const { body: still } = await apiAs<OpportunityDetail>(page, 'GET', `/api/v1/crm/opportunities/${closed.id}`);
      expect(still.stageKey).toBe(won);
      expect(still.version).toBe(closed.version);
    }

    // Closing as lost asks for the reason first, and sends it with the move.
    const other = movable[1]!;
    await card(page, other.id).dragTo(column(page, lost));
    await page.getByTestId('loss-reason-input').waitFor();
    const reason = 'Budget moved to next year';
    await page.getByTestId('loss-reason-input').fill(reason);
    const lostCall = page.waitForResponse((r) => r.url().endsWith(`/api/v1/crm/opportunities/${other.id}/stage`) && r.request().method() === 'POST');
    await page.getByTestId('loss-reason-submit').click();
    expect((await lostCall).status()).toBe(200);
    await expect.poll(() => column(page, lost).locator(`[data-testid="kanban-card"][data-id="${other.id}"]`).count()).toBe(1);
    const { body: closedLost } = await apiAs<OpportunityDetail>(page, 'GET', `/api/v1/crm/opportunities/${other.id}`);
    expect(closedLost.stageKey).toBe(lost);
    expect(closedLost.lossReason).toBe(reason);

    // The deal's drawer shows the move in its stage history.
    await card(page, deal.id).click();
    await page.getByTestId('opportunity-detail').waitFor();
    await expect.poll(() => page.getByTestId('stage-history-row').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('opportunity-detail').getAttribute('data-stage')).toBe(next);

    // Without dragging: the drawer offers the stages the pipeline allows and moves the deal there too.
    const back = pipeline.definition.stages.find((st) => st.key === openStages[0])!;
    await page.getByTestId('detail-move-stage').click();
    const backName = (await page.locator('html').getAttribute('lang')) === 'en' ? back.name.en : back.name.zh;
    const movedBack = page.waitForResponse((r) => r.url().endsWith(`/api/v1/crm/opportunities/${deal.id}/stage`) && r.request().method() === 'POST');
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: backName }).first().click();
    expect((await movedBack).status()).toBe(200);
    await expect.poll(() => page.getByTestId('opportunity-detail').getAttribute('data-stage')).toBe(back.key);
    await expect.poll(() => column(page, back.key).locator(`[data-testid="kanban-card"][data-id="${deal.id}"]`).count()).toBe(1);
  });

  it('imports a small CSV: the dry run lists the bad row with its error, and the good rows go in', async () => {
    const { page } = await h.newPage('zh-CN');
    await signIn(page, 'rep@yunlan.demo');
    await page.goto('/crm/import');
    await page.getByTestId('import-page').waitFor();

    // Names unlike each other and unlike the demo customers (a similar name would need confirming).
    const good = ['澄湖测绘技术有限公司', '西渚港务管理局'];
    const csv = [
      '客户名称,统一社会信用代码,客户类型',
      `${good[0]},,企业`,
      // Row 3 of the file: 16 characters, not a USCC.
      '南溪电子科技有限公司,9135010012345678,企业',
      `${good[1]},,政府`,
    ].join('\n');
    await page.getByTestId('import-entity-account').click();
    const uploaded = page.waitForResponse((r) => r.url().endsWith('/api/v1/crm/imports') && r.request().method() === 'POST');
    await page.getByTestId('import-file').setInputFiles({ name: 'accounts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
    expect((await uploaded).ok()).toBe(true);
    await page.getByTestId('import-mapping').waitFor();
    expect(await page.getByTestId('import-row-count').textContent()).toBe('3');
    expect(await page.getByTestId('import-encoding').textContent()).toMatch(/utf-8/);

    const checked = page.waitForResponse((r) => r.url().includes('/dry-run'));
    await page.getByTestId('import-dry-run').click();
    const job = (await (await checked).json()) as ImportJob;
    await page.getByTestId('import-report').waitFor();
    expect(job.report?.invalid).toBe(1);
    expect(job.report?.valid).toBe(2);

    const rows = page.locator('[data-testid="import-error-row"][data-severity="error"]');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-row')).toBe('3');
    expect(await rows.first().getAttribute('data-code')).toMatch(/^uscc_/);
    expect((await rows.first().getByTestId('import-error-message').textContent())?.length).toBeGreaterThan(0);

    // Nothing is written by a dry run.
    const found = async (name: string) =>
      (await apiAs<{ items: { nameZh: string }[] }>(page, 'GET', `/api/v1/crm/accounts?q=${encodeURIComponent(name)}`)).body.items.filter((a) => a.nameZh === name);
    for (const name of [...good, '南溪电子科技有限公司']) expect(await found(name)).toHaveLength(0);

    // The error report names the bad row.
    const download = page.waitForEvent('download');
    await page.getByTestId('import-errors-csv').click();
    const report = await (await download).path();
    const reportText = readFileSync(report, 'utf8');
    const reportLines = reportText.split(/\r?\n/).filter((l) => l.trim() !== '');
    // The header, then only the bad row (row 3) with its cells and its problem.
    expect(reportLines).toHaveLength(2);
    expect(reportLines[1]).toMatch(/^3,南溪电子科技有限公司,9135010012345678,企业,/);

    // Commit without the bad row: the two good rows are created.
    await page.getByTestId('import-skip-invalid').click();
    if (await page.getByTestId('import-confirm-similar').isVisible()) await page.getByTestId('import-confirm-similar').click();
    await page.getByTestId('import-commit').click();
    await page.getByTestId('import-result').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('import-result').getAttribute('data-created')).toBe('2');
    for (const name of good) expect(await found(name)).toHaveLength(1);
    expect(await found('南溪电子科技有限公司')).toHaveLength(0);
  });

  it('the table shows the same deals as the API, exports them with the filters on screen, and a new deal is created from the form', async () => {
    const { page } = await h.newPage('en');
    await signIn(page, 'rep@yunlan.demo');
    await page.goto('/crm/pipeline?view=table');
    await page.getByTestId('deal-table').waitFor();
    // Only the negotiation stage.
    await page.getByTestId('deal-filter-stages').click();
    await page.locator('.ant-select-dropdown .ant-select-item-option').nth(3).click();
    await page.keyboard.press('Escape');
    const { body: pipelines } = await apiAs<PipelineList>(page, 'GET', '/api/v1/crm/pipelines');
    const pipeline = pipelines.items.find((p) => p.isDefault)!;
    const stage = pipeline.definition.stages[3]!.key;
    const expected = (await myDeals(page, stage)).filter((d) => d.pipelineId === pipeline.id);
    await expect.poll(async () => (await page.locator('[data-testid="deal-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')))).sort()).toEqual(
      expected.map((d) => d.id).sort(),
    );

    const download = page.waitForEvent('download');
    const request = page.waitForRequest((r) => r.url().includes('/api/v1/crm/exports/opportunities'));
    await page.getByTestId('export-csv').click();
    const url = new URL((await request).url());
    expect(url.searchParams.get('format')).toBe('csv');
    expect(url.searchParams.get('stage')).toBe(stage);
    expect(url.searchParams.get('pipelineId')).toBe(pipeline.id);
    const text = readFileSync(await (await download).path(), 'utf8');
    for (const d of expected) expect(text).toContain(d.number);

    // A new deal from the form: money goes as a decimal string with its currency, once (Idempotency-Key).
    const { body: accounts } = await apiAs<{ items: { id: string; nameZh: string }[] }>(page, 'GET', '/api/v1/crm/accounts?limit=1');
    const account = accounts.items[0]!;
    await page.getByTestId('new-deal').click();
    await page.getByTestId('new-deal-name').fill('Data platform expansion');
    await page.getByTestId('new-deal-account').click();
    await page.keyboard.type(account.nameZh.slice(0, 4));
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: account.nameZh }).first().click();
    await page.getByTestId('new-deal-amount').fill('1250000.50');
    await page.locator('[data-testid="new-deal-close"] input, input[data-testid="new-deal-close"]').first().click();
    await page.keyboard.type('2027-03-31');
    await page.keyboard.press('Enter');
    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/crm/opportunities') && r.request().method() === 'POST');
    await page.getByTestId('new-deal-submit').click();
    const createdRes = await created;
    expect(createdRes.ok()).toBe(true);
    expect(createdRes.request().headers()['idempotency-key']).toBeTruthy();
    expect(createdRes.request().postDataJSON()).toMatchObject({
      name: 'Data platform expansion',
      accountId: account.id,
      amount: { amount: '1250000.50', currency: 'CNY' },
      expectedCloseDate: '2027-03-31',
      pipelineId: pipeline.id,
    });
    const newDeal = (await createdRes.json()) as OpportunityDetail;
    await page.getByTestId('opportunity-detail').waitFor();
    expect(await page.getByTestId('opportunity-detail').getAttribute('data-id')).toBe(newDeal.id);
    expect(await page.getByTestId('detail-amount').textContent()).toBe('¥1,250,000.50');
    expect(newDeal.stageKey).toBe(pipeline.definition.stages[0]!.key);
  });

  it('a manager submits a forecast with an adjustment and a comment and sees it in the history', async () => {
    const { page } = await h.newPage('en');
    await signIn(page, 'manager@yunlan.demo');
    await page.goto('/crm/forecast');
    await page.getByTestId('forecast-table').waitFor();
    const periodKey = (await page.getByTestId('forecast-page').getAttribute('data-period'))!;
    // The current fiscal quarter (the calendar year is the fiscal year).
    expect(periodKey).toMatch(/^FY\d{4}-Q[1-4]$/);
    const { body: forecast } = await apiAs<Forecast>(page, 'GET', `/api/v1/crm/forecast?period=${periodKey}`);
    const own = forecast.lines.find((l) => l.id === forecast.unitId && l.level !== 'rep')!;
    const row = page.locator(`[data-testid="forecast-row"][data-id="${own.id}"][data-level="${own.level}"]`);
    expect(await row.getByTestId('forecast-commit').textContent()).toBe(formatMoney(own.cumulative.commit.amount));

    await page.getByTestId('forecast-adjustment').fill('-1250.50');
    await page.getByTestId('forecast-comment').fill('Two deals slip to next quarter');
    // closed + commit + adjustment, exactly.
    const adjusted = new Dec(own.byCategory.closed.amount.amount).plus(own.byCategory.commit.amount.amount).minus('1250.50').toFixed(2);
    await expect.poll(() => page.getByTestId('forecast-preview').textContent()).toContain(formatMoney({ amount: adjusted, currency: 'CNY' }));
    const posted = page.waitForResponse((r) => r.url().endsWith('/api/v1/crm/forecast/submissions') && r.request().method() === 'POST');
    await page.getByTestId('forecast-submit').click();
    const res = await posted;
    expect(res.ok()).toBe(true);
    expect(res.request().headers()['idempotency-key']).toBeTruthy();
    const submission = (await res.json()) as ForecastSubmission;
    expect(submission.adjustedCommit.amount).toBe(adjusted);
    await expect.poll(() => page.getByTestId('forecast-history-row').count()).toBe(1);
    expect(await page.getByTestId('forecast-history-commit').first().textContent()).toBe(formatMoney({ amount: adjusted, currency: 'CNY' }));
  });
});
