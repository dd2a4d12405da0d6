import { test as plain } from '@playwright/test';
import { test, expect, expectHydrated } from './fixtures';
import { ADMIN, AGENT, signIn } from './auth';

test('an administrator makes an API key, another system reads with it, and revoking it stops it at once', async ({ page, playwright, baseURL }) => {
  await signIn(page, ADMIN.email, undefined, '/sign-in?next=/admin/api');
  await expect(page).toHaveURL(/\/admin\/api$/);
  await expectHydrated(page);
  const name = `Arthur sync ${Date.now()}`;

  // Nothing ticked: refused, said beside the scopes.
  await page.getByLabel('What will use it').fill(name);
  await page.getByRole('button', { name: 'Make key' }).click();
  await expect(page.locator('#key-scopes-error')).toContainText('Choose at least one');

  await page.getByRole('checkbox', { name: /contractors:read/ }).check();
  await page.getByRole('button', { name: 'Make key' }).click();
  const shown = page.getByTestId('new-api-key');
  await expect(shown).toHaveValue(/^cdk_/);
  const key = await shown.inputValue();
  const row = page.getByTestId('api-keys').getByRole('row').filter({ hasText: name });
  await expect(row).toContainText('contractors:read');
  await expect(row).toContainText('Never');
  await expect(row).toContainText(key.slice(0, 10));

  // Another system: a request with the key and no cookies.
  const outside = await playwright.request.newContext({ baseURL });
  const read = await outside.get('/api/v1/contractors?name=brightspark', {
    headers: { Authorization: `Bearer ${key}` },
  });
  expect(read.status()).toBe(200);
  expect((await read.json()).data[0].company_name).toBe('Brightspark Electrical Ltd');
  const write = await outside.post('/api/v1/documents/1/validate', {
    headers: { Authorization: `Bearer ${key}` },
  });
  expect(write.status()).toBe(403);
  expect(write.headers()['content-type']).toBe('application/problem+json');
  expect((await write.json()).detail).toContain('certification:write');

  // Last used shows; the key's text is not shown again.
  await page.reload();
  await expectHydrated(page);
  await expect(page.getByTestId('new-api-key')).toHaveCount(0);
  await expect(row).not.toContainText('Never');

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
  const refused = await outside.get('/api/v1/contractors', { headers: { Authorization: `Bearer ${key}` } });
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
