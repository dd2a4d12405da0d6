import { devices } from '@playwright/test';
import { test, expect } from './fixtures';
import { requestLink, linkFromMailbox } from './auth';
import { clientWeight, kb, TECH_TASK_BUDGET } from './weight';

const TECH = 'tom.baker@brightspark.example';

// The budget scripts/test.sh holds: what a technician's phone downloads to open a task, and
// that a second visit after no release downloads none of it again.
test('the Tech view task page stays within its client budget, and a repeat visit downloads none of it', async ({ page }) => {
  await requestLink(page, TECH);
  await page.goto(await linkFromMailbox(page, TECH));
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/tech$/);
  const task = await page.locator('a[href^="/tech/tasks/"]').first().getAttribute('href');

  // A phone that has never loaded the client: a fresh context, signed in with the same cookie.
  const fresh = await page.context().browser()!.newContext({
    ...devices['Pixel 7'],
    baseURL: test.info().project.use.baseURL,
    storageState: await page.context().storageState(),
  });
  const phone = await fresh.newPage();
  const first = await clientWeight(phone, task!);
  const initial = first.js + first.wasm;
  console.log(`Tech view task page: ${kb(initial)} of JS + WASM on the first visit (${first.encodings.join(', ')}), budget ${kb(TECH_TASK_BUDGET)}`);
  expect(first.files, 'the client was downloaded').toBeGreaterThan(0);
  expect(first.encodings.every((e) => e === 'gzip' || e === 'br'), `compressed: ${first.encodings}`).toBe(true);
  expect(initial).toBeLessThanOrEqual(TECH_TASK_BUDGET);

  const again = await clientWeight(phone, task!);
  expect(again.js + again.wasm, 'a repeat visit is answered by the cache').toBe(0);
  await fresh.close();
});
