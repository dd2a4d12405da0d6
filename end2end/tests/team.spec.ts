import { test, expect, expectHydrated, collectPanics, isoDay, shownDay } from './fixtures';
import { AGENT, OFFICE, linkFromMailbox, signIn } from './auth';
import type { Page } from '@playwright/test';

/** A day as the date fields take it, in the demo agency's time zone. */

/** Instructs works for Brightspark through the server function the Instruct works form uses. */
async function instructTasks(page: Page, titles: string[], requiredTypeId: number) {
  const choices = await (await page.request.post('/rpc/tasks/instruct_choices')).json();
  const property = choices.properties[0][0];
  const brightspark = choices.contractors.find((c: { company_name: string }) => c.company_name === 'Brightspark Electrical Ltd');
  for (const title of titles) {
    const response = await page.request.post('/rpc/tasks/instruct', {
      form: {
        'works[property_id]': String(property),
        'works[contractor_id]': String(brightspark.id),
        'works[title]': title,
        'works[priority]': 'normal',
        'works[due_date]': isoDay(10),
        'works[required_types]': String(requiredTypeId),
      },
    });
    expect(response.status(), await response.text()).toBe(200);
    expect(await response.json()).toHaveProperty('Instructed');
  }
}

test('the office bulk-assigns 25 filtered tasks to two technicians, is warned of a lapsed accreditation, and each technician gets one email', async ({ page, browser }) => {
  const tag = `Bulk${Date.now() % 1_000_000}`;
  // The agency sends 25 tasks that need an electrical accreditation, and one more.
  await signIn(page, AGENT.email);
  await expect(page).toHaveURL(/\/agent$/);
  const choices = await (await page.request.post('/rpc/tasks/instruct_choices')).json();
  const electrical = choices.technician_types.find((t: [number, string]) => t[1] === 'Electrical installation')[0];
  const titles = Array.from({ length: 25 }, (_, i) => `Rewire landing ${tag} no ${i + 1}`);
  await instructTasks(page, [...titles, `Spare socket ${tag.replace('Bulk', 'Other')}`], electrical);

  // The office filters them and ticks the range with a shift-click.
  const context = await browser.newContext();
  const office = await context.newPage();
  const officePanics = collectPanics(office);
  await signIn(office, OFFICE.email);
  await expect(office).toHaveURL(/\/desk$/);
  const filters = office.getByRole('search', { name: 'Filter the tasks' });
  await filters.getByLabel('Search').fill(tag);
  await filters.getByRole('button', { name: 'Filter' }).click();
  await expect(office).toHaveURL(new RegExp(`q=${tag}`));
  await expectHydrated(office);
  const rows = office.locator('tbody tr');
  await expect(rows).toHaveCount(25);
  await rows.nth(0).getByRole('checkbox').check();
  await rows.nth(24).getByRole('checkbox').click({ modifiers: ['Shift'] });
  await expect(office.getByRole('status').filter({ hasText: '25 tasks' })).toContainText('25 selected');
  for (const i of [0, 12, 24]) {
    await expect(rows.nth(i).getByRole('checkbox')).toBeChecked();
  }

  // Before choosing, each technician shows what they lack of the tasks' requirements.
  const bulk = office.getByRole('region', { name: /Bulk edit 25 selected tasks/ });
  const jess = bulk.locator('label', { hasText: 'Jess Lee' });
  await expect(jess.getByTestId('accreditation-gap')).toContainText('lacks Electrical installation (expired');
  await expect(jess.getByTestId('accreditation-gap')).toContainText('on 25 of the 25 tasks');
  await expect(bulk.locator('label', { hasText: 'Tom Baker' }).getByTestId('accreditation-gap')).toHaveCount(0);
  await expect(bulk.locator('label', { hasText: 'Omar Haddad' }).getByTestId('accreditation-gap')).toContainText('(missing)');
  await bulk.getByRole('checkbox', { name: /Tom Baker/ }).check();
  await jess.getByRole('checkbox').check();
  const scheduled = isoDay(3);
  await bulk.getByLabel('Scheduled date (optional)').fill(scheduled);
  await bulk.getByRole('button', { name: 'Review changes' }).click();
  const summary = bulk.getByTestId('bulk-summary');
  await expect(summary).toContainText('25 tasks: 50 new technician assignments, 25 tasks rescheduled.');
  await expect(summary.getByRole('listitem')).toHaveText([/^Jess Lee lacks Electrical installation \(expired .*\) on 25 of the 25 tasks$/]);
  await summary.getByRole('button', { name: 'Assign anyway' }).click();
  await expect(office.getByTestId('bulk-done')).toHaveText('Done: 25 tasks updated, 50 new assignments, 2 emails to technicians.');
  await expect(bulk).toHaveCount(0);
  await expect(rows.first()).toContainText('Jess Lee, Tom Baker');
  await expect(rows.first()).toContainText(shownDay(scheduled));
  // Opening one to accept it: the form starts from the date and technicians just set.
  await rows.first().getByRole('link').first().click();
  const accept = office.getByRole('form', { name: 'Accept the task' });
  await expect(accept.getByLabel('Planned date (optional)')).toHaveValue(scheduled);
  await expect(accept.getByRole('checkbox', { name: /Tom Baker/ })).toBeChecked();
  await expect(accept.getByRole('checkbox', { name: /Jess Lee/ })).toBeChecked();
  await expect(accept.getByRole('checkbox', { name: /Omar Haddad/ })).not.toBeChecked();
  expect(officePanics).toEqual([]);

  // Exactly one email per technician, listing all 25 tasks.
  await office.goto('/dev/mailbox');
  for (const technician of ['tom.baker', 'jess.lee']) {
    const mails = office.getByRole('article', { name: new RegExp(`^Email to ${technician}@brightspark\\.example: `) }).filter({ hasText: tag });
    await expect(mails).toHaveCount(1);
    await expect(mails).toContainText('25 new tasks from Brightspark Electrical Ltd');
  }
  await context.close();

  // Jess's link signs her in on her phone and shows exactly her tasks: the 25, not the spare.
  const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true });
  const jessPhone = await phone.newPage();
  const link = await linkFromMailbox(jessPhone, 'jess.lee@brightspark.example');
  await jessPhone.goto(link);
  await expect(jessPhone).toHaveURL(/\/sign-in\/confirm$/);
  await expectHydrated(jessPhone);
  await jessPhone.getByRole('button', { name: 'Continue' }).tap();
  await expect(jessPhone).toHaveURL(/\/tech$/);
  const cards = jessPhone.locator('.task-card');
  await expect(cards.filter({ hasText: tag })).toHaveCount(25);
  await expect(cards.filter({ hasText: tag.replace('Bulk', 'Other') })).toHaveCount(0);
  await phone.close();
});

