import { test, expect, expectHydrated, collectPanics } from './fixtures';
import { AGENT, OFFICE, DEMO_PASSWORD, linkFromMailbox, signIn } from './auth';
import { signWithFinger } from './phone';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { instructToBrightspark } from './works';

/** The agency instructs works for Brightspark with two service tasks; the office adds a new
 *  technician to its team and accepts the task with them. Each test has its own technician, so
 *  no other test's queue or sign-in links meet theirs. */
async function acceptedForNewTechnician(browser: Browser, name: string) {
  const run = `${Date.now() % 1_000_000}${Math.floor(Math.random() * 100)}`;
  const title = `Alarm service ${run}`;
  const email = `${name.toLowerCase().split(' ')[0]}.${run}@brightspark.example`;
  // The agency and the office each in a browser of their own (one cookie jar each).
  const agency = await browser.newContext();
  const agent = await agency.newPage();
  await signIn(agent, AGENT.email);
  const instructed = await instructToBrightspark(agent, { title, priority: 'normal', serviceTasks: 'Test smoke alarms\nCheck battery voltage (reading)' });
  const taskId: number = instructed.Instructed.task_id;
  const desk = await browser.newContext();
  const office = await desk.newPage();
  await signIn(office, OFFICE.email, DEMO_PASSWORD, `/sign-in?next=/desk/tasks/${taskId}`);
  const added = await office.request.post('/rpc/team/add', {
    form: { 'technician[name]': name, 'technician[email]': email },
  });
  expect(added.ok()).toBe(true);
  await office.reload();
  await expectHydrated(office);
  const actions = office.getByRole('region', { name: 'Actions' });
  await actions.getByRole('checkbox', { name: new RegExp(name) }).check();
  await actions.getByRole('button', { name: 'Accept' }).click();
  await expect(office.getByTestId('task-technicians')).toHaveText(name);
  const close = async () => {
    await agency.close();
    await desk.close();
  };
  return { taskId, title, email, agent, office, close };
}

/** The technician opens the emailed link on their phone and lands on "My tasks", which saves
 *  their tasks on the phone. */
async function technicianSignsIn(page: Page, email: string) {
  await page.goto(await linkFromMailbox(page, email));
  await expectHydrated(page);
  await page.getByRole('button', { name: 'Continue' }).tap();
  await expect(page).toHaveURL(/\/tech$/);
  await expectHydrated(page);
  await expect(page.locator('.offline-saved')).toHaveText(/for use without signal: 1 task\.$/);
}

/** Taps something that sends and loads the page again (as every Tech view act does), and waits
 *  for the new page to be live. */
async function sendAndReload(page: Page, tap: () => Promise<void>) {
  const reloaded = page.waitForEvent('framenavigated', (frame) => frame === page.mainFrame());
  await tap();
  await reloaded;
  await expectHydrated(page);
}

const status = (page: Page) => page.locator('.tech-sync-status');
const changes = (page: Page) => page.getByTestId('queued-change');

/** A minute as the agency writes it: DD/MM/YYYY HH:MM in London. */
const shownMinute = (ms: number) => {
  const at = new Date(ms);
  const day = at.toLocaleDateString('en-GB', { timeZone: 'Europe/London' });
  const time = at.toLocaleTimeString('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit' });
  return `${day} ${time}`;
};

/** The timeline's rows on the agency's task page, newest first: [when, who, what]. */
async function timeline(agent: Page, taskId: number) {
  await agent.goto(`/agent/tasks/${taskId}`);
  const rows = agent.getByRole('region', { name: 'Timeline' }).locator('tbody tr');
  await expect(rows.first()).toBeVisible();
  return rows.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
}

async function goOffline(context: BrowserContext, page: Page, taskId: number) {
  await context.setOffline(true);
  await page.goto(`/tech/tasks/${taskId}`);
  await expect(page.locator('.offline-copy')).toBeVisible();
  await expectHydrated(page);
}

