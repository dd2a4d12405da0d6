import { test, expect, expectHydrated, expectNothingWiderThanTheScreen } from './fixtures';
import { AGENT, OFFICE, signIn } from './auth';
import { instructToBrightspark } from './works';

test("the contractor's office opens a task in the Desk view or in the Tech view, and works it on site from its phone", async ({ page, browser }) => {
  const title = `Replace the porch light ${Date.now() % 100000}`;
  // The agency instructs the works to Brightspark.
  const agent = await (await browser.newContext()).newPage();
  await signIn(agent, AGENT.email);
  await expect(agent).toHaveURL(/\/agent$/);
  const instructed = await instructToBrightspark(agent, { title, priority: 'normal', serviceTasks: 'Check the fitting' });
  const taskId = instructed.Instructed.task_id;
  const reference = instructed.Instructed.reference;

  // Rachel, the office, finds it on the Desk list with both ways to open it.
  await signIn(page, OFFICE.email);
  await expect(page).toHaveURL(/\/desk$/);
  await expectHydrated(page);
  const filters = page.getByRole('search', { name: 'Filter the tasks' });
  await filters.getByLabel('Search').fill(title);
  await filters.getByRole('button', { name: 'Filter' }).click();
  const row = page.getByRole('row', { name: new RegExp(title) });
  await expect(row.getByRole('link', { name: `Open ${reference} in the Tech view` })).toHaveAttribute('href', `/tech/tasks/${taskId}`);
  await row.getByRole('link', { name: reference, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/desk/tasks/${taskId}$`));
  await expectHydrated(page);
  // The Desk view: the office accepts.
  const actions = page.getByRole('region', { name: 'Actions' });
  await actions.getByRole('button', { name: 'Accept' }).click();
  await expect(page.getByTestId('task-status')).toHaveText('Accepted');

  // Then opens it as a technician would, to do the work itself.
  await page.getByRole('link', { name: 'Open in the Tech view' }).click();
  await expect(page).toHaveURL(new RegExp(`/tech/tasks/${taskId}$`));
  await expectHydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  // Only the work on site is offered; the office's own controls stay in the Desk view.
  await expect(page.getByRole('region', { name: 'Actions' }).getByRole('button')).toHaveText(["I'm on site"]);
  await expect(page.getByRole('region', { name: 'Complete task' })).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Assign technicians' })).toHaveCount(0);
  await expectNothingWiderThanTheScreen(page, 'the Tech view of a task, opened by the office');
  await page.getByRole('region', { name: 'Actions' }).getByRole('button', { name: "I'm on site" }).click();
  await expect(page.getByTestId('task-status')).toHaveText('In progress');
  // Its result is recorded as a technician's would be.
  const service = page.getByRole('region', { name: 'Service tasks' });
  await expect(service).toContainText('Check the fitting');

  // Back to the Desk view, where completing is.
  await page.getByRole('link', { name: 'Open in the Desk view' }).click();
  await expect(page).toHaveURL(new RegExp(`/desk/tasks/${taskId}$`));
  await expectHydrated(page);
  await expect(page.getByTestId('task-status')).toHaveText('In progress');
  await expect(page.getByRole('region', { name: 'Complete task' })).toBeVisible();
  const timeline = page.getByRole('region', { name: 'Timeline' });
  await expect(timeline.getByRole('row').nth(1)).toContainText("I'm on site");
  await expect(timeline.getByRole('row').nth(1)).toContainText('Rachel Green');
});
