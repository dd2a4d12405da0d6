import { test, expect, expectHydrated } from './fixtures';
import { ADMIN, signIn } from './auth';

test('an administrator sets the hour of the daily reminder email and keeps the other settings', async ({ page }) => {
  await signIn(page, ADMIN.email, undefined, '/sign-in?next=/admin/settings');
  await expect(page).toHaveURL(/\/admin\/settings$/);
  await expectHydrated(page);
  const hour = page.getByLabel(/"Tasks to do" email each day from/);
  await expect(hour).toHaveValue('7');
  // Only the hour changes: the other settings are shared with the tests running beside this one.
  await hour.selectOption({ label: '08:00' });
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Settings saved.' })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel(/"Tasks to do" email each day from/)).toHaveValue('8');
  await expect(page.getByLabel('Dates are written as')).toHaveValue('DD/MM/YYYY');
  await expect(page.getByLabel(/expiring soon/)).toHaveValue('30');
});
