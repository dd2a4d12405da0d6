import { test, expect } from './fixtures';
import { AGENT, signIn } from './auth';
import { clientWeight, kb, PAGE_BUDGET, PAGE_PART_BUDGET } from './weight';

// The agency's pages that only show and follow live changes, or only send forms, are island
// pages: they load the islands client and their own small part, not the whole app's client
// (issue 19's goal: every page within 300 KB).
test("the agency's dashboard, task list, contractor list, matrix, properties, certificate types and import load the islands client, within the page budget", async ({ browser, page }) => {
  await signIn(page, AGENT.email);
  await expect(page).toHaveURL(/\/agent$/);
  // A browser that has never loaded a client, signed in with the same cookie.
  const context = await browser.newContext({
    baseURL: test.info().project.use.baseURL,
    storageState: await page.context().storageState(),
  });
  const fresh = await context.newPage();
  const dashboard = await clientWeight(fresh, '/agent');
  console.log(`agency dashboard: ${kb(dashboard.js + dashboard.wasm)} of JS + WASM on the first visit (${dashboard.paths.join(', ')})`);
  expect(dashboard.files, 'the client was downloaded').toBeGreaterThan(0);
  expect(dashboard.js + dashboard.wasm).toBeLessThanOrEqual(PAGE_BUDGET);
  for (const path of ['/agent/tasks', '/agent/contractors', '/agent/certification', '/agent/quotes', '/agent/properties', '/agent/certificate-types', '/agent/import']) {
    const other = await clientWeight(fresh, path);
    console.log(`${path} after it: ${kb(other.js + other.wasm)} (${other.paths.join(', ')})`);
    expect(other.paths.every((p) => /\/pkg\/(split_|chunk_)/.test(p)), `${path}: only its own part: ${other.paths}`).toBe(true);
    expect(other.js + other.wasm).toBeLessThanOrEqual(PAGE_PART_BUDGET);
  }
  await context.close();
});
