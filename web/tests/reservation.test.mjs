// Reserving a unit: from a listing card (a confirmation first), its status moving from pending to confirmed live as
// the chain service records it on the test stack's chain node, the deposit and the hold in Cairo time, cancelling it;
// Amr reserving on request with the same status in his reply; signed out, a way to sign in; a unit someone else
// reserved a moment before, said plainly.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertNoSideScroll,
  cardIds,
  chat,
  DESKTOP,
  expectAccessible,
  suiteBrowser,
  open,
  PHONE,
  screenshot,
  verifiedAccount,
} from './helpers.mjs';
import { apiCall, signInHere, logIn } from './people.mjs';

const browser = suiteBrowser();

async function signedIn(label, options = {}) {
  const account = await verifiedAccount(label);
  const opened = await open(browser, options);
  await opened.page.goto('/signin');
  await signInHere(opened.page, account, '/');
  return { account, ...opened };
}

/** The first card of a reply whose unit nobody holds on the registry. */
async function freeCard(reply) {
  const ids = await cardIds(reply);
  const query = ids.map((id) => `id=${id}`).join('&');
  const statuses = (await apiCall(`/api/chain/listings?${query}`)).body.listings;
  // Free now and once every write the chain service accepted has landed (pending_status: the state it is heading to).
  const held = (status) => status === 'reserved' || status === 'sold';
  const free = new Set(statuses.filter((s) => !held(s.status) && !held(s.pending_status)).map((s) => s.listing_id));
  const id = ids.find((candidate) => free.has(candidate));
  assert.ok(id, 'no card of a unit free on the registry');
  return { id, card: reply.locator(`article.listing-card[data-listing-id="${id}"]`) };
}

async function waitChain(listingId, status) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const found = (await apiCall(`/api/chain/listings/${listingId}`)).body?.status;
    if (found === status) return;
    assert.ok(Date.now() < deadline, `the registry says ${found}, not ${status}`);
    await new Promise((done) => setTimeout(done, 500));
  }
}

