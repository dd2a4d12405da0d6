import { test, expect, expectHydrated, expectAccessible } from './fixtures';
import { AGENT, OFFICE, linkFromMailbox, signIn } from './auth';

const NORTHGATE_OFFICE = 'desk@northgate-gas.example';

/** The contractor's own quote, as its office would send it: a PDF the browser prints. */
async function quotePdf(browser: import('@playwright/test').Browser, amount: string) {
  const maker = await browser.newPage();
  await maker.setContent(`<html><body style="font-family: sans-serif">
    <h1>Brightspark Electrical Ltd — Quotation</h1>
    <p>Rewire kitchen ring main, replace scorched sockets.</p>
    <p>Total: ${amount} including VAT</p>
  </body></html>`);
  const buffer = await maker.pdf({ format: 'A4' });
  await maker.close();
  return { name: 'brightspark-quote.pdf', mimeType: 'application/pdf', buffer };
}

test('an agent asks two contractors for quotes, one quotes and one declines, and accepting the quote instructs the works', async ({ page, browser }) => {
  const title = `Rewire the kitchen ${Date.now() % 100000}`;
  await signIn(page, AGENT.email, undefined, '/sign-in?next=/agent/quotes');
  await expect(page).toHaveURL(/\/agent\/quotes$/);
  await expectHydrated(page);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Quotes' })).toHaveAttribute('aria-current', 'page');
  await page.getByRole('link', { name: 'Request quotes' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Request quotes');

  // Nothing chosen: the server says so beside the contractors.
  await page.getByLabel('What needs pricing').fill(title);
  await page.getByLabel('Description').fill('Sockets scorched behind the cooker.');
  await page.getByRole('button', { name: 'Send requests' }).click();
  await expect(page.locator('#quote-contractors-error')).toContainText('Choose at least one contractor');

  // A red contractor is judged as soon as it is ticked, before anything is sent.
  const contractors = page.getByRole('group', { name: 'Contractors to ask' });
  await contractors.getByLabel(/Clearflow Plumbing/).check();
  const verdict = page.getByTestId('quote-verdict');
  await expect(verdict).toContainText('Clearflow Plumbing');
  await expect(verdict).toContainText('Not compliant for this work');
  await expectAccessible(page);
  // Priya may not override: sending anyway is refused, and nothing goes out.
  await page.getByRole('button', { name: 'Send requests' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Nothing was sent' })).toContainText('Clearflow Plumbing');
  await expect(page.getByLabel('Reason for overriding the compliance block')).toHaveCount(0);
  await contractors.getByLabel(/Clearflow Plumbing/).uncheck();
  await expect(verdict).not.toContainText('Clearflow');
  await contractors.getByLabel(/Brightspark Electrical Ltd/).check();
  await contractors.getByLabel(/Northgate Gas & Heating/).check();
  await page.getByRole('button', { name: 'Send requests' }).click();
  await expect(page).toHaveURL(/\/agent\/quotes\/\d+\?sent=1$/);
  await expectHydrated(page);
  await expect(page.getByRole('status').filter({ hasText: 'Requests sent' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(title);
  const quotes = page.getByTestId('quotes');
  await expect(quotes.getByRole('row', { name: /Brightspark/ })).toContainText('Waiting for a quote');
  await expect(quotes.getByRole('row', { name: /Northgate/ })).toContainText('Waiting for a quote');
  await expectAccessible(page);

  // Brightspark's office gets the email, and answers from the Desk view.
  const office = await (await browser.newContext()).newPage();
  const link = await linkFromMailbox(office, OFFICE.email, title);
  expect(link).toMatch(/\/desk\/quotes$/);
  await signIn(office, OFFICE.email, undefined, '/sign-in?next=/desk/quotes');
  await expect(office).toHaveURL(/\/desk\/quotes$/);
  await expectHydrated(office);
  await expect(office.getByTestId('quote-badge')).toBeVisible();
  const card = office.getByRole('listitem').filter({ has: office.getByRole('heading', { name: title }) });
  await expect(card).toContainText('Waiting for a quote');
  await expectAccessible(office);
  const form = card.getByRole('form', { name: 'Send your quote' });
  await form.getByLabel('Amount (£, including VAT)').fill('about a grand');
  await form.getByRole('button', { name: 'Send quote' }).click();
  await expect(card.locator('.field-error')).toContainText('Write the amount in pounds');
  await form.getByLabel('Amount (£, including VAT)').fill('1,250.50');
  await form.getByLabel('Note (optional)').fill('Two days, parts included.');
  await form.getByLabel(/^Document/).setInputFiles(await quotePdf(browser, '£1,250.50'));
  await form.getByRole('button', { name: 'Send quote' }).click();
  await expect(card).toContainText('Your quote: £1,250.50 with brightspark-quote.pdf');
  await expect(card.getByRole('form', { name: 'Revise your quote' })).toBeVisible();

  // Northgate's office declines, after confirming.
  const northgate = await (await browser.newContext()).newPage();
  await signIn(northgate, NORTHGATE_OFFICE, undefined, '/sign-in?next=/desk/quotes');
  await expect(northgate).toHaveURL(/\/desk\/quotes$/);
  await expectHydrated(northgate);
  const theirs = northgate.getByRole('listitem').filter({ has: northgate.getByRole('heading', { name: title }) });
  northgate.once('dialog', (dialog) => dialog.accept());
  await theirs.getByRole('button', { name: 'Decline' }).click();
  await expect(theirs).toContainText('Declined');

  // The agent's comparison updates live: the quote, its document, the lowest marked.
  const brightspark = quotes.getByRole('row', { name: /Brightspark/ });
  await expect(brightspark).toContainText('£1,250.50');
  await expect(brightspark).toContainText('Lowest');
  await expect(brightspark.getByRole('link', { name: 'brightspark-quote.pdf' })).toBeVisible();
  await expect(quotes.getByRole('row', { name: /Northgate/ })).toContainText('Declined');
  await expect(quotes.getByRole('row', { name: /Northgate/ }).getByRole('button')).toHaveCount(0);
  // The document opens as the contractor sent it.
  const download = await page.request.get((await brightspark.getByRole('link', { name: 'brightspark-quote.pdf' }).getAttribute('href'))!);
  expect(download.status()).toBe(200);
  expect((await download.body()).subarray(0, 4).toString()).toBe('%PDF');

  // Accepting asks first; dismissing changes nothing.
  page.once('dialog', (dialog) => dialog.dismiss());
  await brightspark.getByRole('button', { name: "Accept Brightspark Electrical Ltd's quote" }).click();
  await expect(page).toHaveURL(/\/agent\/quotes\/\d+/);
  page.once('dialog', (dialog) => {
    expect(dialog.message()).toContain('£1,250.50');
    dialog.accept();
  });
  await brightspark.getByRole('button', { name: "Accept Brightspark Electrical Ltd's quote" }).click();
  await expect(page).toHaveURL(/\/agent\/tasks\/\d+$/);
  await expectHydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  await expect(page.getByTestId('task-status')).toHaveText('Assigned');
  await expect(page.getByRole('link', { name: 'brightspark-quote.pdf' })).toBeVisible();

  // The office's card now leads to its new task; the request is closed for answers.
  await office.reload();
  await expectHydrated(office);
  await expect(card).toContainText('Accepted');
  await expect(card.getByRole('form')).toHaveCount(0);
  await card.getByRole('link', { name: 'Open the task' }).click();
  await expect(office.getByRole('heading', { level: 1 })).toHaveText(title);

  // The list shows the request as accepted.
  await page.goto('/agent/quotes');
  await expect(page.getByTestId('quote-requests').getByRole('row', { name: new RegExp(title) })).toContainText('Accepted');
});
