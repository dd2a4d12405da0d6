import { test, expect } from '@playwright/test';
import { requestLink, linkFromMailbox } from '../tests/auth';
import { measure } from './measure';

// The Tech view is served in islands mode: opening a task is a page load, so what is measured is
// the task page itself, cold, and the first tap a technician makes on it (the phone menu, an
// island that updates in place).
test('Tech view: LCP and time until live of a task page, and its first tap', async ({ page }) => {
  await page.goto('/');
  await requestLink(page, 'tom.baker@brightspark.example');
  await page.goto(await linkFromMailbox(page, 'tom.baker@brightspark.example'));
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/tech$/);
  const task = await page.locator('a[href^="/tech/tasks/"]').first().getAttribute('href');
  await measure(page, 'Tech view task page', task!, {
    name: 'open the menu',
    prepare: async (p) => p.getByRole('button', { name: 'Menu' }),
    done: async (p) => {
      await expect(p.getByRole('button', { name: 'Menu' })).toHaveAttribute('aria-expanded', 'true');
    },
  }, { lcp: 1500 });
});
