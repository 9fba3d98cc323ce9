// The chat page against the test stack's agent (the rules brain: real listings, no model): replies stream on screen
// in English and Arabic, tool activity in words, cards of listings that exist, the comparison, the mortgage widget,
// and a conversation that follows the person when they sign in.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertNoSideScroll,
  assertStreamed,
  assertVisibleFocus,
  BASE,
  cardIds,
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

test('an English question streams a reply with listing cards that exist, and two of them compare', async () => {
  const { context, page, problems } = await open(browser);
  await page.goto('/');
  await page.getByRole('heading', { level: 1, name: 'Chat with Amr' }).waitFor();
  await expectAccessible(page, 'chat (empty)');
  await screenshot(page, 'chat-empty-en-desktop');

  const { reply, growth } = await chat(page, '3 bedroom apartment in New Cairo under 8M');
  assertStreamed(growth);
  const search = reply.locator('.tool[data-tool="search_properties"]');
  assert.match(await search.innerText(), /Searching New Cairo .*under EGP\s?8M…/);
  assert.match(await search.innerText(), /done/);
  const ids = await cardIds(reply);
  assert.ok(ids.length >= 2, `expected at least two cards, got ${ids.length}`);
  // The card says what the listing is, with its price as the search service has it.
  const listing = await (await fetch(`${BASE}/api/properties/${ids[0]}`)).json();
  const first = reply.locator('article.listing-card').first();
  assert.equal(await first.getByRole('heading').innerText(), listing.title);
  assert.match(await first.innerText(), new RegExp(listing.price.toLocaleString('en-US')));
  assert.match(await first.innerText(), /per m²/);
  assert.match(await first.innerText(), /Payment plan/);
  await expectAccessible(page, 'chat (a reply with cards)');

  // Pick two cards, open the comparison.
  const cards = reply.locator('article.listing-card');
  await cards.nth(0).getByRole('checkbox', { name: /Compare/ }).check();
  await page.getByText('1 listing selected').waitFor();
  await cards.nth(1).getByRole('checkbox', { name: /Compare/ }).check();
  await page.getByRole('region', { name: 'Compare listings' }).getByRole('button', { name: 'Compare' }).click();
  const dialog = page.getByRole('dialog', { name: 'Compare listings' });
  await dialog.waitFor();
  const columns = await dialog.locator('thead th').allInnerTexts();
  const titles = await cards.locator('h3').allInnerTexts();
  assert.deepEqual(columns.map((text) => text.replace('×', '').trim()), titles.slice(0, 2));
  assert.ok((await dialog.locator('tbody tr').count()) >= 8);
  await dialog.getByRole('row', { name: /Price per m²/ }).waitFor();
  await expectAccessible(page, 'comparison dialog');
  await screenshot(page, 'compare-en-desktop', { fullPage: false });
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });

  await screenshot(page, 'chat-en-desktop');
  await page.setViewportSize(PHONE);
  await assertNoSideScroll(page);
  await screenshot(page, 'chat-en-phone');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the language switch turns the page Arabic and right to left, and an Arabic question streams its reply', async () => {
  const { context, page, problems } = await open(browser);
  await page.goto('/');
  await page.getByRole('button', { name: /Switch the language to Arabic/ }).click();
  await page.getByRole('heading', { level: 1, name: 'تحدث مع عمرو' }).waitFor();
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  assert.equal(await page.getAttribute('html', 'lang'), 'ar');
  await expectAccessible(page, 'chat in Arabic (empty)');

  const { reply, growth } = await chat(page, 'شقة ٣ غرف في التجمع الخامس بأقل من ٨ مليون');
  assertStreamed(growth);
  const text = await reply.locator('.message-text').innerText();
  assert.match(text, /[\u0600-\u06FF]/, 'the reply is not in Arabic');
  assert.match(await reply.locator('.tool[data-tool="search_properties"]').innerText(), /جارٍ البحث عن/);
  const ids = await cardIds(reply);
  assert.ok(ids.length >= 1);
  // Prices in Arabic digits and the Egyptian pound.
  assert.match(await reply.locator('article.listing-card').first().innerText(), /[٠-٩]/);
  // The layout is mirrored: a card's start edge is on the right.
  const box = await reply.locator('article.listing-card').first().boundingBox();
  const log = await reply.locator('.listing-grid').boundingBox();
  assert.ok(box.x + box.width > log.x + log.width - 4, 'the first card does not start on the right');
  await expectAccessible(page, 'chat in Arabic (a reply with cards)');

  await screenshot(page, 'chat-ar-desktop');
  await page.setViewportSize(PHONE);
  await assertNoSideScroll(page);
  await screenshot(page, 'chat-ar-phone');
  await page.setViewportSize(DESKTOP);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a mortgage question shows the widget with its numbers and assumptions', async () => {
  const { context, page, problems } = await open(browser);
  await page.goto('/');
  const { reply } = await chat(page, 'mortgage on 5 million over 10 years with 20% down at 12% interest');
  assert.match(await reply.locator('.tool[data-tool="calculate_mortgage"]').innerText(), /Calculating a mortgage on EGP\s?5M over 10 years/);
  const widget = reply.getByRole('region', { name: 'Mortgage' });
  await widget.waitFor();
  assert.match(await widget.innerText(), /EGP\s?57,388 a month/);
  assert.match(await widget.innerText(), /EGP\s?4,000,000/);
  await expectAccessible(page, 'chat (mortgage widget)');
  await screenshot(page, 'mortgage-en-desktop');
  assert.deepEqual(problems, []);
  await context.close();
});

