import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { requestLink, linkFromMailbox } from '../tests/auth';

const TECH = 'tom.baker@brightspark.example';
const OPEN_TASKS = 20;

/** Gives the technician `count` open, unarchived tasks in the e2e server's SQLite database:
 *  copies of one of their open tasks, accepted, each with its own reference. Answers the copies'
 *  ids. */
function giveOpenTasks(email: string, count: number): number[] {
  const db = `${process.env.E2E_DATA_DIR}/e2e.db`;
  const script = `
import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); c.row_factory = sqlite3.Row
me = c.execute('SELECT id FROM users WHERE email = ?', (sys.argv[2],)).fetchone()['id']
open_ids = [r['id'] for r in c.execute("""SELECT t.id FROM tasks t JOIN task_technicians tt ON tt.task_id = t.id
  WHERE tt.technician_id = ? AND t.archived_at IS NULL AND t.status IN ('accepted', 'in_progress', 'revisit')""", (me,))]
model = dict(c.execute('SELECT * FROM tasks WHERE id = ?', (open_ids[0],)).fetchone())
for n in range(int(sys.argv[3]) - len(open_ids)):
    row = dict(model); del row['id']; row['reference'] = f"T-OFF{n:03d}"; row['title'] = f"{model['title']} ({n + 2})"
    row['status'] = 'accepted'
    cur = c.execute(f"INSERT INTO tasks ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})", list(row.values()))
    c.execute('INSERT INTO task_technicians (task_id, technician_id) VALUES (?, ?)', (cur.lastrowid, me))
    print(cur.lastrowid)
c.commit()`;
  return execFileSync('python3', ['-c', script, db, email, String(count)])
    .toString()
    .split('\n')
    .filter(Boolean)
    .map(Number);
}

const QUEUED = 10;

// Issue 24's figures: what the Tech view keeps on a technician's phone for use without signal
// when they have 20 open tasks, and how long saving it takes after the list is live.
test('Tech view without signal: what is saved for 20 open tasks, how long saving takes, and reconnect to synced', async ({ page, context }) => {
  const copies = giveOpenTasks(TECH, OPEN_TASKS);
  await requestLink(page, TECH);
  await page.goto(await linkFromMailbox(page, TECH));
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/tech$/);

  // A cold phone: the first visit registers the worker; timed from the list being live.
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  const started = Date.now();
  const saved = page.locator('.offline-saved');
  await expect(saved).toHaveText(/for use without signal: \d+ tasks\./, { timeout: 60_000 });
  const first = Date.now() - started;
  const listed = Number((await saved.textContent())!.match(/(\d+) tasks\./)![1]);

  const kept = await page.evaluate(async () => {
    const sizes: Record<string, { entries: number; bytes: number }> = {};
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      let bytes = 0;
      const requests = await cache.keys();
      for (const request of requests) bytes += (await (await cache.match(request))!.arrayBuffer()).byteLength;
      sizes[name] = { entries: requests.length, bytes };
    }
    return sizes;
  });
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  console.log(`Tech view saved for use without signal, ${listed} tasks on the list (${OPEN_TASKS} open):`);
  for (const [name, { entries, bytes }] of Object.entries(kept)) {
    console.log(`  ${name}: ${entries} entries, ${kb(bytes)} (uncompressed, as stored)`);
  }
  const total = Object.values(kept).reduce((sum, c) => sum + c.bytes, 0);
  console.log(`  in all: ${kb(total)}; saving took ${first} ms after the list was live (first visit, no throttling)`);
  expect(listed).toBeGreaterThanOrEqual(OPEN_TASKS);
  expect(kept['certidesk-tech-pages'].entries).toBe(listed + 1);

  // Without signal, "I'm on site" on ten tasks, as the page's forms send it (the worker queues
  // each); then signal again, timed until the list says everything is synced.
  await context.setOffline(true);
  const ids = copies.slice(0, QUEUED);
  const answers = await page.evaluate(async (ids) => {
    const statuses = [];
    for (const id of ids) {
      const response = await fetch('/rpc/tasks/act', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: `task_id=${id}&action=OnSite`,
      });
      statuses.push(response.status);
    }
    return statuses;
  }, ids);
  expect(answers).toEqual(ids.map(() => 202));
  const status = page.locator('.tech-sync-status');
  await expect(status).toHaveText(`Offline — ${QUEUED} changes waiting`);
  const reconnected = Date.now();
  await context.setOffline(false);
  await expect(status).toHaveText(/^Synced \d{2}:\d{2}$/, { timeout: 60_000 });
  const synced = Date.now() - reconnected;
  await expect(page.getByTestId('queued-change').filter({ hasText: /· sent \d{2}:\d{2}$/ })).toHaveCount(QUEUED);
  console.log(`  reconnect to synced: ${QUEUED} changes queued without signal, all sent ${synced} ms after the connection came back`);
});
