import { test, expect, expectHydrated, collectPanics } from './fixtures';
import { AGENT, OFFICE, DEMO_PASSWORD, linkFromMailbox, requestLink, signIn } from './auth';
import { signWithFinger } from './phone';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { acceptWithNewTechnician, addTechnician, instructToBrightspark } from './works';

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
  await acceptWithNewTechnician(office, name, email);
  const close = async () => {
    await agency.close();
    await desk.close();
  };
  return { taskId, title, email, agent, office, close };
}

/** The technician opens the emailed link on their phone and lands on "My tasks", which saves
 *  their tasks (`saved` of them) on the phone. */
async function technicianSignsIn(page: Page, email: string, saved = '1 task') {
  await page.goto(await linkFromMailbox(page, email));
  await expectHydrated(page);
  await page.getByRole('button', { name: 'Continue' }).tap();
  await expect(page).toHaveURL(/\/tech$/);
  await expectHydrated(page);
  await expect(page.locator('.offline-saved')).toHaveText(new RegExp(`for use without signal: ${saved}\\.$`));
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

test('a photo taken without signal is made smaller on the phone before it waits (a day of photos fits), and reaches the agency', async ({ page, context, browser }) => {
  test.slow();
  const { taskId, email, agent, close } = await acceptedForNewTechnician(browser, 'Ines Moreau');
  await technicianSignsIn(page, email);
  // A 12-megapixel photo as a phone's camera saves it (4032 × 3024 JPEG).
  const photo = Buffer.from(
    await page.evaluate(async () => {
      const canvas = new OffscreenCanvas(4032, 3024);
      const g = canvas.getContext('2d')!;
      const sky = g.createLinearGradient(0, 0, 4032, 3024);
      sky.addColorStop(0, '#c9d6e3');
      sky.addColorStop(1, '#5a4632');
      g.fillStyle = sky;
      g.fillRect(0, 0, 4032, 3024);
      for (let i = 0; i < 4000; i += 1) {
        g.fillStyle = `hsl(${(i * 37) % 360} 40% ${30 + (i % 50)}%)`;
        g.fillRect((i * 7919) % 4032, (i * 104729) % 3024, 20 + (i % 90), 20 + (i % 70));
      }
      const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.95 })).arrayBuffer());
      let text = '';
      for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(text);
    }),
    'base64',
  );

  await goOffline(context, page, taskId);
  await sendAndReload(page, () => page.getByRole('button', { name: "I'm on site" }).tap());
  const defects = page.getByRole('region', { name: 'Defects' });
  await defects.getByLabel('Service task').selectOption({ label: 'Test smoke alarms' });
  await defects.getByLabel('Severity').selectOption({ label: 'Non-critical' });
  await defects.getByLabel('Description').fill('Loft hatch alarm missing its cover');
  await defects.getByLabel('Photos (JPEG, PNG or HEIC, up to 10)').setInputFiles({ name: 'IMG_2231.JPG', mimeType: 'image/jpeg', buffer: photo });
  await sendAndReload(page, () => defects.getByRole('button', { name: 'Report defect' }).tap());
  await expect(status(page)).toHaveText('Offline — 2 changes waiting');

  // What the phone keeps: a JPEG 1,600 px on its longest side, a fraction of the camera's file.
  const kept = await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('certidesk-tech');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const items = await new Promise<any[]>((resolve, reject) => {
      const all = db.transaction('queue').objectStore('queue').getAll();
      all.onsuccess = () => resolve(all.result);
      all.onerror = () => reject(all.error);
    });
    db.close();
    const part = items.find((item) => item.url.endsWith('/defects')).parts.find((p: any) => p.file);
    const bitmap = await createImageBitmap(part.file);
    return { name: part.filename, type: part.file.type, bytes: part.file.size, width: bitmap.width, height: bitmap.height };
  });
  expect(kept).toMatchObject({ name: 'IMG_2231.jpg', type: 'image/jpeg', width: 1600, height: 1200 });
  expect(kept.bytes, `kept ${kept.bytes} of ${photo.length} bytes`).toBeLessThan(photo.length / 3);

  // Signal again: the defect and its photo reach the agency.
  await context.setOffline(false);
  await expect(status(page)).toHaveText(/^Synced \d{2}:\d{2}$/, { timeout: 15_000 });
  await agent.goto(`/agent/tasks/${taskId}`);
  const shown = agent.getByRole('img', { name: 'Photo of the defect: Loft hatch alarm missing its cover' });
  await expect(shown).toBeVisible();
  const view = await agent.request.get((await shown.locator('..').getAttribute('href'))!);
  expect(view.headers()['content-type']).toBe('image/jpeg');
  const size = await agent.evaluate(async (href) => {
    const bitmap = await createImageBitmap(await (await fetch(href)).blob());
    return [bitmap.width, bitmap.height];
  }, (await shown.locator('..').getAttribute('href'))!);
  expect(size).toEqual([1600, 1200]);
  await close();
});

