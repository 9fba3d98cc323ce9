// The listings upload through the real stack: an administrator uploads a small CSV export with one bad row, sees the
// upload's progress and then the wait for the service's work, reads the report (inserted, updated, unchanged, the rejected row with its
// reason), finds the new listing through search, and uploads the same file again (nothing changes). Files the page
// refuses before sending; English and Arabic, desktop and phone, axe.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertNoSideScroll, DESKTOP, expectAccessible, suiteBrowser, open, PHONE, screenshot } from './helpers.mjs';
import { adminAccount, call, signIn } from './people.mjs';

const browser = suiteBrowser();

/** A word no listing has, letters only, so the parser reads no number or size in it. */
function uniqueWord() {
  return Array.from({ length: 10 }, () => 'bcdfghjklmnpqrstvwxz'[Math.floor(Math.random() * 20)]).join('');
}

function figure(page, name) {
  return page.locator(`[data-figure="${name}"] dd`).innerText();
}

test('an administrator uploads a CSV with a bad row, reads the report, and the new listing is found', async () => {
  const tag = uniqueWord();
  const csv = [
    'ID,Title,Type,Location,Compound,Price (EGP),BUA (m²),Beds',
    `W-${tag}-1,Duplex with roof ${tag},Duplex,Fifth Settlement,Mivida,14500000,240,4`,
    `W-${tag}-2,Garden apartment ${tag},Apartment,Sheikh Zayed,Allegria,6200000,150,3`,
    `W-${tag}-3,Bad size ${tag},Apartment,Maadi,,5000000,zero,2`,
  ].join('\n');
  const file = { name: `export-${tag}.csv`, mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf-8') };

  const { context, page, problems } = await open(browser);
  await signIn(page, adminAccount(), '/admin/listings');
  await page.getByRole('heading', { level: 1, name: 'Upload listings' }).waitFor();
  await expectAccessible(page, 'the upload form');
  await screenshot(page, 'listings-upload-en-desktop');

  await page.getByLabel('Export file (JSON or CSV)').setInputFiles(file);
  assert.equal(await page.getByLabel('Source name').inputValue(), file.name);
  // Every state the progress area goes through, as it renders (it may last only milliseconds on this machine).
  await page.evaluate(() => {
    window.__osoolPhases = [];
    new MutationObserver(() => {
      const area = document.querySelector('.ingest-progress');
      if (!area) return;
      const bar = area.querySelector('progress');
      const seen = `${area.querySelector('label')?.textContent} | ${bar?.hasAttribute('value') ? 'determinate' : 'indeterminate'}`;
      if (window.__osoolPhases.at(-1) !== seen) window.__osoolPhases.push(seen);
    }).observe(document.querySelector('main'), { subtree: true, childList: true, characterData: true, attributes: true });
  });
  await page.getByRole('button', { name: 'Upload' }).click();
  const report = page.locator('section.ingest-report');
  await report.waitFor({ timeout: 120_000 });
  const phases = await page.evaluate(() => window.__osoolPhases);
  assert.match(phases[0], /^Uploading: \d+% \| determinate$/, JSON.stringify(phases));
  assert.equal(phases.at(-1), 'Checking and saving the listings… | indeterminate', JSON.stringify(phases));
  assert.equal(await page.locator('.ingest-progress').count(), 0);
  assert.equal(await figure(page, 'read'), '3');
  assert.equal(await figure(page, 'inserted'), '2');
  assert.equal(await figure(page, 'updated'), '0');
  assert.equal(await figure(page, 'unchanged'), '0');
  assert.equal(await figure(page, 'rejected'), '1');
  const rows = report.locator('table tbody tr');
  assert.equal(await rows.count(), 1);
  const cells = await rows.first().locator('td').allInnerTexts();
  assert.equal(cells[0], '4'); // the spreadsheet's row: the header is row 1
  assert.equal(cells[1], `W-${tag}-3`);
  assert.match(cells[2], /size/);
  assert.equal(await report.locator('th').first().innerText(), 'Row');
  // The report's heading takes the focus, so a screen reader reads it next.
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'report-title');
  await expectAccessible(page, 'the report');
  await screenshot(page, 'listings-upload-report-en-desktop');
  await page.setViewportSize(PHONE);
  await assertNoSideScroll(page);
  await screenshot(page, 'listings-upload-report-en-phone');
  await page.setViewportSize(DESKTOP);

  // Searchable through the search service at once.
  const found = await call('/api/properties/search', { body: { query: `duplex ${tag}` } });
  const listing = found.results.find((result) => result.title === `Duplex with roof ${tag}`);
  assert.ok(listing, `the new listing is not found: ${found.results.map((result) => result.title).join(', ')}`);
  assert.equal(listing.price, 14_500_000);
  await call(`/api/properties/source/W-${tag}-2`);

  // The report in Arabic: the same figures, right to left.
  await page.getByRole('button', { name: /Switch the language to Arabic/ }).click();
  await page.getByRole('heading', { level: 2, name: 'تقرير الرفع' }).waitFor();
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  assert.equal(await figure(page, 'inserted'), '٢');
  assert.equal(await report.locator('th').first().innerText(), 'الصف');
  await expectAccessible(page, 'the report in Arabic');
  await screenshot(page, 'listings-upload-report-ar-desktop');
  await page.setViewportSize(PHONE);
  await assertNoSideScroll(page);
  await screenshot(page, 'listings-upload-report-ar-phone');
  await page.setViewportSize(DESKTOP);
  await page.getByRole('button', { name: /تغيير اللغة إلى الإنجليزية/ }).click();

  // The same file again: nothing new, nothing changed, the bad row still said.
  await page.getByRole('button', { name: 'Upload another file' }).click();
  await page.getByLabel('Export file (JSON or CSV)').setInputFiles(file);
  await page.getByRole('button', { name: 'Upload' }).click();
  await report.waitFor({ timeout: 120_000 });
  assert.deepEqual(
    [await figure(page, 'inserted'), await figure(page, 'updated'), await figure(page, 'unchanged'), await figure(page, 'rejected')],
    ['0', '0', '2', '1'],
  );
  assert.deepEqual(problems, []);
  await context.close();
});

