// Booking a viewing from the free times Amr offers (the rules brain over the real viewing workflow): the times are
// buttons on Cairo's clock; signed out, choosing one asks to sign in and comes back to the same conversation, where
// it is booked; the confirmation says the day and time in Cairo, and the buyer can cancel it. In Arabic, with the
// keyboard alone, and a time someone else took a moment before. The page the confirmation email's links open.
import assert from 'node:assert/strict';
import { before, beforeEach, test } from 'node:test';
import {
  assertNoSideScroll,
  assertVisibleFocus,
  cardIds,
  chat,
  DESKTOP,
  expectAccessible,
  suiteBrowser,
  open,
  outbox,
  PHONE,
  screenshot,
  verifiedAccount,
} from './helpers.mjs';
import { agentOnDuty, apiCall, signInHere, logIn } from './people.mjs';

const browser = suiteBrowser();
before(async () => {
  await agentOnDuty('web-viewing-agent');
});
// Slots start on the hour and must be VIEWING_MIN_NOTICE_MINUTES ahead: at each hour the first free one stops being
// free. A test reads the free times and books one within seconds; one that began in the last minutes of an hour waits
// for the next, so the time it read is still free when it books.
beforeEach(async () => {
  const now = new Date();
  const left = (60 - now.getUTCMinutes()) * 60_000 - now.getUTCSeconds() * 1000 - now.getUTCMilliseconds();
  if (left < 3 * 60_000) await new Promise((done) => setTimeout(done, left + 5_000));
});

const ARABIC_DIGITS = '٠١٢٣٤٥٦٧٨٩';
const arabic = (text) => text.replace(/[0-9]/g, (d) => ARABIC_DIGITS[Number(d)]);

/** How a Cairo wall-clock time (a slot's local_start) may be written: 9:00 AM, 09:00 or 21:00, in the language's digits. */
function timePattern(localStart, lang = 'en') {
  const [hh, mm] = localStart.slice(11, 16).split(':');
  const h12 = String(((Number(hh) + 11) % 12) + 1);
  const forms = [`${h12}:${mm}`, `${hh}:${mm}`, `${Number(hh)}:${mm}`].map((form) => (lang === 'ar' ? arabic(form) : form));
  return new RegExp(`(^|[^0-9٠-٩])(${forms.join('|')})([^0-9٠-٩]|$)`);
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const weekdayOf = (localStart) => WEEKDAYS[new Date(`${localStart.slice(0, 10)}T12:00:00Z`).getUTCDay()];

async function freeSlots(listingId) {
  const found = await apiCall(`/api/viewings/slots?listing_id=${listingId}&days=7`);
  assert.equal(found.status, 200, found.text);
  return found.body;
}

/** Shift+Tab from the message box until the time button starting at `startsAt` has the focus. */
async function tabBackToSlot(page, startsAt) {
  await page.locator('#chat-message').focus();
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Shift+Tab');
    const at = await page.evaluate(() => document.activeElement?.dataset?.startsAt ?? null);
    if (at && Date.parse(at) === Date.parse(startsAt)) return;
  }
  assert.fail(`no time button for ${startsAt} within 40 presses of Shift+Tab`);
}

async function bookedViewings(token) {
  const mine = await apiCall('/api/viewings/mine', { token });
  assert.equal(mine.status, 200, mine.text);
  return mine.body.filter((viewing) => viewing.status === 'booked');
}

