import { expect, Page } from '@playwright/test';

/** What a visit downloaded of the client: bytes on the wire (compressed body and headers, 0 for
 *  a file the browser's cache answered), JS and WASM apart, and how many of them it asked for. */
export type Weight = { js: number; wasm: number; files: number; encodings: string[]; paths: string[] };

/** The Tech view task page's budget of initial JS + WASM on the wire (issue 19's goal is 200 KB;
 *  this is today's ceiling, lowered as the client shrinks). 660 KB while every page loaded the
 *  whole app's client; 285 KB when the Tech view first loaded the islands client (274 KB
 *  measured), 295 KB since the sign-in pages' forms joined it (285.4 KB measured): 11 KB more on
 *  the task, about 375 KB less on a technician's way in; 275 KB since the office's controls left
 *  the Tech view's island and resources read the page's data as server functions do (268.0 KB
 *  measured); 265 KB since dates are written without chrono's formatter (258.6 KB measured); 256 KB since
 *  dates are read without chrono's parser and the Tech view has no message form; 212 KB since
 *  the server renders the task and only its forms are islands (208.0 KB measured); 196 KB since
 *  the sign-in forms and the navigation's counts are lazy islands (191.3 KB measured); 156 KB
 *  since the islands' forms post as the browser would instead of through server actions, so the
 *  server function client left the islands client (152.6 KB measured). */
export const TECH_TASK_BUDGET = 156 * 1024;

/** Issue 19's goal for every page's first visit, JS + WASM. The whole app's client is about 770 KB
 *  on the wire with brotli, so a page within it loads the islands client. */
export const PAGE_BUDGET = 300 * 1024;

/** A page's own lazy islands, fetched beside the islands client: a sign-in form (6.4 KB to 9.1 KB
 *  measured), the account's signing out (3.0 KB), checking a report's copy (11.7 KB). */
export const PAGE_PART_BUDGET = 40 * 1024;

/** The calendar's controls, the one lazy island on a technician's pages that still calls server
 *  functions (its status is read again after a change): it carries the server function client
 *  the islands client no longer has (52.2 KB measured, 36.3 KB before; the page's whole first
 *  visit is about 207 KB, 229 KB before). */
export const CALENDAR_PART_BUDGET = 56 * 1024;

/**
 * Visits `path` in `page` (whose browser cache is on, as a person's is) and counts the JS and
 * WASM it downloaded until the page is live and the network quiet.
 */
export async function clientWeight(page: Page, path: string): Promise<Weight> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const client = new Map<string, { kind: 'js' | 'wasm'; path: string; encoding?: string }>();
  const weight: Weight = { js: 0, wasm: 0, files: 0, encodings: [], paths: [] };
  cdp.on('Network.requestWillBeSent', (event) => {
    const file = new URL(event.request.url).pathname;
    if (/\.wasm$/.test(file)) client.set(event.requestId, { kind: 'wasm', path: file });
    else if (/\.m?js$/.test(file)) client.set(event.requestId, { kind: 'js', path: file });
  });
  cdp.on('Network.responseReceived', (event) => {
    const file = client.get(event.requestId);
    if (file) file.encoding = event.response.headers['content-encoding'] ?? event.response.headers['Content-Encoding'];
  });
  cdp.on('Network.loadingFinished', (event) => {
    const file = client.get(event.requestId);
    if (!file) return;
    weight[file.kind] += event.encodedDataLength;
    if (event.encodedDataLength > 0) {
      weight.files += 1;
      weight.encodings.push(file.encoding ?? 'none');
      weight.paths.push(file.path);
    }
  });
  await page.goto(path);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 30_000 });
  await page.waitForLoadState('networkidle');
  await cdp.detach();
  return weight;
}

export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
