// The account page against the test stack: a buyer who signed up by email adds a phone with a code by SMS (read from
// the stack's outbox; a wrong code said in words), after which saving a search with SMS alerts works where it was
// refused before (the refusal links here); a phone of another account refused in words (409); the name edited and
// kept across a reload (too long refused before sending); a wallet linked through an injected EIP-1193 provider, one
// linked to another account refused in words, and no wallet explained; Arabic on a phone with axe.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertNoSideScroll,
  BASE,
  expectAccessible,
  suiteBrowser,
  open,
  PHONE,
  screenshot,
  verifiedAccount,
} from './helpers.mjs';
import { newPhone, openWithWallet, smsCode, testWallet } from './devices.mjs';
import { call, logIn, signIn } from './people.mjs';

const browser = suiteBrowser();

// Words the search service reads as filters: a search an alert can follow (as in saved-searches.test.mjs).
const WORDS = 'twinhouse in New Capital under 9 million';
const WORDS_URL = `/search?q=${WORDS.replace(/ /g, '+')}`;

async function meOf(account) {
  return call('/api/auth/me', { token: await logIn(account) });
}

/** The account page's row of a field (name, email, phone, wallet, role). */
function row(page, field) {
  return page.locator(`dl.account-details dd[data-field="${field}"]`);
}

/** Opens the account page from the header's link (the signed-in person's name). */
async function openAccountFromHeader(page) {
  await page.getByRole('banner').getByRole('link', { name: /your account|حسابك/ }).click();
  await page.waitForURL(`${BASE}/account`);
  await page.locator('dl.account-details').waitFor();
}

/** Asks for a code to the number on the account page; the code auth sent. */
async function sendCode(page, phone) {
  const sentAt = Date.now() - 2_000;
  await page.getByRole('button', { name: 'Add a phone number' }).click();
  await page.getByLabel('Mobile number', { exact: true }).fill(phone.local);
  await page.getByRole('button', { name: 'Send me a code' }).click();
  await page.getByRole('status').filter({ hasText: /We sent a 6-digit code by SMS to/ }).waitFor();
  return smsCode(phone.e164, { notBefore: sentAt });
}

test('a buyer signed up by email adds a phone by SMS code, then saves a search with SMS alerts', async () => {
  const account = await verifiedAccount('web-account-phone');
  const { context, page, problems } = await open(browser);
  await signIn(page, account, WORDS_URL);
  await page.locator('.search-results[aria-busy="false"]').waitFor();

  // Before: SMS is refused in words, and the words link to the account page.
  const box = page.locator('section.save-search');
  await page.locator('summary', { hasText: 'Get alerts for this search' }).click();
  await box.getByLabel('SMS (needs a verified phone number)').check();
  await box.getByRole('button', { name: 'Save this search' }).click();
  const refusal = box.getByRole('alert').filter({ hasText: 'SMS alerts need a verified phone number' });
  await refusal.waitFor();
  const addLink = refusal.getByRole('link', { name: 'Add a phone number' });
  assert.equal(await addLink.getAttribute('href'), '/account');
  assert.equal((await call('/api/saved-searches', { token: await logIn(account) })).items.length, 0);
  await addLink.click();
  await page.waitForURL(`${BASE}/account`);

  // The account as auth has it: the email verified, no phone, no wallet, a buyer.
  await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
  assert.match(await row(page, 'email').innerText(), new RegExp(`${account.email.replace(/[.+]/g, '\\$&')}\\s+Verified`));
  assert.equal(await row(page, 'phone').innerText(), 'None yet');
  assert.equal(await row(page, 'wallet').innerText(), 'None');
  assert.equal(await row(page, 'role').innerText(), 'Buyer');
  await expectAccessible(page, 'account, no phone');

  const phone = newPhone();
  const code = await sendCode(page, phone);
  await page.waitForFunction(() => document.activeElement?.getAttribute('autocomplete') === 'one-time-code');
  // A wrong code is refused in words, with the tries left; nothing changes.
  const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
  await page.getByLabel('The 6-digit code').fill(wrong);
  await page.getByRole('button', { name: 'Verify this number' }).click();
  await page.getByRole('alert').filter({ hasText: 'That code is not right: 4 tries left.' }).waitFor();
  assert.equal((await meOf(account)).phone, null);
  await page.getByLabel('The 6-digit code').fill(code);
  await page.getByRole('button', { name: 'Verify this number' }).click();
  await page.getByText(`The number \u2066${phone.e164}\u2069 is verified and on your account.`).waitFor();
  // The page shows the account as GET /me has it now, and the button says what it does now.
  assert.match(await row(page, 'phone').innerText(), new RegExp(`\\${phone.e164}\\s+Verified`));
  await page.getByRole('button', { name: 'Change the phone number' }).waitFor();
  const now = await meOf(account);
  assert.equal(now.phone, phone.e164);
  assert.equal(now.phone_verified, true);
  await expectAccessible(page, 'account, phone added');
  await screenshot(page, 'account-phone-en-desktop');

  // After: the same search saves with SMS alerts.
  await page.goto(WORDS_URL);
  await page.locator('.search-results[aria-busy="false"]').waitFor();
  await page.locator('summary', { hasText: 'Get alerts for this search' }).click();
  await box.getByLabel('SMS (needs a verified phone number)').check();
  await box.getByRole('button', { name: 'Save this search' }).click();
  await box.getByText('Search saved. New listings that match it will reach you by SMS.').waitFor();
  const [saved] = (await call('/api/saved-searches', { token: await logIn(account) })).items;
  assert.equal(saved.query, WORDS);
  assert.equal(saved.channel, 'sms');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a phone number that belongs to another account is refused in words (409), the account unchanged', async () => {
  // Another person signed up by phone with this number.
  const phone = newPhone();
  const sentAt = Date.now() - 2_000;
  await call('/api/auth/otp/send', { body: { phone: phone.e164, purpose: 'sign_in' } });
  const owner = await call('/api/auth/otp/verify', {
    body: { phone: phone.e164, code: await smsCode(phone.e164, { notBefore: sentAt }) },
  });
  assert.equal(owner.user.phone, phone.e164);

  const account = await verifiedAccount('web-account-taken');
  const { context, page, problems } = await open(browser);
  await signIn(page, account, '/');
  await openAccountFromHeader(page);
  const code = await sendCode(page, phone);
  await page.getByLabel('The 6-digit code').fill(code);
  await page.getByRole('button', { name: 'Verify this number' }).click();
  await page
    .getByRole('alert')
    .filter({ hasText: 'This number belongs to another Osool account, so it cannot be added to this one.' })
    .waitFor();
  // Not the general words of a 409.
  assert.equal(await page.getByText('reload and try again').count(), 0);
  assert.equal(await row(page, 'phone').innerText(), 'None yet');
  assert.equal((await meOf(account)).phone, null);
  await expectAccessible(page, 'account, phone of another account');
  assert.deepEqual(problems, []);
  await context.close();
});