test('a buyer reserves from a card: pending, then confirmed live without a reload, and cancels it', async () => {
  const { account, context, page, problems } = await signedIn('web-reserver');
  const { reply } = await chat(page, 'townhouse in Sheikh Zayed');
  const { id, card } = await freeCard(reply);
  const title = await card.locator('h3').innerText();
  await card.getByRole('button', { name: `Reserve ${title}` }).click();
  const confirm = card.getByRole('group', { name: `Reserve ${title}?` });
  await confirm.waitFor();
  // The focus moves into the confirmation, on its first choice.
  await page.waitForFunction(() => document.activeElement?.textContent === 'Confirm the reservation');
  await expectAccessible(page, 'reservation confirmation');
  await confirm.getByRole('button', { name: 'Confirm the reservation' }).click();

  // Pending at once (the API answers before the chain has it), then confirmed as the page follows it.
  const status = card.locator('.reservation');
  await card.locator('.reservation[data-status="pending"]').waitFor();
  assert.match(await status.innerText(), /Reserving: waiting for the registry/);
  await screenshot(page, 'reservation-pending-en-desktop');
  await card.locator('.reservation[data-status="confirmed"]').waitFor({ timeout: 60_000 });
  assert.match(await status.getByRole('status').innerText(), /Reserved for you/);
  const token = await logIn(account);
  const [mine] = (await apiCall('/api/reservations', { token })).body;
  assert.equal(mine.listing_id, id);
  assert.equal(mine.status, 'confirmed');
  const terms = await status.locator('.reservation-terms').innerText();
  assert.match(terms, new RegExp(`Deposit EGP\\s?${mine.deposit_egp.toLocaleString('en-US')}`));
  assert.match(terms, /Held for you until .+ \(Cairo time\)/);
  assert.match(await card.locator('.badge-reserved').innerText(), /Reserved on chain/);
  await waitChain(id, 'reserved');
  await expectAccessible(page, 'reservation confirmed');
  await screenshot(page, 'reservation-confirmed-en-desktop');
  await page.setViewportSize(PHONE);
  await assertNoSideScroll(page);
  await screenshot(page, 'reservation-confirmed-en-phone');
  await page.setViewportSize(DESKTOP);

  // Cancelled: released on the registry, and it may be reserved again.
  await status.getByRole('button', { name: 'Cancel the reservation' }).click();
  await card.locator('.reservation[data-status="cancelled"]').waitFor();
  assert.equal((await apiCall(`/api/reservations/${mine.id}`, { token })).body.status, 'cancelled');
  await waitChain(id, 'available');
  await card.getByRole('button', { name: 'Reserve again' }).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('Amr reserves on request; his reply shows the reservation reaching confirmed, in Arabic', async () => {
  const { account, context, page, problems } = await signedIn('web-amr-reserver', { lang: 'ar' });
  const { reply: found } = await chat(page, 'townhouse in Sheikh Zayed');
  const ids = await cardIds(found);
  // A unit nobody holds: on a stack other tests share, the one Amr is asked for may be reserved already.
  const { id: freeId } = await freeCard(found);
  const ordinals = ['first', 'second', 'third', 'fourth', 'fifth'];
  assert.ok(ids.indexOf(freeId) < ordinals.length, 'no free unit among the first five cards');
  const { reply } = await chat(page, `reserve the ${ordinals[ids.indexOf(freeId)]} one`);
  assert.match(await reply.locator('.tool[data-tool="reserve_property"]').innerText(), /جارٍ حجز الوحدة/);
  const widget = reply.getByRole('region', { name: 'الحجز' });
  await widget.waitFor({ timeout: 60_000 });
  await widget.locator('.reservation[data-status="confirmed"]').waitFor({ timeout: 60_000 });
  assert.match(await widget.getByRole('status').innerText(), /محجوزة لك/);
  assert.match(await widget.locator('.reservation-terms').innerText(), /العربون .*[٠-٩]/);
  const [mine] = (await apiCall('/api/reservations', { token: await logIn(account) })).body;
  assert.equal(mine.listing_id, freeId);
  assert.equal(mine.status, 'confirmed');
  // The card of the same unit says it too.
  await found.locator(`article.listing-card[data-listing-id="${freeId}"] .reservation[data-status="confirmed"]`).waitFor();
  await expectAccessible(page, 'reservation by Amr, Arabic');
  await screenshot(page, 'reservation-ar-desktop');
  await page.setViewportSize(PHONE);
  await assertNoSideScroll(page);
  await screenshot(page, 'reservation-ar-phone');
  // Released again for the other tests.
  await widget.getByRole('button', { name: 'إلغاء الحجز' }).click();
  await widget.locator('.reservation[data-status="cancelled"]').waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('signed out, Reserve offers to sign in; a unit reserved by someone else a moment before is said plainly', async () => {
  const anonymous = await open(browser);
  await anonymous.page.goto('/');
  const { reply: shown } = await chat(anonymous.page, 'townhouse in Sheikh Zayed');
  const first = shown.locator('article.listing-card').first();
  await first.getByRole('button', { name: /^Reserve / }).click();
  await first.getByText('Sign in to reserve this unit').waitFor();
  await first.getByRole('link', { name: 'Sign in' }).waitFor();
  await expectAccessible(anonymous.page, 'reserve while signed out');
  assert.deepEqual(anonymous.problems, []);
  await anonymous.context.close();

  const { context, page, problems } = await signedIn('web-late-reserver');
  const { reply } = await chat(page, 'townhouse in Sheikh Zayed');
  const { id, card } = await freeCard(reply);
  const rival = await verifiedAccount('web-quick-reserver');
  const rivalToken = await logIn(rival);
  const taken = await apiCall('/api/reservations', { method: 'POST', token: rivalToken, body: { listing_id: id } });
  assert.equal(taken.status, 201, taken.text);
  await card.getByRole('button', { name: /^Reserve / }).click();
  await card.getByRole('button', { name: 'Confirm the reservation' }).click();
  await card.getByRole('alert').filter({ hasText: 'This unit has just been reserved by someone else' }).waitFor();
  assert.doesNotMatch(await card.innerText(), /[{}"]error|409/);
  await expectAccessible(page, 'reservation refused');
  await screenshot(page, 'reservation-taken-en-desktop');
  // Released again for the other tests, once the registry has it.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const cancelled = await apiCall(`/api/reservations/${taken.body.id}/cancel`, { method: 'POST', token: rivalToken });
    if (cancelled.status === 200) break;
    assert.ok(Date.now() < deadline, cancelled.text);
    await new Promise((done) => setTimeout(done, 500));
  }
  assert.deepEqual(problems, []);
  await context.close();
});
