import { test, expect, expectHydrated } from './fixtures';
import { AGENT, signIn } from './auth';
import { readFileSync } from 'node:fs';
import { fillTemplate } from './xlsx';

// Greenleaf Grounds: no other test looks at its Working at height certificate.
test('an agent downloads the template, previews a file with good and bad rows, imports, and sees the matrix', async ({ page }) => {
  await signIn(page, AGENT.email, undefined, '/sign-in?next=/agent/certification');
  await expect(page).toHaveURL(/\/agent\/certification$/);
  await expectHydrated(page);
  await page.getByRole('link', { name: 'Import from a spreadsheet' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Import certification');
  await expectHydrated(page);

  const [template] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Excel template (.xlsx, with drop-down lists)' }).click(),
  ]);
  expect(template.suggestedFilename()).toBe('certification-import-template.xlsx');
  expect(readFileSync(await template.path()).subarray(0, 2).toString()).toBe('PK');
  const [csvTemplate] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'CSV template' }).click(),
  ]);
  const header = readFileSync(await csvTemplate.path(), 'utf8').replace(/^\uFEFF/, '').split('\r\n')[0];
  expect(header).toBe('ContractorUserTypeID,ExternalContractorRef,ContractorCompanyName,ContractorCertificateName,StartDate,EndDate,ContractorCertificateReminder,ContractorCertificateReminderRelatesTo,ContractorCertificateValid,ContractorCertificateCover,ContractorKindsOfWork');

  const [exported] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Export contractors as import CSV' }).click(),
  ]);
  const greenleaf = readFileSync(await exported.path(), 'utf8').split('\r\n').find((l) => l.includes('Greenleaf Grounds'))!;
  const [id, ref, company] = greenleaf.split(',');

  const file = [
    header,
    `${id},${ref},${company},Working at height,01/01/2026,31/12/2099,Month1,EndDate,Yes`,
    `${id},${ref},${company},DBS check,01/01/2026,31/12/2099,Month4,EndDate,Yes`,
  ].join('\r\n');
  await page.getByLabel('Spreadsheet (.csv or .xlsx)').setInputFiles({ name: 'certification.csv', mimeType: 'text/csv', buffer: Buffer.from(file) });
  await page.getByRole('button', { name: 'Check the rows' }).click();
  await expect(page.locator('.import-summary')).toHaveText('2 rows: 1 to create, 0 to update, 0 already recorded, 0 repeated, 1 with errors. Nothing has changed yet.');
  const rows = page.getByRole('table', { name: 'Rows of the file' });
  await expect(rows.getByRole('row', { name: /DBS check/ })).toContainText('ContractorCertificateReminder: "Month4" is too far ahead: reminders go up to Month3');
  await expect(rows.getByRole('row', { name: /Working at height/ })).toContainText('Will create');

  const [report] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download the error report' }).click(),
  ]);
  expect(report.suggestedFilename()).toBe('certification-import-errors.csv');
  expect(readFileSync(await report.path(), 'utf8')).toContain('Month4');

  await page.getByRole('button', { name: 'Import 1 certificate' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Imported' })).toHaveText('Imported 1 certificate. 1 row was left out (1 with errors).');

  await page.goto('/agent/certification?name=greenleaf');
  await expect(page.getByRole('link', { name: 'Greenleaf Grounds, Working at height: Valid' })).toBeVisible();
});

// Greenleaf Grounds' Legionella risk assessment: no other test looks at it.
test('an agent fills in the downloaded Excel template itself and imports it; dates show as read', async ({ page }, testInfo) => {
  await signIn(page, AGENT.email, undefined, '/sign-in?next=/agent/import');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Import certification');
  await expectHydrated(page);
  const [exported] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Export contractors as import CSV' }).click(),
  ]);
  const greenleaf = readFileSync(await exported.path(), 'utf8').split('\r\n').find((l) => l.includes('Greenleaf Grounds'))!;
  const [id, ref, company] = greenleaf.split(',');
  const [template] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Excel template (.xlsx, with drop-down lists)' }).click(),
  ]);
  const filled = testInfo.outputPath('filled-template.xlsx');
  fillTemplate(await template.path(), filled, [
    [id, ref, company, 'Legionella risk assessment', '04/02/2026', '31/12/2099', 'Month2', 'EndDate', 'Yes'],
  ]);
  await page.getByLabel('Spreadsheet (.csv or .xlsx)').setInputFiles(filled);
  await page.getByRole('button', { name: 'Check the rows' }).click();
  await expect(page.locator('.import-summary')).toContainText('0 with errors');
  const row = page.getByRole('table', { name: 'Rows of the file' }).getByRole('row', { name: /Legionella/ });
  // 04/02/2026 is read the agency's way, and shown so that nobody can misread it.
  await expect(row).toContainText('4 Feb 2026');
  await expect(row).toContainText('31 Dec 2099');
  await page.getByRole('button', { name: 'Import 1 certificate' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Imported' })).toContainText('Imported 1 certificate');

  // The same file saved by a spreadsheet set to US dates is refused whole, with the reason.
  const us = testInfo.outputPath('us-dates.xlsx');
  fillTemplate(await template.path(), us, [
    [id, ref, company, 'Legionella risk assessment', '04/02/2026', '03/31/2027', 'Month2', 'EndDate', 'Yes'],
  ]);
  await page.getByLabel('Spreadsheet (.csv or .xlsx)').setInputFiles(us);
  await page.getByRole('button', { name: 'Check the rows' }).click();
  await expect(page.locator('#import-file-error')).toContainText('look like MM/DD/YYYY');
});
