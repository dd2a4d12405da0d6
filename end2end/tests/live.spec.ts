import { test, expect, expectHydrated, collectPanics } from './fixtures';
import { AGENT, OFFICE, DEMO_PASSWORD, signIn } from './auth';
import { instructToBrightspark } from './works';

test('a page whose live updates the server refused (a restart behind a proxy) asks again, shows what it missed and hears what follows', async ({ page, browser }) => {
  const title = `Live again ${Date.now() % 100000}`;
  await signIn(page, AGENT.email);
  await expect(page).toHaveURL(/\/agent$/);
  const taskId = (await instructToBrightspark(page, { title, priority: 'normal' })).Instructed.task_id;

  // The office's page opens while the server answers its stream with an error.
  const contractor = await browser.newContext();
  const office = await contractor.newPage();
  const officePanics = collectPanics(office);
  let refusing = true;
  let refused = 0;
  await office.route('**/events', (route) => {
    if (!refusing) return route.continue();
    refused += 1;
    return route.fulfill({ status: 503, contentType: 'text/plain', body: 'Restarting' });
  });
  await signIn(office, OFFICE.email, DEMO_PASSWORD, `/sign-in?next=/desk/tasks/${taskId}`);
  await expect(office.getByRole('heading', { level: 1 })).toHaveText(title);
  await expectHydrated(office);
  await expect.poll(() => refused).toBeGreaterThan(0);
  await expect(office.locator('body')).not.toHaveAttribute('data-live', 'open');

  // The agent writes while the office's page is not listening.
  await page.goto(`/agent/tasks/${taskId}`);
  await expectHydrated(page);
  const agentMessages = page.getByRole('region', { name: 'Messages' });
  await agentMessages.getByLabel('Message', { exact: true }).fill('Call the tenant before you come.');
  await agentMessages.getByRole('button', { name: 'Send' }).click();
  await expect(agentMessages.getByRole('listitem')).toHaveCount(1);

  // The server is back: within seconds (not the half minute of polling) the page listens again
  // and reads what it missed.
  refusing = false;
  const officeMessages = office.getByRole('region', { name: 'Messages' });
  await expect(office.locator('body')).toHaveAttribute('data-live', 'open', { timeout: 15_000 });
  await expect(officeMessages.getByRole('listitem').first()).toContainText('Call the tenant before you come.', { timeout: 5_000 });
  await agentMessages.getByLabel('Message', { exact: true }).fill('The key is with the concierge.');
  await agentMessages.getByRole('button', { name: 'Send' }).click();
  await expect(officeMessages.getByRole('listitem').nth(1)).toContainText('The key is with the concierge.', { timeout: 5_000 });
  expect(officePanics).toEqual([]);
  await contractor.close();
});