test('the page refuses what the service would: no file, another type, more than the upload limit', async () => {
  const { context, page, problems } = await open(browser, { lang: 'ar' });
  await signIn(page, adminAccount(), '/admin/listings');
  await page.getByRole('heading', { level: 1, name: 'رفع الوحدات' }).waitFor();
  await expectAccessible(page, 'the upload form in Arabic');
  await screenshot(page, 'listings-upload-ar-desktop');
  await page.setViewportSize(PHONE);
  await assertNoSideScroll(page);
  await screenshot(page, 'listings-upload-ar-phone');
  await page.setViewportSize(DESKTOP);
  let sent = 0;
  page.on('request', (request) => {
    if (request.url().includes('/api/properties/ingest')) sent += 1;
  });

  await page.getByRole('button', { name: 'ارفع' }).click();
  await page.getByRole('alert').filter({ hasText: 'اختر ملفًا لرفعه أولًا.' }).waitFor();
  const input = page.getByLabel('ملف الوحدات (JSON أو CSV)');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('type')), 'file');

  await input.setInputFiles({ name: 'listings.xlsx', mimeType: 'application/octet-stream', buffer: Buffer.from('PK') });
  await page.getByRole('button', { name: 'ارفع' }).click();
  await page.getByRole('alert').filter({ hasText: 'اختر ملفًا بامتداد' }).waitFor();

  const big = Buffer.alloc(1024 * 1024 + 10, 'a');
  await input.setInputFiles({ name: 'big.csv', mimeType: 'text/csv', buffer: big });
  await page.getByRole('button', { name: 'ارفع' }).click();
  await page.getByRole('alert').filter({ hasText: 'make ingest' }).waitFor();
  assert.equal(sent, 0, 'a file the page refused was sent');
  assert.deepEqual(problems, []);
  await context.close();
});
