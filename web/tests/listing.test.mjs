// The listing page against the test stack: every field of a listing as the search service has it, its comparables and
// the market of its area, in English and Arabic; the chain record of a listing reserved through the agent (its
// transactions, and its record hash verified on chain), a document file checked against the hash an administrator
// registered, a listing that does not exist, and the way there from a chat card with the keyboard alone.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import {
  assertNoSideScroll,
  BASE,
  chat,
  DESKTOP,
  expectAccessible,
  suiteBrowser,
  open,
  PHONE,
  screenshot,
  tabTo,
  verifiedAccount,
} from './helpers.mjs';

const browser = suiteBrowser();

async function json(path, init = {}) {
  const response = await fetch(`${BASE}${path}`, init);
  assert.ok(response.ok, `${path}: ${response.status} ${await response.clone().text()}`);
  return response.json();
}

const egp = (value) => `EGP\\s?${Math.round(value).toLocaleString('en-US')}`;

/** The first listing of a query that was never registered on chain (a stack may be reused across runs by hand). */
async function unregistered(query) {
  for (const listing of (await json(`/api/properties?${query}&limit=50`)).results) {
    if ((await fetch(`${BASE}/api/chain/listings/${listing.id}`)).status === 404) return listing;
  }
  assert.fail(`every listing of ${query} is on chain already`);
}

/** Polls the registry until the listing's record satisfies `ready` (the chain confirms within seconds here). */
async function chainRecord(id, ready) {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const response = await fetch(`${BASE}/api/chain/listings/${id}`);
    if (response.ok) {
      const record = await response.json();
      if (ready(record)) return record;
    }
    assert.ok(Date.now() < deadline, `listing ${id} never reached the state wanted on chain`);
    await new Promise((done) => setTimeout(done, 500));
  }
}

