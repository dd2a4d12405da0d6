import type { Page } from '@playwright/test';
import { test, expect, expectHydrated } from './fixtures';
import { AGENT, signIn } from './auth';

test('the contractor list shows a traffic light per contractor and filters by light', async ({ page }) => {
  await signIn(page, AGENT.email, undefined, '/sign-in?next=/agent/contractors');
  await expect(page).toHaveURL(/\/agent\/contractors$/);
  await expectHydrated(page);
  const row = (name: string) => page.getByRole('row', { name: new RegExp(name) });
  await expect(row('Brightspark Electrical Ltd')).toContainText('Compliant');
  await expect(row('Northgate Gas & Heating')).toContainText('Attention needed');
  await expect(row('Northgate Gas & Heating')).toContainText('1 expiring soon');
  await expect(row('Clearflow Plumbing')).toContainText('Not compliant');
  await expect(row('Clearflow Plumbing')).toContainText('1 expired, 1 missing');

  const filters = page.getByRole('navigation', { name: 'Filter by compliance' });
  await filters.getByRole('link', { name: 'Not compliant' }).click();
  await expect(page).toHaveURL(/\?light=red$/);
  await expect(filters.getByRole('link', { name: 'Not compliant' })).toHaveAttribute('aria-current', 'true');
  await expect(row('Clearflow Plumbing')).toBeVisible();
  await expect(row('Brightspark Electrical Ltd')).toHaveCount(0);
  await expect(page.locator('tbody tr .light-red')).toHaveCount(await page.locator('tbody tr').count());

  await filters.getByRole('link', { name: 'All' }).click();
  await expect(row('Brightspark Electrical Ltd')).toBeVisible();

  // Finding by name keeps the light chips' counts to the contractors found.
  const find = page.getByRole('search', { name: 'Find a contractor' });
  await find.getByLabel('Contractor').fill('north');
  await find.getByRole('button', { name: 'Find' }).click();
  await expect(page).toHaveURL(/\?name=north(&|$)/);
  await expect(row('Northgate Gas & Heating')).toBeVisible();
  await expect(page.locator('tbody tr')).toHaveCount(1);
  await expect(filters.getByRole('link', { name: 'Attention needed' })).toContainText('1');
  await expect(filters.getByRole('link', { name: 'Not compliant' })).toContainText('0');
  await filters.getByRole('link', { name: 'Not compliant' }).click();
  await expect(page).toHaveURL(/\?light=red&name=north$/);
  await expect(page.getByText('No contractors match these filters.')).toBeVisible();
});

