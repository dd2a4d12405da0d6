import { test, expect, expectHydrated, expectAccessible, isoDay, shownDay } from './fixtures';
import { ADMIN, signIn } from './auth';

test('an agent defines a kind of work, and a gas task due after the certificate expires warns with the date and is overridden with a reason', async ({ page }) => {
  // Tests share one server: a name of its own keeps a retry (or a neighbour) from clashing.
  const kind = `Gas work ${Date.now().toString(36)}`;
  await signIn(page, ADMIN.email, undefined, '/sign-in?next=/agent/certification');
  await expect(page).toHaveURL(/\/agent\/certification$/);
  await expectHydrated(page);
  await page.getByRole('link', { name: 'Kinds of work' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Kinds of work');
  await expectHydrated(page);

  // A kind needs a name and at least one certificate: the form says which is missing.
  const form = page.getByRole('region', { name: 'Add a kind of work' });
  await form.getByLabel('Name').fill(kind);
  await form.getByRole('button', { name: 'Add kind of work' }).click();
  await expect(form.locator('#kind-types-error')).toHaveText('Tick the certificate types this work needs.');
  await form.getByLabel('Gas safety').check();
  await form.getByLabel('Public liability insurance').check();
  await form.getByRole('button', { name: 'Add kind of work' }).click();
  const row = page.getByRole('row', { name: new RegExp(kind) });
  await expect(row).toContainText('Gas safety, Public liability insurance');
  await expect(page.getByRole('status').filter({ hasText: 'Kind of work added.' })).toBeVisible();
  await expectAccessible(page);

  // Opened for a change, the form holds the kind as saved; saved again, it keeps its certificates.
  await page.getByRole('link', { name: `Edit ${kind}` }).click();
  const change = page.getByRole('region', { name: 'Change the kind of work' });
  await expect(change.getByLabel('Name')).toHaveValue(kind);
  await expect(change.getByLabel('Gas safety')).toBeChecked();
  await expect(change.getByLabel('Public liability insurance')).toBeChecked();
  await expectHydrated(page);
  await change.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status').filter({ hasText: `${kind} saved.` })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Add a kind of work' })).toBeVisible();
  await expect(row).toContainText('Gas safety, Public liability insurance');

  // Northgate does gas work: the kind goes on its page.
  await page.goto('/agent/contractors');
  await expectHydrated(page);
  await page.getByRole('link', { name: 'Northgate Gas & Heating' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Northgate Gas & Heating');
  const kinds = page.getByRole('region', { name: 'Kinds of work' });
  await kinds.getByLabel(kind).check();
  await kinds.getByRole('button', { name: 'Save kinds of work' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Kinds of work saved.' })).toBeVisible();
  await expect(kinds.getByLabel(kind)).toBeChecked();
  await expect(page.getByRole('region', { name: 'History' })).toContainText(`Kinds of work: ${kind}`);

  // The contractor list filters by kind.
  await page.goto('/agent/contractors');
  await expectHydrated(page);
  const find = page.getByRole('search', { name: 'Find a contractor' });
  await find.getByLabel('Kind of work').selectOption({ label: kind });
  await find.getByRole('button', { name: 'Find' }).click();
  await expect(page).toHaveURL(/kind=\d+/);
  await expect(page.locator('tbody tr')).toHaveCount(1);
  await expect(page.getByRole('row', { name: /Northgate Gas & Heating/ })).toBeVisible();

  // Northgate's gas safety certificate ends in 12 days; the boiler service is due in 20.
  await page.goto('/agent/instruct');
  await expectHydrated(page);
  await page.getByLabel('Contractor').selectOption({ label: 'Northgate Gas & Heating — Attention needed' });
  await page.getByLabel('Kind of work').selectOption({ label: kind });
  await page.getByLabel('Title').fill('Annual boiler service');
  const verdict = page.getByTestId('instruct-verdict');
  await expect(verdict).toContainText('Certificates in order for this work.');
  // The verdict follows the due date as it is chosen, before the form is sent.
  await page.getByLabel('Due date').fill(isoDay(20));
  const lapse = `Gas safety: expires ${shownDay(isoDay(12))}, before the work on ${shownDay(isoDay(20))}`;
  await expect(verdict).toContainText('Not compliant for this work.');
  await expect(verdict).toContainText(lapse);
  await expect(verdict).toContainText('You may override');
  await expect(page.getByRole('button', { name: 'Instruct anyway' })).toBeVisible();
  await page.getByLabel('Reason for overriding the compliance block').fill('Renewal inspection booked before the visit');
  await page.getByRole('button', { name: 'Instruct anyway' }).click();
  await expect(page.getByRole('status')).toContainText(/Works T-\d+ sent to the contractor\. The override/);
  // The form starts again empty: a second press cannot send the same works twice.
  await expect(page.getByLabel('Title')).toHaveValue('');
  await expect(page.getByLabel('Due date')).toHaveValue('');
  await expect(page.getByLabel('Kind of work')).toHaveValue('');

  // The task names its kind and keeps warning until the certificate is renewed.
  await page.getByRole('link', { name: 'Open the task' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Annual boiler service');
  await expect(page.locator('.task-summary')).toContainText(kind);
  await expect(page.getByTestId('compliance-on-the-day')).toContainText(lapse);

  // The history keeps the override with the date it was about and the reason.
  await page.goto('/agent/contractors');
  await page.getByRole('link', { name: 'Northgate Gas & Heating' }).click();
  const history = page.getByRole('region', { name: 'History' });
  await expect(history).toContainText('Overrode the compliance block');
  await expect(history).toContainText(lapse);
  await expect(history).toContainText('Renewal inspection booked before the visit');
});
