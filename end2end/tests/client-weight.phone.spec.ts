import { devices } from '@playwright/test';
import { test, expect } from './fixtures';
import { requestLink, linkFromMailbox } from './auth';
import { CALENDAR_PART_BUDGET, clientWeight, kb, PAGE_PART_BUDGET, TECH_TASK_BUDGET } from './weight';

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

// A technician's way in (the emailed link's pages) is served with the Tech view's client: their
// phone downloads it once, on the first page, and never the whole app's; the sign-in forms'
// own code comes with the page that shows them, and the Tech view needs none of it.
test("a technician's way in loads the Tech view's client: the Tech view afterwards downloads nothing, their calendar and account only their own part", async ({ browser }) => {
  const context = await browser.newContext({ ...devices['Pixel 7'], baseURL: test.info().project.use.baseURL });
  const phone = await context.newPage();
  const way_in = await clientWeight(phone, '/sign-in/email');
  console.log(`"Email me a sign-in link" page: ${kb(way_in.js + way_in.wasm)} of JS + WASM on the first visit`);
  expect(way_in.files, 'the client was downloaded').toBeGreaterThan(0);
  // The Tech view's client and the page's form, a lazy island of its own.
  expect(way_in.js + way_in.wasm).toBeLessThanOrEqual(TECH_TASK_BUDGET + PAGE_PART_BUDGET);

  // A technician no other test signs in, so no other test's link is the newest in the mailbox.
  const technician = 'omar.haddad@brightspark.example';
  await requestLink(phone, technician);
  const link = await linkFromMailbox(phone, technician);
  // Each sign-in page's form is a lazy island: the confirm page fetches its own form's code
  // (and the small chunks it shares with the other forms), a few KB; the client comes from the
  // cache.
  const confirm = await clientWeight(phone, link);
  console.log(`the confirm page after it: ${kb(confirm.js + confirm.wasm)} (${confirm.paths.join(', ')})`);
  expect(confirm.paths.every((p) => /\/pkg\/(split_confirm_link_form|chunk_)/.test(p)), `only its form's code: ${confirm.paths}`).toBe(true);
  expect(confirm.js + confirm.wasm).toBeLessThanOrEqual(PAGE_PART_BUDGET);
  await phone.getByRole('button', { name: 'Continue' }).click();
  await expect(phone).toHaveURL(/\/tech$/);
  const tasks = await clientWeight(phone, '/tech');
  expect(tasks.js + tasks.wasm, 'the Tech view reuses the cached client').toBe(0);
  // The other pages the technician's menu leads to are served with the same client and fetch
  // their own part only.
  for (const path of ['/calendar', '/account']) {
    const other = await clientWeight(phone, path);
    console.log(`${path} after it: ${kb(other.js + other.wasm)} (${other.paths.join(', ')})`);
    expect(other.paths.every((p) => /\/pkg\/(split_|chunk_)/.test(p)), `${path}: only its own part: ${other.paths}`).toBe(true);
    expect(other.js + other.wasm).toBeLessThanOrEqual(path === '/calendar' ? CALENDAR_PART_BUDGET : PAGE_PART_BUDGET);
  }
  await context.close();
});
