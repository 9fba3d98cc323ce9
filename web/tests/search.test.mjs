// The search page against the test stack: the words become chips, removing one searches again without it, the URL
// holds the state (a new visitor opening it sees the same, the back button returns), the filters narrow the results
// as the search service's own listing route does, Arabic right to left, the keyboard alone, and offline.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertNoSideScroll,
  assertVisibleFocus,
  BASE,
  DESKTOP,
  expectAccessible,
  suiteBrowser,
  open,
  PHONE,
  screenshot,
  tabTo,
} from './helpers.mjs';

const browser = suiteBrowser();

async function json(path) {
  const response = await fetch(`${BASE}${path}`);
  assert.ok(response.ok, `${path}: ${response.status}`);
  return response.json();
}

function resultIds(page) {
  return page.locator('article.result-card').evaluateAll((cards) => cards.map((card) => card.dataset.listingId));
}

/** Waits for the search to answer, then returns the chips (by group) and the listings shown, each from the API. */
async function shown(page) {
  // The results of the address shown (the section says which search its results answer).
  const { pathname, search } = new URL(page.url());
  await page.locator(`.search-results[aria-busy="false"][data-shown="${pathname}${search}"]`).waitFor();
  const chips = {};
  for (const group of await page.locator('.chip-group').all()) {
    // Intl writes "EGP 20M" with a no-break space.
    const texts = await group.locator('.chip bdi').allInnerTexts();
    chips[await group.locator('.chip-group-title').innerText()] = texts.map((text) => text.replace(/\s/g, ' '));
  }
  const ids = await resultIds(page);
  const listings = await Promise.all(ids.map((id) => json(`/api/properties/${id}`)));
  return { chips, ids, listings };
}

test('the words become chips, removing one searches again without it, and the URL keeps every step', async () => {
  const { context, page, problems } = await open(browser);
  await page.goto('/search');
  await page.getByRole('heading', { level: 1, name: 'Search listings' }).waitFor();
  await expectAccessible(page, 'search (empty)');
  const box = page.getByRole('searchbox', { name: 'What are you looking for?' });
  await box.fill('apartment in New Cairo not a villa');
  await box.press('Enter');
  await page.waitForURL(`${BASE}/search?q=apartment+in+New+Cairo+not+a+villa`);
  const first = await shown(page);
  assert.deepEqual(first.chips, { 'From your words': ['apartment', 'New Cairo', 'not a villa'] });
  assert.ok(first.listings.length >= 10, `${first.listings.length} results`);
  for (const listing of first.listings) {
    assert.equal(listing.type, 'Apartment', listing.title);
    assert.equal(listing.location, 'New Cairo', listing.title);
  }
  // Each result links to its listing's page.
  const link = page.locator('article.result-card').first().getByRole('link');
  assert.equal(await link.getAttribute('href'), `/listings/${first.ids[0]}`);
  await expectAccessible(page, 'search with chips and results');
  await screenshot(page, 'search-en-desktop');
  await page.setViewportSize(PHONE);
  await assertNoSideScroll(page);
  await screenshot(page, 'search-en-phone');
  await page.setViewportSize(DESKTOP);

  // Without "New Cairo": apartments anywhere, and still never a villa.
  await page.getByRole('button', { name: 'Remove “New Cairo”' }).click();
  await page.waitForURL(`${BASE}/search?q=apartment+in+not+a+villa`);
  const wider = await shown(page);
  assert.deepEqual(wider.chips, { 'From your words': ['apartment', 'not a villa'] });
  assert.ok(wider.listings.every((listing) => listing.type === 'Apartment'));
  assert.ok(
    wider.listings.some((listing) => listing.location !== 'New Cairo'),
    `still only New Cairo: ${wider.listings.map((listing) => listing.location)}`,
  );
  assert.notDeepEqual(wider.ids, first.ids);
  assert.equal(await box.inputValue(), 'apartment in not a villa');

  // The back button returns to the first search, chips and results.
  await page.goBack();
  await page.waitForURL(`${BASE}/search?q=apartment+in+New+Cairo+not+a+villa`);
  const again = await shown(page);
  assert.deepEqual(again.chips, first.chips);
  assert.deepEqual(again.ids, first.ids);

  // The next page joins the first: the same search's next listings, none twice.
  await page.getByRole('button', { name: 'Show more' }).click();
  await page.locator('article.result-card').nth(first.ids.length).waitFor();
  const more = await resultIds(page);
  assert.deepEqual(more.slice(0, first.ids.length), first.ids);
  assert.equal(new Set(more).size, more.length, 'a listing shows twice');
  for (const id of more.slice(first.ids.length)) {
    const listing = await json(`/api/properties/${id}`);
    assert.ok(listing.type === 'Apartment' && listing.location === 'New Cairo', listing.title);
  }

  // The address is the search: a new visitor opening it sees the same.
  const other = await open(browser);
  await other.page.goto('/search?q=apartment+in+New+Cairo+not+a+villa');
  const shared = await shown(other.page);
  assert.deepEqual(shared.chips, first.chips);
  assert.deepEqual(shared.ids, first.ids);
  await other.context.close();
  assert.deepEqual(problems, []);
  await context.close();
});