test('without signal a technician works a task never opened: on site, two results, a defect with a photo, performed and signed; it waits on the phone through a closed tab and reaches the agency once, in order, at the times it was done', async ({ page, context, browser }) => {
  test.slow();
  const { taskId, email, agent, close } = await acceptedForNewTechnician(browser, 'Rita Okafor');
  await technicianSignsIn(page, email);

  // No signal from here. The task was never opened on this phone: it opens from the saved copy.
  await goOffline(context, page, taskId);
  await expect(page.getByTestId('task-status')).toHaveText('Accepted');
  const before = Date.now();
  await sendAndReload(page, () => page.getByRole('button', { name: "I'm on site" }).tap());
  const after = Date.now();
  await expect(status(page)).toHaveText('Offline — 1 change waiting');
  // As if sent: the on-site button is gone and the perform form is there.
  await expect(page.getByRole('button', { name: "I'm on site" })).toHaveCount(0);
  await expect(page.getByRole('region', { name: "I've performed this work" })).toBeVisible();

  const service = page.getByRole('region', { name: 'Service tasks' });
  const alarms = service.getByRole('group', { name: 'Test smoke alarms' });
  await alarms.getByLabel('Fail').check();
  await sendAndReload(page, () => alarms.getByRole('button', { name: 'Save result' }).tap());
  await expect(status(page)).toHaveText('Offline — 2 changes waiting');
  // The task shows it as if sent, marked as waiting.
  await expect(service.getByTestId('service-result').first()).toHaveText('Fail (waiting to send)');
  const voltage = service.getByRole('group', { name: 'Check battery voltage' });
  await voltage.getByLabel('Pass').check();
  await voltage.getByLabel('Reading').fill('9.1 V');
  await sendAndReload(page, () => voltage.getByRole('button', { name: 'Save result' }).tap());
  await expect(status(page)).toHaveText('Offline — 3 changes waiting');

  const defects = page.getByRole('region', { name: 'Defects' });
  await defects.getByLabel('Service task').selectOption({ label: 'Test smoke alarms' });
  await defects.getByLabel('Severity').selectOption({ label: 'Critical' });
  await defects.getByLabel('Description').fill('Hallway alarm cracked');
  await defects.getByLabel('Photos (JPEG, PNG or HEIC, up to 10)').setInputFiles({
    name: 'IMG_0412.HEIC',
    mimeType: 'image/heic',
    buffer: readFileSync(`${__dirname}/../../app/src/files/testdata/hallway-alarm.heic`),
  });
  await sendAndReload(page, () => defects.getByRole('button', { name: 'Report defect' }).tap());
  await expect(status(page)).toHaveText('Offline — 4 changes waiting');
  await expect(defects.getByTestId('defect')).toHaveText([/^Critical Hallway alarm cracked\s*Waiting to send, done \d{2}:\d{2}$/]);
  await expect(service.getByTestId('service-result')).toHaveText(['Fail (waiting to send)', 'Pass · 9.1 V (waiting to send)']);

  const perform = page.getByRole('region', { name: "I've performed this work" });
  await perform.getByLabel('Notes (optional)').fill('Replaced the hallway alarm.');
  await signWithFinger(page, perform.getByTestId('my-signature'));
  await expect(perform.getByTestId('my-signature').getByRole('button', { name: 'Undo' })).toBeEnabled();
  await sendAndReload(page, () => perform.getByRole('button', { name: "I've performed this work" }).tap());
  await expect(status(page)).toHaveText('Offline — 5 changes waiting');
  // Performed once: the form is not offered again while that waits.
  await expect(page.getByRole('region', { name: "I've performed this work" })).toHaveCount(0);

  // The tab is closed; opened again, still without signal, the work is there, in order.
  const again = await context.newPage();
  const panics = collectPanics(again);
  await page.close();
  await again.goto(`/tech/tasks/${taskId}`);
  await expect(again.locator('.offline-copy')).toBeVisible();
  await expect(status(again)).toHaveText('Offline — 5 changes waiting');
  await expect(changes(again).locator('.sync-what')).toHaveText([
    "I'm on site",
    'Result: Fail',
    'Result: Pass · 9.1 V',
    'Defect: Hallway alarm cracked',
    "I've performed this work",
  ]);
  await expect(changes(again)).toHaveText(Array(5).fill(/· waiting$/));

  // Signal again: the phone sends it all by itself.
  await context.setOffline(false);
  await expect(status(again)).toHaveText(/^Synced \d{2}:\d{2}$/, { timeout: 15_000 });
  await expect(changes(again)).toHaveText(Array(5).fill(/· sent \d{2}:\d{2}$/));

  // The agency sees each once, in the order done, on site at the minute it was pressed.
  const rows = await timeline(agent, taskId);
  const what = rows.map(([, , w]) => w);
  const done = what.slice(0, 5);
  expect(done).toEqual([
    "I've performed this work: now Performed (need docs)",
    expect.stringMatching(/^Defect reported — /),
    'Result recorded — Check battery voltage: Pass (9.1 V)',
    'Result recorded — Test smoke alarms: Fail',
    "I'm on site: now In progress",
  ]);
  expect(what.filter((w) => w.startsWith('Result recorded')).length).toBe(2);
  expect(what.filter((w) => w.startsWith('Defect reported')).length).toBe(1);
  const onSite = rows[4][0];
  expect([shownMinute(before), shownMinute(after)].some((m) => onSite.startsWith(m)), onSite).toBe(true);
  expect(onSite).toContain('(on the phone, without signal; arrived ');
  await expect(agent.getByTestId('task-status')).toHaveText('Performed (need docs)');
  expect(panics).toEqual([]);
  await close();
});

