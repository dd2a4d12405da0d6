import { defineConfig, devices } from '@playwright/test';
import path from 'node:path';
import os from 'node:os';

// The test script passes a free port and the built server; these defaults let
// `npx playwright test` run on its own after `cargo leptos build --release`.
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
const root = path.resolve(__dirname, '..');
const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(root, 'target');
const serverBin = process.env.E2E_SERVER_BIN ?? path.join(targetDir, 'release', 'certidesk');
const dataDir = process.env.E2E_DATA_DIR ?? path.join(os.tmpdir(), `certidesk-e2e-${port}`);
// Tests that move the server's clock forward (link expiry) edit its database directly.
process.env.E2E_DATA_DIR = dataDir;

export default defineConfig({
  testDir: './tests',
  fullyParallel: true,
  workers: 2,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 5_000 },
  reporter: [['list'], ['json', { outputFile: 'test-results/results.json' }]],
  use: {
    baseURL,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  projects: [
    { name: 'desktop', use: { ...devices['Desktop Chrome'] }, testIgnore: /\.phone\.spec\.ts$/ },
    { name: 'phone', use: { ...devices['Pixel 7'] }, testMatch: /\.phone\.spec\.ts$/ },
  ],
  webServer: {
    // A fresh database for every run: the folder is emptied first.
    command: `rm -rf '${dataDir}' && mkdir -p '${dataDir}' && exec '${serverBin}' serve`,
    url: `${baseURL}/readyz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      DATABASE_URL: `sqlite://${dataDir}/e2e.db`,
      DATA_DIR: dataDir,
      DEMO_MODE: 'true',
      LISTEN_ADDR: `127.0.0.1:${port}`,
      PUBLIC_URL: baseURL,
      SITE_ROOT: process.env.E2E_SITE_ROOT ?? path.join(root, 'target', 'site'),
      RUST_LOG: 'warn',
      // The webhook test's receiver listens on this machine.
      WEBHOOKS_ALLOW_INTERNAL: '1',
    },
  },
});