test('the filters narrow the results as the listing route does, and each comes off as a chip', async () => {
  const { context, page, problems } = await open(browser);
  await page.goto('/search');
  await page.getByLabel('Type').selectOption('Villa');
  // An area in Arabic: the search's parser gives its name.
  await page.getByLabel('Area').fill('الشيخ زايد');
  await page.getByLabel('From', { exact: true }).fill('20M');
  await page.getByLabel('To', { exact: true }).fill('60,000,000');
  await page.getByLabel('Bedrooms').selectOption('4');
  await page.locator('summary', { hasText: 'Features' }).click();
  await page.getByLabel('Swimming pool').check();
  await page.getByRole('button', { name: 'Apply filters' }).click();
  const filters = 'type=Villa&location=Sheikh+Zayed&min_price=20000000&max_price=60000000&bedrooms=4';
  await page.waitForURL(`${BASE}/search?${filters}&feature=pool`);
  const narrow = await shown(page);
  assert.deepEqual(narrow.chips, {
    'From the filters': ['Villa', 'Sheikh Zayed', 'from EGP 20M', 'up to EGP 60M', '4 bedrooms', 'Swimming pool'],
  });
  const expected = await json(`/api/properties?${filters}&feature=pool&limit=12`);
  assert.deepEqual(narrow.ids, expected.results.map((listing) => listing.id));
  assert.ok(narrow.ids.length >= 1, 'no Sheikh Zayed villa with a pool in the demo listings');
  for (const listing of narrow.listings) assert.ok(listing.features.includes('pool'), listing.title);
  // The form shows what the URL holds.
  assert.equal(await page.getByLabel('Area').inputValue(), 'Sheikh Zayed');
  assert.equal(await page.getByLabel('From', { exact: true }).inputValue(), '20,000,000');
  await expectAccessible(page, 'search with filters');

  // Without the pool: more villas, all still within the other filters.
  await page.getByRole('button', { name: 'Remove “Swimming pool”' }).click();
  await page.waitForURL(`${BASE}/search?${filters}`);
  const wider = await shown(page);
  const widerExpected = await json(`/api/properties?${filters}&limit=12`);
  assert.deepEqual(wider.ids, widerExpected.results.map((listing) => listing.id));
  assert.ok(wider.ids.length > narrow.ids.length, `${wider.ids.length} results without the pool`);
  assert.equal(await page.getByLabel('Swimming pool').isChecked(), false);

  // A price that is no price is said, and nothing is searched.
  await page.getByLabel('From', { exact: true }).fill('a lot');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.getByRole('alert').filter({ hasText: 'Write a price such as 8M or 8,500,000.' }).waitFor();
  assert.equal(page.url(), `${BASE}/search?${filters}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('words that ask for the biggest show that order, the sort offers size with words or without, and keeps it in the URL', async () => {
  const { context, page, problems } = await open(browser);
  const sizes = (found) => found.listings.map((listing) => listing.size_sqm);
  const ordered = (values, descending) =>
    values.every((value, i) => i === 0 || (descending ? values[i - 1] >= value : values[i - 1] <= value));
  await page.goto('/search?q=the+biggest+villa+in+New+Cairo');
  const biggest = await shown(page);
  const sort = page.getByLabel('Sort by');
  assert.equal(await sort.inputValue(), 'size_desc');
  assert.ok(biggest.ids.length >= 10 && ordered(sizes(biggest), true), `${sizes(biggest)}`);
  await sort.selectOption({ label: 'Size: smallest first' });
  await page.waitForURL(`${BASE}/search?q=the+biggest+villa+in+New+Cairo&sort=size_asc`);
  const smallest = await shown(page);
  assert.ok(ordered(sizes(smallest), false), `${sizes(smallest)}`);
  assert.ok(sizes(smallest)[0] < sizes(biggest)[0]);
  // Without words the listing route orders by size too, and pages on in that order.
  await page.goto('/search?type=Villa&location=New+Cairo');
  await shown(page);
  const labels = await page.getByLabel('Sort by').locator('option').allInnerTexts();
  assert.deepEqual(labels, [
    'Newest',
    'Price: low to high',
    'Price: high to low',
    'Size: largest first',
    'Size: smallest first',
    'Price per m²: low to high',
    'Price per m²: high to low',
  ]);
  await page.getByLabel('Sort by').selectOption({ label: 'Size: largest first' });
  await page.waitForURL(`${BASE}/search?type=Villa&location=New+Cairo&sort=size_desc`);
  const listed = await shown(page);
  const expected = await json('/api/properties?type=Villa&location=New+Cairo&order=size_desc&limit=12');
  assert.deepEqual(listed.ids, expected.results.map((listing) => listing.id));
  assert.ok(listed.ids.length >= 10 && ordered(sizes(listed), true), `${sizes(listed)}`);
  // The price of a square metre, as Egyptians compare: the cheapest metre first.
  await page.getByLabel('Sort by').selectOption({ label: 'Price per m²: low to high' });
  await page.waitForURL(`${BASE}/search?type=Villa&location=New+Cairo&sort=price_per_sqm_asc`);
  const perMetre = await shown(page);
  const metres = await json('/api/properties?type=Villa&location=New+Cairo&order=price_per_sqm_asc&limit=12');
  assert.deepEqual(perMetre.ids, metres.results.map((listing) => listing.id));
  const rates = metres.results.map((listing) => listing.price_per_sqm);
  assert.ok(perMetre.ids.length >= 10 && ordered(rates, false), `${rates}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the sort orders by price with words or without, keeps its choice in the URL, and pages on in that order', async () => {
  const { context, page, problems } = await open(browser);
  const ordered = (prices, descending) =>
    prices.every((price, i) => i === 0 || (descending ? prices[i - 1] >= price : prices[i - 1] <= price));
  // With words: best match, until the person sorts by price.
  await page.goto('/search?q=apartment+in+New+Cairo');
  await shown(page);
  const sort = page.getByLabel('Sort by');
  assert.equal(await sort.inputValue(), 'relevance');
  await sort.selectOption({ label: 'Price: low to high' });
  await page.waitForURL(`${BASE}/search?q=apartment+in+New+Cairo&sort=price_asc`);
  const cheapest = await shown(page);
  const prices = cheapest.listings.map((listing) => listing.price);
  assert.equal(prices.length, 12);
  assert.ok(ordered(prices, false), `${prices}`);
  const response = await fetch(`${BASE}/api/properties/search`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ query: 'apartment in New Cairo', limit: 12, order: 'price_asc' }),
  });
  assert.deepEqual(cheapest.ids, (await response.json()).results.map((listing) => listing.id));
  // The next page carries on from the last price shown.
  await page.getByRole('button', { name: 'Show more' }).click();
  await page.locator('article.result-card').nth(12).waitFor();
  const all = await Promise.all((await resultIds(page)).map(async (id) => (await json(`/api/properties/${id}`)).price));
  assert.ok(all.length > 12 && ordered(all, false), `${all}`);
  // Words that ask for the cheapest show that order before any choice.
  await page.goto('/search?q=the+cheapest+villa+in+Sheikh+Zayed');
  await shown(page);
  assert.equal(await page.getByLabel('Sort by').inputValue(), 'price_asc');
  // Without words: the newest, or by price as the listing route orders them.
  await page.goto('/search?type=Villa&location=New+Cairo');
  await shown(page);
  assert.equal(await page.getByLabel('Sort by').inputValue(), 'newest');
  await page.getByLabel('Sort by').selectOption({ label: 'Price: high to low' });
  await page.waitForURL(`${BASE}/search?type=Villa&location=New+Cairo&sort=price_desc`);
  const dearest = await shown(page);
  const expected = await json('/api/properties?type=Villa&location=New+Cairo&order=price_desc&limit=12');
  assert.deepEqual(dearest.ids, expected.results.map((listing) => listing.id));
  assert.ok(ordered(dearest.listings.map((listing) => listing.price), true));
  await expectAccessible(page, 'search sorted by price');
  // A new visitor opening the address sees the same order; the back button returns to the newest.
  await page.goBack();
  await page.waitForURL(`${BASE}/search?type=Villa&location=New+Cairo`);
  assert.equal(await page.getByLabel('Sort by').inputValue(), 'newest');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a bedrooms chip counts as people say it, and the place is named in the page language', async () => {
  for (const [lang, expected, place] of [
    ['en', { 'From the filters': ['Maadi', '1 bedroom'] }, 'Maadi'],
    ['ar', { 'من عوامل التصفية': ['المعادي', 'غرفة نوم واحدة'] }, 'المعادي'],
  ]) {
    const { context, page, problems } = await open(browser, { lang });
    await page.goto('/search?location=Maadi&bedrooms=1');
    // The names arrive once per page load (GET /api/properties/names); the chip and the field then use them, and the
    // field suggests every area in the page's language.
    await page.locator('.chip bdi', { hasText: place }).waitFor();
    assert.equal(await page.locator('#search-location').inputValue(), place);
    // The suggestions are rendered on their own after the names arrive: read them once they are there.
    await page.waitForFunction(() => document.querySelectorAll('#search-places option').length >= 20);
    const suggested = await page.locator('#search-places option').evaluateAll((options) => options.map((o) => o.value));
    assert.ok(suggested.includes(place) && suggested.length >= 20, suggested.join(', '));
    const { chips, listings } = await shown(page);
    assert.deepEqual(chips, expected);
    assert.ok(listings.length > 0 && listings.every((listing) => listing.bedrooms === 1), `${listings.length}`);
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test('a region typed in the area field searches all its places, and is suggested and named as such', async () => {
  const { context, page, problems } = await open(browser);
  await page.goto('/search');
  await page.getByLabel('Type').selectOption('Villa');
  // "Giza" in Arabic: the parser names the region, not the first of its places.
  await page.getByLabel('Area').fill('الجيزة');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL(`${BASE}/search?type=Villa&location=Giza`);
  const { chips, ids, listings } = await shown(page);
  assert.deepEqual(chips, { 'From the filters': ['Villa', 'Giza'] });
  const expected = await json('/api/properties?type=Villa&location=Giza&limit=12');
  assert.deepEqual(ids, expected.results.map((listing) => listing.id));
  const { names } = await json('/api/properties/names');
  const giza = names.find((known) => known.kind === 'region' && known.name === 'Giza');
  assert.equal(giza?.arabic, 'الجيزة');
  // Giza's places, and the names an export may file a listing under (the region's own, West Cairo's inside it).
  const places = ['Sheikh Zayed', '6th of October', 'Mohandessin', 'Dokki', 'Agouza', 'El Haram', 'Faisal'];
  const filed = [...places, 'Hadayek El Ahram', 'Giza', 'West Cairo'];
  const where = listings.map((listing) => listing.location);
  assert.ok(where.length === 12 && where.every((place) => filed.includes(place)), `${where}`);
  await page.waitForFunction(() =>
    [...document.querySelectorAll('#search-places option')].some((option) => option.value === 'Giza'),
  );
  assert.deepEqual(problems, []);
  await context.close();
});

test('bathrooms asked for in any script are a chip, and every card shows at least that many', async () => {
  for (const [lang, query, chip, label] of [
    ['en', 'apartment in Maadi with 3 bathrooms', '3 bathrooms', 'Bathrooms'],
    ['ar', 'شقة في المعادي فيها ٣ حمامات', '٣ حمامات', 'الحمامات'],
  ]) {
    const { context, page, problems } = await open(browser, { lang });
    await page.goto(`/search?${new URLSearchParams({ q: query })}`);
    const { chips, listings } = await shown(page);
    assert.ok(Object.values(chips).flat().includes(chip), JSON.stringify(chips));
    assert.ok(listings.length > 0 && listings.every((listing) => listing.bathrooms >= 3), `${listings.length}`);
    // The card says it: the fact's label, then the number as the page writes numbers.
    const facts = await page.locator('.result-card').first().locator('.listing-facts dt').allInnerTexts();
    assert.ok(facts.includes(label), facts.join(', '));
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test('a budget in dollars is said to be left out, not taken for pounds', async () => {
  for (const [lang, query, said] of [
    ['en', 'apartment in New Cairo under 100k dollars', 'Listings are priced in Egyptian pounds, so the budget in USD'],
    ['ar', 'شقة في التجمع ميزانيتي ٢٠٠ الف دولار', 'أسعار الوحدات بالجنيه المصري'],
  ]) {
    const { context, page, problems } = await open(browser, { lang });
    await page.goto(`/search?${new URLSearchParams({ q: query })}`);
    const { listings } = await shown(page);
    assert.ok((await page.locator('.search-currency').innerText()).startsWith(said));
    // Not a budget of EGP 100,000 (which no home here is under): the homes of the rest of the words.
    assert.ok(listings.length >= 10 && listings.every((listing) => listing.price > 200_000), `${listings.length}`);
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test('in Arabic, right to left: the words as chips, removed with the keyboard alone', async () => {
  const { context, page, problems } = await open(browser, { lang: 'ar' });
  await page.goto('/search');
  await page.getByRole('heading', { level: 1, name: 'ابحث في الوحدات' }).waitFor();
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter'); // the skip link
  await tabTo(page, '#search-q');
  await assertVisibleFocus(page);
  await page.keyboard.type('شقة ٣ غرف في التجمع الخامس بأقل من ٨ مليون مش فيلا');
  await page.keyboard.press('Enter');
  const before = await shown(page);
  const words = 'من كلماتك';
  assert.deepEqual(before.chips, { [words]: ['شقة', '٣ غرف', 'التجمع الخامس', 'بأقل من ٨ مليون', 'مش فيلا'] });
  for (const listing of before.listings) {
    assert.equal(listing.bedrooms, 3);
    assert.ok(listing.price <= 8_000_000, `${listing.price}`);
  }
  assert.match(await page.locator('article.result-card .listing-price strong').first().innerText(), /[٠-٩]/);
  // Each card names its place (and compound) in Arabic: "شقة · ميفيدا · القاهرة الجديدة".
  const places = await page.locator('article.result-card .listing-place').allInnerTexts();
  assert.equal(places.length, before.listings.length);
  places.forEach((place, i) => {
    const listing = before.listings[i];
    assert.ok(place.endsWith('القاهرة الجديدة') && !place.includes('New Cairo'), place);
    if (listing.compound) assert.ok(place.includes(listing.compound_ar), `${place} / ${listing.compound}`);
  });
  await expectAccessible(page, 'search in Arabic');
  await screenshot(page, 'search-ar-desktop');
  await page.setViewportSize(PHONE);
  await assertNoSideScroll(page);
  await screenshot(page, 'search-ar-phone');
  await page.setViewportSize(DESKTOP);

  // To the budget's chip and off with Enter: the search runs without it, and focus moves to the chip now there.
  await tabTo(page, 'button[aria-label="إزالة «بأقل من ٨ مليون»"]');
  await assertVisibleFocus(page);
  await page.keyboard.press('Enter');
  const after = await shown(page);
  assert.deepEqual(after.chips, { [words]: ['شقة', '٣ غرف', 'التجمع الخامس', 'مش فيلا'] });
  assert.equal(new URL(page.url()).searchParams.get('q'), 'شقة ٣ غرف في التجمع الخامس مش فيلا');
  const focused = await page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
  assert.equal(focused, 'إزالة «مش فيلا»');
  assert.ok(after.listings.every((listing) => listing.bedrooms === 3 && listing.location === 'New Cairo'));
  assert.notDeepEqual(after.ids, before.ids);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a search that finds nothing says what each filter given up would find, as the API counts it', async () => {
  const { context, page, problems } = await open(browser);
  const q = 'villa in New Cairo under 1 million';
  await page.goto(`/search?q=${encodeURIComponent(q).replace(/%20/g, '+')}`);
  const nothing = await shown(page);
  assert.deepEqual(nothing.ids, []);
  const response = await fetch(`${BASE}/api/properties/search`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ query: q, limit: 12, explain_empty: true }),
  });
  const { relaxations } = await response.json();
  assert.ok(relaxations.some((relaxation) => relaxation.group === 'price'), JSON.stringify(relaxations));
  const items = page.locator('.search-relaxed li');
  assert.deepEqual(
    await items.evaluateAll((lis) => lis.map((li) => li.dataset.group)),
    relaxations.map((relaxation) => relaxation.group),
  );
  const budget = relaxations.find((relaxation) => relaxation.group === 'price');
  const line = (await page.locator('.search-relaxed li[data-group="price"]').innerText()).replace(/\s/g, ' ');
  const many = budget.count >= budget.at_most ? `${budget.count}+ listings` : `${budget.count} listings`;
  // The cheapest New Cairo villa, in the page's short form (EGP 14.4M).
  const cheapest = `EGP ${Number((budget.cheapest_price / 1e6).toFixed(1))}M`;
  assert.equal(line, `without the budget: ${many}, from ${cheapest}`);
  await expectAccessible(page, 'search that found nothing');
  assert.deepEqual(problems, []);
  await context.close();
});

test('on a phone the filters fold away until opened, so the results come first', async () => {
  const { context, page, problems } = await open(browser, { viewport: PHONE });
  await page.goto('/search?q=villa+in+Sheikh+Zayed');
  await shown(page);
  const filters = page.locator('details.search-filters-box');
  assert.equal(await filters.getAttribute('open'), null);
  assert.equal(await page.getByLabel('Type').isVisible(), false);
  const first = await page.locator('article.result-card').first().boundingBox();
  assert.ok(first.y < PHONE.height, `the first result starts at ${first.y}px`);
  await page.locator('details.search-filters-box > summary').click();
  await page.getByLabel('Type').selectOption('Villa');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL(`${BASE}/search?q=villa+in+Sheikh+Zayed&type=Villa`);
  await shown(page);
  await page.locator('summary', { hasText: 'Filters (1 set)' }).waitFor();
  await assertNoSideScroll(page);
  assert.deepEqual(problems, []);
  await context.close();
});

test('offline, a search says why it cannot run', async () => {
  const { context, page, problems } = await open(browser);
  await page.goto('/search');
  await page.getByRole('heading', { level: 1, name: 'Search listings' }).waitFor();
  await context.setOffline(true);
  const box = page.getByRole('searchbox', { name: 'What are you looking for?' });
  await box.fill('villa in Sheikh Zayed');
  await box.press('Enter');
  await page.getByRole('alert').filter({ hasText: 'You are offline. Check your connection and try again.' }).waitFor();
  await context.setOffline(false);
  await page.getByRole('button', { name: 'Try again' }).click();
  assert.ok((await shown(page)).ids.length > 0);
  assert.deepEqual(problems, []);
  await context.close();
});
