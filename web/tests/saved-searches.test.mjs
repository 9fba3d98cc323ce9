// Saved searches and their alerts against the test stack: saving the search page's words (signed out, through the
// sign-in round trip), the saved-searches page (pause, channel, delete, asked first), the 409 limit said plainly, a
// real alert email (a matching listing ingested by the administrator, the digest read from the outbox) whose links
// open the listing and the unsubscribe page, which stops nothing until confirmed; an altered or missing token said
// as such. English and Arabic, desktop and phone, axe on every page.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertNoSideScroll,
  BASE,
  expectAccessible,
  suiteBrowser,
  open,
  outbox,
  PHONE,
  screenshot,
  verifiedAccount,
} from './helpers.mjs';
import { adminAccount, apiCall, call, logIn, signIn, signInHere } from './people.mjs';

const browser = suiteBrowser();

// Words the search service reads as filters (Twinhouse, New Capital, at most 9 million): what an alert must meet.
const WORDS = 'twinhouse in New Capital under 9 million';
const WORDS_URL = `/search?q=${WORDS.replace(/ /g, '+')}`;

function tag() {
  return Array.from({ length: 10 }, () => 'bcdfghjklmnpqrstvwxz'[Math.floor(Math.random() * 20)]).join('');
}

async function savedOf(token) {
  return (await call('/api/saved-searches', { token })).items;
}

async function waitFor(check, what, seconds = 30) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const found = await check();
    if (found) return found;
    assert.ok(Date.now() < deadline, `${what}: not within ${seconds} s`);
    await new Promise((done) => setTimeout(done, 500));
  }
}

