import { test, expect, expectHydrated, collectPanics } from './fixtures';
import { ADMIN, AGENT, signIn } from './auth';

// Fixright Handyman starts with no requirements; no other test looks at it.
const FIXRIGHT_OFFICE = 'office@fixright.example';

// A gas safety record as an engineer's software prints it, made into a PDF by the browser.
async function gasSafetyRecord(browser: import('@playwright/test').Browser) {
  const maker = await browser.newPage();
  await maker.setContent(`<html><body style="font-family: sans-serif">
    <h1>Landlord Gas Safety Record</h1>
    <p>Fixright Handyman, registered with Gas Safe Register</p>
    <p>Gas Safe registration number: 604211</p>
    <p>Property: 4 Harbour Row, Swansea SA1 1AA</p>
    <p>Date of check: 01/07/2026</p>
    <p>Next safety check due by: 30/06/2027</p>
    <p>Engineer's date of birth: 14/02/1979</p>
    <table><tr><th>Appliance</th><th>Safe to use</th></tr><tr><td>Combi boiler</td><td>Yes</td></tr></table>
  </body></html>`);
  const buffer = await maker.pdf({ format: 'A4' });
  await maker.close();
  return { name: 'gas-safety.pdf', mimeType: 'application/pdf', buffer };
}

test('a requested certificate is uploaded by the contractor and validated, both pages updating live', async ({ page, browser }) => {
  await signIn(page, AGENT.email, undefined, '/sign-in?next=/agent/contractors');
  await expect(page).toHaveURL(/\/agent\/contractors$/);
  await expectHydrated(page);
  await page.getByRole('link', { name: 'Fixright Handyman' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Fixright Handyman');
  await page.getByLabel('Request a certificate').selectOption({ label: 'Gas safety' });
  await page.getByRole('button', { name: 'Request', exact: true }).click();
  const agentTile = page.getByRole('listitem', { name: 'Gas safety' });
  await expect(agentTile.locator('.status')).toHaveText('Missing');
  await expect(page.getByTestId('contractor-light')).toHaveText('Not compliant');

  // The contractor's office, in its own browser.
  const contractor = await browser.newContext();
  const office = await contractor.newPage();
  const officePanics = collectPanics(office);
  await signIn(office, FIXRIGHT_OFFICE);
  await expect(office).toHaveURL(/\/desk$/);
  await expect(office.getByTestId('certificate-badge')).toHaveText('1');
  await office.getByRole('link', { name: /^Certificates/ }).click();
  await expect(office).toHaveURL(/\/desk\/certificates$/);
  await expect(office.getByRole('heading', { level: 1 })).toHaveText('Your certificates');
  const officeTile = office.getByRole('listitem', { name: 'Gas safety' });
  await expect(officeTile.locator('.status')).toHaveText('Missing');
  // No tile's form is drawn until its "Upload a document" is opened (here from the keyboard):
  // the page stays light however many certificates are asked for.
  await expect(office.locator('form.upload-form')).toHaveCount(0);
  await officeTile.getByText('Upload a document').focus();
  await office.keyboard.press('Enter');
  await expect(office.locator('form.upload-form')).toHaveCount(1);
  await expect(officeTile.getByLabel(/^File/)).toBeVisible();
  // A file that is not a certificate is refused with a message beside the field.
  await officeTile.getByLabel(/^File/).setInputFiles({ name: 'gas.pdf', mimeType: 'application/pdf', buffer: Buffer.from('MZ not a pdf') });
  await officeTile.getByRole('button', { name: 'Upload' }).click();
  await expect(officeTile.locator('.field-error')).toContainText('not a PDF, JPEG, PNG or HEIC');
  // The record is read for the contractor: its dates and number fill the form, marked as read.
  await officeTile.getByLabel(/^File/).setInputFiles(await gasSafetyRecord(browser));
  await expect(officeTile.getByRole('status').filter({ hasText: 'Read from the document' })).toContainText('check each value');
  await expect(officeTile.getByLabel('Start date')).toHaveValue('2026-07-01');
  await expect(officeTile.getByLabel('Expiry date')).toHaveValue('2027-06-30');
  await expect(officeTile.getByLabel('Policy or registration number')).toHaveValue('604211');
  await expect(officeTile.getByLabel('Insurer or issuing body')).toHaveValue('Gas Safe Register');
  await expect(officeTile.locator('.read-mark').filter({ hasText: 'Read from the document' })).toHaveCount(4);
  // Changing a value drops its mark; putting it back is the person's confirmation.
  await officeTile.getByLabel('Expiry date').fill('2027-07-30');
  await expect(officeTile.locator('.read-mark').filter({ hasText: 'Read from the document' })).toHaveCount(3);
  await officeTile.getByLabel('Expiry date').fill('2027-06-30');
  await officeTile.getByLabel('Reminder').selectOption({ label: '1 month before' });
  await officeTile.getByRole('button', { name: 'Upload' }).click();
  await expect(office.getByRole('status').filter({ hasText: 'Uploaded' })).toHaveText('Uploaded: Gas safety.');
  await expect(officeTile.locator('.status')).toHaveText('Needs validation');
  await expect(office.getByTestId('certificate-badge')).toHaveCount(0);

  // The agent's page shows it without a reload.
  await expect(agentTile.locator('.status')).toHaveText('Needs validation', { timeout: 3_000 });
  await expect(agentTile.getByRole('link', { name: 'Download gas-safety.pdf' })).toBeVisible();
  // Before ticking Valid the agent sees that the typed dates agree with the document.
  await expect(agentTile.getByTestId('document-check')).toHaveText('Dates match the document.');
  await expect(agentTile).toContainText('Gas Safe Register · 604211');
  // The reminder the office chose is on the tile.
  await expect(agentTile).toContainText('reminder 1 month before');
  await agentTile.getByRole('button', { name: /^Tick Valid/ }).click();
  // Asked first, with the document to open.
  const confirm = agentTile.getByRole('group', { name: /^Confirm Valid/ });
  await expect(confirm.getByRole('link', { name: 'Open gas-safety.pdf to check it' })).toBeVisible();
  await confirm.getByRole('button', { name: "Confirm: it's valid" }).click();
  await expect(agentTile.locator('.status')).toHaveText('Valid');
  await expect(agentTile).toContainText('Valid until 30/06/2027');
  await expect(page.getByTestId('contractor-light')).toHaveText('Compliant');

  // …and the contractor's light turns green in the other browser without a reload.
  await expect(office.getByTestId('contractor-light')).toHaveText('Compliant', { timeout: 3_000 });
  await expect(officeTile.locator('.status')).toHaveText('Valid');

  // The file downloads for the contractor, as uploaded.
  const download = await Promise.all([
    office.waitForEvent('download'),
    officeTile.getByRole('link', { name: 'Download gas-safety.pdf' }).click(),
  ]).then(([d]) => d);
  expect(download.suggestedFilename()).toBe('gas-safety.pdf');

  // The history says who did what.
  const history = page.getByRole('region', { name: 'History' });
  await page.reload();
  await expect(history.getByRole('row').nth(1)).toContainText('Ticked Valid: Gas safety');
  await expect(history).toContainText('Lena Ortiz');
  await expect(history).toContainText('Requested: Gas safety');
  expect(officePanics, 'panics in the contractor\'s browser').toEqual([]);
  await contractor.close();
});

test('a red contractor blocks instructing works; an agent allowed to override gives a reason', async ({ page, browser }) => {
  await signIn(page, AGENT.email, undefined, '/sign-in?next=/agent/instruct');
  await expect(page).toHaveURL(/\/agent\/instruct$/);
  await expectHydrated(page);
  await page.getByLabel('Contractor').selectOption({ label: 'Clearflow Plumbing — Not compliant' });
  await expect(page.getByTestId('selected-light')).toContainText('Not compliant');
  await expect(page.getByTestId('instruct-verdict')).toContainText('Your role cannot override this');
  await page.getByLabel('Title').fill('Fix the leaking kitchen tap');
  await page.getByRole('button', { name: 'Instruct works' }).click();
  const blocked = page.getByRole('alert');
  await expect(blocked).toContainText('Clearflow Plumbing is not compliant');
  await expect(blocked).toContainText('Public liability insurance: expired');
  await expect(blocked).toContainText('Legionella risk assessment: missing');
  await expect(blocked).toContainText('Your role cannot override this');
  await expect(page.getByLabel('Reason for overriding the compliance block')).toHaveCount(0);

  const other = await browser.newContext();
  const admin = await other.newPage();
  const adminPanics = collectPanics(admin);
  await signIn(admin, ADMIN.email, undefined, '/sign-in?next=/agent/instruct');
  await expect(admin).toHaveURL(/\/agent\/instruct$/);
  await expectHydrated(admin);
  await admin.getByLabel('Contractor').selectOption({ label: 'Clearflow Plumbing — Not compliant' });
  // The verdict, and the override for those who may, come as soon as the contractor is chosen.
  await expect(admin.getByTestId('instruct-verdict')).toContainText('Public liability insurance: expired');
  await expect(admin.getByTestId('instruct-verdict')).toContainText('You may override');
  await admin.getByLabel('Title').fill('Emergency: burst pipe in the bathroom');
  await admin.getByLabel('Reason for overriding the compliance block').fill('Flooding now; no compliant plumber free today');
  await admin.getByRole('button', { name: 'Instruct anyway' }).click();
  await expect(admin.getByRole('status')).toContainText(/Works T-\d+ sent to the contractor\. The override/);
  await admin.getByRole('link', { name: 'Open the task' }).click();
  await expect(admin.getByRole('heading', { level: 1 })).toHaveText('Emergency: burst pipe in the bathroom');
  await expect(admin.getByTestId('task-status')).toHaveText('Assigned');

  await admin.goto('/agent/contractors');
  await admin.getByRole('link', { name: 'Clearflow Plumbing' }).click();
  const history = admin.getByRole('region', { name: 'History' });
  await expect(history).toContainText('Overrode the compliance block');
  await expect(history).toContainText('Flooding now; no compliant plumber free today');
  expect(adminPanics, 'panics in the administrator\'s browser').toEqual([]);
  await other.close();
});
