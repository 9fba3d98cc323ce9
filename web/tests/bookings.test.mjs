// The buyer's bookings page (/bookings): viewings booked and units reserved through the real agent service (the
// viewing workflow with an agent on duty, the reservation confirmed by the chain service on the test stack's node),
// shown with their details; the viewing's link opens its page; a confirmed reservation cancelled from the page (asked
// first), and one cancelled meanwhile refused in words; a new buyer's empty page; Arabic on a phone; axe.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  assertNoSideScroll,
  DESKTOP,
  expectAccessible,
  suiteBrowser,
  open,
  PHONE,
  screenshot,
  verifiedAccount,
} from './helpers.mjs';
import { agentOnDuty, apiCall, call, logIn, signIn, signInHere } from './people.mjs';

const browser = suiteBrowser();
before(async () => {
  await agentOnDuty('web-bookings-agent');
});

const ARABIC_DIGITS = '٠١٢٣٤٥٦٧٨٩';
const arabic = (text) => text.replace(/[0-9]/g, (d) => ARABIC_DIGITS[Number(d)]);
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const weekdayOf = (localStart) => WEEKDAYS[new Date(`${localStart.slice(0, 10)}T12:00:00Z`).getUTCDay()];
/** The slot's Cairo wall-clock hour and minute, 24-hour as the page writes it ("08:00", "٠٨:٠٠"). */
const clock = (localStart, lang = 'en') => (lang === 'ar' ? arabic(localStart.slice(11, 16)) : localStart.slice(11, 16));

async function listingFor(query) {
  const found = await call('/api/properties/search', { body: { query, limit: 20 } });
  assert.ok(found.results.length > 0, `no listing for ${query}`);
  return found.results;
}

/**
 * Books the `nth` free slot of a listing for the buyer through the API. Slots start on the hour with notice ahead, so
 * a slot read at the turn of an hour may stop being free before it is booked: then the slots are read again.
 */
async function bookViewing(token, listingId, nth = 0) {
  for (let attempt = 0; attempt < 3; attempt++) {
    const free = await call(`/api/viewings/slots?listing_id=${listingId}&days=7`);
    assert.ok(free.length > nth, `only ${free.length} free slots for ${listingId}`);
    const slot = free[nth];
    const made = await apiCall('/api/viewings', { token, body: { listing_id: listingId, starts_at: slot.starts_at } });
    if (made.status === 201) return { viewing: made.body, slot };
    assert.ok(made.status === 409 || made.status === 422, made.text);
  }
  assert.fail('no slot could be booked in three tries');
}

/** Reserves `count` units nobody holds on the registry and waits until the chain confirms each: the reservations. */
async function reserveFreeUnits(token, count) {
  const candidates = await listingFor('townhouse in Sheikh Zayed');
  const query = candidates.map((item) => `id=${item.id}`).join('&');
  const statuses = (await call(`/api/chain/listings?${query}`)).listings;
  const held = (status) => status === 'reserved' || status === 'sold';
  const free = new Set(statuses.filter((s) => !held(s.status) && !held(s.pending_status)).map((s) => s.listing_id));
  const made = [];
  for (const item of candidates) {
    if (made.length === count) break;
    if (!free.has(item.id)) continue;
    const reserved = await apiCall('/api/reservations', { token, body: { listing_id: item.id } });
    if (reserved.status === 409) continue; // taken meanwhile
    assert.equal(reserved.status, 201, reserved.text);
    made.push(reserved.body);
  }
  assert.equal(made.length, count, 'not enough units free on the registry');
  const deadline = Date.now() + 90_000;
  for (const [i, reservation] of made.entries()) {
    for (;;) {
      const now = await call(`/api/reservations/${reservation.id}`, { token });
      if (now.status === 'confirmed') {
        made[i] = now;
        break;
      }
      assert.equal(now.status, 'pending', `reservation ${reservation.id} is ${now.status}: ${now.error}`);
      assert.ok(Date.now() < deadline, `reservation ${reservation.id} still pending`);
      await new Promise((done) => setTimeout(done, 500));
    }
  }
  return made;
}

