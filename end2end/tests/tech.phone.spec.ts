import { test, expect, expectHydrated, expectAccessible, collectPanics } from './fixtures';
import { AGENT, OFFICE, DEMO_PASSWORD, linkFromMailbox, signIn } from './auth';
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { clientWeight, PAGE_PART_BUDGET, TECH_TASK_BUDGET } from './weight';
import { signWithFinger } from './phone';
import { acceptWithNewTechnician, instructToBrightspark } from './works';

/** A PDF's text as a reader extracts it (poppler's pdftotext, layout kept). */
function pdfText(path: string): string {
  return execFileSync('pdftotext', ['-layout', path, '-']).toString('utf8');
}

const isoDay = (offsetDays = 0) =>
  new Date(Date.now() + offsetDays * 86_400_000).toLocaleDateString('en-CA', { timeZone: 'Europe/London' });

test('a technician works a task on their phone: on site, results, a revisit, a defect with an iPhone photo, both signatures; the office completes it, the PDF report carries it all and anyone can verify it', async ({ page, browser }) => {
  // The longest journey: three people, a photo, a PDF read back and a verification page; 23 s
  // alone, over 30 s when the other worker's journey runs beside it on two cores.
  test.slow();
  const run = Date.now() % 100000;
  const title = `Smoke alarm service ${run}`;
  const technician = 'Łukasz Wiśniewski';
  const technicianEmail = `lukasz.${run}@brightspark.example`;
  // The agency instructs the works; the office adds Łukasz to its team and accepts them with him.
  const desk = await browser.newContext();
  const agent = await desk.newPage();
  await signIn(agent, AGENT.email);
  await expect(agent).toHaveURL(/\/agent$/);
  const instructed = await instructToBrightspark(agent, { title, priority: 'high', serviceTasks: 'Test smoke alarms\nCheck battery voltage (reading)' });
  const taskId = instructed.Instructed.task_id;
  const office = await desk.newPage();
  const officePanics = collectPanics(office);
  await signIn(office, OFFICE.email, DEMO_PASSWORD, `/sign-in?next=/desk/tasks/${taskId}`);
  await expect(office.getByRole('heading', { level: 1 })).toHaveText(title);
  await acceptWithNewTechnician(office, technician, technicianEmail);
  const message = await office.request.post('/rpc/tasks/message', {
    form: { task_id: String(taskId), body: 'The key is with the concierge.' },
  });
  expect(message.ok()).toBe(true);

  // Łukasz opens the emailed link on his phone and sees only his task.
  const link = await linkFromMailbox(page, technicianEmail);
  await page.goto(link);
  await expect(page).toHaveURL(/\/sign-in\/confirm$/);
  await expectHydrated(page);
  await page.getByRole('button', { name: 'Continue' }).tap();
  await expect(page).toHaveURL(/\/tech$/);
  const cards = page.locator('.task-card');
  await expect(cards).toHaveCount(1);
  await expect(cards).toContainText(title);
  // The phone saves his tasks for use without signal and says so above them; the card does not
  // move when it does (a tap aimed at it would land elsewhere).
  const before = await cards.boundingBox();
  await expect(page.locator('.offline-saved')).toHaveText(/^Saved on this phone at \d{2}:\d{2} for use without signal: 1 task\.$/);
  expect((await cards.boundingBox())?.y).toBe(before?.y);
  await cards.getByRole('link', { name: title }).tap();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  await expectHydrated(page);
  // He reads the chat between the agency and his office; he does not write in it.
  const messages = page.getByRole('region', { name: 'Messages' });
  await expect(messages.getByRole('listitem')).toContainText('The key is with the concierge.');
  await expect(messages.getByRole('textbox')).toHaveCount(0);
  await expect(messages.getByRole('button', { name: 'Send' })).toHaveCount(0);

  // On site, results, a revisit, back on site. Each change loads the page again: the server
  // renders the task, the phone runs only what he acts with.
  await page.getByRole('button', { name: "I'm on site" }).tap();
  await expect(page.getByTestId('task-status')).toHaveText('In progress');
  await expectHydrated(page);

  // What the office changes shows on the phone by itself; while he is typing, the phone says so
  // and waits for him instead.
  const officeSays = async (body: string) => expect((await office.request.post('/rpc/tasks/message', {
    form: { task_id: String(taskId), body },
  })).ok()).toBe(true);
  const listening = () => expect(page.locator('body')).toHaveAttribute('data-live', 'open');
  await listening();
  await officeSays('Parking is at the back.');
  await expect(messages.getByText('Parking is at the back.')).toBeVisible();
  await expectHydrated(page);
  const description = page.getByRole('region', { name: 'Defects' }).getByLabel('Description');
  await listening();
  await description.fill('Hallway alarm');
  await officeSays('The tenant is in after 2pm.');
  const taskChanged = page.getByRole('status').filter({ hasText: 'This task has changed.' });
  await expect(taskChanged).toBeVisible();
  await expect(description).toHaveValue('Hallway alarm');
  await expect(messages.getByText('The tenant is in after 2pm.')).toHaveCount(0);
  await taskChanged.getByRole('button', { name: 'Show the changes' }).tap();
  await expect(messages.getByText('The tenant is in after 2pm.')).toBeVisible();
  await expect(description).toHaveValue('');
  await expectHydrated(page);
  const service = page.getByRole('region', { name: 'Service tasks' });
  const alarms = service.getByRole('group', { name: 'Test smoke alarms' });
  await alarms.getByLabel('Fail').check();
  await alarms.getByRole('button', { name: 'Save result' }).tap();
  await expect(service.getByTestId('service-result').first()).toHaveText('Fail');
  await expectHydrated(page);
  const voltage = service.getByRole('group', { name: 'Check battery voltage' });
  await voltage.getByLabel('Pass').check();
  await voltage.getByLabel('Reading').fill('9.1 V');
  await voltage.getByRole('button', { name: 'Save result' }).tap();
  await expect(service.getByTestId('service-result').nth(1)).toHaveText('Pass · 9.1 V');
  await expectHydrated(page);
  await page.getByLabel(/^Reason/).fill('Need a replacement alarm from the van');
  await page.getByRole('button', { name: 'Revisit required' }).tap();
  await expect(page.getByTestId('task-status')).toHaveText('Revisit');
  await expectHydrated(page);
  await page.getByRole('button', { name: "I'm on site" }).tap();
  await expect(page.getByTestId('task-status')).toHaveText('In progress');
  await expectHydrated(page);

  // A defect with a photo as an iPhone takes it (HEIC); it comes back as a JPEG every browser
  // shows, and goes into the report.
  const defects = page.getByRole('region', { name: 'Defects' });
  await defects.getByLabel('Service task').selectOption({ label: 'Test smoke alarms' });
  await defects.getByLabel('Severity').selectOption({ label: 'Critical' });
  await defects.getByLabel('Description').fill('Hallway alarm cracked');
  await defects.getByLabel('Photos (JPEG, PNG or HEIC, up to 10)').setInputFiles({
    name: 'IMG_0412.HEIC',
    mimeType: 'image/heic',
    buffer: readFileSync(`${__dirname}/../../app/src/files/testdata/hallway-alarm.heic`),
  });
  await defects.getByRole('button', { name: 'Report defect' }).tap();
  const defectPhoto = defects.getByRole('img', { name: 'Photo of the defect: Hallway alarm cracked' });
  await expect(defectPhoto).toBeVisible();
  await expect.poll(() => defectPhoto.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight])).toEqual([320, 240]);
  await expectHydrated(page);

  // An empty pad is refused; a drawn signature, an undone slip and the client's are kept.
  const perform = page.getByRole('region', { name: "I've performed this work" });
  await perform.getByLabel('Notes (optional)').fill('Replaced the hallway alarm; all alarms tested.');
  await perform.getByRole('button', { name: "I've performed this work" }).tap();
  await expect(perform.locator('#perform-signature-error')).toContainText('signature is empty');
  const mine = perform.getByTestId('my-signature');
  await signWithFinger(page, mine, 2);
  await expect(mine.getByRole('button', { name: 'Undo' })).toBeEnabled();
  await mine.getByRole('button', { name: 'Undo' }).tap();
  await expect(mine.getByRole('button', { name: 'Undo' })).toBeEnabled();
  // Turning the phone redraws the signature at the new size.
  await page.setViewportSize({ width: 800, height: 412 });
  await page.setViewportSize({ width: 412, height: 839 });
  await expect(perform.getByLabel('Your name')).toHaveValue(technician);
  await perform.getByLabel('The client signs too').check();
  const clientPad = perform.getByTestId('client-signature');
  await signWithFinger(page, clientPad);
  // The finger is lifted before anything else is touched, as a person's would be.
  await expect(clientPad.getByRole('button', { name: 'Undo' })).toBeEnabled();
  await perform.getByLabel("Client's printed name").fill('Jane Client');
  // What is typed and drawn survives the page loading again (a change elsewhere, a reload).
  await page.reload();
  await expectHydrated(page);
  await expect(perform.getByLabel('Notes (optional)')).toHaveValue('Replaced the hallway alarm; all alarms tested.');
  await expect(perform.getByLabel("Client's printed name")).toHaveValue('Jane Client');
  await expect(mine.getByRole('button', { name: 'Undo' })).toBeEnabled();
  await expect(clientPad.getByRole('button', { name: 'Undo' })).toBeEnabled();
  await perform.getByRole('button', { name: "I've performed this work" }).tap();
  await expect(page.getByTestId('task-status')).toHaveText('Performed (need docs)');
  const signed = page.getByTestId('signatures');
  await expect(signed.getByRole('figure')).toHaveCount(2);
  await expect(signed).toContainText(`Contractor: ${technician}`);
  await expect(signed).toContainText('Client: Jane Client');
  const drawn = signed.getByRole('img', { name: `Signature of ${technician}` });
  await expect.poll(() => drawn.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(900);

  // The office sees it live and completes it; the service report downloads with everything.
  await expect(office.getByTestId('task-status')).toHaveText('Performed (need docs)', { timeout: 5_000 });
  const complete = office.getByRole('region', { name: 'Complete task' });
  await complete.getByLabel('Actual on-site date').fill(isoDay(0));
  await complete.getByLabel('Reports').setInputFiles({ name: 'report.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 report') });
  await complete.getByRole('button', { name: 'Complete task' }).click();
  await expect(office.getByTestId('task-status')).toHaveText('Performed');
  const [download] = await Promise.all([
    office.waitForEvent('download'),
    office.getByRole('link', { name: 'Service report (PDF)' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^service-report-T-\d+-v\d+\.pdf$/);
  const pdfPath = (await download.path())!;
  await office.screenshot({ path: test.info().outputPath('desk-task-page.png'), fullPage: true });
  expect(readFileSync(pdfPath).subarray(0, 5).toString()).toBe('%PDF-');
  const text = pdfText(pdfPath);
  const lines = text.split('\n');
  for (const row of [
    [title],
    ['Test smoke alarms', 'Fail', technician],
    ['Check battery voltage', 'Pass (reading 9.1 V)'],
    ['Replaced the hallway alarm; all alarms tested.'],
    ['Critical', 'Hallway alarm cracked', 'Test smoke alarms'],
    ['Photos: Critical', 'Hallway alarm cracked'],
    [`Contractor: ${technician}, signed`],
    ['Client: Jane Client, signed'],
    ['Harbour Lettings', 'T-'],
  ]) {
    expect(lines.some((line) => row.every((part) => line.includes(part))), `${row} in:\n${text}`).toBe(true);
  }
  expect(text).toMatch(/Page 1 of \d/);

  // Whoever is handed the report opens its verification address, not signed in, and sees only
  // what proves the record; the file as downloaded checks out, a changed copy does not.
  const address = text.match(/https?:\/\/\S+\/verify\/[a-z0-9]{20}/)![0];
  const stranger = await browser.newContext({ viewport: { width: 412, height: 839 } });
  const verify = await stranger.newPage();
  // Opened from a QR code on anyone's phone: the small client and the form's own code, not the
  // whole app's.
  const loaded = await clientWeight(verify, new URL(address).pathname);
  expect(loaded.js + loaded.wasm).toBeLessThanOrEqual(TECH_TASK_BUDGET + PAGE_PART_BUDGET);
  await expect(verify.getByRole('heading', { level: 1 })).toHaveText('Verify a service report');
  const record = verify.locator('.verify-record');
  await expect(record).toContainText('Harbour Lettings');
  await expect(record).toContainText(`Contractor: ${technician}, signed`);
  await expect(record).not.toContainText('Replaced the hallway alarm');
  await expectHydrated(verify);
  await expectAccessible(verify);
  const verifyPanics = collectPanics(verify);
  await verify.getByLabel(/choose the PDF you were given/).setInputFiles(pdfPath);
  await verify.getByRole('button', { name: 'Check the file' }).click();
  await expect(verify.getByRole('status').filter({ hasText: 'Unaltered' })).toBeVisible();
  const changed = readFileSync(pdfPath);
  changed[Math.floor(changed.length / 2)] ^= 1;
  const changedPath = `${pdfPath}.changed.pdf`;
  writeFileSync(changedPath, changed);
  await verify.getByLabel(/choose the PDF you were given/).setInputFiles(changedPath);
  await verify.getByRole('button', { name: 'Check the file' }).click();
  await expect(verify.getByRole('alert')).toContainText('Altered');
  await verify.screenshot({ path: test.info().outputPath('verify-page.png'), fullPage: true });
  expect(verifyPanics).toEqual([]);
  await stranger.close();
  expect(officePanics).toEqual([]);
  await desk.close();
});

test('once signed, the record on the phone is read-only; the office reopens it with a reason and the signature is withdrawn', async ({ page, browser }) => {
  const run = Date.now() % 100000;
  const title = `Signed means signed ${run}`;
  const technician = `Rosa Signer ${run}`;
  const technicianEmail = `rosa.${run}@brightspark.example`;
  const desk = await browser.newContext();
  const agent = await desk.newPage();
  await signIn(agent, AGENT.email);
  await expect(agent).toHaveURL(/\/agent$/);
  const instructed = await instructToBrightspark(agent, { title, priority: 'normal', serviceTasks: 'Test smoke alarms' });
  const taskId = instructed.Instructed.task_id;
  const office = await desk.newPage();
  await signIn(office, OFFICE.email, DEMO_PASSWORD, `/sign-in?next=/desk/tasks/${taskId}`);
  await expect(office.getByRole('heading', { level: 1 })).toHaveText(title);
  await acceptWithNewTechnician(office, technician, technicianEmail);

  await page.goto(await linkFromMailbox(page, technicianEmail));
  await expectHydrated(page);
  await page.getByRole('button', { name: 'Continue' }).tap();
  await expect(page).toHaveURL(/\/tech$/);
  await page.locator('.task-card').getByRole('link', { name: title }).tap();
  await expectHydrated(page);
  await expect(page.locator('body')).toHaveAttribute('data-live', 'open');
  // "I'm on site" works before the page's client is live (here, in a tab with JavaScript off):
  // the browser posts the form and is sent back to the task. The open page follows by itself.
  const bare = await browser.newContext({ storageState: await page.context().storageState(), javaScriptEnabled: false });
  const noScript = await bare.newPage();
  await noScript.goto(page.url());
  await noScript.getByRole('button', { name: "I'm on site" }).click();
  await expect(noScript.getByTestId('task-status')).toHaveText('In progress');
  expect(new URL(noScript.url()).pathname).toBe(new URL(page.url()).pathname);
  // So does "Report a defect": the browser sends the form and is sent back to the task, which
  // lists the defect (the server answered it with JSON before).
  const bareDefects = noScript.getByRole('region', { name: 'Defects' });
  await bareDefects.getByLabel('Severity').selectOption({ label: 'Recommended' });
  await bareDefects.getByLabel('Description').fill('Loft hatch hinge loose');
  await bareDefects.getByRole('button', { name: 'Report defect' }).click();
  await expect(noScript.getByRole('region', { name: 'Defects' })).toContainText('Loft hatch hinge loose');
  expect(new URL(noScript.url()).pathname).toBe(new URL(page.url()).pathname);
  await bare.close();
  await expect(page.getByRole('region', { name: 'Defects' })).toContainText('Loft hatch hinge loose');
  await expect(page.getByTestId('task-status')).toHaveText('In progress');
  await expectHydrated(page);
  const service = page.getByRole('region', { name: 'Service tasks' });
  const alarms = service.getByRole('group', { name: 'Test smoke alarms' });
  await alarms.getByLabel('Pass').check();
  await alarms.getByRole('button', { name: 'Save result' }).tap();
  await expect(service.getByTestId('service-result')).toHaveText('Pass');
  await expectHydrated(page);
  const perform = page.getByRole('region', { name: "I've performed this work" });
  await signWithFinger(page, perform.getByTestId('my-signature'));
  await perform.getByRole('button', { name: "I've performed this work" }).tap();
  await expect(page.getByTestId('task-status')).toHaveText('Performed (need docs)');

  // Signed: nothing on the record can be changed from the phone.
  await expect(service.getByRole('button', { name: 'Save result' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Report defect' })).toHaveCount(0);
  await expect(page.getByTestId('signatures')).toContainText(`Contractor: ${technician}`);

  // The office reopens it, with a reason; the phone sees it open again, without the signature.
  await expect(page.locator('body')).toHaveAttribute('data-live', 'open');
  await expect(office.getByTestId('task-status')).toHaveText('Performed (need docs)', { timeout: 5_000 });
  const actions = office.getByRole('region', { name: 'Actions' });
  await actions.getByRole('button', { name: 'Reopen the signed record' }).click();
  await expect(office.locator('#task-reason-error')).toContainText('Say why');
  await actions.getByLabel(/^Reason \(to reopen the signed record/).fill('The alarm was tested on the wrong floor');
  await actions.getByRole('button', { name: 'Reopen the signed record' }).click();
  await expect(office.getByTestId('task-status')).toHaveText('In progress');
  await expect(office.getByTestId('signatures')).toHaveCount(0);
  await expect(office.getByRole('region', { name: 'Timeline' }).getByRole('row').nth(1)).toContainText('The alarm was tested on the wrong floor');
  await expect(page.getByTestId('task-status')).toHaveText('In progress', { timeout: 5_000 });
  await expect(service.getByRole('button', { name: 'Save result' })).toHaveCount(1);
  await expect(page.getByTestId('signatures')).toHaveCount(0);
  await desk.close();
});
