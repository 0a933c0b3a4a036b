import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountCoverageGaps, AccountPage, ContactPage } from '../src/server/modules/crm/account-contract.ts';
import { computeOrganisationCodeCheckChar, computeUsccCheckChar } from '../src/shared/uscc.ts';
import { type Harness, apiAs, signIn, startHarness } from './harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.stop();
});

/** A valid USCC nobody has: a Beijing company (91, 110108) with a random organisation code. */
function freshUscc(): string {
  const body8 = String(Math.floor(Math.random() * 1e8)).padStart(8, '0');
  const org = `${body8}${computeOrganisationCodeCheckChar(body8)}`;
  const first17 = `91110108${org}`;
  return `${first17}${computeUsccCheckChar(first17)}`;
}

/** Open an antd select and choose the option showing `text` (typing `search` first when given). */
async function choose(page: Page, select: Locator, text: string, search?: string): Promise<void> {
  await select.click();
  if (search) await page.keyboard.type(search);
  await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', { hasText: text }).first().click();
}

async function addContact(page: Page, level: 'decision' | 'management' | 'execution', name: string, title: string): Promise<void> {
  await page.getByTestId(`contact-add-${level}`).click();
  const modal = page.getByTestId('contact-form-modal');
  await modal.getByTestId('contact-form-name').fill(name);
  await modal.getByTestId('contact-form-title').fill(title);
  await page.getByTestId('contact-form-submit').click();
  await page.getByTestId(`contacts-level-${level}`).getByText(name).waitFor();
}

async function cover(page: Page, contactName: string, personEmail: string, strength: number): Promise<void> {
  await page.getByTestId('map-contact').filter({ hasText: contactName }).getByTestId('map-cover').click();
  const modal = page.getByTestId('coverage-form-modal');
  await modal.getByTestId('coverage-form-user').waitFor();
  await choose(page, modal.getByTestId('coverage-form-user'), personEmail, personEmail.split('@')[0]);
  await modal.locator(`[data-testid="coverage-form-strength"] li:nth-child(${strength})`).click();
  await page.getByTestId('coverage-form-submit').click();
  await page.getByTestId('map-contact').filter({ hasText: contactName }).getByTestId('map-coverer').waitFor();
}

