import { test, expect } from '@playwright/test';
import { signIn, AGENT } from '../tests/auth';
import { measure } from './measure';

// Agents work at a desk; the throttling is the same as the phone's so the figures compare.
test.beforeEach(async ({ page }) => {
  await signIn(page, AGENT.email);
  await expect(page).toHaveURL(/\/agent$/);
});

test('agent task dashboard: LCP and filtering', async ({ page }) => {
  await measure(page, 'Agent task dashboard', '/agent/tasks', {
    name: 'filter by status',
    prepare: async (p) => {
      await p.locator('#tasks-status').selectOption({ label: 'Assigned' });
      return p.getByRole('button', { name: 'Filter' });
    },
    done: async (p) => {
      await expect(p).toHaveURL(/status=assigned/, { timeout: 30_000 });
      await expect(p.getByRole('row').nth(1)).toContainText('Assigned', { timeout: 30_000 });
    },
  });
});

test('compliance matrix: LCP and filtering', async ({ page }) => {
  let before = '';
  const count = (p: import('@playwright/test').Page) => p.getByRole('status').filter({ hasText: 'contractors · page' });
  await measure(page, 'Compliance matrix', '/agent/certification', {
    name: 'filter by status',
    prepare: async (p) => {
      before = (await count(p).textContent()) ?? '';
      await p.locator('#matrix-status').selectOption({ label: 'Expired' });
      return p.getByRole('button', { name: 'Filter' });
    },
    done: async (p) => {
      await expect(p).toHaveURL(/status=/, { timeout: 30_000 });
      await expect(count(p)).not.toHaveText(before, { timeout: 30_000 });
    },
  });
});