test('on a contractor\'s Certification tab an agent ticks a document Valid and requests a certificate', async ({ page }) => {
  await signIn(page, AGENT.email, undefined, '/sign-in?next=/agent/contractors');
  await expect(page).toHaveURL(/\/agent\/contractors$/);
  await expectHydrated(page);
  await page.getByRole('link', { name: 'Ace Roofing Services' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Ace Roofing Services');
  await expect(page.locator('main .light')).toHaveText('Attention needed');
  // The navigation says uploads wait for validation.
  await expect(page.getByTestId('to-validate-badge')).toHaveAttribute('aria-label', /to validate$/);
  const height = page.getByRole('listitem', { name: 'Working at height' });
  await expect(height.locator('.status')).toHaveText('Needs validation');
  // Ticking Valid asks first, by keyboard too: Cancel leaves it as it was.
  await height.getByRole('button', { name: /^Tick Valid/ }).click();
  const confirm = height.getByRole('group', { name: /^Confirm Valid/ });
  await expect(confirm).toBeVisible();
  await expect(confirm.getByRole('button', { name: "Confirm: it's valid" })).toBeFocused();
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toBeHidden();
  await expect(height.locator('.status')).toHaveText('Needs validation');
  await height.getByRole('button', { name: /^Tick Valid/ }).click();
  await page.keyboard.press('Enter');
  await expect(height.locator('.status')).toHaveText('Valid');
  await expect(height).toContainText(/Valid until \d{2}\/\d{2}\/\d{4}/);
  await expect(page.locator('main .light')).toHaveText('Compliant');
  // A slip can be taken back for a few minutes, and the history says so.
  await height.getByRole('button', { name: /^Undo Valid/ }).click();
  await expect(height.locator('.status')).toHaveText('Needs validation');
  await expect(page.locator('main .light')).toHaveText('Attention needed');
  await expect(page.getByRole('region', { name: 'History' })).toContainText('Undid Valid: Working at height');
  await height.getByRole('button', { name: /^Tick Valid/ }).click();
  await height.getByRole('button', { name: "Confirm: it's valid" }).click();
  await expect(height.locator('.status')).toHaveText('Valid');
  await expect(page.locator('main .light')).toHaveText('Compliant');

  await page.getByLabel('Request a certificate').selectOption({ label: 'Gas safety' });
  await page.getByRole('button', { name: 'Request', exact: true }).click();
  const gas = page.getByRole('listitem', { name: 'Gas safety' });
  await expect(gas.locator('.status')).toHaveText('Missing');
  await expect(page.locator('main .light')).toHaveText('Not compliant');
  // Requested types leave the list of those that can be requested.
  await expect(page.getByLabel('Request a certificate').locator('option', { hasText: 'Gas safety' })).toHaveCount(0);
});

test('the dashboard panel counts contractors by light and lists upcoming renewals', async ({ page }) => {
  await signIn(page, AGENT.email);
  await expect(page).toHaveURL(/\/agent$/);
  const panel = page.getByRole('region', { name: 'Contractor certification compliance' });
  for (const label of ['Not compliant', 'Attention needed', 'Compliant']) {
    await expect(panel.getByRole('link', { name: new RegExp(`^\\d+ ${label}$`) })).toBeVisible();
  }
  const renewals = panel.getByRole('table', { name: 'Upcoming renewals' });
  const first = renewals.getByRole('row').nth(1);
  await expect(first).toContainText('Clearflow Plumbing');
  await expect(first).toContainText(/\d{2}\/\d{2}\/\d{4}/);
  await panel.getByRole('link', { name: /Not compliant$/ }).click();
  await expect(page).toHaveURL(/\/agent\/contractors\?light=red$/);
});

test('the compliance matrix filters by status and name, each icon leading to the contractor', async ({ page }) => {
  await signIn(page, AGENT.email, undefined, '/sign-in?next=/agent/certification');
  await expect(page).toHaveURL(/\/agent\/certification$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Contractor certification');
  await expect(page.getByRole('columnheader', { name: 'Gas safety' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Northgate Gas & Heating, Gas safety: Expiring soon' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Clearflow Plumbing, Legionella risk assessment: Missing' })).toBeVisible();

  await page.getByLabel('Status').selectOption({ label: 'Expired' });
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/status=expired/);
  await expect(page.getByRole('rowheader')).toHaveText([/Clearflow Plumbing/]);

  await page.getByLabel('Status').selectOption({ label: 'Any status' });
  await page.getByLabel('Contractor').fill('north');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.getByRole('rowheader')).toHaveText([/Northgate Gas & Heating/]);
  await page.getByRole('link', { name: 'Northgate Gas & Heating, Gas safety: Expiring soon' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Northgate Gas & Heating');
});

test('each matrix icon leads to that certificate and says its next step; a legend explains the icons; the contractor column stays in view', async ({ page }) => {
  await page.setViewportSize({ width: 900, height: 800 });
  await signIn(page, AGENT.email, undefined, '/sign-in?next=/agent/certification');
  await expect(page).toHaveURL(/\/agent\/certification$/);
  await expectHydrated(page);
  const legend = page.getByRole('list', { name: 'What the icons mean' });
  for (const meaning of ['Valid', 'Expiring soon', 'Expired', 'Cover too low', 'Missing', 'Needs validation', 'Not required', 'A newer document waits for validation']) {
    await expect(legend).toContainText(meaning);
  }
  // Scrolled sideways, the contractor names stay at the left edge of the grid.
  const grid = page.locator('.table-wrap').filter({ has: page.locator('table.matrix') });
  await grid.evaluate((e) => { e.scrollLeft = e.scrollWidth; });
  const name = page.getByRole('rowheader', { name: /Greenleaf Grounds/ });
  const [gridBox, nameBox] = [await grid.boundingBox(), await name.boundingBox()];
  expect(nameBox!.x).toBeGreaterThanOrEqual(gridBox!.x - 1);
  expect(nameBox!.x).toBeLessThan(gridBox!.x + 20);
  await expect(name).toBeInViewport();

  // Greenleaf's asbestos awareness was never provided: the icon says what to do and goes there.
  const icon = page.getByRole('link', { name: 'Greenleaf Grounds, Asbestos awareness: Missing. Next: chase it or upload it on their behalf' });
  await icon.click();
  await expect(page).toHaveURL(/\/agent\/contractors\/\d+\?certificate=\d+$/);
  const tile = page.getByRole('listitem', { name: 'Asbestos awareness' });
  await expect(tile).toBeFocused();
  await expect(tile).toBeInViewport();
  await expect(tile.getByText('Upload a document')).toBeVisible();
});

test('an agent adds the agency\'s own certificate type; a name already used is refused', async ({ page }) => {
  await signIn(page, AGENT.email, undefined, '/sign-in?next=/agent/certification');
  await expect(page).toHaveURL(/\/agent\/certification$/);
  await expectHydrated(page);
  await page.getByRole('link', { name: 'Certificate types' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Certificate types');
  await expect(page.getByRole('row', { name: /Gas safety/ })).toContainText('Built in');

  await page.getByLabel('Name').fill('gas SAFETY');
  await page.getByRole('button', { name: 'Add type' }).click();
  await expect(page.locator('#type-name-error')).toHaveText('"Gas safety" already exists.');

  await page.getByLabel('Name').fill('Gas Safe registration');
  await page.getByLabel('Also asked of technicians (accreditation)').check();
  await page.getByRole('button', { name: 'Add type' }).click();
  await expect(page.getByRole('status')).toHaveText('Certificate type added.');
  const row = page.getByRole('row', { name: /Gas Safe registration/ });
  await expect(row).toContainText("Your agency's");
  await expect(row.getByRole('checkbox')).toBeChecked();
  await expectHydrated(page);

  // Its minimum cover: words are refused beside the field; pounds are kept.
  const cover = () => page.getByLabel('Gas Safe registration: minimum cover');
  const saveCover = () => row.getByRole('button', { name: 'Save the minimum cover of Gas Safe registration' });
  await cover().fill('lots');
  await saveCover().click();
  await expect(page.locator(`#${await cover().getAttribute('id')}-error`)).toContainText('Write the minimum in pounds');
  await cover().fill('£5m');
  await saveCover().click();
  await expect(page.getByRole('status')).toHaveText('Minimum cover of Gas Safe registration saved.');
  await expect(cover()).toHaveValue('5000000');
  await expectHydrated(page);

  // Whether technicians are asked for it: saved as soon as the box changes, and kept. Until the
  // page loads again the box stays as the agent left it: the sent form is not reset (which
  // showed the old state for a moment; noted across the reload in the tab's session storage).
  await page.evaluate(() => document.addEventListener('reset', () => sessionStorage.setItem('form-reset', 'yes'), true));
  await page.getByLabel('Gas Safe registration: also asked of technicians').uncheck();
  await expect(page.getByRole('status')).toHaveText('Gas Safe registration is no longer asked of technicians.');
  expect(await page.evaluate(() => sessionStorage.getItem('form-reset'))).toBeNull();
  await page.reload();
  await expect(page.getByLabel('Gas Safe registration: also asked of technicians')).not.toBeChecked();
  await expect(page.getByRole('status')).toHaveCount(0);
});

/** On a contractor's page, asks for a certificate (by default the first not asked for yet); its
 *  name. */
async function requestCertificate(page: Page, type?: string) {
  const choice = page.getByLabel('Request a certificate');
  type ??= (await choice.locator('option:not([value=""])').first().textContent())!.trim();
  await choice.selectOption({ label: type });
  await page.getByRole('button', { name: 'Request', exact: true }).click();
  await expect(page.getByRole('listitem', { name: type }).locator('.status')).toHaveText('Missing');
  return type;
}

test('the matrix follows changes made elsewhere: it loads again, or says so while a filter is being typed', async ({ page }) => {
  await signIn(page, AGENT.email, undefined, '/sign-in?next=/agent/certification?name=Greenleaf');
  await expect(page).toHaveURL(/\/agent\/certification\?name=Greenleaf$/);
  await expectHydrated(page);
  await expect(page.locator('body')).toHaveAttribute('data-live', 'open');
  // A mark that a reload of the page wipes.
  const mark = () => page.evaluate(() => { (window as unknown as { kept?: boolean }).kept = true; });
  const kept = () => page.evaluate(() => (window as unknown as { kept?: boolean }).kept === true);
  await mark();

  // A colleague (here the same agent in another tab) asks Greenleaf for a certificate.
  const colleague = await page.context().newPage();
  await colleague.goto('/agent/contractors?name=Greenleaf');
  await colleague.getByRole('link', { name: 'Greenleaf Grounds' }).click();
  await expect(colleague.getByRole('heading', { level: 1 })).toHaveText('Greenleaf Grounds');
  await expectHydrated(colleague);
  const request = () => requestCertificate(colleague);
  const first = await request();
  // The matrix loads again by itself and shows it.
  await expect(page.getByRole('link', { name: new RegExp(`^Greenleaf Grounds, ${first}: Missing`) })).toBeVisible({ timeout: 5_000 });
  expect(await kept()).toBe(false);
  await expectHydrated(page);
  await expect(page.locator('body')).toHaveAttribute('data-live', 'open');
  await mark();

  // Something typed in the filter is not thrown away: the page says it changed and waits.
  await page.getByLabel('Contractor').fill('Greenleaf Gr');
  const second = await request();
  const changed = page.getByRole('status').filter({ hasText: 'This page has changed.' });
  await expect(changed).toBeVisible({ timeout: 5_000 });
  expect(await kept()).toBe(true);
  await expect(page.getByLabel('Contractor')).toHaveValue('Greenleaf Gr');
  await changed.getByRole('button', { name: 'Show the changes' }).click();
  await expect(page.getByRole('link', { name: new RegExp(`^Greenleaf Grounds, ${second}: Missing`) })).toBeVisible();
  await colleague.close();
});

test('a link followed as the page is about to load again is not undone: the page does not reload while it leaves', async ({ page }) => {
  // A certificate type of this test's own: asking Greenleaf for it changes nothing another test
  // looks at.
  const type = `Zone access permit ${Date.now() % 100000}`;
  await signIn(page, AGENT.email, undefined, '/sign-in?next=/agent/certificate-types');
  await expectHydrated(page);
  await page.getByLabel('Name').fill(type);
  await page.getByRole('button', { name: 'Add type' }).click();
  await expect(page.getByRole('status')).toHaveText('Certificate type added.');
  const colleague = await page.context().newPage();
  await colleague.goto('/agent/contractors?name=Greenleaf');
  await colleague.getByRole('link', { name: 'Greenleaf Grounds' }).click();
  await expect(colleague.getByRole('heading', { level: 1 })).toHaveText('Greenleaf Grounds');
  await expectHydrated(colleague);
  await page.goto('/agent/contractors?name=Greenleaf');
  await expectHydrated(page);
  await expect(page.locator('body')).toHaveAttribute('data-live', 'open');

  // The agent opens the contractor and the server is slow to answer; meanwhile a colleague's
  // change reaches the list the agent is leaving. Loading the list again then would cancel the
  // agent's navigation and show the list again (measured without the guard).
  await page.route(/\/agent\/contractors\/\d+$/, async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    await route.continue().catch(() => undefined);
  });
  // Not awaited: the click returns once the contractor's page has come.
  const opened = page.getByRole('link', { name: 'Greenleaf Grounds' }).click();
  await requestCertificate(colleague, type);
  await opened;
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Greenleaf Grounds');
  await expect(page).toHaveURL(/\/agent\/contractors\/\d+$/);
  await colleague.close();
});
