import { createServer, IncomingHttpHeaders } from 'node:http';
import { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import { test, expect, expectHydrated } from './fixtures';
import { ADMIN, signIn } from './auth';

type Delivery = { headers: IncomingHttpHeaders; body: string };

/** A receiving system on this machine: keeps what it is sent, answers 204. */
async function startReceiver() {
  const received: Delivery[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.statusCode = 204;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/hook`, received, close: () => server.close() };
}

/** The Standard Webhooks check a receiving developer writes. */
function verifies(secret: string, delivery: Delivery) {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signed = `${delivery.headers['webhook-id']}.${delivery.headers['webhook-timestamp']}.${delivery.body}`;
  const expected = createHmac('sha256', key).update(signed).digest('base64');
  return String(delivery.headers['webhook-signature']).split(' ').includes(`v1,${expected}`);
}

test('an administrator registers a webhook, sends a test event that verifies, reads the log and deletes it', async ({ page }) => {
  const receiver = await startReceiver();
  try {
    await page.setViewportSize({ width: 1366, height: 900 });
    await signIn(page, ADMIN.email, undefined, '/sign-in?next=/admin/webhooks');
    await expect(page).toHaveURL(/\/admin\/webhooks$/);
    await expectHydrated(page);
    // An administrator's navigation, the longest there is, stays on one row at 1366 px: the
    // Webhooks page is reached from the API page, not from a link of its own.
    const links = page.getByRole('navigation', { name: 'Main' }).locator('.nav-group:not(.nav-account) a');
    await expect(links.filter({ hasText: 'API' })).toBeVisible();
    // Measured again until the page has settled (sign-in may still be navigating).
    const rows = async () => {
      try {
        const tops = await links.evaluateAll((all) => all.map((a) => Math.round(a.getBoundingClientRect().top)));
        return new Set(tops).size;
      } catch {
        return -1;
      }
    };
    await expect.poll(rows).toBe(1);
    await expect(page.getByRole('link', { name: 'API key' })).toHaveAttribute('href', '/admin/api');

    // No events chosen: refused, said beside the events.
    await page.getByLabel('Address').fill(receiver.url);
    await page.getByLabel('Description (optional)').fill('Arthur sync');
    await page.getByRole('button', { name: 'Register endpoint' }).click();
    await expect(page.locator('#hook-events-error')).toContainText('Choose at least one event');

    await page.getByRole('checkbox', { name: /task\.status_changed/ }).check();
    await page.getByRole('checkbox', { name: /contractor\.compliance_changed/ }).check();
    await page.getByRole('button', { name: 'Register endpoint' }).click();
    const shown = page.getByTestId('new-hook-secret');
    await expect(shown).toHaveValue(/^whsec_/);
    const secret = await shown.inputValue();

    const endpoint = page.getByTestId('webhook-endpoint').filter({ hasText: receiver.url });
    await expect(endpoint.getByTestId('webhook-status')).toHaveText('Active');
    await expect(endpoint).toContainText('contractor.compliance_changed, task.status_changed');

    // The test event reaches the receiver within seconds, signed with the secret shown once.
    await endpoint.getByRole('button', { name: 'Send test event' }).click();
    await expect.poll(() => receiver.received.length, { timeout: 15_000 }).toBe(1);
    const delivery = receiver.received[0];
    expect(verifies(secret, delivery)).toBe(true);
    const body = JSON.parse(delivery.body);
    expect(body.type).toBe('webhook.test');
    expect(body.id).toBe(delivery.headers['webhook-id']);

    // The delivery log says so.
    const log = endpoint.getByTestId('webhook-deliveries');
    await expect(async () => {
      await endpoint.getByRole('button', { name: 'Refresh' }).click();
      await expect(log.getByRole('row').nth(1)).toContainText('Delivered', { timeout: 1_000 });
    }).toPass({ timeout: 15_000 });
    await expect(log.getByRole('row').nth(1)).toContainText(body.id);
    await expect(log.getByRole('row').nth(1)).toContainText('HTTP 204');

    // Deleting asks first.
    page.once('dialog', (dialog) => {
      expect(dialog.message()).toContain('Nothing more is sent to it');
      return dialog.accept();
    });
    await endpoint.getByRole('button', { name: `Delete the endpoint ${receiver.url}` }).click();
    await expect(endpoint).toHaveCount(0);
  } finally {
    receiver.close();
  }
});