async function cancelAsBuyer(token, reservationId) {
  const cancelled = await apiCall(`/api/reservations/${reservationId}/cancel`, { method: 'POST', token });
  assert.ok(cancelled.status === 200 || cancelled.status === 409, cancelled.text);
}

test('a buyer sees the viewings and reservations made through the real stack, opens a viewing, cancels a reservation', async () => {
  const account = await verifiedAccount('web-bookings-buyer');
  const token = await logIn(account);
  const [listing] = await listingFor('apartment in Maadi');
  const { viewing: kept, slot } = await bookViewing(token, listing.id, 0);
  const { viewing: dropped } = await bookViewing(token, listing.id, 1);
  await call(`/api/viewings/${dropped.id}/cancel`, { method: 'POST', token });
  const [toCancel, cancelledMeanwhile] = await reserveFreeUnits(token, 2);

  try {
    const { context, page, problems } = await open(browser);
    await page.goto('/signin');
    await signInHere(page, account, '/');
    // The header links the page for a buyer.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Bookings' }).click();
    await page.waitForURL((url) => url.pathname === '/bookings');
    await page.getByRole('heading', { level: 1, name: 'Your bookings' }).waitFor();

    // The upcoming viewing: its listing (a link to its page), its day and time on Cairo's clock, booked.
    const upcoming = page.getByRole('list', { name: 'Upcoming viewings, soonest first' });
    const item = upcoming.locator(`li[data-viewing-id="${kept.id}"]`);
    await item.getByRole('link', { name: listing.title, exact: true }).waitFor();
    assert.equal(await upcoming.locator('li').count(), 1);
    assert.equal(await item.getByRole('link', { name: listing.title, exact: true }).getAttribute('href'), `/listings/${listing.id}`);
    const when = await item.locator('.booking-when').innerText();
    assert.ok(when.startsWith(weekdayOf(slot.local_start)), when);
    assert.match(when, new RegExp(`, ${clock(slot.local_start)} – `));
    assert.match(await item.locator('.badge').innerText(), /^Booked$/);
    // The cancelled one is apart, said as such.
    const past = page.getByRole('list', { name: 'Past and cancelled viewings, latest first' });
    assert.deepEqual(await past.locator('li').evaluateAll((all) => all.map((li) => li.dataset.viewingId)), [dropped.id]);
    assert.match(await past.locator('li .badge').innerText(), /^Cancelled$/);
    assert.equal(await past.getByRole('link', { name: /Cancel or move it/ }).count(), 0);

    // The reservations: status, deposit, price, the hold's end, the registry's record, the listing.
    const reservations = page.getByRole('list', { name: 'Your reservations, newest first' });
    for (const reservation of [toCancel, cancelledMeanwhile]) {
      const row = reservations.locator(`li[data-reservation-id="${reservation.id}"]`);
      await row.waitFor();
      assert.equal(await row.getAttribute('data-status'), 'confirmed');
      assert.match(await row.locator('.badge').innerText(), /^Confirmed$/);
      const text = await row.innerText();
      assert.match(text, new RegExp(`Deposit EGP\\s?${reservation.deposit_egp.toLocaleString('en-US')}`));
      assert.match(text, new RegExp(`Price EGP\\s?${reservation.price_egp.toLocaleString('en-US')}`));
      assert.match(text, /Held for you until \w+day, .*20\d\d.* \d\d:\d\d/);
      const title = row.getByRole('link', { name: reservation.listing_title, exact: true });
      assert.equal(await title.getAttribute('href'), `/listings/${reservation.listing_id}`);
      assert.ok(reservation.chain_tx_id, 'a confirmed reservation has its chain transaction');
      const registry = row.getByRole('link', { name: /Its record on the property registry/ });
      assert.equal(await registry.getAttribute('href'), `/listings/${reservation.listing_id}#registry`);
    }
    await expectAccessible(page, 'bookings with a viewing and reservations');
    await screenshot(page, 'bookings-en-desktop');

    // The registry link opens the listing's page at its registry section, which shows the reservation.
    await reservations
      .locator(`li[data-reservation-id="${toCancel.id}"]`)
      .getByRole('link', { name: /Its record on the property registry/ })
      .click();
    await page.waitForURL((url) => url.pathname === `/listings/${toCancel.listing_id}` && url.hash === '#registry');
    const registrySection = page.locator('section#registry');
    await registrySection.getByRole('heading', { level: 2, name: 'On the property registry' }).waitFor();
    await page.waitForFunction(() => {
      const top = document.getElementById('chain-title')?.getBoundingClientRect().top ?? -1;
      return top >= 0 && top < window.innerHeight / 2;
    });
    assert.match(await registrySection.innerText(), /Reserved/);
    await page.goBack();
    await page.getByRole('heading', { level: 1, name: 'Your bookings' }).waitFor();

    // The viewing's link opens its page, where it is cancelled or moved.
    await item.getByRole('link', { name: /^Cancel or move it\s?:/ }).click();
    await page.waitForURL((url) => url.pathname === `/viewings/${kept.id}`);
    await page.getByRole('heading', { level: 1, name: 'Your viewing' }).waitFor();
    await page.getByRole('heading', { level: 2, name: listing.title }).waitFor();
    await page.getByRole('button', { name: 'Cancel this viewing' }).waitFor();
    await page.goBack();
    await page.getByRole('heading', { level: 1, name: 'Your bookings' }).waitFor();

    // Cancelling a confirmed reservation: asked first (the focus on the answer), then said cancelled.
    const row = reservations.locator(`li[data-reservation-id="${toCancel.id}"]`);
    await row.getByRole('button', { name: /^Cancel the reservation\s?:/ }).click();
    const question = row.getByRole('group', { name: `Cancel your reservation of ${toCancel.listing_title}?`, exact: false });
    await question.waitFor();
    await page.waitForFunction(() => document.activeElement?.textContent === 'Cancel it');
    await expectAccessible(page, 'bookings: cancel asked');
    // Not cancelled until answered.
    assert.equal((await call(`/api/reservations/${toCancel.id}`, { token })).status, 'confirmed');
    await question.getByRole('button', { name: 'Cancel it' }).click();
    await reservations.locator(`li[data-reservation-id="${toCancel.id}"][data-status="cancelled"]`).waitFor();
    assert.match(await row.locator('.badge').innerText(), /^Cancelled$/);
    assert.equal(await row.getByRole('button', { name: /Cancel the reservation/ }).count(), 0);
    await page.getByText(`Your reservation of ${toCancel.listing_title} is cancelled.`).waitFor();
    assert.equal((await call(`/api/reservations/${toCancel.id}`, { token })).status, 'cancelled');

    // One cancelled elsewhere meanwhile: the page's cancel is refused (409) and says so in words.
    const other = reservations.locator(`li[data-reservation-id="${cancelledMeanwhile.id}"]`);
    await other.getByRole('button', { name: /Cancel the reservation/ }).click();
    await call(`/api/reservations/${cancelledMeanwhile.id}/cancel`, { method: 'POST', token });
    await other.getByRole('button', { name: 'Cancel it' }).click();
    const refusal = other.getByRole('alert');
    await refusal.waitFor();
    assert.equal(
      await refusal.innerText(),
      'This reservation can no longer be cancelled: it is cancelled now. Reload the page to see it as it is.',
    );
    assert.doesNotMatch(await other.innerText(), /409|[{}"]error/);
    await expectAccessible(page, 'bookings: a refused cancel');
    await screenshot(page, 'bookings-cancelled-en-desktop');
    assert.deepEqual(problems, []);
    await context.close();

    // The same bookings in Arabic on a phone.
    const ar = await open(browser, { lang: 'ar', viewport: PHONE });
    await signIn(ar.page, account, '/bookings');
    await ar.page.getByRole('heading', { level: 1, name: 'حجوزاتي' }).waitFor();
    const arItem = ar.page.getByRole('list', { name: 'المعاينات القادمة، الأقرب أولًا' }).locator(`li[data-viewing-id="${kept.id}"]`);
    await arItem.getByRole('link', { name: listing.title, exact: true }).waitFor();
    const arWhen = await arItem.locator('.booking-when').innerText();
    assert.match(arWhen, new RegExp(`، ${clock(slot.local_start, 'ar')} – `));
    assert.doesNotMatch(arWhen, /[0-9]/);
    assert.equal(await arItem.locator('.badge').innerText(), 'محجوزة');
    await arItem.getByRole('link', { name: /^ألغِها أو انقلها\s?:/ }).waitFor();
    const arRow = ar.page.locator(`li[data-reservation-id="${toCancel.id}"]`);
    assert.equal(await arRow.locator('.badge').innerText(), 'ملغى');
    const arTerms = await arRow.locator('.booking-terms').first().innerText();
    assert.match(arTerms, /العربون [^0-9٠-٩]{0,2}[٠-٩][٠-٩٬]*/);
    assert.doesNotMatch(arTerms, /[0-9]/);
    assert.equal(await ar.page.locator('html').getAttribute('dir'), 'rtl');
    await assertNoSideScroll(ar.page);
    await expectAccessible(ar.page, 'bookings in Arabic on a phone');
    await screenshot(ar.page, 'bookings-ar-phone');
    assert.deepEqual(ar.problems, []);
    await ar.context.close();
  } finally {
    // The units go back to the registry for the other tests, and the slot to the agent.
    await cancelAsBuyer(token, toCancel.id);
    await cancelAsBuyer(token, cancelledMeanwhile.id);
    await apiCall(`/api/viewings/${kept.id}/cancel`, { method: 'POST', token });
  }
});

test('a new buyer: empty viewings and reservations point to the chat, in English and in Arabic on a phone', async () => {
  const account = await verifiedAccount('web-bookings-new');
  const { context, page, problems } = await open(browser);
  await signIn(page, account, '/bookings');
  await page.getByRole('heading', { level: 1, name: 'Your bookings' }).waitFor();
  const noViewings = page.locator('[data-empty="viewings"]');
  await noViewings.waitFor();
  assert.match(await noViewings.innerText(), /You have not booked a viewing yet\. Ask Amr in the chat/);
  assert.equal(await noViewings.getByRole('link', { name: 'Talk to Amr' }).getAttribute('href'), '/');
  const noReservations = page.locator('[data-empty="reservations"]');
  await noReservations.waitFor();
  assert.match(await noReservations.innerText(), /You have not reserved a unit yet/);
  assert.equal(await page.locator('li.booking').count(), 0);
  await expectAccessible(page, 'bookings, empty');
  await screenshot(page, 'bookings-empty-en-desktop');
  // A buyer's header (one link more than before) still fits a phone.
  await page.setViewportSize(PHONE);
  await assertNoSideScroll(page);
  await screenshot(page, 'bookings-empty-en-phone');
  await page.setViewportSize(DESKTOP);
  // The link takes the buyer to the chat.
  await noReservations.getByRole('link', { name: 'Talk to Amr' }).click();
  await page.waitForURL((url) => url.pathname === '/');
  assert.deepEqual(problems, []);
  await context.close();

  const ar = await open(browser, { lang: 'ar', viewport: PHONE });
  await signIn(ar.page, account, '/bookings');
  await ar.page.getByRole('heading', { level: 1, name: 'حجوزاتي' }).waitFor();
  const arEmpty = ar.page.locator('[data-empty="viewings"]');
  await arEmpty.waitFor();
  assert.match(await arEmpty.innerText(), /لم تحجز أي معاينة بعد/);
  await arEmpty.getByRole('link', { name: 'تحدث مع عمرو' }).waitFor();
  await ar.page.locator('[data-empty="reservations"]').getByText('لم تحجز أي وحدة بعد', { exact: false }).waitFor();
  await assertNoSideScroll(ar.page);
  await expectAccessible(ar.page, 'bookings, empty, Arabic phone');
  await screenshot(ar.page, 'bookings-empty-ar-phone');
  assert.deepEqual(ar.problems, []);
  await ar.context.close();
});

test('signed out, the page asks to sign in and comes back to it; no header link for a visitor', async () => {
  const account = await verifiedAccount('web-bookings-signedout');
  const { context, page, problems } = await open(browser);
  await page.goto('/bookings');
  await page.getByRole('heading', { level: 1, name: 'Your bookings' }).waitFor();
  assert.equal(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Bookings' }).count(), 0);
  await page.getByRole('main').getByRole('link', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  await signInHere(page, account, '/bookings');
  await page.locator('[data-empty="viewings"]').waitFor();
  await page.getByRole('heading', { level: 1, name: 'Your bookings' }).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});
