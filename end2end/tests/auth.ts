import { expect, Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { expectHydrated } from './fixtures';

/** The demo's people (see services/demo.rs). */
export const DEMO_PASSWORD = 'demo-password-2026';
export const ADMIN = { name: 'Alex Morgan', email: 'alex.morgan@harbour-lettings.example' };
export const AGENT = { name: 'Priya Shah', email: 'priya.shah@harbour-lettings.example' };
export const READ_ONLY = { name: 'Sam Reid', email: 'sam.reid@harbour-lettings.example' };
export const OFFICE = { email: 'office@brightspark.example' };

export async function signIn(page: Page, email: string, password = DEMO_PASSWORD, path = '/sign-in') {
  await page.goto(path);
  await expectHydrated(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // Signed in means the page the person was going to has loaded. Without this wait a caller's
  // `toHaveURL(/\/agent\/instruct$/)` matched the sign-in page's own address
  // (`/sign-in?next=/agent/instruct`), its `expectHydrated` the sign-in page, and its next click
  // reached the new page before it was live: flaky in CI.
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
}

/** Asks for a sign-in link from the "Email me a sign-in link" page. */
export async function requestLink(page: Page, email: string) {
  await page.goto('/sign-in/email');
  await expectHydrated(page);
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Email me a link' }).click();
  await expect(page.getByRole('status')).toContainText('If an account uses that address');
}

/** The link in the newest email to `to`, as listed by the development mailbox; with `about`,
 *  the newest whose subject contains it (tests running beside this one email the same people). */
export async function linkFromMailbox(page: Page, to: string, about?: string): Promise<string> {
  await page.goto('/dev/mailbox');
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const subject = about ? `.*${escape(about)}` : '';
  const mail = page.getByRole('article', { name: new RegExp(`^Email to ${escape(to)}: ${subject}`) }).first();
  await expect(mail).toBeVisible();
  return (await mail.getByRole('link').first().getAttribute('href'))!;
}

/** A technician signs in as on their phone: a link by email, opened, then "Continue" to the
 *  Tech view. */
export async function signInTechnician(page: Page, email: string) {
  await requestLink(page, email);
  await page.goto(await linkFromMailbox(page, email));
  await expectHydrated(page);
  await page.getByRole('button', { name: 'Continue' }).tap();
  await expect(page).toHaveURL(/\/tech$/);
}

/** Moves every sign-in link of `email` past its expiry, in the e2e server's SQLite database. */
export function expireLinksOf(email: string) {
  const db = `${process.env.E2E_DATA_DIR}/e2e.db`;
  const script =
    'import sqlite3,sys;c=sqlite3.connect(sys.argv[1]);' +
    "c.execute('UPDATE sign_in_tokens SET expires_at=1 WHERE user_id=(SELECT id FROM users WHERE email=?)',(sys.argv[2],));" +
    'c.commit()';
  execFileSync('python3', ['-c', script, db, email]);
}

/** A second person in Northgate's office, with the demo password, added straight to the e2e
 *  server's SQLite database: someone no other test signs in, for a test that ends all of a
 *  person's sessions. */
export function addNorthgateOfficeUser(email: string, name: string) {
  const db = `${process.env.E2E_DATA_DIR}/e2e.db`;
  const script =
    'import sqlite3,sys;c=sqlite3.connect(sys.argv[1]);' +
    "c.execute('INSERT INTO users (agency_id, kind, role_id, contractor_id, email, name, password_hash, active, created_at) " +
    "SELECT agency_id, kind, role_id, contractor_id, ?, ?, password_hash, 1, created_at FROM users WHERE email = ?'," +
    "(sys.argv[2], sys.argv[3], 'desk@northgate-gas.example'));" +
    'c.commit()';
  execFileSync('python3', ['-c', script, db, email, name]);
}
