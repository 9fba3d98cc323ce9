// The other ways in, through the real stack: phone OTP with the code from the outbox, a wallet (an injected EIP-1193
// provider signing with a test key: Sign-In with Ethereum), Google through the stack's fake Google (the full
// redirect flow, a cancel, a forged return) and its button hidden when auth says Google is off; axe, keyboard and
// screenshots in English and Arabic, desktop and phone.
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
import { newPhone, openWithWallet, smsCode, testWallet } from './devices.mjs';

const browser = suiteBrowser();

test('phone: a code by SMS, a wrong one said plainly, the right one signs in (keyboard only)', async () => {
  const { context, page, problems } = await open(browser);
  const phone = newPhone();
  await page.goto('/signin');
  const methods = page.getByRole('region', { name: 'Other ways to sign in' });
  await methods.getByRole('heading', { name: 'With a code by SMS' }).waitFor();
  await tabTo(page, 'input[type="tel"]');
  await assertVisibleFocus(page);
  const sentAt = Date.now() - 2_000;
  await page.keyboard.type(phone.local);
  await page.keyboard.press('Enter');
  // The number sits in Unicode isolates (it stays left to right in Arabic).
  const sent = new RegExp(`We sent a 6-digit code by SMS to \u2066${phone.local}\u2069\\.`);
  await methods.getByRole('status').filter({ hasText: sent }).waitFor();
  assert.match(await methods.getByRole('status').innerText(), /It works for 5 minutes\./);
  // The code box has the focus: the next thing to type.
  await page.waitForFunction(() => document.activeElement?.getAttribute('autocomplete') === 'one-time-code');
  await expectAccessible(page, 'sign in by phone (code)');
  const code = await smsCode(phone.e164, { notBefore: sentAt });
  const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
  await page.keyboard.type(wrong);
  await page.keyboard.press('Enter');
  await methods.getByRole('alert').filter({ hasText: 'That code is not right: 4 tries left.' }).waitFor();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(code);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${BASE}/`);
  const header = page.getByRole('banner');
  await header.getByRole('button', { name: 'Sign out' }).waitFor();
  assert.match(await header.innerText(), new RegExp(phone.e164.replace('+', '\\+')));
  assert.deepEqual(problems, []);
  await context.close();
});

test('phone: a number auth cannot send to is said in words, not as the API said it', async () => {
  const { context, page, problems } = await open(browser);
  await page.goto('/signin');
  await page.getByLabel('Mobile number', { exact: true }).fill('0123');
  await page.getByRole('button', { name: 'Send me a code' }).click();
  await page.getByRole('alert').filter({ hasText: 'We cannot send a code to this number.' }).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('wallet: an injected EIP-1193 wallet signs a Sign-In with Ethereum message and is signed in', async () => {
  const wallet = testWallet();
  const { context, page, problems } = await openWithWallet(browser, wallet);
  await page.goto('/signin?next=/history');
  await tabTo(page, 'button[data-method="wallet"]');
  await page.keyboard.press('Enter');
  await page.waitForURL(`${BASE}/history`);
  const header = page.getByRole('banner');
  await header.getByRole('button', { name: 'Sign out' }).waitFor();
  // Known by the start and end of its address, as wallets show it.
  assert.match(await header.innerText(), new RegExp(`${wallet.address.slice(0, 6)}…${wallet.address.slice(-4)}`));
  await page.setViewportSize(PHONE);
  await assertNoSideScroll(page);
  await screenshot(page, 'signin-wallet-signed-in-en-phone');
  // What the wallet was asked to sign: an EIP-4361 message for the address, checksummed, with auth's fields.
  const nonce = await (await fetch(`${BASE}/api/auth/siwe/nonce`)).json();
  assert.equal(wallet.signed.length, 1);
  const lines = wallet.signed[0].split('\n');
  assert.equal(lines[0], `${nonce.domain} wants you to sign in with your Ethereum account:`);
  assert.equal(lines[1], wallet.address);
  assert.ok(lines.includes(`URI: ${nonce.uri}`) && lines.includes(`Chain ID: ${nonce.chain_id}`), wallet.signed[0]);
  assert.match(wallet.signed[0], /\nNonce: [A-Za-z0-9]{8,}\nIssued At: \S+Z\nExpiration Time: \S+Z$/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('wallet: declining in the wallet, and having no wallet, are said in words', async () => {
  const wallet = testWallet();
  wallet.reject = true;
  const withWallet = await openWithWallet(browser, wallet);
  await withWallet.page.goto('/signin');
  await withWallet.page.getByRole('button', { name: 'Sign in with a wallet' }).click();
  await withWallet.page.getByRole('alert').filter({ hasText: 'The request was declined in your wallet.' }).waitFor();
  await expectAccessible(withWallet.page, 'sign in (wallet declined)');
  assert.equal(await withWallet.page.getByRole('button', { name: 'Sign out' }).count(), 0);
  assert.deepEqual(withWallet.problems, []);
  await withWallet.context.close();

  const { context, page, problems } = await open(browser);
  await page.goto('/signin');
  await page.getByRole('button', { name: 'Sign in with a wallet' }).click();
  await page.getByRole('alert').filter({ hasText: 'No Ethereum wallet was found in this browser.' }).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('Google: to the (fake) Google account chooser and back, signed in and sent where the person was going', async () => {
  const { context, page, problems } = await open(browser);
  const email = `web-google-${Math.random().toString(16).slice(2, 10)}@osool-test.eg`;
  let idToken = null;
  page.on('request', (request) => {
    if (request.url().endsWith('/api/auth/google')) idToken = JSON.parse(request.postData() ?? '{}').id_token;
  });
  await page.goto('/signin?next=/history');
  await page.getByRole('button', { name: 'Continue with Google' }).click();
  // The fake speaks Google's side of OpenID Connect: it refuses a request without our client id, nonce or loopback
  // redirect, so reaching its chooser says the client asked correctly.
  await page.getByRole('heading', { name: 'Choose an account' }).waitFor();
  const asked = new URL(page.url());
  assert.equal(asked.searchParams.get('response_type'), 'id_token');
  assert.equal(asked.searchParams.get('redirect_uri'), `${BASE}/signin/google`);
  assert.match(asked.searchParams.get('nonce') ?? '', /^osool-/, 'the nonce is one auth issued');
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(`${BASE}/history`);
  const header = page.getByRole('banner');
  await header.getByRole('button', { name: 'Sign out' }).waitFor();
  assert.match(await header.innerText(), new RegExp(email.split('@')[0]));
  // The state and nonce this tab kept for the trip are used up: the same return cannot sign in twice.
  assert.equal(await page.evaluate(() => sessionStorage.getItem('osool.google-signin')), null);
  // Nor can the token itself, taken from this browser's history: auth has used its nonce up.
  assert.ok(idToken, 'the client handed auth the ID token');
  const replayed = await fetch(`${BASE}/api/auth/google`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ id_token: idToken }),
  });
  assert.equal(replayed.status, 401);
  assert.deepEqual(problems, []);
  await context.close();
});

test('Google: a cancel, and a return this tab did not start, sign nobody in', async () => {
  const { context, page, problems } = await open(browser);
  await page.goto('/signin');
  await page.getByRole('button', { name: 'Continue with Google' }).click();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.waitForURL(`${BASE}/signin/google`);
  await page.getByRole('alert').filter({ hasText: 'The Google sign-in was cancelled.' }).waitFor();
  await expectAccessible(page, 'Google return (cancelled)');

  assert.deepEqual(problems, []);
  await context.close();

  // A link someone else made (their own ID token, any state): refused before auth is asked.
  const forged = await open(browser);
  let posted = 0;
  forged.page.on('request', (request) => {
    if (request.url().endsWith('/api/auth/google')) posted += 1;
  });
  await forged.page.goto('/signin/google#id_token=eyJhbGciOiJSUzI1NiJ9.e30.x&state=forged');
  await forged.page.getByRole('alert').filter({ hasText: 'was not started in this tab' }).waitFor();
  await forged.page.getByRole('link', { name: 'Back to sign in' }).waitFor();
  assert.equal(posted, 0);
  assert.ok(!forged.page.url().includes('id_token'), forged.page.url());
  assert.equal(await forged.page.getByRole('banner').getByRole('button', { name: 'Sign out' }).count(), 0);
  await screenshot(forged.page, 'signin-google-refused-en-desktop');
  assert.deepEqual(forged.problems, []);
  await forged.context.close();
});

test('Google: the button is shown only when auth says Google is configured', async () => {
  const { context, page, problems } = await open(browser);
  // The test stack has Google configured (above); a deployment without it answers {"google": null}, which
  // services/auth's tests check. Here: what the page makes of that answer.
  let asked = 0;
  await page.route('**/api/auth/methods', (route) => {
    asked += 1;
    return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ google: null }) });
  });
  await page.goto('/signin');
  await page.getByRole('button', { name: 'Sign in with a wallet' }).waitFor();
  await page.getByLabel('Mobile number', { exact: true }).waitFor();
  await page.waitForLoadState('networkidle');
  assert.equal(asked, 1);
  assert.equal(await page.getByRole('button', { name: 'Continue with Google' }).count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the sign-in methods in English and Arabic, desktop and phone: screenshots, RTL, no axe violation', async () => {
  for (const lang of ['en', 'ar']) {
    for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      const { context, page, problems } = await open(browser, { viewport, lang });
      await page.goto('/signin');
      const google = lang === 'ar' ? 'المتابعة بحساب Google' : 'Continue with Google';
      await page.getByRole('button', { name: google }).waitFor();
      assert.equal(await page.getAttribute('html', 'dir'), lang === 'ar' ? 'rtl' : 'ltr');
      await expectAccessible(page, `sign-in methods (${lang}, ${size})`);
      await assertNoSideScroll(page);
      await screenshot(page, `signin-methods-${lang}-${size}`);
      // The code step, with its number kept left to right inside Arabic text.
      const phone = newPhone();
      await page.getByLabel(lang === 'ar' ? 'رقم الموبايل' : 'Mobile number', { exact: true }).fill(phone.local);
      await page.getByRole('button', { name: lang === 'ar' ? 'أرسل لي رمزًا' : 'Send me a code' }).click();
      await page.getByLabel(lang === 'ar' ? 'الرمز المكوّن من ٦ أرقام' : 'The 6-digit code').waitFor();
      if (lang === 'ar') assert.match(await page.getByRole('status').innerText(), /٥ دقائق/);
      await expectAccessible(page, `sign in by phone, code (${lang}, ${size})`);
      await assertNoSideScroll(page);
      await screenshot(page, `signin-phone-code-${lang}-${size}`);
      assert.deepEqual(problems, []);
      await context.close();
    }
  }
});
