import { test as plain } from '@playwright/test';
import { test, expect, expectHydrated } from './fixtures';
import { ADMIN, AGENT, signIn } from './auth';

// A DBS certificate as the issuer's software prints it, made into a PDF by the browser.
async function dbsCertificate(browser: import('@playwright/test').Browser) {
  const maker = await browser.newPage();
  await maker.setContent(`<html><body style="font-family: sans-serif">
    <h1>Enhanced Certificate</h1>
    <p>Disclosure and Barring Service</p>
    <p>Certificate number: 001234567890</p>
    <p>Applicant: Greenleaf Grounds (grounds team)</p>
    <p>Date of issue: 02/11/2026</p>
  </body></html>`);
  const buffer = await maker.pdf({ format: 'A4' });
  await maker.close();
  return buffer;
}

test('an administrator makes an API key, another system uploads a certificate with it, its activity shows it, and revoking it stops it at once', async ({ page, playwright, baseURL, browser }) => {
  await signIn(page, ADMIN.email, undefined, '/sign-in?next=/admin/api');
  await expect(page).toHaveURL(/\/admin\/api$/);
  await expectHydrated(page);
  const name = `Arthur sync ${Date.now()}`;

  // Nothing ticked: refused, said beside the scopes.
  await page.getByLabel('What will use it').fill(name);
  await page.getByRole('button', { name: 'Make key' }).click();
  await expect(page.locator('#key-scopes-error')).toContainText('Choose at least one');

  for (const scope of [/contractors:read/, /certification:read/, /certification:write/]) {
    await page.getByRole('checkbox', { name: scope }).check();
  }
  await page.getByRole('button', { name: 'Make key' }).click();
  const shown = page.getByTestId('new-api-key');
  await expect(shown).toHaveValue(/^cdk_/);
  const key = await shown.inputValue();
  const row = page.getByTestId('api-keys').getByRole('row').filter({ hasText: name });
  await expect(row).toContainText('contractors:read, certification:read, certification:write');
  await expect(row).toContainText('Never');
  await expect(row).toContainText(key.slice(0, 10));
  // Made moments ago, it has changed nothing.
  await row.getByRole('button', { name: `Activity of the key ${name}` }).click();
  const activity = page.getByRole('region', { name: `Activity of the key ${name}` });
  await expect(activity).toContainText('This key has changed nothing yet');

  // Another system: requests with the key and no cookies. It reads a contractor and uploads a
  // renewed DBS check (Greenleaf's: no other test looks at it) as its own software printed it.
  const outside = await playwright.request.newContext({ baseURL });
  const auth = { Authorization: `Bearer ${key}` };
  const read = await outside.get('/api/v1/contractors?name=greenleaf', { headers: auth });
  expect(read.status()).toBe(200);
  const greenleaf = (await read.json()).data[0];
  expect(greenleaf.company_name).toBe('Greenleaf Grounds');
  const detail = await (await outside.get(`/api/v1/contractors/${greenleaf.id}`, { headers: auth })).json();
  const dbs = detail.certificates.find((c: { certificate_type: string }) => c.certificate_type === 'DBS check');
  const upload = await outside.post(`/api/v1/contractors/${greenleaf.id}/documents`, {
    headers: auth,
    multipart: {
      certificate_type_id: String(dbs.certificate_type_id),
      start_date: '2026-11-02',
      end_date: '2029-11-01',
      file: { name: 'dbs-renewal.pdf', mimeType: 'application/pdf', buffer: await dbsCertificate(browser) },
    },
  });
  expect(upload.status(), await upload.text()).toBe(201);
  const uploaded = await upload.json();
  expect(uploaded).toMatchObject({ certificate_type: 'DBS check', end_date: '2029-11-01', valid: false });
  const file = await outside.get(`/api/v1/documents/${uploaded.id}/file`, { headers: auth });
  expect(file.headers()['content-type']).toBe('application/pdf');
  // A scope it was not given is refused, naming it.
  const tasks = await outside.get('/api/v1/tasks', { headers: auth });
  expect(tasks.status()).toBe(403);
  expect(tasks.headers()['content-type']).toBe('application/problem+json');
  expect((await tasks.json()).detail).toContain('tasks:read');

  // Last used shows; the key's text is not shown again.
  await page.reload();
  await expectHydrated(page);
  await expect(page.getByTestId('new-api-key')).toHaveCount(0);
  await expect(row).not.toContainText('Never');
  // Its activity lists the upload, with the contractor.
  await row.getByRole('button', { name: `Activity of the key ${name}` }).click();
  await expect(activity).toContainText('Uploaded: DBS check: dbs-renewal.pdf');
  await expect(activity).toContainText('Greenleaf Grounds');
  await expect(activity).toContainText(/\d{2}\/\d{2}\/\d{4}/);

  // Revoking asks first; dismissing keeps the key.
  page.once('dialog', (dialog) => dialog.dismiss());
  await row.getByRole('button', { name: `Revoke the key ${name}` }).click();
  await expect(row).toContainText('Active');
  page.once('dialog', (dialog) => {
    expect(dialog.message()).toContain('stops working at once');
    return dialog.accept();
  });
  await row.getByRole('button', { name: `Revoke the key ${name}` }).click();
  await expect(row).toContainText('Revoked');
  const refused = await outside.get('/api/v1/contractors', { headers: auth });
  expect(refused.status()).toBe(401);
  await outside.dispose();
});

test('an agent who does not manage users has no API page', async ({ page }) => {
  await signIn(page, AGENT.email);
  await expect(page).toHaveURL(/\/agent$/);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: /Priya Shah/ })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'API', exact: true })).toHaveCount(0);
  await page.goto('/admin/api');
  await expect(page.getByRole('alert').first()).toContainText('Your role does not allow you to manage users');
});

// Swagger UI's own markup is not ours to fix, so this page is not put through the accessibility
// check every page of the product gets.
plain('the API docs page lists the operations, served from the server under its page policy', async ({ page }) => {
  const blocked: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/.test(message.text())) blocked.push(message.text());
  });
  await page.goto('/api/docs/');
  await expect(page.getByText('Certidesk API')).toBeVisible();
  await expect(page.getByText('/api/v1/contractors/{id}/certificate-requests')).toBeVisible();
  expect(blocked).toEqual([]);
});
