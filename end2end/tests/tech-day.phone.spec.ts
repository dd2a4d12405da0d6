import { test, expect, expectAccessible, expectHydrated } from './fixtures';
import { requestLink, linkFromMailbox } from './auth';
import type { Page } from '@playwright/test';

/** Every element of the page's main content fits the screen, and every form control fits the
 *  card or panel it sits in (tables that scroll sideways in their own box are allowed). */
async function expectNothingWiderThanTheScreen(page: Page, what: string) {
  const found = await page.evaluate(() => {
    document.querySelectorAll('details').forEach((d) => ((d as HTMLDetailsElement).open = true));
    const width = document.documentElement.clientWidth;
    const name = (el: Element) =>
      `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.getAttribute('name') ? `[name=${el.getAttribute('name')}]` : ''}`;
    const scrollsInside = (el: Element) => {
      for (let p = el.parentElement; p; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o === 'auto' || o === 'scroll') return true;
      }
      return false;
    };
    const wide: string[] = [];
    for (const el of Array.from(document.querySelectorAll('main *'))) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || scrollsInside(el)) continue;
      if (r.right > width + 1) wide.push(`${name(el)} ends at ${Math.round(r.right)} px`);
      const box = el.matches('input, select, textarea, button') ? el.closest('.card, .panel') : null;
      if (box && r.right > box.getBoundingClientRect().right + 1) wide.push(`${name(el)} runs past its card`);
    }
    return { width, scrollWidth: document.documentElement.scrollWidth, wide: wide.slice(0, 10) };
  });
  expect(found.wide, what).toEqual([]);
  expect(found.scrollWidth, what).toBeLessThanOrEqual(found.width);
}

test("a technician's list puts today's work first, finished work apart, with directions and a number to call; nothing is wider than a 360 px screen", async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 780 });
  const email = 'tom.baker@brightspark.example';
  await requestLink(page, email);
  await page.goto(await linkFromMailbox(page, email));
  await expectHydrated(page);
  await page.getByRole('button', { name: 'Continue' }).tap();
  await expect(page).toHaveURL(/\/tech$/);

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