test('signed out, a picked time asks to sign in; back in the same conversation it is booked, shown in Cairo time, and cancelled', async () => {
  const account = await verifiedAccount('web-viewer');
  const { context, page, problems } = await open(browser);
  await page.goto('/');
  const { reply: found } = await chat(page, 'apartment in New Cairo');
  const [listingId] = await cardIds(found);
  const title = await found.locator('article.listing-card h3').first().innerText();
  const { reply } = await chat(page, 'can I visit the first one?');
  assert.match(await reply.locator('.tool[data-tool="schedule_viewing"]').innerText(), /Finding free viewing times/);
  const widget = reply.getByRole('region', { name: `Free viewing times for ${title}` });
  await widget.waitFor();
  const buttons = widget.locator('button.slot');
  await buttons.first().waitFor();

  // The buttons are the listing's real free times, on Cairo's clock.
  const free = await freeSlots(listingId);
  const shown = await buttons.evaluateAll((all) => all.map((b) => b.dataset.startsAt));
  assert.ok(shown.length >= 2 && shown.length <= 6, `${shown.length} times shown`);
  assert.deepEqual(shown.map((s) => Date.parse(s)), free.slice(0, shown.length).map((s) => Date.parse(s.starts_at)));
  const second = free[1];
  assert.match(await buttons.nth(1).innerText(), timePattern(second.local_start));
  const label = await buttons.nth(1).getAttribute('aria-label');
  assert.ok(label.startsWith(`Book a viewing on ${weekdayOf(second.local_start)}`), label);
  await expectAccessible(page, 'viewing times offered');
  await screenshot(page, 'viewing-slots-en-desktop');

  // Signed out: asked to sign in, nothing booked.
  await buttons.nth(1).click();
  const ask = widget.getByRole('status').filter({ hasText: 'Sign in to book' });
  await ask.waitFor();
  assert.match(await ask.innerText(), timePattern(second.local_start));
  await expectAccessible(page, 'viewing: asked to sign in');
  await ask.getByRole('link', { name: 'Sign in to book' }).click();
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  await signInHere(page, account, '/');

  // Back in the same conversation, signed in: the picked time is booked.
  await page.getByText('can I visit the first one?').waitFor();
  const booked = page.locator('.viewing-booked');
  await booked.getByText('Your viewing is booked').waitFor({ timeout: 30_000 });
  const when = await booked.locator('.viewing-when').innerText();
  assert.ok(when.startsWith(weekdayOf(second.local_start)), when);
  assert.match(when, timePattern(second.local_start));
  assert.match(when, /\(Cairo time\)$/);
  const token = await logIn(account);
  const viewings = await bookedViewings(token);
  assert.deepEqual(
    viewings.map((v) => [v.listing_id, Date.parse(v.starts_at)]),
    [[listingId, Date.parse(second.starts_at)]],
  );
  // The time is no longer offered to anyone.
  assert.ok(!(await freeSlots(listingId)).some((slot) => slot.starts_at === second.starts_at));
  await expectAccessible(page, 'viewing booked');
  await screenshot(page, 'viewing-booked-en-desktop');
  await page.setViewportSize(PHONE);
  await assertNoSideScroll(page);
  await screenshot(page, 'viewing-booked-en-phone');
  await page.setViewportSize(DESKTOP);

  // Cancel: the API says cancelled, the times are offered again.
  await booked.getByRole('button', { name: 'Cancel this viewing' }).click();
  await page.getByText('Your viewing is cancelled.').waitFor();
  await page.locator('.viewing button.slot').first().waitFor();
  assert.deepEqual(await bookedViewings(token), []);
  const cancelled = await apiCall(`/api/viewings/${viewings[0].id}`, { token });
  assert.equal(cancelled.body.status, 'cancelled');
  assert.deepEqual(problems, []);
  await context.close();
});

