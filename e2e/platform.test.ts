import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrgTree, SessionInfo, User, UserPage } from '../src/server/modules/org/contract.ts';
import type { AuditPage } from '../src/server/platform/contract.ts';
import { type Harness, apiAs, signIn, startHarness } from './harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.stop();
});

/** The emails in the people table once every page is loaded. */
async function visibleEmails(page: Page): Promise<string[]> {
  await page.getByTestId('users-load-more-count').waitFor();
  while (await page.getByTestId('users-load-more').isVisible()) {
    await page.getByTestId('users-load-more').click();
    await page.waitForTimeout(300);
  }
  return (await page.getByTestId('user-email').allTextContents()).sort();
}

async function findUser(page: Page, email: string): Promise<User> {
  const { body } = await apiAs<UserPage>(page, 'GET', `/api/v1/users?q=${encodeURIComponent(email)}`);
  const user = body.items.find((u) => u.email === email);
  if (!user) throw new Error(`no user ${email}`);
  return user;
}

describe('platform shell in the browser', () => {
  it('a sales rep works in Chinese, sees only their team, switches to English for good, and signs out', async () => {
    const { page } = await h.newPage('zh-CN');
    await page.goto('/');
    // Signed out: any page leads to the login page, in the browser's language.
    await page.waitForURL('**/login');
    await expect.poll(() => page.getByTestId('login-submit').textContent()).toContain('登录');

    await signIn(page, 'rep@yunlan.demo');
    expect(await page.getByTestId('nav-home').textContent()).toBe('工作台');
    expect(await page.getByTestId('nav-crm').textContent()).toContain('客户管理');
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    await page.getByTestId('home-card-team').waitFor();

    await page.getByTestId('nav-users').click();
    await page.getByTestId('users-page').waitFor();
    expect(await page.getByTestId('page-title').textContent()).toBe('人员');
    const shown = await visibleEmails(page);

    // Exactly what the API gives the same user, and that is the rep's own team.
    const { body: session } = await apiAs<SessionInfo>(page, 'GET', '/api/v1/auth/session');
    const { body: api } = await apiAs<UserPage>(page, 'GET', '/api/v1/users?limit=200');
    const { body: tree } = await apiAs<OrgTree>(page, 'GET', '/api/v1/org/units');
    expect(shown).toEqual(api.items.map((u) => u.email).sort());
    expect(api.items.every((u) => u.unitId === session.user.unitId)).toBe(true);
    expect(shown).toHaveLength(tree.units.find((u) => u.id === session.user.unitId)!.memberCount);
    expect(shown).toContain('rep@yunlan.demo');
    for (const outsider of ['ceo@yunlan.demo', 'admin@yunlan.demo', 'engineer@yunlan.demo']) expect(shown).not.toContain(outsider);

    // Switch to English from the header: the UI follows at once and the choice is saved on the user.
    const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/me') && r.request().method() === 'PATCH');
    await page.getByTestId('language-switch').click();
    await page.getByTestId('language-option-en').click();
    expect((await saved).status()).toBe(200);
    await expect.poll(() => page.getByTestId('page-title').textContent()).toBe('People');
    expect(await page.getByTestId('nav-home').textContent()).toBe('Home');
    const { body: after } = await apiAs<SessionInfo>(page, 'GET', '/api/v1/auth/session');
    expect(after.user.locale).toBe('en');

    await page.reload();
    await page.getByTestId('users-page').waitFor();
    expect(await page.getByTestId('page-title').textContent()).toBe('People');
    expect(await page.getByTestId('nav-crm').textContent()).toContain('CRM');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');

    await page.getByTestId('account-menu').click();
    await page.getByTestId('account-sign-out').click();
    await page.waitForURL('**/login');
    await page.getByTestId('login-form').waitFor();
    expect(await page.getByTestId('login-submit').textContent()).toContain('Sign in');
    expect((await page.context().request.get('/api/v1/auth/session')).status()).toBe(401);
  });

  it('an admin edits a title and finds the change in the audit log', async () => {
    const { page } = await h.newPage('zh-CN');
    await signIn(page, 'admin@yunlan.demo');
    const rep = await findUser(page, 'rep@yunlan.demo');
    const newTitle = `大客户经理 ${Date.now() % 10_000}`;

    await page.getByTestId('nav-users').click();
    const search = page.getByTestId('users-filter-search').locator('input');
    await search.fill('rep@yunlan.demo');
    await search.press('Enter');
    const row = page.locator('[data-testid="user-row"][data-email="rep@yunlan.demo"]');
    await expect.poll(() => page.getByTestId('user-row').count()).toBe(1);
    await row.getByTestId('user-edit').click();
    const title = page.getByTestId('user-form-title');
    await expect.poll(() => title.inputValue()).toBe(rep.title ?? '');
    await title.fill(newTitle);
    const patch = page.waitForRequest((r) => r.method() === 'PATCH' && r.url().endsWith(`/api/v1/users/${rep.id}`));
    await page.getByTestId('user-form-submit').click();
    // Only the changed field, with the version the form was loaded at.
    expect((await patch).postDataJSON()).toEqual({ version: rep.version, title: newTitle });
    await page.getByTestId('user-form-drawer').waitFor({ state: 'hidden' });
    await expect.poll(() => row.locator('td').nth(2).textContent()).toBe(newTitle);

    await page.getByTestId('nav-admin').click();
    await page.getByTestId('nav-audit').click();
    await page.getByTestId('audit-page').waitFor();
    const entry = page.getByTestId('audit-row').first();
    await expect.poll(() => entry.getAttribute('data-entity-id')).toBe(rep.id);
    expect(await entry.getAttribute('data-action')).toBe('update');
    expect(await entry.getByTestId('audit-action').textContent()).toBe('修改');
    expect(await entry.getByTestId('audit-actor').textContent()).toBe('刘军');
    await expect.poll(() => entry.getByTestId('audit-entity').textContent()).toBe('人员 · 王伟');
    const change = entry.locator('[data-testid="audit-change"][data-field="title"]');
    expect(await change.textContent()).toContain('职位');
    expect(await change.getByTestId('audit-before').textContent()).toBe(rep.title);
    expect(await change.getByTestId('audit-after').textContent()).toBe(newTitle);

    // The same entry is found by filtering on the record.
    const entityId = page.getByTestId('audit-filter-entity-id').locator('input');
    await entityId.fill(rep.id);
    await entityId.press('Enter');
    await page.waitForURL(`**/admin/audit?entityId=${rep.id}`);
    const { body: log } = await apiAs<AuditPage>(page, 'GET', `/api/v1/audit?entityId=${rep.id}`);
    const rowIds = () => page.getByTestId('audit-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-entity-id')));
    await expect.poll(rowIds).toEqual(log.items.map(() => rep.id));
  });

  it('an edit that lost a race shows "someone else changed this" and reloads the record', async () => {
    const { page } = await h.newPage('en');
    await signIn(page, 'admin@yunlan.demo');
    // The admin's saved language (Chinese) wins over the browser's once signed in.
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    const target = await findUser(page, 'engineer@yunlan.demo');
    await page.goto(`/users/${target.id}`);
    await page.getByTestId('user-detail-edit').click();
    const title = page.getByTestId('user-form-title');
    await expect.poll(() => title.inputValue()).toBe(target.title ?? '');

    // Someone else saves first.
    const other = await apiAs<User>(page, 'PATCH', `/api/v1/users/${target.id}`, { version: target.version, title: 'Staff Engineer' });
    expect(other.status).toBe(200);

    await title.fill('Principal Engineer');
    const conflict = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().endsWith(`/api/v1/users/${target.id}`));
    await page.getByTestId('user-form-submit').click();
    expect((await conflict).status()).toBe(409);
    await expect.poll(() => page.getByTestId('version-conflict').textContent()).toContain('该记录已被他人修改');
    await expect.poll(() => title.inputValue()).toBe('Staff Engineer');
  });

  it('a failed sign-in and invalid form input show the API’s messages in the user’s language', async () => {
    const zh = await h.newPage('zh-CN');
    await zh.page.goto('/login');
    await zh.page.getByTestId('login-email').fill('rep@yunlan.demo');
    await zh.page.getByTestId('login-password').fill('wrong-password');
    await zh.page.getByTestId('login-submit').click();
    await expect.poll(() => zh.page.getByTestId('problem-alert').textContent()).toContain('邮箱或密码错误');
    expect(zh.page.url()).toMatch(/\/login$/);

    const en = await h.newPage('en-US');
    await en.page.goto('/login');
    await en.page.getByTestId('login-email').fill('rep@yunlan.demo');
    await en.page.getByTestId('login-password').fill('wrong-password');
    await en.page.getByTestId('login-submit').click();
    await expect.poll(() => en.page.getByTestId('problem-alert').textContent()).toContain('Email or password is wrong');

    // The API validates formats; the form puts each message on its field.
    const { page } = zh;
    await signIn(page, 'admin@yunlan.demo');
    await page.getByTestId('nav-users').click();
    await page.getByTestId('user-create').click();
    await page.getByTestId('user-form-email').fill('not-an-email');
    await page.getByTestId('user-form-nameZh').fill('测试用户');
    await page.getByTestId('user-form-phone').fill('abc');
    const post = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/v1/users'));
    await page.getByTestId('user-form-submit').click();
    const sent = await post;
    expect(sent.headers()['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent.headers()['x-csrf-token']).toBeTruthy();
    const fieldError = (testId: string) =>
      page.locator('.ant-form-item', { has: page.getByTestId(testId) }).locator('.ant-form-item-explain-error');
    await expect.poll(() => fieldError('user-form-email').textContent()).toBe('必须是邮箱地址');
    expect(await fieldError('user-form-phone').textContent()).toBe('必须是电话号码');
    expect(await fieldError('user-form-nameZh').count()).toBe(0);
    expect(await page.getByTestId('problem-alert').textContent()).toContain('请求内容不正确');
  });
  it('a session that ends while working leads back to the login page, and back again after signing in', async () => {
    const { page, context } = await h.newPage('zh-CN');
    await signIn(page, 'manager@yunlan.demo');
    await page.getByTestId('home-page').waitFor();
    // Let the home page finish loading first: its cards re-render the layout while their data arrives.
    await page.waitForLoadState('networkidle');
    // The server forgets the session (expiry, sign-out elsewhere): the next API call answers 401.
    expect((await apiAs(page, 'POST', '/api/v1/auth/logout')).status).toBe(200);
    await page.getByTestId('nav-users').click({ timeout: 30_000 });
    await page.waitForURL('**/login');
    await page.getByTestId('login-form').waitFor();
    expect(await page.getByTestId('login-page').textContent()).toContain('登录已失效');
    expect(await context.cookies()).toEqual([]);

    await page.getByTestId('login-email').fill('manager@yunlan.demo');
    await page.getByTestId('login-password').fill('Throughline2026');
    await page.getByTestId('login-submit').click();
    await page.waitForURL('**/users');
    await page.getByTestId('users-page').waitFor();
  });

  it('pages for admins only say so to others; upcoming modules say they are not available yet', async () => {
    const { page } = await h.newPage('zh-CN');
    await signIn(page, 'engineer@yunlan.demo');
    expect(await page.getByTestId('nav-audit').count()).toBe(0);
    await page.goto('/admin/audit');
    await page.getByTestId('forbidden').waitFor();
    await page.getByTestId('nav-delivery').click();
    await page.getByTestId('coming-soon-delivery').waitFor();
    expect(await page.getByTestId('coming-soon-delivery').textContent()).toContain('尚未开放');
  });
});
