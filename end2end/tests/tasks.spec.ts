import { test, expect, expectHydrated, collectPanics, isoDay, shownDay } from './fixtures';
import { AGENT, OFFICE, linkFromMailbox, signIn } from './auth';

const pdf = (name: string) => ({ name, mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4\n% ${name}\n`) });
/** A day as the date fields take it, in the demo agency's time zone. */
/** A tiny but real PNG, as a phone camera would send a photo. */
const photo = {
  name: 'alarm.png',
  mimeType: 'image/png',
  buffer: Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64'),
};

test('the contractor\'s office opens an assigned task in the Desk view and accepts it', async ({ page }) => {
  await signIn(page, OFFICE.email);
  await expect(page).toHaveURL(/\/desk$/);
  await expectHydrated(page);
  // Filtered first: tasks instructed by the tests running beside this one reload the dashboard
  // live, and an unfiltered list could shift under the click.
  const filters = page.getByRole('search', { name: 'Filter the tasks' });
  await filters.getByLabel('Search').fill('Electrical installation condition report');
  await filters.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/q=Electrical/);
  await expect(page.getByRole('row')).toHaveCount(2);
  await page.getByRole('row', { name: /Electrical installation condition report/ }).getByRole('link', { name: /^T-/ }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Electrical installation condition report');
  await expect(page.getByTestId('task-status')).toHaveText('Assigned');
  const actions = page.getByRole('region', { name: 'Actions' });
  // Only what the office may do now is offered.
  await expect(actions.getByRole('button')).toHaveText(['Accept']);
  // Rejecting is a control of its own, with its own reason; without one the server says so
  // beside the field.
  await actions.getByText('Reject this task…').click();
  page.once('dialog', (dialog) => dialog.accept());
  await actions.getByRole('button', { name: 'Reject task' }).click();
  await expect(page.locator('#reject-reason-error')).toContainText('Say why');
  // A planned date in the past is refused beside the field.
  await actions.getByLabel('Planned date (optional)').fill(isoDay(-3));
  await actions.getByRole('button', { name: 'Accept' }).click();
  await expect(page.locator('#planned-date-error')).toContainText('in the past');
  await actions.getByLabel('Planned date (optional)').fill('');
  await actions.getByRole('button', { name: 'Accept' }).click();
  await expect(page.getByTestId('task-status')).toHaveText('Accepted');
  const timeline = page.getByRole('region', { name: 'Timeline' });
  await expect(timeline.getByRole('row').nth(1)).toContainText('Accept: now Accepted');
  await expect(timeline.getByRole('row').nth(1)).toContainText('Rachel Green');
  await expect(timeline.getByRole('row').nth(1)).toContainText(/\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/);
  await expect(page.getByRole('region', { name: 'Actions' }).getByRole('button', { name: 'Accept' })).toHaveCount(0);
});

test('an agent instructs works, the contractor accepts from the email, they talk live, the contractor completes and the agent approves', async ({ page, browser }) => {
  const title = `Replace the hallway smoke alarm ${Date.now() % 100000}`;
  // The agent adds the property, then instructs the demo contractor for it, with a purchase
  // order and an accreditation its technicians must hold, and adds a floor plan.
  const street = `${Date.now() % 100000} Harbour Row`;
  await signIn(page, AGENT.email, undefined, '/sign-in?next=/agent/properties');
  await expect(page).toHaveURL(/\/agent\/properties$/);
  await expectHydrated(page);
  const addProperty = page.getByRole('region', { name: 'Add a property' });
  await addProperty.getByLabel('Address line 1').fill(street);
  await addProperty.getByLabel('Town').fill('Bristol');
  await addProperty.getByLabel('Postcode').fill('bs1 4<db');
  await addProperty.getByRole('button', { name: 'Add property' }).click();
  await expect(page.locator('#property-postcode-error')).toContainText('letters, digits and a space');
  await addProperty.getByLabel('Postcode').fill('bs14db');
  await addProperty.getByLabel('Access details (optional)').fill('Key safe by the back door, code 4321');
  await addProperty.getByRole('button', { name: 'Add property' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Property added' })).toBeVisible();
  await expect(page.getByRole('row', { name: new RegExp(street) })).toContainText('BS1 4DB');
  // A wrong access detail is corrected in the same form, which then adds again.
  await expectHydrated(page);
  await page.getByRole('link', { name: `Edit ${street}` }).click();
  const correct = page.getByRole('region', { name: `Correct ${street}` });
  await expect(correct.getByLabel('Access details (optional)')).toHaveValue('Key safe by the back door, code 4321');
  await correct.getByLabel('Access details (optional)').fill('Key safe by the back door, code 1234');
  await expectHydrated(page);
  await correct.getByRole('button', { name: 'Save property' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Property saved' })).toBeVisible();
  await expect(page).toHaveURL(/\/agent\/properties$/);
  await expect(page.getByRole('row', { name: new RegExp(street) })).toContainText('code 1234');
  await expect(page.getByRole('region', { name: 'Add a property' })).toBeVisible();
  await page.getByRole('link', { name: 'Instruct works' }).click();
  await expect(page).toHaveURL(/\/agent\/instruct$/);
  await page.getByLabel('Property').selectOption({ label: `${street}, Bristol BS1 4DB` });
  await page.getByLabel('Contractor').selectOption({ label: 'Brightspark Electrical Ltd — Compliant' });
  await page.getByRole('group', { name: 'Technicians must hold (optional)' }).getByLabel('Electrical installation').check();
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Due date').fill(isoDay(7));
  await page.getByLabel('Purchase order (optional)').fill('PO-9001');
  await page.getByLabel('Service tasks (one per line)').fill('Test smoke alarms\nCheck alarm battery voltage (reading)');
  await page.getByRole('button', { name: 'Instruct works' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'sent to the contractor' })).toBeVisible();
  await page.getByRole('link', { name: 'Open the task' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  await expect(page.getByTestId('task-status')).toHaveText('Assigned');
  await expectHydrated(page);
  const clientDocs = page.getByRole('region', { name: 'Documents provided by client' });
  await clientDocs.getByLabel('Add a document for the contractor').setInputFiles(pdf('floor-plan.pdf'));
  await clientDocs.getByRole('button', { name: 'Add document' }).click();
  await expect(clientDocs.getByRole('link', { name: 'floor-plan.pdf' })).toBeVisible();

  // The contractor's office gets the email and signs in through its link.
  const contractor = await browser.newContext();
  const office = await contractor.newPage();
  const officePanics = collectPanics(office);
  const link = await linkFromMailbox(office, OFFICE.email, title);
  expect(link).toMatch(/\/desk\/tasks\/\d+$/);
  await office.goto(link);
  await expect(office).toHaveURL(/\/sign-in\?next=/);
  await expectHydrated(office);
  await office.getByLabel('Email').fill(OFFICE.email);
  await office.getByLabel('Password').fill('demo-password-2026');
  await office.getByRole('button', { name: 'Sign in' }).click();
  await expect(office).toHaveURL(new RegExp(`${new URL(link).pathname}$`));
  await expect(office.getByRole('heading', { level: 1 })).toHaveText(title);

  // It finds the task on its dashboard with a filter.
  await office.getByRole('link', { name: 'Desk view' }).click();
  await expect(office).toHaveURL(/\/desk$/);
  const filters = office.getByRole('search', { name: 'Filter the tasks' });
  await filters.getByLabel('Search').fill('hallway smoke');
  await filters.getByLabel('Status').selectOption({ label: 'Assigned' });
  await filters.getByRole('button', { name: 'Filter' }).click();
  await expect(office).toHaveURL(/status=assigned/);
  const row = office.getByRole('row', { name: new RegExp(title) });
  await expect(row).toBeVisible();
  await expect(row).toContainText(shownDay(isoDay(7)));
  await row.getByRole('link', { name: /^T-/ }).click();
  await expect(office.getByRole('heading', { level: 1 })).toHaveText(title);
  await expectHydrated(office);
  await expect(office.getByRole('region', { name: 'Documents provided by client' }).getByRole('link', { name: 'floor-plan.pdf' })).toBeVisible();
  await expect(office.getByRole('region', { name: 'Summary' })).toContainText('PO-9001');

  await expect(office.getByRole('region', { name: 'Summary' })).toContainText('Key safe by the back door');
  await expect(office.getByRole('region', { name: 'Summary' })).toContainText('Technicians must hold');

  // Accepts it with a planned date and a technician who holds the accreditation; the one whose
  // accreditation lapsed is flagged before the choice.
  const planned = isoDay(2);
  const actions = office.getByRole('region', { name: 'Actions' });
  await actions.getByLabel('Planned date (optional)').fill(planned);
  await expect(actions.locator('label', { hasText: 'Jess Lee' }).getByTestId('accreditation-gap')).toContainText('lacks Electrical installation (expired');
  await actions.getByRole('checkbox', { name: /Tom Baker/ }).check();
  await actions.getByRole('button', { name: 'Accept' }).click();
  await expect(office.getByTestId('task-status')).toHaveText('Accepted');
  await expect(office.getByTestId('scheduled-date')).toHaveText(shownDay(planned));
  await expect(office.getByTestId('task-technicians')).toHaveText('Tom Baker');
  // The agent's open page follows without a reload.
  await expect(page.getByTestId('task-status')).toHaveText('Accepted', { timeout: 5_000 });

  // Records a failed result, a reading, and a critical defect with a photo.
  const service = office.getByRole('region', { name: 'Service tasks' });
  const alarms = service.getByRole('group', { name: 'Test smoke alarms' });
  await alarms.getByLabel('Fail').check();
  await alarms.getByRole('button', { name: 'Save result' }).click();
  await expect(service.getByTestId('service-result').first()).toHaveText('Fail');
  const voltage = service.getByRole('group', { name: 'Check alarm battery voltage' });
  await voltage.getByLabel('Pass').check();
  await voltage.getByRole('button', { name: 'Save result' }).click();
  await expect(voltage.getByText('expects a reading')).toBeVisible();
  await voltage.getByLabel('Reading').fill('9.1 V');
  await voltage.getByRole('button', { name: 'Save result' }).click();
  await expect(service.getByTestId('service-result').nth(1)).toHaveText('Pass · 9.1 V');
  const defects = office.getByRole('region', { name: 'Defects' });
  await expect(defects).toContainText('No defects reported.');
  await defects.getByLabel('Service task').selectOption({ label: 'Test smoke alarms' });
  await defects.getByLabel('Severity').selectOption({ label: 'Critical' });
  await defects.getByLabel('Description').fill('Hallway alarm does not sound');
  await defects.getByLabel('Photos (JPEG, PNG or HEIC, up to 10)').setInputFiles(photo);
  await defects.getByRole('button', { name: 'Report defect' }).click();
  await expect(defects.getByTestId('defect')).toContainText('Critical Hallway alarm does not sound');
  const thumbnail = defects.getByRole('img', { name: 'Photo of the defect: Hallway alarm does not sound' });
  await expect(thumbnail).toBeVisible();
  await expect.poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  // The agent sees the results and the defect without reloading, and cannot record any.
  const agentDefects = page.getByRole('region', { name: 'Defects' });
  await expect(agentDefects.getByTestId('defect')).toContainText('Hallway alarm does not sound', { timeout: 5_000 });
  await expect(page.getByRole('region', { name: 'Service tasks' }).getByTestId('service-result')).toHaveText(['Fail', 'Pass · 9.1 V']);
  await expect(agentDefects.getByRole('button', { name: 'Report defect' })).toHaveCount(0);

  // Messages go both ways and appear live on the other side.
  const officeMessages = office.getByRole('region', { name: 'Messages' });
  await officeMessages.getByLabel('Message', { exact: true }).fill('We will need the loft hatch key.');
  await officeMessages.getByRole('button', { name: 'Send' }).click();
  await expect(officeMessages.getByRole('listitem')).toHaveCount(1);
  await expect(officeMessages.getByLabel('Message', { exact: true })).toHaveValue('');
  const agentMessages = page.getByRole('region', { name: 'Messages' });
  await expect(agentMessages.getByRole('listitem').first()).toContainText('We will need the loft hatch key.', { timeout: 5_000 });
  await expect(agentMessages.getByRole('listitem').first()).toContainText('(Contractor)');
  await agentMessages.getByLabel('Message', { exact: true }).fill('It is with the concierge.');
  await agentMessages.getByRole('button', { name: 'Send' }).click();
  await expect(officeMessages.getByRole('listitem').nth(1)).toContainText('It is with the concierge.', { timeout: 5_000 });

  // Completes it with a report and an invoice and the on-site date.
  const complete = office.getByRole('region', { name: 'Complete task' });
  await complete.getByLabel('Actual on-site date').fill(isoDay(1));
  await complete.getByLabel('Reports').setInputFiles(pdf('report.pdf'));
  await complete.getByLabel('Invoices').setInputFiles(pdf('invoice.pdf'));
  await complete.getByRole('button', { name: 'Complete task' }).click();
  await expect(complete.locator('#on-site-date-error')).toContainText('cannot be in the future');
  await complete.getByLabel('Actual on-site date').fill(isoDay(0));
  await complete.getByRole('button', { name: 'Complete task' }).click();
  await expect(office.getByTestId('task-status')).toHaveText('Performed');
  const own = office.getByRole('region', { name: 'Reports, invoices and quotes' });
  await expect(own.getByRole('link', { name: 'Service report (PDF)' })).toBeVisible();
  await expect(own.getByRole('link', { name: /\.pdf$/ })).toHaveText(['report.pdf', 'invoice.pdf']);

  // The agent sees it Performed, reads the invoice and approves it.
  await expect(page.getByTestId('task-status')).toHaveText('Performed', { timeout: 5_000 });
  await expect(page.getByRole('region', { name: 'Summary' })).toContainText(shownDay(isoDay(0)));
  const download = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('region', { name: 'Reports, invoices and quotes' }).getByRole('link', { name: 'invoice.pdf' }).click(),
  ]).then(([d]) => d);
  expect(download.suggestedFilename()).toBe('invoice.pdf');
  await page.getByRole('region', { name: 'Actions' }).getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByTestId('task-status')).toHaveText('Completed');
  await expect(office.getByTestId('task-status')).toHaveText('Completed', { timeout: 5_000 });
  // The service report is issued as a version with a verification address; the agent withdraws
  // that address after confirming, and the list says so.
  const report = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Service report (PDF)' }).click(),
  ]).then(([d]) => d);
  expect(report.suggestedFilename()).toMatch(/^service-report-T-\d+-v\d+\.pdf$/);
  await page.reload();
  const versions = page.getByRole('list', { name: 'Issued versions' });
  await expect(versions.getByRole('listitem').first()).toContainText(/Version \d+ · issued/);
  await expect(versions.getByRole('link', { name: /\/verify\/[a-z0-9]{20}$/ }).first()).toBeVisible();
  await expectHydrated(page);
  const withdrawn = await versions.getByRole('listitem').count();
  page.once('dialog', (dialog) => dialog.accept());
  await versions.getByRole('button', { name: /^Withdraw code of version/ }).first().click();
  await expect(versions.getByText('code withdrawn')).toHaveCount(1);
  expect(await versions.getByRole('listitem').count()).toBe(withdrawn);
  // The agent archives it after confirming; the contractor still reads it, with nothing to change.
  page.once('dialog', (dialog) => dialog.accept());
  await page.getByRole('button', { name: 'Archive task' }).click();
  await expect(page.getByText('· Archived')).toBeVisible();
  await expect(office.getByText('· Archived')).toBeVisible({ timeout: 5_000 });
  await expect(office.getByRole('region', { name: 'Defects' })).toContainText('Hallway alarm does not sound');
  await expect(office.getByRole('button', { name: 'Report defect' })).toHaveCount(0);
  // In the Desk view it is marked, and the filters show only archived tasks or leave them out.
  await office.goto('/desk');
  await expectHydrated(office);
  const deskFilters = office.getByRole('search', { name: 'Filter the tasks' });
  await deskFilters.getByLabel('Search').fill(title);
  await deskFilters.getByLabel('Archived').selectOption({ label: 'Only archived' });
  await deskFilters.getByRole('button', { name: 'Filter' }).click();
  await expect(office).toHaveURL(/archived=only/);
  await expect(office.locator('tbody tr')).toHaveCount(1);
  await expect(office.locator('tbody tr')).toContainText('Archived');
  await office.getByRole('search', { name: 'Filter the tasks' }).getByLabel('Archived').selectOption({ label: 'Left out' });
  await office.getByRole('search', { name: 'Filter the tasks' }).getByRole('button', { name: 'Filter' }).click();
  await expect(office).toHaveURL(/archived=no/);
  await expect(office.locator('tbody tr')).toHaveCount(0);
  expect(officePanics).toEqual([]);
  await contractor.close();
});

test('completing a task with service tasks not recorded warns first, and a "no" sends nothing', async ({ page }) => {
  await signIn(page, 'desk@northgate-gas.example');
  await expect(page).toHaveURL(/\/desk$/);
  await expectHydrated(page);
  await page.getByRole('row', { name: /Boiler service/ }).getByRole('link', { name: /^T-/ }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Boiler service');
  await expect(page.getByTestId('task-status')).toHaveText('Accepted');
  const complete = page.getByRole('region', { name: 'Complete task' });
  const warning = complete.getByTestId('unrecorded-service-tasks');
  await expect(warning).toContainText('No result recorded yet for:');
  await expect(warning.getByRole('listitem')).toHaveCount(2);
  await complete.getByLabel('Actual on-site date').fill(isoDay(0));
  let asked = '';
  page.once('dialog', (dialog) => { asked = dialog.message(); dialog.dismiss(); });
  await complete.getByRole('button', { name: 'Complete task' }).click();
  await expect.poll(() => asked).toContain('2 service tasks have no result recorded');
  await expect(page.getByTestId('task-status')).toHaveText('Accepted');
  await expect(complete.getByRole('button', { name: 'Complete task' })).toBeEnabled();
});

test('the Desk view flags work past its due date as overdue, and only open work', async ({ page, browser }) => {
  const title = `Overdue gutter clearance ${Date.now() % 100000}`;
  const agency = await browser.newContext();
  const agent = await agency.newPage();
  await signIn(agent, AGENT.email);
  await expect(agent).toHaveURL(/\/agent$/);
  const choices = await (await agent.request.post('/rpc/tasks/instruct_choices')).json();
  const brightspark = choices.contractors.find((c: { company_name: string }) => c.company_name === 'Brightspark Electrical Ltd');
  const instructed = await agent.request.post('/rpc/tasks/instruct', {
    form: {
      'works[property_id]': String(choices.properties[0][0]),
      'works[contractor_id]': String(brightspark.id),
      'works[title]': title,
      'works[priority]': 'normal',
      'works[due_date]': isoDay(-2),
    },
  });
  expect(instructed.ok()).toBe(true);
  await agency.close();

  await signIn(page, OFFICE.email);
  await expect(page).toHaveURL(/\/desk$/);
  await expectHydrated(page);
  const filters = page.getByRole('search', { name: 'Filter the tasks' });
  await filters.getByLabel('Search').fill(title);
  await filters.getByRole('button', { name: 'Filter' }).click();
  const row = page.getByRole('row', { name: new RegExp(title) });
  await expect(row).toContainText(shownDay(isoDay(-2)));
  await expect(row.locator('.overdue-tag')).toHaveText('Overdue');
  // Work performed and waiting for its documents is not late work.
  await filters.getByLabel('Search').fill('');
  await filters.getByLabel('Status').selectOption({ label: 'Performed (need docs)' });
  await filters.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/status=performed_need_docs/);
  await expect(page.locator('tbody tr').first()).toBeVisible();
  await expect(page.locator('tbody .overdue-tag')).toHaveCount(0);
});

test('news arriving in the Desk view reloads the list but keeps the filters the office is typing', async ({ page, browser }) => {
  await signIn(page, OFFICE.email);
  await expect(page).toHaveURL(/\/desk$/);
  await expectHydrated(page);
  const filters = page.getByRole('search', { name: 'Filter the tasks' });
  await filters.getByLabel('Search').fill('half-typed search');
  await filters.getByLabel('Archived').selectOption({ label: 'Only archived' });

  // Meanwhile the agency instructs new works to this contractor: the list reloads live.
  const title = `Live news ${Date.now() % 100000}`;
  const agency = await browser.newContext();
  const agent = await agency.newPage();
  await signIn(agent, AGENT.email);
  await expect(agent).toHaveURL(/\/agent$/);
  const choices = await (await agent.request.post('/rpc/tasks/instruct_choices')).json();
  const brightspark = choices.contractors.find((c: { company_name: string }) => c.company_name === 'Brightspark Electrical Ltd');
  const instructed = await agent.request.post('/rpc/tasks/instruct', {
    form: {
      'works[property_id]': String(choices.properties[0][0]),
      'works[contractor_id]': String(brightspark.id),
      'works[title]': title,
      'works[priority]': 'normal',
      // Long overdue, so it sorts onto the first page.
      'works[due_date]': isoDay(-400),
    },
  });
  expect(instructed.ok()).toBe(true);
  await agency.close();
  await expect(page.getByRole('row', { name: new RegExp(title) })).toBeVisible();

  await expect(filters.getByLabel('Search')).toHaveValue('half-typed search');
  await expect(filters.getByLabel('Archived')).toHaveValue('only');
  await filters.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/archived=only/);
  await expect(page).toHaveURL(/q=half-typed\+search/);
});
