import { test, expect, expectAccessible, expectHydrated, expectNothingWiderThanTheScreen } from './fixtures';
import { signInTechnician } from './auth';

test("a technician puts their tasks in their phone's calendar, and stopping the address ends it", async ({ page, playwright, baseURL }) => {
  await page.setViewportSize({ width: 360, height: 780 });
  // Not Tom: the other phone tests sign him in by emailed link at the same time, and each takes
  // the newest link in his mailbox.
  const email = 'nina.kowalski@northgate-gas.example';
  await signInTechnician(page, email);

  await page.goto('/calendar');
  await expectHydrated(page);
  await expect(page.getByTestId('calendar-status')).toHaveText('You have no calendar address.');
  await page.getByRole('button', { name: 'Make my calendar address' }).tap();
  const shown = page.getByTestId('calendar-url');
  await expect(shown).toHaveValue(/\/calendar\/cal_[A-Za-z0-9_-]{43}\.ics$/);
  const address = await shown.inputValue();
  await expect(page.getByRole('link', { name: 'Add to my calendar' })).toHaveAttribute('href', /^webcal:\/\//);
  await expectNothingWiderThanTheScreen(page, 'Calendar');
  await expectAccessible(page);

  // The calendar app: no cookies. Demo data books T-01011 for Nina.
  const calendarApp = await playwright.request.newContext({ baseURL });
  const feed = await calendarApp.get(address);
  expect(feed.status()).toBe(200);
  expect(feed.headers()['content-type']).toBe('text/calendar; charset=utf-8');
  const text = await feed.text();
  expect(text).toContain('BEGIN:VCALENDAR');
  expect(text).toContain('SUMMARY:T-01011 ');
  expect(text).toContain('/tech/tasks/');

  // Stopping asks first, then the address answers nothing.
  page.once('dialog', (dialog) => {
    expect(dialog.message()).toContain('stop updating');
    return dialog.accept();
  });
  await page.getByRole('button', { name: 'Stop my address' }).tap();
  await expect(page.getByTestId('calendar-status')).toHaveText('You have no calendar address.');
  await expect(shown).toHaveCount(0);
  expect((await calendarApp.get(address)).status()).toBe(404);
  await calendarApp.dispose();
});
