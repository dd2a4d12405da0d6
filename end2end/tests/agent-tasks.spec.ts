import { test, expect, expectHydrated } from './fixtures';
import { AGENT, READ_ONLY, signIn } from './auth';
import { instructToBrightspark } from './works';

// The agency's task list is an island page: the server renders the list, the filters are a
// plain form, the column chooser posts its choice, and the page loads again when tasks change.
// (Sam, the read-only agent: the columns chosen are remembered per person, and nobody else's
// journeys read Sam's list.)
test("an agent filters the agency's task list, chooses its columns, and the list follows new work", async ({ page, browser }) => {
  await signIn(page, READ_ONLY.email, undefined, '/sign-in?next=/agent/tasks');
  await expect(page).toHaveURL(/\/agent\/tasks$/);
  await expectHydrated(page);
  const filters = page.getByRole('search', { name: 'Filter the tasks' });
  await filters.getByLabel('Search').fill('Electrical installation condition report');
  await filters.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/q=Electrical/);
  await expect(page.getByRole('row', { name: /Electrical installation condition report/ })).toBeVisible();
  await expect(page.locator('thead')).toContainText('Technicians');
  await expect(page.locator('thead')).not.toContainText('Contractor');

  // The contractor's column in, the technicians' out: saved, and the page shows it with the
  // same filter.
  await expectHydrated(page);
  await page.locator('summary', { hasText: 'Columns' }).click();
  await page.locator('#column-contractor').check();
  await page.locator('#column-technicians').uncheck();
  await page.getByRole('button', { name: 'Save columns' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Columns saved.' })).toBeVisible();
  await expect(page).toHaveURL(/q=Electrical/);
  await expect(page.locator('thead')).toContainText('Contractor');
  await expect(page.locator('thead')).not.toContainText('Technicians');
  await expect(page.getByRole('row', { name: /Electrical installation condition report/ })).toContainText('Brightspark Electrical Ltd');
  await page.reload();
  await expect(page.locator('#column-contractor')).toBeChecked();
  await expect(page.locator('#column-technicians')).not.toBeChecked();

  // A colleague instructs new works: the list, filtered on them, loads again by itself.
  const title = `Agency list news ${Date.now() % 100000}`;
  await page.goto(`/agent/tasks?q=${encodeURIComponent(title)}`);
  await expect(page.getByText('No tasks match these filters.')).toBeVisible();
  await expectHydrated(page);
  await expect(page.locator('body')).toHaveAttribute('data-live', 'open');
  const agency = await browser.newContext({ baseURL: test.info().project.use.baseURL });
  const agent = await agency.newPage();
  await signIn(agent, AGENT.email);
  await expect(agent).toHaveURL(/\/agent$/);
  const instructed = await instructToBrightspark(agent, { title, priority: 'normal' });
  expect(instructed.Instructed.reference).toMatch(/^T-/);
  await agency.close();
  await expect(page.getByRole('row', { name: new RegExp(title) })).toBeVisible({ timeout: 5_000 });
});
