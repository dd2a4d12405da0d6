import { test, expect, expectHydrated } from './fixtures';
import { AGENT, signIn } from './auth';

test('the contractor list shows a traffic light per contractor and filters by light', async ({ page }) => {
  await signIn(page, AGENT.email, undefined, '/sign-in?next=/agent/contractors');
  await expect(page).toHaveURL(/\/agent\/contractors$/);
  await expectHydrated(page);
  const row = (name: string) => page.getByRole('row', { name: new RegExp(name) });
  await expect(row('Brightspark Electrical Ltd')).toContainText('Compliant');
  await expect(row('Northgate Gas & Heating')).toContainText('Attention needed');
  await expect(row('Northgate Gas & Heating')).toContainText('1 expiring soon');
  await expect(row('Clearflow Plumbing')).toContainText('Not compliant');
  await expect(row('Clearflow Plumbing')).toContainText('1 expired, 1 missing');

  const filters = page.getByRole('navigation', { name: 'Filter by compliance' });
  await filters.getByRole('link', { name: 'Not compliant' }).click();
  await expect(page).toHaveURL(/\?light=red$/);
  await expect(filters.getByRole('link', { name: 'Not compliant' })).toHaveAttribute('aria-current', 'true');
  await expect(row('Clearflow Plumbing')).toBeVisible();
  await expect(row('Brightspark Electrical Ltd')).toHaveCount(0);
  await expect(page.locator('tbody tr .light-red')).toHaveCount(await page.locator('tbody tr').count());

  await filters.getByRole('link', { name: 'All' }).click();
  await expect(row('Brightspark Electrical Ltd')).toBeVisible();
});
