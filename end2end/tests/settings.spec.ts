import { test, expect, expectHydrated } from './fixtures';
import { ADMIN, signIn } from './auth';

test('an administrator sets the hour of the daily reminder email and keeps the other settings', async ({ page }) => {
  await signIn(page, ADMIN.email, undefined, '/sign-in?next=/admin/settings');
  await expect(page).toHaveURL(/\/admin\/settings$/);
  await expectHydrated(page);
  const hour = page.getByLabel(/daily email .* goes from/);
  await expect(hour).toHaveValue('7');
  // Only the hour changes: the other settings are shared with the tests running beside this one.
  await hour.selectOption({ label: '08:00' });
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Settings saved.' })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel(/daily email .* goes from/)).toHaveValue('8');
  await expect(page.getByLabel('Dates are written as')).toHaveValue('DD/MM/YYYY');
  await expect(page.getByLabel(/expiring soon/)).toHaveValue('30');
});

test('an administrator sets how chasing escalates, and a step out of order is refused with the reason', async ({ page }) => {
  await signIn(page, ADMIN.email, undefined, '/sign-in?next=/admin/settings');
  await expectHydrated(page);
  const agency = page.getByLabel("Then the agency's compliance users, after");
  await expect(page.getByLabel("The contractor's office address is chased after")).toHaveValue('0');
  await expect(page.getByLabel("All the contractor's office users, after")).toHaveValue('7');
  await expect(agency).toHaveValue('14');
  await expect(page.getByLabel(/Suspend the contractor for new work/)).toHaveValue('');
  // Before the office users' step: refused, and said next to the field.
  await agency.fill('3');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.locator('#chase_agency_days-error')).toContainText('enter at least 7 days');
  // Suspension stays off: other tests beside this one instruct the same agency's contractors.
  await agency.fill('10');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Settings saved.' })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Then the agency's compliance users, after")).toHaveValue('10');
});