test("a replayed act whose answer is lost on the way back is sent again and done once", async ({ page, context, browser }) => {
  test.slow();
  const { taskId, email, agent, close } = await acceptedForNewTechnician(browser, 'Sam Adeyemi');
  await technicianSignsIn(page, email);
  await goOffline(context, page, taskId);
  await sendAndReload(page, () => page.getByRole('button', { name: "I'm on site" }).tap());
  const alarms = page.getByRole('region', { name: 'Service tasks' }).getByRole('group', { name: 'Test smoke alarms' });
  await alarms.getByLabel('Pass').check();
  await sendAndReload(page, () => alarms.getByRole('button', { name: 'Save result' }).tap());
  await expect(status(page)).toHaveText('Offline — 2 changes waiting');

  // The first time the phone sends the result, the server does it and the answer is lost.
  let dropped = 0;
  await context.route('**/rpc/tasks/result', async (route) => {
    if (dropped === 0 && route.request().serviceWorker()) {
      dropped += 1;
      const answer = await route.fetch();
      expect(answer.status()).toBe(200);
      await route.abort('connectionreset');
    } else {
      await route.continue();
    }
  });
  await context.setOffline(false);
  await expect.poll(() => dropped).toBe(1);
  // The next page opened (the task reloads itself as its changes arrive) sends what is still
  // waiting, with the same key: answered from the first time, not done again.
  await page.reload();
  await expect(status(page)).toHaveText(/^Synced \d{2}:\d{2}$/, { timeout: 15_000 });
  const what = (await timeline(agent, taskId)).map(([, , w]) => w);
  expect(what.filter((w) => w.startsWith('Result recorded'))).toEqual(['Result recorded — Test smoke alarms: Pass']);
  expect(what.filter((w) => w.startsWith("I'm on site"))).toHaveLength(1);
  await context.unrouteAll({ behavior: 'ignoreErrors' });
  await close();
});

test('the client\'s documents open without signal; the office takes the task off the technician while their phone has no signal: what the phone sends is refused there, with the reason, and kept to export', async ({ page, context, browser }) => {
  test.slow();
  const { taskId, email, agent, office, close } = await acceptedForNewTechnician(browser, 'Hamid Sorensen');
  // The agency gives the contractor the floor plan; it is saved on the phone with the task.
  await agent.goto(`/agent/tasks/${taskId}`);
  await expectHydrated(agent);
  const plan = Buffer.from('%PDF-1.4\n% floor plan of flat 2\n');
  const provided = agent.getByRole('region', { name: 'Documents provided by client' });
  await provided.getByLabel('Add a document for the contractor').setInputFiles({ name: 'floor-plan.pdf', mimeType: 'application/pdf', buffer: plan });
  await provided.getByRole('button', { name: 'Add document' }).click();
  await expect(provided.getByRole('link', { name: 'floor-plan.pdf' })).toBeVisible();
  await technicianSignsIn(page, email);
  await goOffline(context, page, taskId);
  const [saved] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('region', { name: 'Documents provided by client' }).getByRole('link', { name: 'floor-plan.pdf' }).tap(),
  ]);
  expect(await saved.failure()).toBeNull();
  expect(readFileSync((await saved.path())!)).toEqual(plan);
  await sendAndReload(page, () => page.getByRole('button', { name: "I'm on site" }).tap());
  await expect(status(page)).toHaveText('Offline — 1 change waiting');

  // Meanwhile the office gives the task to Tom instead.
  await office.reload();
  await expectHydrated(office);
  const assign = office.getByRole('region', { name: 'Assign technicians' });
  await assign.getByRole('checkbox', { name: /Tom Baker/ }).check();
  await assign.getByRole('button', { name: 'Assign' }).click();
  await expect(office.getByTestId('task-technicians')).toContainText('Tom Baker');
  await expectHydrated(office);
  office.once('dialog', (dialog) => dialog.accept());
  await office.getByRole('button', { name: 'Take off Hamid Sorensen' }).click();
  await expect(office.getByTestId('task-technicians')).toHaveText('Tom Baker');

  // Signal again on the phone: the change is refused, says why, and stays until dealt with.
  await context.setOffline(false);
  await page.goto('/tech');
  await expect(status(page)).toHaveText(/1 change refused: see below$/, { timeout: 15_000 });
  const refused = changes(page);
  await expect(refused).toContainText("I'm on site");
  await expect(refused).toContainText('refused: This task is no longer yours: the office gave it to someone else or took it back.');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    refused.getByRole('button', { name: 'Export' }).tap(),
  ]);
  const exported = JSON.parse(readFileSync((await download.path())!, 'utf8'));
  expect(exported).toMatchObject({ what: "I'm on site", task: taskId });
  expect(exported.fields).toContainEqual({ name: 'action', value: 'OnSite' });
  page.once('dialog', (dialog) => dialog.accept());
  await refused.getByRole('button', { name: 'Dismiss' }).tap();
  await expect(changes(page)).toHaveCount(0);
  // Nothing reached the task: it is as the office left it.
  await expect(office.getByTestId('task-status')).toHaveText('Accepted');
  await close();
});