describe('CRM accounts in the browser', () => {
  it('a sales manager builds an account group, maps its people, and the gap report flags the uncovered decision-maker', async () => {
    const { page } = await h.newPage('zh-CN');
    await signIn(page, 'manager@yunlan.demo');
    const suffix = Date.now().toString(36).toUpperCase();
    const parentName = `Zephyrine Geomatics ${suffix}`;
    const childName = `Quillfeather Survey ${suffix}`;
    const uscc = freshUscc();

    // ── A new account: the server's USCC check shows on the field, then it is created.
    await page.goto('/crm/accounts');
    await page.getByTestId('accounts-page').waitFor();
    expect(await page.getByTestId('page-title').textContent()).toBe('客户');
    await page.getByTestId('accounts-create').click();
    const drawer = page.getByTestId('account-form-drawer');
    await drawer.getByTestId('account-form-nameZh').fill(parentName);
    const badUscc = `${uscc.slice(0, 17)}${uscc[17] === '0' ? '1' : '0'}`;
    await drawer.getByTestId('account-form-uscc').fill(badUscc);
    await page.getByTestId('account-form-submit').click();
    await drawer.locator('.ant-form-item-explain-error').first().waitFor();
    expect(await page.getByTestId('problem-alert').textContent()).toContain('统一社会信用代码');
    await drawer.getByTestId('account-form-uscc').fill(uscc);
    await page.getByTestId('account-form-submit').click();
    await page.getByTestId('account-detail-page').waitFor();
    expect(await page.getByTestId('crm-account-name').textContent()).toBe(parentName);
    expect(await page.getByTestId('account-uscc').textContent()).toBe(uscc);
    const parentId = (await page.getByTestId('account-detail-page').getAttribute('data-account-id'))!;

    // ── A child under it, from the group card: the new page shows the parent above it.
    await page.getByTestId('account-add-child').click();
    await drawer.getByTestId('account-form-nameZh').fill(childName);
    await page.getByTestId('account-form-submit').click();
    await expect.poll(() => page.getByTestId('crm-account-name').textContent(), { timeout: 15_000 }).toBe(childName);
    await page.getByTestId('hierarchy-ancestor').waitFor();
    expect(await page.getByTestId('hierarchy-ancestor').allTextContents()).toEqual([parentName]);
    await page.getByTestId('hierarchy-ancestor').click();
    await expect.poll(() => page.getByTestId('crm-account-name').textContent(), { timeout: 15_000 }).toBe(parentName);
    await page.getByTestId('hierarchy-node').filter({ hasText: childName }).waitFor();
    const { body: children } = await apiAs<AccountPage>(page, 'GET', `/api/v1/crm/accounts?parentId=${parentId}`);
    expect(children.items.map((a) => a.nameZh)).toEqual([childName]);

    // ── The list finds both by search; the search is saved as a view and applied again from the picker.
    await page.goto(`/crm/accounts?q=${suffix}`);
    const listed = async () => (await page.getByTestId('account-link').allTextContents()).sort();
    await expect.poll(listed, { timeout: 15_000 }).toEqual([childName, parentName].sort());
    await page.getByTestId('accounts-view-save').click();
    await page.getByTestId('accounts-view-name').fill(`Survey group ${suffix}`);
    await page.getByTestId('accounts-view-save-submit').click();
    await page.goto('/crm/accounts');
    await page.getByTestId('accounts-load-more-count').waitFor();
    expect((await listed()).length).toBeGreaterThan(2);
    await choose(page, page.getByTestId('accounts-view'), `Survey group ${suffix}`);
    await expect.poll(listed, { timeout: 15_000 }).toEqual([childName, parentName].sort());
    expect(new URL(page.url()).searchParams.get('q')).toBe(suffix);

    // ── Duplicates: the same USCC is refused naming the account that has it; the same name is a warning.
    await page.getByTestId('accounts-create').click();
    await drawer.getByTestId('account-form-nameZh').fill(`Another name ${suffix}`);
    await drawer.getByTestId('account-form-uscc').fill(uscc.toLowerCase());
    await page.getByTestId('account-form-submit').click();
    expect(await page.getByTestId('account-duplicate-link').textContent()).toContain(parentName);
    await drawer.getByTestId('account-form-uscc').fill('');
    await drawer.getByTestId('account-form-nameZh').fill(parentName);
    await page.getByTestId('account-form-submit').click();
    await page.getByTestId('account-similar').waitFor();
    await page.getByTestId('account-create-anyway').waitFor();
    expect(await page.getByTestId('account-similar-link').allTextContents()).toContain(parentName);
    await page.getByTestId('account-similar-link').filter({ hasText: parentName }).click();
    await expect.poll(() => page.getByTestId('crm-account-name').textContent(), { timeout: 15_000 }).toBe(parentName);
    // An edit sends only what changed, against the loaded version.
    await page.getByTestId('account-edit').click();
    await drawer.getByTestId('account-form-shortName').fill('ZG');
    await page.getByTestId('account-form-submit').click();
    await page.getByTestId('account-detail-page').getByText('ZG', { exact: true }).waitFor();
    const { body: sameName } = await apiAs<AccountPage>(page, 'GET', `/api/v1/crm/accounts?q=${encodeURIComponent(suffix)}&limit=10`);
    expect(sameName.items.map((a) => a.nameZh).sort()).toEqual([childName, parentName].sort());
    expect(sameName.items.find((a) => a.id === parentId)).toMatchObject({ shortName: 'ZG', uscc, version: 2 });

    // ── Three people, one per level.
    await page.getByTestId('account-tab-contacts').click();
    await addContact(page, 'decision', '严总', '总经理');
    await addContact(page, 'management', '韩处长', '信息中心主任');
    await addContact(page, 'execution', '苏工', '系统工程师');
    const { body: contacts } = await apiAs<ContactPage>(page, 'GET', `/api/v1/crm/accounts/${parentId}/contacts`);
    expect(contacts.items.map((c) => `${c.level}:${c.name}`).sort()).toEqual(['decision:严总', 'execution:苏工', 'management:韩处长']);

    // ── Cover the two below the top: the manager covers the management contact, the rep the engineer.
    await page.getByTestId('account-tab-map').click();
    await page.getByTestId('map-tree').waitFor();
    await cover(page, '韩处长', 'manager@yunlan.demo', 4);
    await cover(page, '苏工', 'rep@yunlan.demo', 3);
    const decisionNode = page.getByTestId('map-contact').filter({ hasText: '严总' });
    await decisionNode.getByTestId('map-uncovered').waitFor();
    expect(await page.getByTestId('map-contact').filter({ hasText: '韩处长' }).getByTestId('coverage-strength').getAttribute('data-strength')).toBe('4');

    // ── The account's gaps: exactly the decision-maker, for want of any coverage.
    await page.getByTestId('account-tab-gaps').click();
    await page.getByTestId('gap-row').first().waitFor();
    expect(await page.getByTestId('gap-contact').allTextContents()).toEqual(['严总']);
    expect(await page.getByTestId('gap-kind').evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')))).toEqual(['uncovered']);
    const { body: apiGaps } = await apiAs<AccountCoverageGaps>(page, 'GET', `/api/v1/crm/accounts/${parentId}/coverage-gaps`);
    expect(apiGaps.gaps.map((g) => [g.name, g.gaps])).toEqual([['严总', ['uncovered']]]);

    // ── The manager's book report lists the account with the same flag (only the manager's own accounts).
    await page.goto('/crm/coverage-gaps');
    await page.getByTestId('coverage-gaps-page').waitFor();
    await page.getByTestId('gaps-only-mine').click();
    const card = page.locator(`[data-testid="gaps-account"][data-account-id="${parentId}"]`);
    for (let i = 0; i < 20 && !(await card.isVisible()); i++) {
      const more = page.getByTestId('gaps-load-more');
      if (await more.isVisible()) await more.click();
      await page.waitForTimeout(300);
    }
    await card.waitFor();
    // The card can be on screen a moment before its gap rows (the list re-renders when the filter lands): wait for them.
    await expect.poll(() => card.getByTestId('gap-contact').allTextContents()).toEqual(['严总']);
    expect(await card.getByTestId('gap-kind').getAttribute('data-kind')).toBe('uncovered');
    expect(await card.getByTestId('gap-kind').textContent()).toBe('无人覆盖');
    // The child has nobody at decision level: that is a gap of its own.
    const childId = children.items[0]!.id;
    const childCard = page.locator(`[data-testid="gaps-account"][data-account-id="${childId}"]`);
    await childCard.getByTestId('gaps-no-decision').waitFor();

    // ── The same report in English.
    await page.getByTestId('language-switch').click();
    await page.getByTestId('language-option-en').click();
    await expect.poll(() => page.getByTestId('page-title').textContent(), { timeout: 15_000 }).toBe('Coverage gaps');
    expect(await card.getByTestId('gap-kind').textContent()).toBe('No coverage');
    await card.getByTestId('gaps-account-link').click();
    await page.getByTestId('account-gaps').waitFor();
    expect(await page.getByTestId('account-tab-map').textContent()).toBe('Relationship map');
    expect(await page.getByTestId('gap-kind').textContent()).toBe('No coverage');

    // ── A visit logged on the account shows on its timeline (a read model fed from the event outbox).
    await page.getByTestId('account-tab-timeline').click();
    await page.getByTestId('timeline-log').click();
    await page.getByTestId('activity-form-subject').fill(`Site visit ${suffix}`);
    await choose(page, page.getByTestId('activity-form-kind'), 'Visit');
    await choose(page, page.getByTestId('activity-form-contacts'), '严总');
    await page.getByTestId('activity-form-submit').click();
    await expect
      .poll(
        async () => {
          await page.getByTestId('timeline-refresh').click();
          return page.getByTestId('timeline-text').allTextContents();
        },
        { timeout: 15_000, interval: 1000 },
      )
      .toContain(`Site visit ${suffix}`);
  }, 180_000);

  it('a rep marks an overdue task done from the home page and reopens it', async () => {
    const { page } = await h.newPage('zh-CN');
    await signIn(page, 'rep@yunlan.demo');
    const { body: accounts } = await apiAs<AccountPage>(page, 'GET', '/api/v1/crm/accounts?limit=1');
    const subject = `回访确认需求 ${Date.now().toString(36)}`;
    const created = await apiAs<{ id: string }>(page, 'POST', '/api/v1/crm/activities', {
      kind: 'task',
      subject,
      accountId: accounts.items[0]!.id,
      dueAt: new Date(Date.now() - 26 * 3600_000).toISOString(),
    });
    expect(created.status).toBe(201);

    await page.goto('/');
    const card = page.getByTestId('home-card-tasks');
    const task = card.getByTestId('home-task').filter({ hasText: subject });
    await task.waitFor();
    expect(await task.locator('.ant-tag-red').count()).toBe(1);
    await task.getByTestId('home-task-toggle').click();
    await task.waitFor({ state: 'detached' });
    const { body: done } = await apiAs<{ doneAt: string | null; version: number }>(page, 'GET', `/api/v1/crm/activities/${created.body.id}`);
    expect(done.doneAt).not.toBeNull();

    await card.getByTestId('home-tasks-show').locator('.ant-segmented-item').nth(1).click();
    await task.waitFor();
    await task.getByTestId('home-task-toggle').click();
    await task.waitFor({ state: 'detached' });
    const { body: reopened } = await apiAs<{ doneAt: string | null; version: number }>(page, 'GET', `/api/v1/crm/activities/${created.body.id}`);
    expect(reopened).toMatchObject({ doneAt: null, version: 3 });
    await card.getByTestId('home-tasks-show').locator('.ant-segmented-item').nth(0).click();
    await task.waitFor();
  });
});
