// History: conversations had while signed in, seen from a second browser (another device) after signing in there,
// searched, continued, deleted one by one and all at once; in English and Arabic, with the keyboard.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertNoSideScroll,
  assertVisibleFocus,
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
import { apiCall, signInHere, logIn } from './people.mjs';

const browser = suiteBrowser();

const VILLA = 'villa in Sheikh Zayed between 25 and 40 million';
const MAADI = 'apartment in Maadi under 5 million';

async function sessionsOf(token) {
  const listed = await apiCall('/api/history/sessions', { token });
  assert.equal(listed.status, 200, listed.text);
  return listed.body.sessions;
}

test('two conversations on one device are in History on another after signing in there: searched, continued, deleted', async () => {
  const account = await verifiedAccount('web-history');
  // The first device: two conversations, signed in.
  const first = await open(browser);
  await first.page.goto('/signin');
  await signInHere(first.page, account, '/');
  await chat(first.page, VILLA);
  await first.page.getByRole('button', { name: 'New conversation' }).click();
  await chat(first.page, MAADI);
  const token = await logIn(account);
  const [maadi, villa] = await sessionsOf(token);
  assert.deepEqual([maadi.title, villa.title], [MAADI, VILLA]);

  // A second device: History asks to sign in, then lists both, the latest first.
  const { context, page, problems } = await open(browser);
  await page.goto('/history');
  await page.getByRole('main').getByRole('link', { name: 'Sign in' }).click();
  await signInHere(page, account, '/history');
  await page.getByRole('heading', { level: 1, name: 'Your conversations' }).waitFor();
  const list = page.getByRole('list', { name: 'Conversations, most recent first' });
  await list.waitFor();
  assert.deepEqual(await list.getByRole('heading', { level: 2 }).allInnerTexts(), [MAADI, VILLA]);
  assert.match(await list.locator('li').first().innerText(), /Last active [A-Z][a-z]+ \d{1,2}, \d{4}|Last active \d{1,2} [A-Z][a-z]+ \d{4}/);
  await expectAccessible(page, 'history');
  await screenshot(page, 'history-en-desktop');
  await page.setViewportSize(PHONE);
  await assertNoSideScroll(page);
  await screenshot(page, 'history-en-phone');
  await page.setViewportSize(DESKTOP);

  // Search: the villa conversation's words find it; nothing finds nothing.
  const box = page.getByRole('searchbox', { name: 'Search your conversations' });
  await box.fill('Zayed');
  await box.press('Enter');
  await page.getByRole('heading', { level: 2, name: /messages? match(es)? “Zayed”/ }).waitFor();
  const hits = page.locator('.history-results .history-item');
  assert.ok((await hits.count()) >= 1);
  for (const text of await hits.locator('.history-title').allInnerTexts()) assert.equal(text, VILLA);
  await expectAccessible(page, 'history search');
  await screenshot(page, 'history-search-en-desktop');
  await box.fill('penthouse in Alexandria');
  await box.press('Enter');
  await page.getByRole('heading', { level: 2, name: 'Nothing in your conversations matches “penthouse in Alexandria”.' }).waitFor();
  await box.fill('Zayed');
  await box.press('Enter');

  // Continue the villa conversation here: its messages come back, and the next message joins it.
  await hits.first().getByRole('button', { name: VILLA }).click();
  await page.waitForURL(`${BASE}/`);
  await page.locator('.message-user').filter({ hasText: VILLA }).waitFor();
  assert.ok((await page.locator('.message-amr article.listing-card').count()) >= 1, 'the cards did not come back');
  const { reply } = await chat(page, 'compare the first two');
  await reply.locator('.tool[data-tool="compare_units"]').waitFor();
  const continued = await sessionsOf(token);
  assert.deepEqual(continued.map((s) => [s.id, s.message_count > villa.message_count]), [
    [villa.id, true],
    [maadi.id, false],
  ]);

  // Back in History: the villa conversation is first and open here. Delete the other one with the keyboard.
  await page.getByRole('navigation').getByRole('link', { name: 'History' }).click();
  await list.getByRole('heading', { level: 2 }).first().waitFor();
  assert.deepEqual(await list.getByRole('heading', { level: 2 }).allInnerTexts(), [VILLA, MAADI]);
  assert.match(await list.locator('li').first().innerText(), /Open in the chat now/);
  await tabTo(page, `li[data-session-id="${maadi.id}"] .button-quiet`);
  await assertVisibleFocus(page);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.textContent === 'Delete it');
  await expectAccessible(page, 'history: delete one?');
  await screenshot(page, 'history-delete-en-desktop');
  await page.keyboard.press('Enter');
  await page.getByText('The conversation is deleted.').waitFor();
  assert.deepEqual(await list.getByRole('heading', { level: 2 }).allInnerTexts(), [VILLA]);
  assert.equal((await apiCall(`/api/history/sessions/${maadi.id}`, { token })).status, 404);

  // Delete all: asked first, then nothing is left, here or in the API.
  await page.getByRole('button', { name: 'Delete all conversations' }).click();
  await page.getByRole('group', { name: /Delete every conversation/ }).getByRole('button', { name: 'Delete all' }).click();
  await page.getByText('1 conversation deleted.').waitFor();
  await page.getByText('No conversations yet.').waitFor();
  assert.deepEqual(await sessionsOf(token), []);
  assert.deepEqual(problems, []);
  assert.deepEqual(first.problems, []);
  await first.context.close();
  await context.close();
});