test('too many wrong codes, then too many codes to one number: each said in words (429, the wait from Retry-After)', async () => {
  const account = await verifiedAccount('web-account-429');
  const { context, page, problems } = await open(browser);
  await signIn(page, account, '/account');
  await page.locator('dl.account-details').waitFor();
  const phone = newPhone();
  const code = await sendCode(page, phone); // 1st code to this number
  const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
  const verify = async () => {
    await page.getByLabel('The 6-digit code').fill(wrong);
    await page.getByRole('button', { name: 'Verify this number' }).click();
  };
  for (const left of [4, 3, 2, 1]) {
    await verify();
    await page.getByRole('alert').filter({ hasText: `That code is not right: ${left === 1 ? '1 try' : `${left} tries`} left.` }).waitFor();
  }
  await verify();
  await page.getByRole('alert').filter({ hasText: 'This code does not work any more. Ask for a new one.' }).waitFor();
  // The sixth is refused even with the right code (auth: 429).
  await page.getByLabel('The 6-digit code').fill(code);
  await page.getByRole('button', { name: 'Verify this number' }).click();
  await page.getByRole('alert').filter({ hasText: 'Too many wrong codes. Ask for a new code.' }).waitFor();
  assert.equal((await meOf(account)).phone, null);
  // A new code twice (the 2nd and 3rd to this number from here), then the 4th is refused with how long to wait.
  for (const _ of [2, 3]) {
    const before = Date.now() - 1_000;
    await page.getByRole('button', { name: 'Send a new code' }).click();
    await smsCode(phone.e164, { notBefore: before });
    await page.getByRole('alert').waitFor({ state: 'detached' });
  }
  await page.getByRole('button', { name: 'Send a new code' }).click();
  // The send limit is per hour: its wait is said in minutes, not thousands of seconds.
  const wait = page.getByRole('alert').filter({ hasText: /^Too many tries, wait \d+ min\.$/ });
  await wait.waitFor();
  const minutes = Number((await wait.innerText()).match(/\d+/)[0]);
  assert.ok(minutes >= 2 && minutes <= 61, `wait ${minutes} min`);
  await expectAccessible(page, 'account, too many codes');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the name is edited, a too long one refused before sending, and it stays after a reload', async () => {
  const account = await verifiedAccount('web-account-name');
  const { context, page, problems } = await open(browser);
  await signIn(page, account, '/account');
  await page.locator('dl.account-details').waitFor();
  assert.equal(await row(page, 'name').innerText(), 'None');
  const name = page.getByLabel('Name', { exact: true });
  await name.fill('x'.repeat(101));
  await page.getByRole('button', { name: 'Save the name' }).click();
  await page.getByRole('alert').filter({ hasText: 'A name has at most 100 characters. Shorten it.' }).waitFor();
  assert.equal((await meOf(account)).display_name, null);

  await name.fill('Salma Fathy');
  await page.getByRole('button', { name: 'Save the name' }).click();
  await page.getByText('Your name is saved.').waitFor();
  assert.equal(await row(page, 'name').innerText(), 'Salma Fathy');
  assert.equal((await meOf(account)).display_name, 'Salma Fathy');
  // The header's name follows.
  assert.match(await page.getByRole('banner').getByRole('link', { name: /your account/ }).innerText(), /Salma Fathy/);

  await page.reload();
  await page.locator('dl.account-details').waitFor();
  assert.equal(await row(page, 'name').innerText(), 'Salma Fathy');
  assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), 'Salma Fathy');

  // Emptied: removed, and the page says what shows instead.
  await page.getByLabel('Name', { exact: true }).fill('');
  await page.getByRole('button', { name: 'Save the name' }).click();
  await page.getByText('Your name is removed').waitFor();
  assert.equal(await row(page, 'name').innerText(), 'None');
  assert.equal((await meOf(account)).display_name, null);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a wallet is linked with the injected provider; one linked to another account is refused; none is explained', async () => {
  const wallet = testWallet();
  const account = await verifiedAccount('web-account-wallet');
  const opened = await openWithWallet(browser, wallet);
  const { page } = opened;
  await signIn(page, account, '/account');
  await page.locator('dl.account-details').waitFor();
  assert.equal(await row(page, 'wallet').innerText(), 'None');
  await page.getByRole('button', { name: 'Link a wallet' }).click();
  await page.getByText(`The wallet \u2066${wallet.address}\u2069 is linked to your account.`).waitFor();
  assert.equal(await row(page, 'wallet').innerText(), wallet.address);
  assert.equal((await meOf(account)).wallet_address, wallet.address);
  // The wallet signed an EIP-4361 message for its checksummed address.
  assert.equal(wallet.signed.length, 1);
  assert.match(wallet.signed[0], new RegExp(`^[^\\n]+ wants you to sign in with your Ethereum account:\\n${wallet.address}\\n`));
  await page.getByRole('button', { name: 'Link another wallet' }).waitFor();
  await expectAccessible(page, 'account, wallet linked');
  assert.deepEqual(opened.problems, []);
  await opened.context.close();

  // The same wallet for another account: refused in words, nothing linked.
  const other = await verifiedAccount('web-account-wallet-other');
  const second = await openWithWallet(browser, wallet);
  await signIn(second.page, other, '/account');
  await second.page.locator('dl.account-details').waitFor();
  await second.page.getByRole('button', { name: 'Link a wallet' }).click();
  await second.page
    .getByRole('alert')
    .filter({ hasText: 'This wallet is linked to another Osool account, so it cannot be linked to this one.' })
    .waitFor();
  assert.equal(await row(second.page, 'wallet').innerText(), 'None');
  assert.equal((await meOf(other)).wallet_address, null);
  assert.deepEqual(second.problems, []);
  await second.context.close();

  // No EIP-1193 provider: no button, and the page says why.
  const plain = await open(browser);
  await signIn(plain.page, other, '/account');
  await plain.page.locator('dl.account-details').waitFor();
  await plain.page.getByText('No Ethereum wallet was found in this browser, so none can be linked here.').waitFor();
  assert.equal(await plain.page.getByRole('button', { name: /Link a wallet|Link another wallet/ }).count(), 0);
  assert.deepEqual(plain.problems, []);
  await plain.context.close();
});

