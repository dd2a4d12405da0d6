import { test, expect, expectHydrated } from './fixtures';
import { ADMIN, AGENT, READ_ONLY, signIn, requestLink, linkFromMailbox, expireLinksOf, addNorthgateOfficeUser } from './auth';

test('an agent signs in with a password, lands where they were going, and signs out', async ({ page }) => {
  const response = await page.goto('/agent/contractors');
  expect(page.url()).toMatch(/\/sign-in\?next=\/agent\/contractors$/);
  expect(response?.status()).toBe(200);
  await expectHydrated(page);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill('demo-password-2026');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/agent\/contractors$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Contractors');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: /Alex Morgan/ })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Users' })).toBeVisible();

  await nav.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.goto('/agent');
  await expect(page).toHaveURL(/\/sign-in\?next=\/agent$/);
});

test('a wrong password says so and five of them slow the account down', async ({ page }) => {
  await page.goto('/sign-in');
  await expectHydrated(page);
  await page.getByLabel('Email').fill(READ_ONLY.email);
  const password = page.getByLabel('Password');
  const button = page.getByRole('button', { name: 'Sign in' });
  for (let i = 1; i <= 5; i++) {
    await password.fill(`wrong guess ${i}`);
    await button.click();
    await expect(page.getByRole('alert')).toHaveText(/do not match an account/);
    await expect(button).toBeEnabled();
  }
  // The sixth try waits, even with the right password.
  await password.fill('demo-password-2026');
  await button.click();
  await expect(page.getByRole('alert')).toHaveText(/Too many attempts\. Try again in (2\d|30) seconds\./);
  await expect(page).toHaveURL(/\/sign-in$/);
});

test('an agent without the permission has no Users page', async ({ page }) => {
  await signIn(page, AGENT.email);
  await expect(page).toHaveURL(/\/agent$/);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: /Priya Shah/ })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Users' })).toHaveCount(0);
  await page.goto('/admin/users');
  await expect(page.getByRole('alert').first()).toContainText('Your role does not allow you to manage users');
});

test('a used link and an expired link are refused with a clear page', async ({ page }) => {
  const to = 'desk@northgate-gas.example';
  await requestLink(page, to);
  const link = await linkFromMailbox(page, to);
  await page.goto(link);
  await expect(page).toHaveURL(/\/sign-in\/confirm$/);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/desk$/);

  // The same link again, from the same browser: spent.
  const again = await page.goto(link);
  expect(again?.status()).toBe(410);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('This link cannot be used');
  await expect(page.getByRole('alert')).toContainText('already been used');

  // A fresh link that has passed its expiry.
  await page.getByRole('link', { name: 'Email me a new sign-in link' }).click();
  await expect(page).toHaveURL(/\/sign-in\/email$/);
  // Live first: this test follows the page's own answer (the browser-sent form has its test).
  await expectHydrated(page);
  await page.getByLabel('Email').fill(to);
  await page.getByRole('button', { name: 'Email me a link' }).click();
  await expect(page.getByRole('status')).toContainText('If an account uses that address');
  const fresh = await linkFromMailbox(page, to);
  expect(fresh).not.toBe(link);
  expireLinksOf(to);
  const expired = await page.goto(fresh);
  expect(expired?.status()).toBe(410);
  await expect(page.getByRole('alert')).toContainText('This link has expired');
});

test('an administrator invites a colleague, who chooses a password; then disables them', async ({ page, browser }) => {
  await signIn(page, ADMIN.email);
  await expect(page).toHaveURL(/\/agent$/);
  await page.goto('/admin/users');
  await expectHydrated(page);
  await page.getByLabel('Name').fill('Jo Tester');
  await page.getByLabel('Email').fill('jo.tester@harbour-lettings.example');
  await page.getByLabel('Role', { exact: true }).selectOption({ label: 'Agent' });
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByRole('status')).toHaveText('Invitation sent to jo.tester@harbour-lettings.example.');
  await expect(page.getByRole('cell', { name: 'Jo Tester', exact: true })).toBeVisible();
  // A role is changed as soon as another is chosen, and kept.
  await expectHydrated(page);
  await page.getByLabel('Role of Jo Tester').selectOption({ label: 'Read-only' });
  await expect(page.getByRole('status')).toHaveText("Jo Tester's role is changed.");
  await expect(page.getByLabel('Role of Jo Tester').locator('option:checked')).toHaveText('Read-only');
  await expectHydrated(page);
  await page.getByLabel('Role of Jo Tester').selectOption({ label: 'Agent' });
  await expect(page.getByRole('status')).toHaveText("Jo Tester's role is changed.");
  await expectHydrated(page);

  // Jo, in a browser of their own.
  const jo = await (await browser.newContext()).newPage();
  const link = await linkFromMailbox(jo, 'jo.tester@harbour-lettings.example');
  await jo.goto(link);
  await expect(jo.getByRole('heading', { level: 1 })).toHaveText('Choose your password');
  await expectHydrated(jo);
  await jo.getByLabel('New password', { exact: true }).fill('jo tests the portal');
  await jo.getByLabel('The same password again').fill('jo tests the portal');
  await jo.getByRole('button', { name: 'Save and sign in' }).click();
  await expect(jo).toHaveURL(/\/agent$/);
  await expect(jo.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Jo Tester/ })).toBeVisible();

  // Disabling asks first, then signs Jo out everywhere.
  page.once('dialog', (dialog) => {
    expect(dialog.message()).toContain('Disable Jo Tester?');
    dialog.accept();
  });
  await page.getByRole('button', { name: 'Disable Jo Tester' }).click();
  await expect(page.getByRole('status')).toHaveText('Jo Tester is disabled.');
  await expect(page.getByRole('row', { name: /Jo Tester/ })).toContainText('Disabled');
  await jo.goto('/agent');
  await expect(jo).toHaveURL(/\/sign-in\?next=\/agent$/);
});