test('an income alone shows the price within reach in the mortgage widget', async () => {
  const { context, page, problems } = await open(browser);
  await page.goto('/');
  const { reply } = await chat(page, 'I earn 40k a month, how much can I afford?');
  const widget = reply.getByRole('region', { name: 'Mortgage' });
  await widget.waitFor();
  // 40% of 40,000 over 10 years at 24% borrows EGP 725,686; with 20% down on top, a home of EGP 907,107
  assert.match(await widget.innerText(), /Price within reach\s*EGP\s?907,107/);
  assert.match(await reply.innerText(), /that buys a home of up to EGP\s?907,107/);
  // ... and what the CBE middle-income initiative (8% over 20 years) would buy, capped at its EGP 2,250,000 limit
  assert.match(await widget.innerText(), /With a subsidised programme \(8%, 20 years\), if still open\s*EGP\s?2,250,000/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('in Arabic, the mortgage widget states its assumptions in Arabic', async () => {
  const { context, page, problems } = await open(browser);
  await page.goto('/');
  await page.getByRole('button', { name: /Switch the language to Arabic/ }).click();
  await page.getByRole('heading', { level: 1, name: 'تحدث مع عمرو' }).waitFor();
  const { reply } = await chat(page, 'تمويل عقاري لشقة ب 5 مليون على 10 سنين');
  const widget = reply.getByRole('region', { name: 'التمويل العقاري' });
  await widget.waitFor();
  const list = widget.locator('.assumptions ul');
  assert.equal(await list.getAttribute('lang'), 'ar');
  assert.equal(await list.getAttribute('dir'), 'rtl');
  const said = await list.textContent(); // the list sits in a closed <details>
  assert.match(said, /مقدم 20% \(افتراضي\)/);
  assert.doesNotMatch(said, /default|market rate/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('an anonymous conversation follows the person when they sign in', async () => {
  const account = await verifiedAccount('web-claim');
  const { context, page, problems } = await open(browser);
  await page.goto('/');
  const { reply } = await chat(page, 'villa in Sheikh Zayed between 25 and 40 million');
  const ids = await cardIds(reply);
  await page.getByText('You are chatting without an account').waitFor();
  await page.getByRole('main').getByRole('link', { name: 'Sign in' }).click();
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(`${BASE}/`);
  await page.getByText('villa in Sheikh Zayed between 25 and 40 million').waitFor();
  // A reload: the conversation comes back from chat-history, opened by the user's token (the secret is gone).
  await page.reload();
  await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).waitFor();
  await page.getByText('villa in Sheikh Zayed between 25 and 40 million').waitFor();
  const restored = await page.locator('.message-amr article.listing-card').evaluateAll((cards) =>
    cards.map((card) => card.dataset.listingId),
  );
  assert.deepEqual(restored, ids);
  assert.equal(await page.evaluate(() => JSON.parse(window.localStorage.getItem('osool.conversation')).secret), null);
  // The next turn continues the same conversation as the user.
  const { reply: next } = await chat(page, 'compare the first two');
  await next.locator('.tool[data-tool="compare_units"]').waitFor();
  const comparison = next.getByRole('region', { name: 'Comparison by Amr' });
  await comparison.waitFor();
  // The comparison's own defaults, then each unit's, named by its title (never by the listing's id).
  const titles = await comparison.locator('thead th').allTextContents();
  const assumed = await comparison.locator('.assumptions li').allTextContents();
  assert.ok(assumed.some((item) => /bank deposit/.test(item)), assumed.join(' | '));
  const perUnit = assumed.filter((item) => /: (delivery|down payment|equal monthly|the listing|no delivery)/.test(item));
  assert.ok(perUnit.length > 0, assumed.join(' | '));
  for (const item of perUnit) assert.ok(titles.some((title) => item.startsWith(`${title}: `)), item);
  for (const id of ids) assert.ok(!assumed.join(' ').includes(id), `a listing id in the assumptions: ${assumed}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('with the keyboard alone: skip link, send, pick two cards, compare, close', async () => {
  const { context, page, problems } = await open(browser);
  await page.goto('/');
  await page.getByRole('heading', { level: 1, name: 'Chat with Amr' }).waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
  await assertVisibleFocus(page);
  await page.keyboard.press('Enter');
  await tabTo(page, '#chat-message');
  await assertVisibleFocus(page);
  await page.keyboard.type('2 bedroom apartment in Maadi');
  await page.keyboard.press('Enter');
  await page.locator('.message-amr[data-state="done"] article.listing-card').first().waitFor();
  // Back from the message box to the cards: the first compare box met going backwards is the last card's.
  await tabTo(page, 'input[type="checkbox"]', { backwards: true });
  await assertVisibleFocus(page);
  await page.keyboard.press('Space');
  await page.keyboard.press('Shift+Tab');
  await tabTo(page, 'input[type="checkbox"]', { backwards: true });
  await page.keyboard.press('Space');
  await page.getByText('2 listings selected').waitFor();
  await tabTo(page, '.compare-bar .button:not(.button-quiet)');
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Compare listings' });
  await dialog.waitFor();
  assert.ok(await dialog.evaluate((element) => element.contains(document.activeElement)), 'focus is not in the dialog');
  assert.equal(await dialog.locator('thead th').count(), 2);
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  // Focus comes back to the button that opened it.
  assert.ok(await page.evaluate(() => document.activeElement?.matches('.compare-bar .button')));
  assert.deepEqual(problems, []);
  await context.close();
});

test('offline, the page says so, and a message that cannot leave says why', async () => {
  const { context, page, problems } = await open(browser);
  await page.goto('/');
  await page.getByRole('heading', { level: 1, name: 'Chat with Amr' }).waitFor();
  await context.setOffline(true);
  await page.getByText('You are offline. Messages will not send until you are back online.').waitFor();
  const box = page.getByRole('textbox', { name: 'Your message to Amr' });
  await box.fill('apartment in Zamalek');
  await box.press('Enter');
  await page.getByRole('alert').filter({ hasText: 'You are offline. Check your connection and try again.' }).waitFor();
  await context.setOffline(false);
  await page.getByText('You are offline. Messages will not send').waitFor({ state: 'hidden' });
  assert.deepEqual(problems, []);
  await context.close();
});

test('a session ended elsewhere: the next message says to sign in again', async () => {
  const account = await verifiedAccount('web-expired');
  const { context, page, problems } = await open(browser);
  await page.goto('/signin');
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(`${BASE}/`);
  // Signing out on another device ends the session: its refresh token and, within about a second, its access tokens.
  const refreshToken = await page.evaluate(() => window.localStorage.getItem('osool.refresh_token'));
  const logout = await fetch(`${BASE}/api/auth/logout`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ refresh_token: refreshToken }),
  });
  assert.ok(logout.ok, await logout.text());
  await new Promise((done) => setTimeout(done, 1500));
  const box = page.getByRole('textbox', { name: 'Your message to Amr' });
  await box.fill('apartment in Zamalek');
  await box.press('Enter');
  await page.getByText('Your session has ended. Sign in again.').waitFor();
  await page.getByRole('banner').getByRole('link', { name: 'Sign in' }).waitFor();
  await expectAccessible(page, 'chat after the session ended');
  assert.deepEqual(problems, []);
  await context.close();
});