test('on a shared phone, work a technician left waiting stays theirs: the next person sees only how many and is warned before signing out would remove it; it is sent when its owner signs in again', async ({ page, context, browser }) => {
  test.slow();
  const { taskId, email, agent, office, close } = await acceptedForNewTechnician(browser, 'Lena Fischer');
  await technicianSignsIn(page, email);
  await goOffline(context, page, taskId);
  const before = Date.now();
  await sendAndReload(page, () => page.getByRole('button', { name: "I'm on site" }).tap());
  const after = Date.now();
  await expect(status(page)).toHaveText('Offline — 1 change waiting');

  // Her session on the phone ends (it expired) before there is signal again; a colleague new to
  // the team signs in on the same phone.
  await context.clearCookies();
  await context.setOffline(false);
  const colleague = `omar.${Date.now() % 1_000_000}@brightspark.example`;
  await addTechnician(office, 'Omar Haddad', colleague);
  // With no task yet, he asks for his link on the sign-in page.
  await requestLink(page, colleague);
  await technicianSignsIn(page, colleague, '0 tasks');
  const bar = page.getByRole('region', { name: 'Changes on this phone' });
  await expect(bar).toContainText('1 change made by someone else on this phone waits for them to sign in here again.');
  // He sees neither what it is nor which task, and it is not sent as his.
  await expect(changes(page)).toHaveCount(0);
  await expect(bar).not.toContainText("I'm on site");
  await expect(page.getByRole('link', { name: /Alarm service/ })).toHaveCount(0);
  await agent.goto(`/agent/tasks/${taskId}`);
  await expect(agent.getByTestId('task-status')).toHaveText('Accepted');

  // Signing out would remove it: he is told, and says no.
  let asked = '';
  page.once('dialog', (dialog) => {
    asked = dialog.message();
    void dialog.dismiss();
  });
  await page.getByRole('button', { name: 'Menu' }).tap();
  await page.getByRole('button', { name: 'Sign out' }).tap();
  await expect.poll(() => asked).toBe('Signing out removes 1 change someone else made on this phone. Sign out anyway?');
  await expect(page).toHaveURL(/\/tech$/);

  // Lena signs in again on the phone: her change goes, at the time she pressed it.
  await requestLink(page, email);
  await technicianSignsIn(page, email);
  await expect(status(page)).toHaveText(/^Synced \d{2}:\d{2}$/, { timeout: 15_000 });
  const onSite = (await timeline(agent, taskId)).find(([, , w]) => w.startsWith("I'm on site"))!;
  expect([shownMinute(before), shownMinute(after)].some((m) => onSite[0].startsWith(m)), onSite[0]).toBe(true);
  expect(onSite[0]).toContain('(on the phone, without signal; arrived ');
  await expect(agent.getByTestId('task-status')).toHaveText('In progress');
  await close();
});
