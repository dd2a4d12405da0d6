import { test, expect, expectHydrated } from './fixtures';
import { AGENT, OFFICE, DEMO_PASSWORD, signIn } from './auth';
import type { Locator, Page } from '@playwright/test';
import { instructToBrightspark } from './works';

/** Signs with the mouse: a few strokes across the pad. */
async function signWithMouse(page: Page, pad: Locator) {
  const box = (await pad.locator('canvas').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.1, box.y + box.height * 0.6);
  await page.mouse.down();
  for (let i = 1; i <= 12; i++) {
    await page.mouse.move(box.x + box.width * (0.1 + 0.065 * i), box.y + box.height * (i % 2 ? 0.3 : 0.7), { steps: 3 });
  }
  await page.mouse.up();
}

test('an office user saves a signature in preferences and signs a task with it only when they choose to', async ({ page, browser }) => {
  const title = `Consumer unit check ${Date.now() % 100000}`;
  const agencyContext = await browser.newContext();
  const agent = await agencyContext.newPage();
  await signIn(agent, AGENT.email);
  await expect(agent).toHaveURL(/\/agent$/);
  const instructed = await instructToBrightspark(agent, { title, priority: 'normal' });
  await agencyContext.close();

  await signIn(page, OFFICE.email, DEMO_PASSWORD, '/sign-in?next=/desk/preferences');
  await expect(page).toHaveURL(/\/desk\/preferences$/);
  await expectHydrated(page);
  await page.getByLabel('Mobile number').fill('call me maybe');
  await page.getByRole('button', { name: 'Save preferences' }).click();
  await expect(page.locator('#preferences-mobile-error')).toContainText('digits, spaces');
  await page.getByLabel('Mobile number').fill('07700 900123');
  const pad = page.getByTestId('saved-signature');
  await signWithMouse(page, pad);
  await page.getByRole('button', { name: 'Save preferences' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Preferences saved.' })).toBeVisible();
  await page.reload();
  await expectHydrated(page);
  await expect(page.getByLabel('Mobile number')).toHaveValue('07700 900123');
  await expect(pad.getByRole('button', { name: 'Undo' })).toBeEnabled();

  // On a task the saved signature is offered, and placed only by choosing it.
  await page.goto(`/desk/tasks/${instructed.Instructed.task_id}`);
  await expectHydrated(page);
  await page.getByRole('region', { name: 'Actions' }).getByRole('button', { name: 'Accept' }).click();
  await expect(page.getByTestId('task-status')).toHaveText('Accepted');
  await page.getByRole('button', { name: "I'm on site" }).click();
  await expect(page.getByTestId('task-status')).toHaveText('In progress');
  // The page loaded afresh with the form on it offers the signature too (and hydrates: the
  // fixture fails on a panic).
  await page.reload();
  await expectHydrated(page);
  const perform = page.getByRole('region', { name: "I've performed this work" });
  const mine = perform.getByTestId('my-signature');
  await expect(mine.getByRole('button', { name: 'Undo' })).toBeDisabled();
  await perform.getByRole('button', { name: 'Use my saved signature' }).click();
  await expect(mine.getByRole('button', { name: 'Undo' })).toBeEnabled();
  await perform.getByRole('button', { name: "I've performed this work" }).click();
  await expect(page.getByTestId('task-status')).toHaveText('Performed (need docs)');
  await expect(page.getByTestId('signatures')).toContainText('Contractor: Rachel Green');
});

test('the Tech view installs as a web app and says so when the phone goes offline', async ({ page, context }) => {
  const manifest = await (await page.request.get('/manifest.webmanifest')).json();
  expect(manifest.start_url).toBe('/tech');
  expect(manifest.display).toBe('standalone');
  for (const icon of manifest.icons.filter((i: { type: string }) => i.type === 'image/png')) {
    const response = await page.request.get(icon.src);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toBe('image/png');
  }
  await page.goto('/');
  await expectHydrated(page);
  await expect(page.locator('link[rel="manifest"]')).toHaveAttribute('href', '/manifest.webmanifest');
  await context.setOffline(true);
  await expect(page.getByRole('status').filter({ hasText: 'You are offline' })).toBeVisible();
  await context.setOffline(false);
  await expect(page.getByRole('status').filter({ hasText: 'You are offline' })).toHaveCount(0);
});
