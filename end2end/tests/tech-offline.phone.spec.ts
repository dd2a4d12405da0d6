import { test, expect, expectHydrated } from './fixtures';
import { signInTechnician } from './auth';

test("the Tech view keeps the technician's open tasks on the phone: a task never opened opens without signal, and signing out forgets them", async ({ page, context }) => {
  // Nina: one other test (the calendar) asks for her links, so the hour's limit of three holds.
  await signInTechnician(page, 'nina.kowalski@northgate-gas.example');
  await expectHydrated(page);

  // Opening the list with signal saves every task on it, and the list says when.
  const saved = page.locator('.offline-saved');
  await expect(saved).toHaveText(/^Saved on this phone at \d{2}:\d{2} for use without signal: \d+ tasks?\.$/);
  const tasks = await page
    .locator('a[href^="/tech/tasks/"]')
    .evaluateAll((links) => [...new Set(links.map((a) => a.getAttribute('href')!))]);
  expect(tasks.length).toBeGreaterThan(0);
  expect(Number((await saved.textContent())!.match(/(\d+) tasks?\./)![1])).toBe(tasks.length);

  // No signal. A task this phone never opened: the saved copy, saying so, with its forms live.
  await context.setOffline(true);
  const never = tasks[tasks.length - 1];
  await page.goto(never);
  await expect(page.locator('.offline-copy')).toHaveText(/^Offline: this is the copy saved on this phone at \d{2}:\d{2}\.$/);
  await expect(page.getByTestId('task-status')).toBeVisible();
  await expectHydrated(page);
  await page.goto('/tech');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('My tasks');
  await expect(page.locator('.offline-copy')).toBeVisible();
  // A page that was not saved: the list as saved, saying so.
  const missing = await page.goto('/tech/tasks/999999999');
  expect(missing?.status()).toBe(503);
  await expect(page.locator('.offline-copy')).toContainText('that page was not saved on this phone');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('My tasks');

  // Weak signal: the network holds the page; after five seconds the saved copy shows, saying so.
  await context.setOffline(false);
  await context.route(/\/tech\/tasks\/\d+$/, async (route) => {
    if (route.request().serviceWorker()) await new Promise((resolve) => setTimeout(resolve, 8_000));
    await route.continue().catch(() => undefined);
  });
  await page.goto(never);
  await expect(page.locator('.offline-copy')).toHaveText(/^The signal is weak: this is the copy saved on this phone at \d{2}:\d{2}\./);
  await expect(page.getByTestId('task-status')).toBeVisible();
  await context.unrouteAll({ behavior: 'ignoreErrors' });

  // Signal again; signing out leaves nothing of Nina's on the phone.
  await page.goto('/tech');
  await expectHydrated(page);
  await page.getByRole('button', { name: 'Menu' }).tap();
  await page.getByRole('button', { name: 'Sign out' }).tap();
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect.poll(() => page.evaluate(() => caches.keys())).toEqual([]);
  await expect.poll(() => page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length)).toBe(0);
});