test('in Arabic with the keyboard alone: a time taken a moment before is said, another is booked', async () => {
  const account = await verifiedAccount('web-viewer-ar');
  const rival = await verifiedAccount('web-viewer-rival');
  const { context, page, problems } = await open(browser, { lang: 'ar' });
  await page.goto('/signin');
  await signInHere(page, account, '/');
  await page.getByRole('heading', { level: 1, name: 'تحدث مع عمرو' }).waitFor();
  const { reply: found } = await chat(page, 'شقة ٣ غرف في التجمع الخامس بأقل من ٨ مليون');
  const [listingId] = await cardIds(found);
  const { reply } = await chat(page, 'عايز اعمل معاينة للشقة دي');
  const widget = reply.locator('section.viewing');
  await widget.locator('button.slot').first().waitFor();
  assert.equal(await widget.locator('h3').innerText(), 'مواعيد المعاينة المتاحة');
  const free = await freeSlots(listingId);
  assert.match(await widget.locator('button.slot').first().innerText(), timePattern(free[0].local_start, 'ar'));
  await expectAccessible(page, 'viewing times in Arabic');
  await screenshot(page, 'viewing-slots-ar-desktop');
  await page.setViewportSize(PHONE);
  await assertNoSideScroll(page);
  await screenshot(page, 'viewing-slots-ar-phone');
  await page.setViewportSize(DESKTOP);

  // Someone else books the first time through the API while the buyer looks.
  const taken = await apiCall('/api/viewings', {
    method: 'POST',
    token: await logIn(rival),
    body: { listing_id: listingId, starts_at: free[0].starts_at },
  });
  assert.equal(taken.status, 201, taken.text);

  await tabBackToSlot(page, free[0].starts_at);
  await assertVisibleFocus(page);
  await page.keyboard.press('Enter');
  await widget.getByRole('status').filter({ hasText: 'حجز شخص آخر هذا الموعد للتو' }).waitFor();
  // The times are read again: the taken one is gone, the others are there.
  await page.waitForFunction(
    ([gone, still]) => {
      const times = [...document.querySelectorAll('.viewing button.slot:not(:disabled)')].map((b) => Date.parse(b.dataset.startsAt));
      return times.includes(still) && !times.includes(gone);
    },
    [Date.parse(free[0].starts_at), Date.parse(free[1].starts_at)],
  );

  await tabBackToSlot(page, free[1].starts_at);
  await page.keyboard.press('Enter');
  const booked = widget.locator('.viewing-booked');
  await booked.getByText('تم حجز المعاينة').waitFor();
  const when = await booked.locator('.viewing-when').innerText();
  assert.match(when, timePattern(free[1].local_start, 'ar'));
  assert.match(when, /بتوقيت القاهرة/);
  const mine = await bookedViewings(await logIn(account));
  assert.deepEqual(mine.map((v) => Date.parse(v.starts_at)), [Date.parse(free[1].starts_at)]);
  await expectAccessible(page, 'viewing booked in Arabic');
  await screenshot(page, 'viewing-booked-ar-desktop');
  await page.setViewportSize(PHONE);
  await assertNoSideScroll(page);
  await screenshot(page, 'viewing-booked-ar-phone');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a time picked in words is booked by Amr: his reply shows the booking, which cancels', async () => {
  const account = await verifiedAccount('web-viewer-words');
  const { context, page, problems } = await open(browser);
  await page.goto('/signin');
  await signInHere(page, account, '/');
  await chat(page, 'apartment in New Cairo');
  const { reply: offer } = await chat(page, 'can I visit the first one?');
  // The times come a moment after the reply (read from the stored turn).
  await offer.locator('button.slot').nth(1).waitFor();
  const times = await offer.locator('button.slot').evaluateAll((all) => all.map((b) => b.dataset.startsAt));
  const { reply } = await chat(page, 'the second one');
  assert.match(await reply.locator('.tool[data-tool="schedule_viewing"]').innerText(), /Booking the viewing/);
  const booked = reply.locator('.viewing-booked');
  await booked.getByText('Your viewing is booked').waitFor();
  const token = await logIn(account);
  const [viewing] = await bookedViewings(token);
  assert.equal(Date.parse(viewing.starts_at), Date.parse(times[1]));
  assert.equal(await booked.getAttribute('data-viewing-id'), viewing.id);
  // The offer above now shows the same booking: it is this listing's.
  await offer.locator(`.viewing-booked[data-viewing-id="${viewing.id}"]`).waitFor();
  await booked.getByRole('button', { name: 'Cancel this viewing' }).click();
  await reply.getByText('Your viewing is cancelled.').waitFor();
  assert.deepEqual(await bookedViewings(token), []);
  assert.deepEqual(problems, []);
  await context.close();
});

