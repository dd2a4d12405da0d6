import { defineConfig, devices } from '@playwright/test';
import base from './playwright.config';

// Browser budgets (bench/browser.sh): the same server set-up as the suite, one worker,
// so nothing else competes for the CPU while a page is measured.
export default defineConfig({
  ...base,
  testDir: './perf',
  workers: 1,
  fullyParallel: false,
  timeout: 120_000,
  reporter: [['list']],
  projects: [
    { name: 'desktop', use: { ...devices['Desktop Chrome'] }, testMatch: /agent\.perf\.spec\.ts$/ },
    { name: 'phone', use: { ...devices['Pixel 7'] }, testMatch: /tech\.perf\.spec\.ts$/ },
    // bench/client.sh: what each page downloads of the client.
    { name: 'weight', use: { ...devices['Pixel 7'] }, testMatch: /client\.perf\.spec\.ts$/ },
    // bench/offline.sh: what the Tech view keeps on a phone for use without signal.
    { name: 'offline', use: { ...devices['Pixel 7'] }, testMatch: /offline\.perf\.spec\.ts$/ },
  ],
});
