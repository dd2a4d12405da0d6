import { test, expect } from '@playwright/test';
import { requestLink, linkFromMailbox } from '../tests/auth';
import { measure } from './measure';

test('Tech view: LCP of the first page and opening a task', async ({ page }) => {
  await page.goto('/');
  await requestLink(page, 'tom.baker@brightspark.example');
  await page.goto(await linkFromMailbox(page, 'tom.baker@brightspark.example'));
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/tech$/);
  await measure(page, 'Tech view', '/tech', {
    name: 'open a task',
    prepare: async (p) => p.locator('a[href^="/tech/tasks/"]').first(),
    done: async (p) => {
      await expect(p).toHaveURL(/\/tech\/tasks\/\d+/, { timeout: 30_000 });
      await expect(p.getByRole('heading', { level: 1 })).toBeVisible({ timeout: 30_000 });
    },
  }, { lcp: 1500 });
});
