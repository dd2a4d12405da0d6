import { test, expect, expectHydrated } from './fixtures';

test('on a phone the menu opens, navigates and closes', async ({ page }) => {
  await page.goto('/');
  await expectHydrated(page);
  const menu = page.getByRole('button', { name: 'Menu' });
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(nav).toBeHidden();

  await menu.tap();
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  await expect(nav).toBeVisible();

  await nav.getByRole('link', { name: 'Sign in' }).tap();
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in');
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(nav).toBeHidden();
});

test('touch targets in the header are at least 44 pixels tall', async ({ page }) => {
  await page.goto('/sign-in');
  for (const target of [page.getByRole('button', { name: 'Menu' }), page.getByRole('link', { name: 'Certidesk' })]) {
    const box = await target.boundingBox();
    expect(box?.height ?? 0).toBeGreaterThanOrEqual(44);
  }
});