test('the office adds a technician, uploads their accreditation and makes them inactive', async ({ page }) => {
  const name = `Casey Tester ${Date.now() % 100000}`;
  const email = `casey.${Date.now() % 100000}@brightspark.example`;
  await signIn(page, OFFICE.email);
  await expect(page).toHaveURL(/\/desk$/);
  await page.getByRole('link', { name: 'Team' }).click();
  await expect(page).toHaveURL(/\/desk\/team$/);
  await expectHydrated(page);
  const add = page.getByRole('region', { name: 'Add a technician' });
  await add.getByLabel('Name').fill(name);
  await add.getByLabel(/^Email/).fill('tom.baker@brightspark.example');
  await add.getByRole('button', { name: 'Add technician' }).click();
  await expect(page.locator('#technician-email-error')).toContainText('already signs in with this address');
  await add.getByLabel(/^Email/).fill(email);
  await add.getByRole('button', { name: 'Add technician' }).click();
  const row = page.getByRole('row', { name: new RegExp(name) });
  await expect(row).toContainText('None uploaded');

  const upload = page.getByRole('region', { name: 'Upload an accreditation' });
  await upload.getByLabel('Technician').selectOption({ label: name });
  await upload.getByLabel('Certificate type').selectOption({ label: 'Electrical installation' });
  await upload.getByLabel('End date').fill(isoDay(200));
  await upload.getByLabel(/^File/).setInputFiles({ name: 'casey.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 accreditation') });
  await upload.getByRole('button', { name: 'Upload accreditation' }).click();
  await expect(row.getByRole('link', { name: 'Electrical installation' })).toBeVisible();
  await expect(row).toContainText(`until ${shownDay(isoDay(200))}`);

  page.once('dialog', (dialog) => dialog.accept());
  await row.getByRole('button', { name: /Make inactive/ }).click();
  await expect(row).toContainText('Inactive');
});
