import { test, expect, expectAccessible, expectHydrated } from './fixtures';
import { ADMIN, signIn } from './auth';

test('home page answers and introduces the three views', async ({ page }) => {
  const response = await page.goto('/');
  expect(response?.status()).toBe(200);
  await expect(page).toHaveTitle('Certidesk');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Compliant contractors, work that moves');
  for (const name of ['Agency', 'Desk view', 'Tech view', 'Sign in']) {
    await expect(page.getByRole('main').getByRole('link', { name, exact: true })).toBeVisible();
  }
});

// Every page is an island page: links load pages, each with its own title, the current link
// marked, and live once its islands are.
test('navigation moves between an agent\'s pages, marking where the person is', async ({ page }) => {
  await signIn(page, ADMIN.email);
  await expect(page).toHaveURL(/\/agent$/);
  await expectHydrated(page);

  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: /^Certification/ }).click();
  await expect(page).toHaveURL(/\/agent\/certification$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Contractor certification');
  await expect(nav.getByRole('link', { name: /^Certification/ })).toHaveAttribute('aria-current', 'page');
  await expect(page).toHaveTitle('Contractor certification · Certidesk');
  await expectHydrated(page);
  await expectAccessible(page);

  await nav.getByRole('link', { name: 'Users' }).click();
  await expect(page).toHaveURL(/\/admin\/users$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Users');
  await expect(page.getByRole('cell', { name: 'Priya Shah', exact: true })).toBeVisible();
  await expectAccessible(page);

  await nav.getByRole('link', { name: 'Dashboard' }).click();
  await expect(page.getByRole('heading', { name: 'Contractor certification compliance' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Dashboard' })).toHaveAttribute('aria-current', 'page');
});

test('an unknown address shows a 404 page with a way back', async ({ page }) => {
  const response = await page.goto('/no/such/page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
  await page.getByRole('link', { name: 'Go to the start page' }).click();
  await expect(page).toHaveURL(/\/$/);
});

test('the keyboard reaches the content first through the skip link', async ({ page }) => {
  await page.goto('/sign-in');
  await expectHydrated(page);
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#main$/);
});

test('health and readiness answer for load balancers', async ({ request }) => {
  expect((await request.get('/healthz')).status()).toBe(200);
  const ready = await request.get('/readyz');
  expect(ready.status()).toBe(200);
  expect(await ready.text()).toBe('ready');
});