test('signed out, a buyer saves the search page\'s words through signing in, then pauses and deletes it', async () => {
  const account = await verifiedAccount('web-saver');
  const token = await logIn(account);
  const { context, page, problems } = await open(browser);
  await page.goto(WORDS_URL);
  await page.locator('.search-results[aria-busy="false"]').waitFor();
  await page.locator('summary', { hasText: 'Get alerts for this search' }).click();
  const box = page.locator('section.save-search');
  assert.match(await box.innerText(), new RegExp(WORDS));
  assert.equal(await box.getByLabel('Email').isChecked(), true);
  await expectAccessible(page, 'search with the save box, signed out');
  // Signed out: the way is signing in, and back to this very search.
  const signInLink = box.getByRole('link', { name: 'Sign in to save this search' });
  assert.equal(await signInLink.getAttribute('href'), `/signin?next=${encodeURIComponent(WORDS_URL)}`);
  assert.deepEqual(await savedOf(token), []);
  await signInLink.click();
  await page.waitForURL((url) => url.pathname === '/signin');
  await signInHere(page, account, '/search');
  assert.equal(page.url(), `${BASE}${WORDS_URL}`);
  await box.getByText('Search saved. New listings that match it will reach you by email.').waitFor();
  await expectAccessible(page, 'search, saved');
  await screenshot(page, 'search-saved-en-desktop');
  const [saved] = await savedOf(token);
  assert.equal(saved.query, WORDS);
  assert.equal(saved.channel, 'email');
  assert.equal(saved.active, true);
  assert.deepEqual(saved.filters.property_types, ['Twinhouse']);
  // Saved once: a reload does not save it again or say so again.
  await page.reload();
  await page.locator('.search-results[aria-busy="false"]').waitFor();
  assert.equal(await page.getByText('Search saved.').count(), 0);
  assert.equal((await savedOf(token)).length, 1);

  // SMS needs a verified phone, which this account has not: said in words, nothing changes.
  await page.locator('summary', { hasText: 'Get alerts for this search' }).click();
  await box.getByLabel('SMS (needs a verified phone number)').check();
  await box.getByRole('button', { name: 'Save this search' }).click();
  await box.getByRole('alert').filter({ hasText: 'SMS alerts need a verified phone number' }).waitFor();
  assert.equal((await savedOf(token))[0].channel, 'email');
  // The same words by email again: the same search, said as such.
  await box.getByLabel('Email').check();
  await box.getByRole('button', { name: 'Save this search' }).click();
  await box.getByText('You had saved these words already: its alerts now come by email.').waitFor();
  assert.equal((await savedOf(token)).length, 1);

  // The page of saved searches, from the header (a buyer's link).
  await page.getByRole('banner').getByRole('link', { name: 'Saved searches' }).click();
  await page.getByRole('heading', { level: 1, name: 'Saved searches' }).waitFor();
  const item = page.locator(`li.saved-search[data-saved-search-id="${saved.id}"]`);
  await item.waitFor();
  assert.equal(await item.getByRole('heading', { level: 2 }).innerText(), WORDS);
  const meta = await item.locator('.saved-search-meta').innerText();
  assert.match(meta, /Alerts on/);
  assert.match(meta, /By email/);
  const day = new Intl.DateTimeFormat('en-EG', { dateStyle: 'medium' }).format(new Date(saved.created_at));
  assert.ok(meta.includes(`Saved ${day}`), meta);
  assert.equal(await item.getByRole('link', { name: /^Search now/ }).getAttribute('href'), WORDS_URL);
  await page.getByRole('heading', { level: 2, name: 'Recent alerts' }).waitFor();
  await page.getByText('Nothing found yet.').waitFor();
  await expectAccessible(page, 'saved searches');
  await screenshot(page, 'saved-searches-en-desktop');

  // Pause, then on again: the service says so, and so does the page.
  await item.getByRole('button', { name: /^Pause alerts/ }).click();
  await page.getByText(`Alerts for “${WORDS}” are paused.`).waitFor();
  await item.locator('.badge', { hasText: 'Paused' }).waitFor();
  assert.equal((await savedOf(token))[0].active, false);
  await item.getByRole('button', { name: /^Resume alerts/ }).click();
  await page.getByText(`Alerts for “${WORDS}” are on again.`).waitFor();
  assert.equal((await savedOf(token))[0].active, true);
  // By SMS without a phone: refused in words, at the search it was asked of.
  await item.getByRole('button', { name: /^Send by SMS instead/ }).click();
  await item.getByRole('alert').filter({ hasText: 'SMS alerts need a verified phone number' }).waitFor();
  assert.equal((await savedOf(token))[0].channel, 'email');

  // Delete asks first; keeping it keeps it.
  await item.getByRole('button', { name: /^Delete/ }).click();
  const question = item.getByRole('group', { name: `Delete the saved search “${WORDS}”? Its alerts stop.` });
  await question.waitFor();
  await page.waitForFunction(() => document.activeElement?.textContent === 'Delete it');
  await expectAccessible(page, 'saved searches, deleting');
  await question.getByRole('button', { name: 'Keep it' }).click();
  assert.equal((await savedOf(token)).length, 1);
  await item.getByRole('button', { name: /^Delete/ }).click();
  await question.getByRole('button', { name: 'Delete it' }).click();
  await page.getByText('The saved search is deleted.').waitFor();
  assert.equal(await item.count(), 0);
  assert.deepEqual(await savedOf(token), []);
  await page.getByText('You have no saved searches yet.').waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('at the most saved searches allowed, saving one more is said plainly', async () => {
  const account = await verifiedAccount('web-saver-full');
  const token = await logIn(account);
  // The agent allows 20 a buyer (SAVED_SEARCHES_PER_USER); any more than that is refused.
  for (let millions = 10; ; millions++) {
    const answer = await apiCall('/api/saved-searches', { token, body: { query: `villa in New Cairo under ${millions} million` } });
    if (answer.status === 409) break;
    assert.equal(answer.status, 201, answer.text);
    assert.ok(millions < 10 + 200, 'no limit reached');
  }
  const kept = (await savedOf(token)).length;
  const { context, page, problems } = await open(browser);
  await signIn(page, account, WORDS_URL);
  await page.locator('.search-results[aria-busy="false"]').waitFor();
  await page.locator('summary', { hasText: 'Get alerts for this search' }).click();
  await page.getByRole('button', { name: 'Save this search' }).click();
  const refused = page.getByRole('alert').filter({ hasText: 'You have the most saved searches allowed.' });
  await refused.waitFor();
  assert.equal(await refused.getByRole('link', { name: 'Your saved searches' }).getAttribute('href'), '/saved-searches');
  assert.equal((await savedOf(token)).length, kept);
  await expectAccessible(page, 'search, saving over the limit');
  assert.deepEqual(problems, []);
  await context.close();
});

test('in Arabic on a phone: saving the words, the saved searches page right to left, and no link for an agent', async () => {
  const account = await verifiedAccount('web-saver-ar');
  const token = await logIn(account);
  const words = 'شقة ٣ غرف في التجمع الخامس بأقل من ٨ مليون';
  const { context, page, problems } = await open(browser, { viewport: PHONE, lang: 'ar' });
  await signIn(page, account, `/search?q=${encodeURIComponent(words)}`);
  await page.locator('.search-results[aria-busy="false"]').waitFor();
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  await page.locator('summary', { hasText: 'احصل على تنبيهات لهذا البحث' }).click();
  await page.getByRole('button', { name: 'احفظ هذا البحث' }).click();
  await page.getByText('تم حفظ البحث. ستصلك الوحدات الجديدة المطابقة له عبر البريد الإلكتروني.').waitFor();
  await expectAccessible(page, 'search, saved, Arabic');
  await assertNoSideScroll(page);
  const [saved] = await savedOf(token);
  assert.equal(saved.query, words);
  assert.equal(saved.language, 'ar');

  await page.getByRole('banner').getByRole('link', { name: 'البحث المحفوظ' }).click();
  await page.getByRole('heading', { level: 1, name: 'عمليات البحث المحفوظة' }).waitFor();
  const item = page.locator(`li.saved-search[data-saved-search-id="${saved.id}"]`);
  const meta = await item.locator('.saved-search-meta').innerText();
  assert.match(meta, /التنبيهات مفعّلة/);
  assert.match(meta, /عبر البريد الإلكتروني/);
  assert.match(meta, /حُفظ في .*[٠-٩]/, meta);
  assert.equal(await item.getByRole('link', { name: /^ابحث الآن/ }).getAttribute('href'), `/search?q=${encodeURIComponent(words).replace(/%20/g, '+')}`);
  await item.getByRole('button', { name: /^أوقف التنبيهات مؤقتًا/ }).click();
  await item.locator('.badge', { hasText: 'موقوفة مؤقتًا' }).waitFor();
  assert.equal((await savedOf(token))[0].active, false);
  await expectAccessible(page, 'saved searches, Arabic');
  await assertNoSideScroll(page);
  await screenshot(page, 'saved-searches-ar-phone');
  assert.deepEqual(problems, []);
  await context.close();

  // The header's link is the buyers': an administrator (an account with another role) does not get it.
  const staff = await open(browser);
  await signIn(staff.page, adminAccount(), '/');
  await staff.page.getByRole('banner').getByRole('link', { name: 'Operations' }).waitFor();
  assert.equal(await staff.page.getByRole('banner').getByRole('link', { name: 'Saved searches' }).count(), 0);
  await staff.context.close();
});

test('a real alert email: its listing link opens the listing, its unsubscribe link stops the alerts once confirmed', async () => {
  const account = await verifiedAccount('web-alerted');
  const token = await logIn(account);
  const saved = await call('/api/saved-searches', {
    token,
    body: { query: WORDS, channel: 'email' },
    expect: 201,
  });
  // A listing that meets the saved search, ingested as an administrator would. The matching job starts reading the
  // catalogue's change log from its end the first time it runs (a fresh stack's may start at this very ingest), so
  // a listing that was not matched is followed by another one.
  const admin = await logIn(adminAccount());
  const mark = tag();
  let alert = null;
  for (let round = 1; round <= 4 && !alert; round++) {
    const record = {
      id: `WS-${mark}-${round}`,
      title: `Saved search twinhouse ${mark} ${round}`,
      type: 'Twinhouse',
      location: 'New Capital',
      price: 8_400_000,
      size: 260,
      bedrooms: 4,
    };
    const report = await call('/api/properties/ingest?source=web-saved-searches', { token: admin, body: [record] });
    assert.equal(report.inserted, 1, JSON.stringify(report));
    const deadline = Date.now() + 20_000;
    while (!alert && Date.now() < deadline) {
      const found = await call('/api/saved-searches/alerts', { token });
      alert = found.items.find((item) => item.title === record.title) ?? null;
      if (!alert) await new Promise((done) => setTimeout(done, 500));
    }
  }
  assert.ok(alert, 'no alert for the matching listing');
  assert.equal(alert.saved_search_id, saved.id);
  assert.equal(alert.kind, 'match');

  // The digest, from the outbox (a fresh buyer's first one goes at once).
  const email = await waitFor(
    async () => (await outbox(account.email)).find((message) => message.body.includes(alert.title)),
    'the alert email',
    60,
  );
  assert.match(email.subject, /^Osool: \d+ new listing alerts?$/);
  const links = email.body.match(/https?:\/\/\S+/g).map((link) => new URL(link));
  const listingLink = links.find((link) => link.pathname === `/listings/${alert.listing_id}`);
  assert.ok(listingLink, `no link to the listing's page in:\n${email.body}`);
  const stopOne = new URL(email.body.match(new RegExp(`Stop alerts for "${WORDS}": (\\S+)`))[1]);
  const stopAll = new URL(email.body.match(/Stop all Osool alerts: (\S+)/)[1]);
  for (const link of [stopOne, stopAll]) {
    assert.equal(link.pathname, '/alerts/unsubscribe');
    assert.ok(link.searchParams.get('token'));
  }

  // The buyer's page shows what was found, sent (marked so just after the message went), each a link to its listing.
  await waitFor(
    async () => (await call('/api/saved-searches/alerts', { token })).items.find((item) => item.title === alert.title)?.sent_at,
    'the alert marked sent',
  );
  const buyer = await open(browser);
  await signIn(buyer.page, account, '/saved-searches');
  const found = buyer.page.locator(`li.saved-alert[data-listing-id="${alert.listing_id}"]`);
  await found.waitFor();
  const foundText = await found.innerText();
  assert.match(foundText, /New listing/);
  assert.match(foundText, new RegExp(`For “${WORDS}”`));
  assert.match(foundText, /sent /);
  assert.equal(await found.getByRole('link', { name: alert.title }).getAttribute('href'), `/listings/${alert.listing_id}`);
  await expectAccessible(buyer.page, 'saved searches with an alert');
  await screenshot(buyer.page, 'saved-searches-alert-en-desktop');
  // The email's listing link opens the listing's page.
  await buyer.page.goto(`${listingLink.pathname}${listingLink.search}`);
  await buyer.page.getByRole('heading', { level: 1, name: alert.title }).waitFor();

  // Opening the unsubscribe link stops nothing (mail scanners open links); confirming does.
  const visitor = await open(browser, { viewport: PHONE });
  const posted = [];
  visitor.page.on('request', (request) => {
    if (request.url().includes('/api/saved-searches/unsubscribe')) posted.push(request.method());
  });
  await visitor.page.goto(`${stopOne.pathname}${stopOne.search}`);
  await visitor.page.getByRole('heading', { level: 1, name: 'Stop alerts' }).waitFor();
  const confirm = visitor.page.getByRole('button', { name: 'Stop these alerts' });
  await confirm.waitFor();
  await visitor.page.waitForLoadState('networkidle');
  assert.deepEqual(posted, []);
  assert.equal((await savedOf(token))[0].active, true);
  await expectAccessible(visitor.page, 'unsubscribe, asking');
  await assertNoSideScroll(visitor.page);
  await screenshot(visitor.page, 'unsubscribe-en-phone');
  await confirm.click();
  await visitor.page.getByText('Alerts stopped for 1 saved search.').waitFor();
  assert.deepEqual(posted, ['POST']);
  assert.equal((await savedOf(token))[0].active, false);
  assert.equal(await confirm.count(), 0);
  const signInLink = visitor.page.getByRole('link', { name: 'Sign in to see your saved searches' });
  assert.equal(await signInLink.getAttribute('href'), `/signin?next=${encodeURIComponent('/saved-searches')}`);
  await expectAccessible(visitor.page, 'unsubscribe, done');
  assert.deepEqual(visitor.problems, []);
  await visitor.context.close();

  // The buyer, signed in, opens "stop all" in Arabic: nothing was still on, said as such, with their page's link.
  await buyer.page.evaluate(() => window.localStorage.setItem('osool.lang', 'ar'));
  await buyer.page.goto(`${stopAll.pathname}${stopAll.search}`);
  await buyer.page.getByRole('heading', { level: 1, name: 'إيقاف التنبيهات' }).waitFor();
  await buyer.page.getByRole('button', { name: 'أوقف هذه التنبيهات' }).click();
  await buyer.page.getByText('هذه التنبيهات متوقفة بالفعل.').waitFor();
  assert.equal(
    await buyer.page.getByRole('link', { name: 'عمليات البحث المحفوظة' }).getAttribute('href'),
    '/saved-searches',
  );
  await expectAccessible(buyer.page, 'unsubscribe, Arabic');
  assert.deepEqual(buyer.problems, []);
  await buyer.context.close();

  // The same token altered: the service refuses it and the page says so, in English and Arabic; none stops.
  await call(`/api/saved-searches/${saved.id}`, { token, method: 'PATCH', body: { active: true } });
  const linkToken = stopOne.searchParams.get('token');
  const altered = `${linkToken.slice(0, -2)}${linkToken.endsWith('xx') ? 'yy' : 'xx'}`;
  for (const [lang, button, words] of [
    ['en', 'Stop these alerts', 'This link does not work: Osool did not send it, or it was changed.'],
    ['ar', 'أوقف هذه التنبيهات', 'هذا الرابط لا يعمل: لم ترسله أصول، أو تم تغييره.'],
  ]) {
    const other = await open(browser, { lang });
    await other.page.goto(`/alerts/unsubscribe?token=${altered}`);
    await other.page.getByRole('button', { name: button }).click();
    await other.page.getByRole('alert').filter({ hasText: words }).waitFor();
    assert.doesNotMatch(await other.page.locator('main').innerText(), /invalid_link|[{}"]error/);
    assert.equal(await other.page.getByRole('button', { name: button }).count(), 0);
    await expectAccessible(other.page, `unsubscribe, altered link (${lang})`);
    assert.deepEqual(other.problems, []);
    await other.context.close();
  }
  assert.equal((await savedOf(token))[0].active, true);

  // No token at all: said without asking the service.
  const bare = await open(browser);
  await bare.page.goto('/alerts/unsubscribe');
  await bare.page.getByRole('alert').filter({ hasText: 'This link is incomplete.' }).waitFor();
  assert.equal(await bare.page.getByRole('button', { name: 'Stop these alerts' }).count(), 0);
  assert.deepEqual(bare.problems, []);
  await bare.context.close();
});
