import { test, expect, expectHydrated } from './fixtures';
import { requestLink, linkFromMailbox } from './auth';

test('a technician asks for a link on their phone, confirms it and lands on their tasks', async ({ page }) => {
  const response = await page.goto('/tech');
  expect(page.url()).toMatch(/\/sign-in\?next=\/tech$/);
  expect(response?.status()).toBe(200);
  await expectHydrated(page);
  await page.getByRole('link', { name: 'Email me a sign-in link' }).tap();
  await expect(page).toHaveURL(/\/sign-in\/email$/);
  const email = 'tom.baker@brightspark.example';
  await requestLink(page, email);

  const link = await linkFromMailbox(page, email);
  expect(link).toMatch(/\/auth\/link\/[A-Za-z0-9_-]{43}$/);
  await page.goto(link);
  // The token does not stay in the address bar.
  await expect(page).toHaveURL(/\/sign-in\/confirm$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(/^Sign in as .+\?$/);
  await expectHydrated(page);
  await page.getByRole('button', { name: 'Continue' }).tap();

  await expect(page).toHaveURL(/\/tech$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('My tasks');
  const tasks = page.locator('.task-card');
  await expect(tasks.first()).toBeVisible();
  // Dates are written as the agency writes them.
  await expect(tasks.first()).toContainText(/\d{2}\/\d{2}\/\d{4}/);
  const box = await page.getByRole('button', { name: 'Menu' }).boundingBox();
  expect(box?.height ?? 0).toBeGreaterThanOrEqual(44);
});