test('History in Arabic: right to left, Arabic digits, an Arabic search', async () => {
  const account = await verifiedAccount('web-history-ar');
  const { context, page, problems } = await open(browser, { lang: 'ar' });
  await page.goto('/signin');
  await signInHere(page, account, '/');
  await chat(page, 'شقة ٣ غرف في التجمع الخامس بأقل من ٨ مليون');
  await page.getByRole('navigation').getByRole('link', { name: 'السجل' }).click();
  await page.getByRole('heading', { level: 1, name: 'محادثاتك' }).waitFor();
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  const item = page.locator('.history-list li').first();
  await item.waitFor();
  assert.match(await item.innerText(), /آخر نشاط [٠-٩]+ [\u0600-\u06FF]+ [٠-٩]{4}/);
  await expectAccessible(page, 'history in Arabic');
  await screenshot(page, 'history-ar-desktop');
  await page.setViewportSize(PHONE);
  await assertNoSideScroll(page);
  await screenshot(page, 'history-ar-phone');
  await page.setViewportSize(DESKTOP);
  const box = page.getByRole('searchbox', { name: 'ابحث في محادثاتك' });
  await box.fill('التجمع');
  await box.press('Enter');
  await page.getByRole('heading', { level: 2, name: /تطابق «التجمع»/ }).waitFor();
  assert.ok((await page.locator('.history-results .history-item').count()) >= 1);
  await screenshot(page, 'history-search-ar-desktop');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a session ended on another device: the chat, reading two things at once, says to sign in again', async () => {
  const account = await verifiedAccount('web-history-ended');
  const { context, page, problems } = await open(browser);
  await page.goto('/signin');
  await signInHere(page, account, '/');
  await page.getByRole('navigation').getByRole('link', { name: 'History' }).click();
  await page.getByText('No conversations yet.').waitFor();
  const refreshToken = await page.evaluate(() => window.localStorage.getItem('osool.refresh_token'));
  const logout = await apiCall('/api/auth/logout', { method: 'POST', body: { refresh_token: refreshToken } });
  assert.equal(logout.status, 204, logout.text);
  await new Promise((done) => setTimeout(done, 1500));
  // The chat reads the buyer's reservations and viewings together: both refused, the notice stays.
  await page.getByRole('navigation').getByRole('link', { name: 'Chat' }).click();
  await page.locator('.page-notices').getByText('Your session has ended. Sign in again.').waitFor();
  await page.getByRole('banner').getByRole('link', { name: 'Sign in' }).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});
