import { test, expect, devices, Browser, Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { requestLink, linkFromMailbox, signIn, AGENT, OFFICE } from '../tests/auth';
import { clientWeight, kb, TECH_TASK_BUDGET } from '../tests/weight';

/** The goals: the suite holds a ceiling (TECH_TASK_BUDGET) on the way down to these. */
const TECH_TASK_GOAL = 200 * 1024;

const TECH = 'tom.baker@brightspark.example';
const PAGE_GOAL = 300 * 1024;

type Row = { page: string; first: number; repeat: number; files: number };

/** A signed-in browser context that has never loaded the client, and the cookie it got. */
async function cold(browser: Browser, signedIn: Page) {
  const context = await browser.newContext({
    ...devices['Pixel 7'],
    baseURL: test.info().project.use.baseURL,
    storageState: await signedIn.context().storageState(),
  });
  return context.newPage();
}

async function weigh(browser: Browser, signedIn: Page, label: string, path: string, rows: Row[]) {
  const page = await cold(browser, signedIn);
  const first = await clientWeight(page, path);
  const repeat = await clientWeight(page, path);
  rows.push({ page: label, first: first.js + first.wasm, repeat: repeat.js + repeat.wasm, files: first.files });
  await page.context().close();
}

/** The server's own CPU time in ms (utime + stime from /proc), found by its listening port. */
function serverCpuMs(port: number): number {
  const ss = execFileSync('ss', ['-ltnpH', `sport = :${port}`]).toString();
  const pid = /pid=(\d+)/.exec(ss)![1];
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

function fetchRaw(url: string, encoding: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { 'accept-encoding': encoding } }, (res) => {
        let bytes = 0;
        res.on('data', (chunk) => (bytes += chunk.length));
        res.on('end', () => resolve(bytes));
      })
      .on('error', reject);
  });
}

test('client weight per page, first and repeat visit, and the server CPU per asset', async ({ page, browser }) => {
  test.setTimeout(300_000);
  const rows: Row[] = [];
  await page.goto('/sign-in');
  await weigh(browser, page, 'Sign-in', '/sign-in', rows);

  await requestLink(page, TECH);
  await page.goto(await linkFromMailbox(page, TECH));
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/tech$/);
  const techTask = (await page.locator('a[href^="/tech/tasks/"]').first().getAttribute('href'))!;
  await weigh(browser, page, 'Tech task list', '/tech', rows);
  await weigh(browser, page, 'Tech task', techTask, rows);

  await page.context().clearCookies();
  await signIn(page, OFFICE.email);
  await expect(page).toHaveURL(/\/desk$/);
  const deskTask = (await page.locator('a[href^="/desk/tasks/"]').first().getAttribute('href'))!;
  await weigh(browser, page, 'Desk dashboard', '/desk', rows);
  await weigh(browser, page, 'Desk task', deskTask, rows);

  await page.context().clearCookies();
  await signIn(page, AGENT.email);
  await expect(page).toHaveURL(/\/agent$/);
  await weigh(browser, page, 'Agent dashboard', '/agent', rows);
  await weigh(browser, page, 'Compliance matrix', '/agent/certification', rows);
  await weigh(browser, page, 'Import', '/agent/import', rows);

  console.log(`\nThe suite's ceiling for the Tech task page: ${kb(TECH_TASK_BUDGET)}.`);
  console.log('| page | first visit JS + WASM | repeat visit | files | goal |');
  console.log('|---|---:|---:|---:|---|');
  for (const r of rows) {
    const budget = r.page === 'Tech task' ? TECH_TASK_GOAL : PAGE_GOAL;
    const verdict = r.first <= budget ? 'PASS' : 'MISS';
    console.log(`| ${r.page} | ${kb(r.first)} | ${kb(r.repeat)} | ${r.files} | ${verdict} (${kb(budget)}) |`);
  }

  // What each asset request costs the server: the client's files, fetched as a browser asks.
  const base = test.info().project.use.baseURL!;
  const port = Number(new URL(base).port);
  const html = await (await page.request.get('/sign-in')).text();
  const assets = [...new Set([...html.matchAll(/\/pkg\/[^"']+\.(?:js|wasm|css)/g)].map((m) => m[0]))];
  const REQUESTS = 300;
  console.log('\n| asset | encoding | bytes sent | server CPU per request |');
  console.log('|---|---|---:|---:|');
  for (const asset of assets) {
    for (const encoding of ['br', 'gzip']) {
      const before = serverCpuMs(port);
      let bytes = 0;
      for (let i = 0; i < REQUESTS; i++) bytes = await fetchRaw(`${base}${asset}`, encoding);
      const perRequest = (serverCpuMs(port) - before) / REQUESTS;
      console.log(`| ${asset} | ${encoding} | ${bytes} | ${perRequest.toFixed(3)} ms |`);
    }
  }
});
