import { test as base, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

/** Fails on serious or critical accessibility violations of the page as it is now. A page that
 *  follows live changes by loading again (the agency's dashboard, contractor list, matrix) may
 *  do so during the check, when a test beside this one changes a certificate: then the page that
 *  arrived is checked. */
export async function expectAccessible(page: Page) {
  // The agency's task list loads again on every task change of the agency, which the tests
  // beside this one make often: a few tries.
  const analyze = async (tries: number): Promise<Awaited<ReturnType<AxeBuilder['analyze']>>> =>
    new AxeBuilder({ page }).analyze().catch(async (error: Error) => {
      if (tries <= 1 || !/Execution context was destroyed/.test(error.message)) throw error;
      await page.waitForLoadState();
      return analyze(tries - 1);
    });
  const results = await analyze(5);
  const blocking = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  expect(blocking, `accessibility violations on ${page.url()}`).toEqual([]);
}

/** Collects panics in the browser (a hydration mismatch, say), which leave a page that looks
 *  fine but is dead; for pages of extra browser contexts, which the `page` fixture does not see. */
export function collectPanics(page: Page): string[] {
  const panics: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /panicked at/.test(message.text())) {
      panics.push(message.text().split('\n')[0]);
    }
  });
  return panics;
}

/** A day from today in the demo agency's zone, as a date field takes it (`YYYY-MM-DD`). */
export const isoDay = (offsetDays = 0) =>
  new Date(Date.now() + offsetDays * 86_400_000).toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
/** The same day as the agency writes it (DD/MM/YYYY). */
export const shownDay = (iso: string) => iso.split('-').reverse().join('/');

/** Waits until the server-rendered page has hydrated and responds to input. */
export async function expectHydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

/**
 * `page` with an accessibility check after every `goto` and on the page a test ends on,
 * so every page the suite visits is checked without each test remembering to.
 */
export const test = base.extend({
  page: async ({ page }, use) => {
    // A Content-Security-Policy violation would silently stop hydration: fail on any.
    const cspViolations: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
        cspViolations.push(message.text());
      }
    });
    // Names the page behind a violation: every HTML document must carry the nonce policy.
    const pagesWithoutPolicy: string[] = [];
    page.on('response', (response) => {
      const headers = response.headers();
      if (
        response.request().resourceType() === 'document' &&
        (headers['content-type'] ?? '').startsWith('text/html') &&
        !(headers['content-security-policy'] ?? '').includes("'nonce-")
      ) {
        pagesWithoutPolicy.push(`${response.status()} ${response.request().method()} ${response.url()}`);
      }
    });
    const panics = collectPanics(page);
    const checked = new Set<string>();
    const goto = page.goto.bind(page);
    page.goto = async (url, options) => {
      const response = await goto(url, options);
      await expectAccessible(page);
      checked.add(page.url());
      return response;
    };
    await use(page);
    if (page.url() !== 'about:blank' && !checked.has(page.url())) {
      await expectAccessible(page);
    }
    expect(pagesWithoutPolicy, 'pages served without their Content-Security-Policy').toEqual([]);
    expect(cspViolations, 'Content-Security-Policy violations').toEqual([]);
    expect(panics, 'panics in the browser').toEqual([]);
  },
});

/** Every element of the page's main content fits the screen, and every form control fits the
 *  card or panel it sits in (tables that scroll sideways in their own box are allowed). */
export async function expectNothingWiderThanTheScreen(page: Page, what: string) {
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

export { expect };