test('Arabic on a phone: the account page right to left, the phone form, accessible', async () => {
  const account = await verifiedAccount('web-account-ar');
  const { context, page, problems } = await open(browser, { viewport: PHONE, lang: 'ar' });
  await signIn(page, account, '/account');
  await page.getByRole('heading', { level: 1, name: 'حسابك' }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
  assert.equal(await row(page, 'phone').innerText(), 'لا يوجد بعد');
  assert.equal(await row(page, 'role').innerText(), 'مشترٍ');
  assert.match(await row(page, 'email').innerText(), /موثّق/);
  // The email stays left to right inside the Arabic page.
  assert.equal(await row(page, 'email').locator('bdi').getAttribute('dir'), 'ltr');
  await assertNoSideScroll(page);
  await expectAccessible(page, 'account, Arabic, phone');
  await screenshot(page, 'account-ar-phone');
  await page.getByRole('button', { name: 'أضف رقم هاتف' }).click();
  await page.locator('input[type="tel"]').waitFor();
  await page.getByRole('heading', { level: 2, name: 'محفظة إيثيريوم' }).waitFor();
  assert.match(await page.locator('.account').innerText(), /لم نجد محفظة إيثيريوم في هذا المتصفح/);
  await assertNoSideScroll(page);
  await expectAccessible(page, 'account, Arabic, phone form');
  // The header's link to the account page is there for this role too.
  await openAccountFromHeader(page);
  assert.deepEqual(problems, []);
  await context.close();
});
