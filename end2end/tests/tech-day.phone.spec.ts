import { test, expect, expectAccessible, expectHydrated, expectNothingWiderThanTheScreen } from './fixtures';
import { signInTechnician } from './auth';

test("a technician's list puts today's work first, finished work apart, with directions and a number to call; nothing is wider than a 360 px screen", async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 780 });
  const email = 'tom.baker@brightspark.example';
  await signInTechnician(page, email);

  // Demo data: T-01004 is booked for today and under way, T-01006 and T-01007 are performed.
  const sections = page.locator('section.tech-section');
  const today = page.getByRole('region', { name: /^Today/ });
  await expect(sections.first()).toHaveAttribute('aria-labelledby', 'tech-today');
  await expect(today.locator('.task-card').first()).toHaveAttribute('data-reference', 'T-01004');
  const finished = page.getByRole('region', { name: /^Finished/ });
  await expect(sections.last()).toHaveAttribute('aria-labelledby', 'tech-finished');
  for (const reference of ['T-01006', 'T-01007']) {
    await expect(finished.locator(`.task-card[data-reference="${reference}"]`)).toHaveCount(1);
  }
  // Nothing finished shows among the open work.
  const open = page.locator('section.tech-section:not([aria-labelledby="tech-finished"]) .task-card');
  for (const status of await open.locator('.task-status').allTextContents()) {
    expect(status).not.toMatch(/^Performed/);
  }

  // Each card offers directions; a property with a contact number offers a call.
  const first = today.locator('.task-card').first();
  const directions = first.getByRole('link', { name: /^Directions to / });
  await expect(directions).toHaveAttribute('href', /^https:\/\/www\.google\.com\/maps\/search\/\?api=1&query=/);
  const calls = page.getByRole('link', { name: /^Call [\d +()-]+, the contact at / });
  await expect(calls.first()).toHaveAttribute('href', /^tel:\+?\d{6,}$/);
  const target = await directions.boundingBox();
  expect(target?.height ?? 0).toBeGreaterThanOrEqual(44);
  await expectNothingWiderThanTheScreen(page, 'My tasks');
  await expectAccessible(page);

  // The task page with every form of the Tech view on it: on site, results, defects, perform.
  await first.locator('.task-title a').tap();
  await expect(page.getByTestId('task-status')).toHaveText('In progress');
  await expectHydrated(page);
  await expect(page.getByRole('form', { name: 'Report a defect' })).toBeVisible();
  const summary = page.getByRole('region', { name: 'Summary' });
  await expect(summary.getByRole('link', { name: 'Directions' })).toHaveAttribute('href', /maps\/search/);
  await expectNothingWiderThanTheScreen(page, 'the task page');
  await expectAccessible(page);

  // The Tech view is served in islands mode: the server renders the task, its forms are islands,
  // the header's controls are others, and they work with the islands client alone (the menu
  // opens; its links load pages).
  const islands = page.locator('leptos-island');
  for (const name of ['TaskRefresh', 'TechActions', 'TechServiceTasks', 'TechReportDefect', 'TechPerform']) {
    await expect(islands.and(page.locator(`[data-component^="${name}_"]`))).toHaveCount(1);
  }
  await expect(page.getByRole('region', { name: 'Timeline' }).locator('leptos-island')).toHaveCount(0);
  const menu = page.getByRole('button', { name: 'Menu' });
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await menu.tap();
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My tasks' }).tap();
  await expect(page).toHaveURL(/\/tech$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('My tasks');

  await page.goto('/account');
  await expectHydrated(page);
  await expectNothingWiderThanTheScreen(page, 'the account page');
});

test('the sign-in pages fit a 360 px screen', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 780 });
  for (const path of ['/sign-in', '/sign-in/email', '/forgot-password']) {
    await page.goto(path);
    await expectHydrated(page);
    await expectNothingWiderThanTheScreen(page, path);
  }
});