test('before the page has loaded, signing in works as a plain form, says when it failed, and opens the page the person was going to', async ({ browser }) => {
  // As when autofill and a quick press beat a slow phone: the browser sends the form itself. (A
  // context of its own: the accessibility check after each page needs scripts.)
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/sign-in?next=/agent/tasks');
  await page.getByLabel('Email').fill('nobody@harbour-lettings.example');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/sign-in\?failed=1&next=%2Fagent%2Ftasks$/);
  await expect(page.getByRole('alert')).toContainText('Signing in did not work');
  await page.getByLabel('Email').fill(AGENT.email);
  await page.getByLabel('Password').fill('demo-password-2026');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/agent\/tasks$/);
  // Signed in: the page itself is served (its header fills in once the client loads).
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Tasks');
  await context.close();
});

test('before the page has loaded, asking for a link, confirming it and choosing a new password work as plain forms', async ({ browser }) => {
  // People of their own: each address may ask for three links an hour, and the answer to the
  // fourth is part of what is checked here.
  const linked = 'lee.hart@northgate-gas.example';
  const resetting = 'ana.costa@northgate-gas.example';
  addNorthgateOfficeUser(linked, 'Lee Hart');
  addNorthgateOfficeUser(resetting, 'Ana Costa');
  // The browser sends every form itself, as when a tap beats a slow phone's client. (A context
  // of its own: the accessibility check after each page needs scripts.)
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const askForLink = async (path: string, email: string, button: string) => {
    await page.goto(path);
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: button }).click();
  };

  // Back on the form's page with the answer (it used to land on the start page with no word).
  await askForLink('/sign-in/email', linked, 'Email me a link');
  await expect(page).toHaveURL(/\/sign-in\/email\?sent=1$/);
  await expect(page.getByRole('status')).toContainText('If an account uses that address, an email with a link is on its way');
  await askForLink('/sign-in/email', linked, 'Email me a link');
  await askForLink('/sign-in/email', linked, 'Email me a link');
  await askForLink('/sign-in/email', linked, 'Email me a link');
  await expect(page).toHaveURL(/\/sign-in\/email\?sent=earlier&ago=\d+&wait=\d+$/);
  await expect(page.getByRole('status')).toContainText('a link was sent to it less than a minute ago');
  await expect(page.getByRole('status')).toContainText(/You can ask for another in \d+ minutes?\./);
  await expect(page.getByRole('alert')).toHaveCount(0);

  // The emailed link's "Continue" signs in and opens the person's home.
  await page.goto(await linkFromMailbox(page, linked));
  await expect(page).toHaveURL(/\/sign-in\/confirm$/);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/desk$/);

  // Forgotten password: the reset link, two different passwords (sent back, saying so), then
  // the same one twice.
  await askForLink('/forgot-password', resetting, 'Email me a reset link');
  await expect(page).toHaveURL(/\/forgot-password\?sent=1$/);
  await expect(page.getByRole('status')).toContainText('If an account uses that address');
  await page.goto(await linkFromMailbox(page, resetting, 'Choose a new password'));
  await expect(page).toHaveURL(/\/reset-password$/);
  await page.getByLabel('New password', { exact: true }).fill('ana keeps the boilers');
  await page.getByLabel('The same password again').fill('ana keeps the boiler');
  await page.getByRole('button', { name: 'Save and sign in' }).click();
  await expect(page).toHaveURL(/\/reset-password\?failed=1$/);
  await expect(page.getByRole('alert')).toContainText('The password was not saved');
  await page.getByLabel('New password', { exact: true }).fill('ana keeps the boilers');
  await page.getByLabel('The same password again').fill('ana keeps the boilers');
  await page.getByRole('button', { name: 'Save and sign in' }).click();
  await expect(page).toHaveURL(/\/desk$/);
  await context.close();

  // A made-up answer in the address puts nothing on the page.
  const other = await browser.newContext({ javaScriptEnabled: false });
  const stranger = await other.newPage();
  await stranger.goto('/sign-in/email?sent=Call%200800%20000%20000');
  await expect(stranger.getByRole('status')).toHaveCount(0);
  await expect(stranger.locator('body')).not.toContainText('0800');
  await other.close();
});

test('signing out everywhere from the account page ends every session of the person, after asking', async ({ page, browser }) => {
  // Someone no other test signs in, so ending their sessions ends no other test's.
  const email = 'kim.evans@northgate-gas.example';
  addNorthgateOfficeUser(email, 'Kim Evans');
  await signIn(page, email);
  const other = await browser.newContext({ baseURL: test.info().project.use.baseURL });
  const laptop = await other.newPage();
  await signIn(laptop, email);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Kim Evans/ }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your account');
  await page.goto('/account');
  await expectHydrated(page);
  await expect(page.locator('dl.details')).toContainText(email);

  // Dismissed, nothing ends.
  page.once('dialog', (dialog) => dialog.dismiss());
  await page.getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await laptop.goto('/desk');
  await expect(laptop).toHaveURL(/\/desk$/);

  page.once('dialog', (dialog) => {
    expect(dialog.message()).toContain('every device');
    return dialog.accept();
  });
  await page.getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await laptop.goto('/desk');
  await expect(laptop).toHaveURL(/\/sign-in\?next=\/desk$/);
  await other.close();
});