test('a listing shows every field, its comparables and its market, in English and in Arabic', async () => {
  // A listing that names features, so that they show too, and whose plan asks a down payment.
  const listing = (
    await json('/api/properties?location=New%20Cairo&type=Apartment&feature=balcony&is_cash_only=false&limit=20')
  ).results.find((candidate) => candidate.down_payment_pct > 0);
  assert.ok(listing, 'no New Cairo apartment with a balcony and a down payment in the demo listings');
  const { context, page, problems } = await open(browser);
  await page.goto(`/listings/${listing.id}`);
  await page.getByRole('heading', { level: 1, name: listing.title }).waitFor();
  const article = page.locator('article.listing-page');
  const head = await article.locator('.listing-page-head').innerText();
  assert.match(head, new RegExp(egp(listing.price)));
  assert.match(head, new RegExp(`${egp(listing.price_per_sqm)} per m²`));

  const details = page.getByRole('region', { name: 'The listing' });
  const fact = async (name) => {
    const pair = details.locator('div').filter({ has: page.getByText(name, { exact: true }) });
    return (await pair.locator('dd').first().innerText()).trim();
  };
  assert.equal(await fact('Type'), 'Apartment');
  assert.equal(await fact('Area'), 'New Cairo');
  assert.equal(await fact('Size'), `${listing.size_sqm.toLocaleString('en-US')} m²`);
  assert.equal(await fact('Bedrooms'), listing.bedrooms === null ? 'Not stated' : String(listing.bedrooms));
  assert.equal(await fact('Bathrooms'), listing.bathrooms === null ? 'Not stated' : String(listing.bathrooms));
  assert.equal(await fact('Compound'), listing.compound ?? 'Not stated');
  assert.equal(await fact('Sale'), listing.sale_type === 'resale' ? 'Resale' : 'From the developer');
  assert.equal(await fact('Cash only'), listing.is_cash_only ? 'Yes' : 'No');
  // The down payment's share, and the pounds it comes to (the search service's figure: the price times the share).
  assert.equal(listing.down_payment, Math.round((listing.price * listing.down_payment_pct) / 100));
  const downPayment = new RegExp(`^${listing.down_payment_pct}% \\(${egp(listing.down_payment)}\\)$`);
  assert.match(await fact('Down payment'), downPayment);
  assert.equal(await fact('Osool listing id'), listing.id);
  assert.equal(await fact('Id in the source export'), listing.source_id);
  const description = listing.description.trim().slice(0, 60);
  assert.ok((await details.innerText()).includes(description), 'the description is missing');
  const features = await details.locator('.feature-list li').allInnerTexts();
  assert.equal(features.length, listing.features.length);
  assert.ok(features.includes('Balcony'), `features shown: ${features}`);

  // Comparables: the search service's, without the listing itself, each a link to its own page.
  const expected = await json(
    `/api/market/comparables?location=New%20Cairo&type=Apartment&size_sqm=${listing.size_sqm}` +
      `${listing.bedrooms === null ? '' : `&bedrooms=${listing.bedrooms}`}&limit=11`,
  );
  const others = expected.comparables.filter((other) => other.id !== listing.id).slice(0, 10);
  const comparables = page.getByRole('region', { name: 'Comparable listings', exact: true });
  await comparables.locator('tbody tr').first().waitFor();
  const rows = await comparables.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.listingId));
  assert.deepEqual(rows, others.map((other) => other.id));
  assert.match(await comparables.innerText(), new RegExp(`${others.length} comparable listings: median EGP`));
  assert.match(await comparables.innerText(), /This asking price is (\d+% (above|below) that|in line with that)\./);

  // The market of its area and type: the search service's figures, and the chart drawn.
  const stats = await json('/api/market/stats?location=New%20Cairo&type=Apartment');
  const market = page.getByRole('region', { name: 'The market for apartments in New Cairo' });
  await market.locator('.market-chart-canvas canvas').first().waitFor();
  const marketText = await market.innerText();
  assert.match(marketText, new RegExp(`Listings\\s+${stats.count.toLocaleString('en-US')}`));
  assert.match(marketText, new RegExp(`Median price per m²\\s+${egp(stats.median_price_per_sqm)}`));
  assert.match(marketText, /This listing’s price per m² is (\d+% (above|below) the median|at the median)\./);
  await market.locator('summary', { hasText: 'The figures by delivery year' }).click();
  assert.equal(await market.locator('.market-years tbody tr').count(), stats.by_delivery_year.length);

  // Never registered: the registry says so rather than failing.
  const chain = page.getByRole('region', { name: 'On the property registry' });
  await chain.getByText('This listing is not on the blockchain registry yet.').waitFor();

  await expectAccessible(page, 'listing page');
  await screenshot(page, 'listing-en-desktop');
  await page.setViewportSize(PHONE);
  await assertNoSideScroll(page);
  await screenshot(page, 'listing-en-phone');

  // The same page in Arabic: right to left, Arabic digits and the pound, the page's own words.
  await page.setViewportSize(DESKTOP);
  await page.getByRole('button', { name: /Switch the language to Arabic/ }).click();
  await page.getByRole('heading', { level: 2, name: 'بيانات الوحدة' }).waitFor();
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  const price = await article.locator('.listing-page-price strong').innerText();
  assert.match(price, /[٠-٩]/);
  assert.match(price, /ج\.م/);
  // Places by their Arabic names, as search's gazetteer gives them.
  await page.getByRole('region', { name: 'سوق الشقق في القاهرة الجديدة' }).waitFor();
  const detailsAr = page.getByRole('region', { name: 'بيانات الوحدة' });
  const factAr = async (name) => {
    const pair = detailsAr.locator('div').filter({ has: page.getByText(name, { exact: true }) });
    return (await pair.locator('dd').first().innerText()).trim();
  };
  assert.equal(listing.location_ar, 'القاهرة الجديدة');
  assert.equal(await factAr('المنطقة'), 'القاهرة الجديدة');
  if (listing.compound) {
    assert.ok(listing.compound_ar, `${listing.compound} has no Arabic name`);
    assert.equal(await factAr('الكمبوند'), listing.compound_ar);
  }
  assert.doesNotMatch(await article.locator('.listing-page-head .listing-place').innerText(), /New Cairo/);
  const comparablesAr = page.getByRole('region', { name: 'وحدات مشابهة', exact: true });
  await comparablesAr.locator('tbody tr').first().waitFor();
  await expectAccessible(page, 'listing page in Arabic');
  await screenshot(page, 'listing-ar-desktop');
  await page.setViewportSize(PHONE);
  await assertNoSideScroll(page);
  await screenshot(page, 'listing-ar-phone');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a reserved listing shows its record on chain, its transactions and its record verified', async () => {
  const listing = await unregistered('location=Maadi&type=Apartment');
  const account = await verifiedAccount('web-listing-reserve');
  const { access_token: token } = await json('/api/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(account),
  });
  // A buyer reserves it: the agent registers the listing on chain with its record's hash, then reserves it.
  await json('/api/reservations', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ listing_id: listing.id }),
  });
  const record = await chainRecord(listing.id, (r) => r.status === 'reserved' && r.transactions.length >= 2);

  const { context, page, problems } = await open(browser);
  await page.goto(`/listings/${listing.id}`);
  const chain = page.getByRole('region', { name: 'On the property registry' });
  await chain.locator('.badge-reserved').waitFor();
  assert.equal(await chain.locator('.badge-reserved').innerText(), 'Reserved');
  const text = await chain.innerText();
  assert.ok(text.includes(record.document_hash), 'the document hash is not shown');
  assert.ok(text.includes(record.contract_address), 'the contract is not shown');
  assert.match(text, new RegExp(`Price on chain\\s+${egp(record.price_egp)}`));
  // Every confirmed event, with its transaction hash.
  const events = await chain.locator('.chain-table tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [tr.querySelector('th').textContent, tr.querySelector('code').textContent]),
  );
  assert.deepEqual(
    events,
    record.transactions.map((event) => [{ Listed: 'Registered' }[event.event] ?? event.event, event.tx_hash]),
  );
  assert.ok(events.some(([name]) => name === 'Registered') && events.some(([name]) => name === 'Reserved'));
  // The hash of the listing's record, computed in the browser, is the one the agent registered.
  const verdict = chain.locator('.verify-result');
  await verdict.waitFor();
  assert.equal(await verdict.getAttribute('data-matches'), 'true', await verdict.innerText());
  assert.match(await verdict.innerText(), /^Verified: the hash on chain is this listing’s record/);
  await expectAccessible(page, 'listing page with its chain record');
  await screenshot(page, 'listing-chain-en-desktop');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a document is checked against the hash an administrator registered, on this device', async () => {
  const listing = await unregistered('location=Heliopolis&type=Apartment');
  const deed = Buffer.from(`Title deed of ${listing.source_id}\nRegistered by the Osool browser test.\n`);
  const admin = JSON.parse(process.env.OSOOL_ADMIN_HEADERS ?? '{}');
  assert.ok(admin.Authorization, 'OSOOL_ADMIN_HEADERS is not set (tests/web/test_browser.py sets it)');
  await json('/api/chain/listings', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `web-deed-${listing.id}`, ...admin },
    body: JSON.stringify({
      listing_id: listing.id,
      document_hash: `0x${createHash('sha256').update(deed).digest('hex')}`,
      price_egp: listing.price,
    }),
  });
  await chainRecord(listing.id, (r) => r.status === 'available' && r.document_hash !== null);

  const { context, page, problems } = await open(browser);
  await page.goto(`/listings/${listing.id}`);
  const chain = page.getByRole('region', { name: 'On the property registry' });
  // What is on chain is a deed, not the listing's record: said, and pointing to the document check.
  const verdict = chain.locator('.verify-result');
  await verdict.waitFor();
  assert.equal(await verdict.getAttribute('data-matches'), 'false');
  assert.match(await verdict.innerText(), /is not this listing’s record as shown now/);

  const file = chain.getByLabel('Check a document you hold');
  await file.setInputFiles({ name: 'deed.txt', mimeType: 'text/plain', buffer: deed });
  await chain.getByText('deed.txt is the document registered on chain for this listing.').waitFor();
  await file.setInputFiles({ name: 'other.txt', mimeType: 'text/plain', buffer: Buffer.from('another document') });
  await chain.getByText('other.txt is not the document registered on chain for this listing.').waitFor();
  assert.match(
    await chain.locator('.file-result').innerText(),
    new RegExp(createHash('sha256').update('another document').digest('hex')),
  );
  await expectAccessible(page, 'listing page, document checked');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a listing opens by its source id too; one that does not exist says so, and offers the search', async () => {
  const [listing] = (await json('/api/properties?location=Madinaty&limit=1')).results;
  const { context, page, problems } = await open(browser);
  await page.goto(`/listings/${listing.source_id}`);
  await page.getByRole('heading', { level: 1, name: listing.title }).waitFor();
  for (const missing of ['00000000-0000-4000-8000-000000000000', 'NO-SUCH-LISTING']) {
    await page.goto(`/listings/${missing}`);
    await page.getByRole('heading', { level: 1, name: 'Listing not found' }).waitFor();
    await page.getByRole('main').getByRole('link', { name: 'Search listings' }).waitFor();
  }
  await expectAccessible(page, 'listing not found');
  assert.deepEqual(problems, []);
  await context.close();
});