/** The cancel and reschedule links of the booking email to `email` for this viewing (waiting for it a little). */
async function viewingLinks(email, viewingId) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    for (const message of await outbox(email)) {
      const cancel = message.body.match(new RegExp(`/viewings/${viewingId}\\?action=cancel&token=[A-Za-z0-9_.\\-]+`));
      const move = message.body.match(new RegExp(`/viewings/${viewingId}\\?action=reschedule&token=[A-Za-z0-9_.\\-]+`));
      if (cancel && move) return { cancel: cancel[0], reschedule: move[0] };
    }
    assert.ok(Date.now() < deadline, `no email with the links of viewing ${viewingId}`);
    await new Promise((done) => setTimeout(done, 250));
  }
}

test('the links of the confirmation email, signed out: move the viewing to another time, cancel it; a changed link is refused', async () => {
  const account = await verifiedAccount('web-viewing-links');
  const token = await logIn(account);
  const listing = (await apiCall('/api/properties/search', { method: 'POST', body: { query: 'apartment in Maadi', limit: 1 } })).body.results[0];
  const free = await freeSlots(listing.id);
  const made = await apiCall('/api/viewings', { method: 'POST', token, body: { listing_id: listing.id, starts_at: free[0].starts_at } });
  assert.equal(made.status, 201, made.text);
  const links = await viewingLinks(account.email, made.body.id);

  const { context, page, problems } = await open(browser);
  await page.goto(links.reschedule);
  await page.getByRole('heading', { level: 1, name: 'Your viewing' }).waitFor();
  await page.getByRole('heading', { level: 2, name: listing.title }).waitFor();
  const when = page.locator('.viewing-when-line');
  assert.ok((await when.innerText()).startsWith(weekdayOf(free[0].local_start)));
  assert.match(await when.innerText(), timePattern(free[0].local_start));
  // Reschedule only (this link's action): the other times of the same agent, not the current one.
  assert.equal(await page.getByRole('button', { name: 'Cancel this viewing' }).count(), 0);
  const moveTo = page.locator('.viewing-move button.slot');
  await moveTo.first().waitFor();
  const offered = await moveTo.evaluateAll((all) => all.map((b) => Date.parse(b.dataset.startsAt)));
  assert.ok(!offered.includes(Date.parse(free[0].starts_at)));
  await expectAccessible(page, 'viewing page: reschedule');
  await screenshot(page, 'viewing-page-reschedule-en-desktop');
  const target = await moveTo.nth(1).getAttribute('data-starts-at');
  await moveTo.nth(1).click();
  await page.getByText('Your viewing is moved to').waitFor();
  const moved = await apiCall(`/api/viewings/${made.body.id}`, { token });
  assert.equal(Date.parse(moved.body.starts_at), Date.parse(target));
  assert.equal(moved.body.sequence, 1);
  assert.deepEqual(problems, []);
  await context.close();

  // The cancel link, in Arabic on a phone: asked first, then cancelled.
  const arabic = await open(browser, { lang: 'ar', viewport: PHONE });
  await arabic.page.goto(links.cancel);
  await arabic.page.getByRole('heading', { level: 1, name: 'معاينتك' }).waitFor();
  await arabic.page.getByRole('button', { name: 'إلغاء هذه المعاينة' }).click();
  await arabic.page.waitForFunction(() => document.activeElement?.textContent === 'ألغِ المعاينة');
  await expectAccessible(arabic.page, 'viewing page: cancel, Arabic');
  await assertNoSideScroll(arabic.page);
  await screenshot(arabic.page, 'viewing-page-cancel-ar-phone');
  await arabic.page.keyboard.press('Enter');
  await arabic.page.getByText('تم إلغاء معاينتك').waitFor();
  assert.equal((await apiCall(`/api/viewings/${made.body.id}`, { token })).body.status, 'cancelled');
  assert.deepEqual(arabic.problems, []);
  await arabic.context.close();

  // A link changed by hand says so in words.
  const tampered = await open(browser);
  await tampered.page.goto(`${links.cancel.replace(/token=./, 'token=x')}`);
  await tampered.page.getByRole('alert').filter({ hasText: 'This link does not work any more' }).waitFor();
  assert.deepEqual(tampered.problems, []);
  await tampered.context.close();
});