test('with the keyboard alone: from a chat card to its listing page, and on to a comparable', async () => {
  const { context, page, problems } = await open(browser);
  await page.goto('/');
  const { reply } = await chat(page, '3 bedroom apartment in New Cairo under 8M');
  await reply.locator('article.listing-card').first().waitFor();
  // Back from the message box: the first Details link met is the last card's.
  await tabTo(page, '.message-amr a.listing-link', { backwards: true });
  const card = reply.locator('article.listing-card', { has: page.locator('a.listing-link:focus') });
  const title = await card.getByRole('heading').innerText();
  const id = await card.getAttribute('data-listing-id');
  await page.keyboard.press('Enter');
  await page.waitForURL(`${BASE}/listings/${id}`);
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
  // On to the first comparable by Tab and Enter.
  const comparables = page.getByRole('region', { name: 'Comparable listings', exact: true });
  await comparables.locator('tbody tr a').first().waitFor();
  const next = await comparables.locator('tbody tr').first().getAttribute('data-listing-id');
  await tabTo(page, '.comparables-table tbody tr:first-child a', { max: 120 });
  await page.keyboard.press('Enter');
  await page.waitForURL(`${BASE}/listings/${next}`);
  await page.locator(`article.listing-page[data-listing-id="${next}"]`).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});
