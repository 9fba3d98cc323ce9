// Signing up by email with the link from the outbox, signing in and out, the reset page; each page checked by axe.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertNoSideScroll,
  BASE,
  DESKTOP,
  emailLink,
  expectAccessible,
  suiteBrowser,
  open,
  PASSWORD,
  PHONE,
  screenshot,
  uniqueEmail,
  verifiedAccount,
} from './helpers.mjs';

const browser = suiteBrowser();

test('a visitor signs up by email, opens the verification link from the outbox and is signed in', async () => {
  const { context, page, problems } = await open(browser);
  const email = uniqueEmail('web-signup');
  await page.goto('/signin');
  await expectAccessible(page, 'sign in');
  await page.getByRole('button', { name: 'Create an account' }).click();
  await page.getByRole('heading', { level: 1, name: 'Create an account' }).waitFor();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await expectAccessible(page, 'sign up');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('status').filter({ hasText: `we sent a link to ${email}` }).waitFor();

  const link = await emailLink(email, 'verify-email');
  // The link is the auth service's PUBLIC_BASE_URL (the test stack keeps the default): its path is the client's page.
  assert.equal(link.pathname, '/verify-email');
  await page.goto(`${BASE}${link.pathname}${link.search}`);
  await page.getByRole('status').filter({ hasText: 'Your email is verified and you are signed in.' }).waitFor();
  await expectAccessible(page, 'verify email');
  const header = page.getByRole('banner');
  await header.getByRole('button', { name: 'Sign out' }).waitFor();
  assert.match(await header.innerText(), new RegExp(email.replace(/[.]/g, '\\.')));
  // The same link twice: a person's words, not the API's JSON.
  const again = await open(browser);
  await again.page.goto(`${BASE}${link.pathname}${link.search}`);
  await again.page.getByRole('alert').filter({ hasText: 'This link does not work any more' }).waitFor();
  assert.doesNotMatch(await again.page.locator('main').innerText(), /[{}"]error/);
  await again.context.close();
  assert.deepEqual(problems, []);
  await context.close();
});

test('a wrong password is said plainly; the right one signs in, and signing out signs out', async () => {
  const account = await verifiedAccount('web-signin');
  const { context, page, problems } = await open(browser);
  await page.goto('/signin');
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill('not the right passphrase');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: 'The email or password is not right.' }).waitFor();
  await expectAccessible(page, 'sign in with an error');
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(`${BASE}/`);
  const header = page.getByRole('banner');
  await header.getByRole('button', { name: 'Sign out' }).click();
  await header.getByRole('link', { name: 'Sign in' }).waitFor();
  // Signed out for good: a reload does not sign the person in again.
  await page.reload();
  await header.getByRole('link', { name: 'Sign in' }).waitFor();
  assert.equal(await header.getByRole('button', { name: 'Sign out' }).count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('too many tries: the page says how long to wait, from Retry-After', async () => {
  const { context, page, problems } = await open(browser);
  // The gateway's and auth's own limits are tested where they live; here only what the page makes of a 429.
  await page.route('**/api/auth/login', (route) =>
    route.fulfill({
      status: 429,
      headers: { 'Content-Type': 'application/json', 'Retry-After': '7' },
      body: JSON.stringify({ error: { code: 'rate_limited', message: 'Too many requests; slow down', request_id: 'x' } }),
    }),
  );
  await page.goto('/signin');
  await page.getByLabel('Email').fill('someone@osool-test.eg');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: 'Too many tries, wait 7 s.' }).waitFor();
  assert.doesNotMatch(await page.locator('main').innerText(), /rate_limited|request_id|\{/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a signed-in person stays signed in across a reload (the refresh token rotates)', async () => {
  const account = await verifiedAccount('web-reload');
  const { context, page, problems } = await open(browser);
  await page.goto('/signin');
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(`${BASE}/`);
  const first = await page.evaluate(() => window.localStorage.getItem('osool.refresh_token'));
  await page.reload();
  await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).waitFor();
  const second = await page.evaluate(() => window.localStorage.getItem('osool.refresh_token'));
  assert.ok(first && second && first !== second, 'the refresh token was not rotated');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the password reset pages ask for the email, then for the new password', async () => {
  const account = await verifiedAccount('web-reset');
  const { context, page, problems } = await open(browser);
  await page.goto('/reset-password');
  await expectAccessible(page, 'reset password (request)');
  await page.getByLabel('Email').fill(account.email);
  await page.getByRole('button', { name: 'Send the link' }).click();
  await page.getByRole('status').filter({ hasText: 'a link to choose a new password is on its way' }).waitFor();
  const link = await emailLink(account.email, 'reset-password');
  assert.equal(link.pathname, '/reset-password');
  await page.goto(`${BASE}${link.pathname}${link.search}`);
  await page.getByLabel('New password', { exact: true }).fill('another long passphrase');
  await page.getByLabel('Repeat the new password').fill('another long passphrase');
  await expectAccessible(page, 'reset password (new password)');
  await page.getByRole('button', { name: 'Save the new password' }).click();
  await page.getByRole('status').filter({ hasText: 'Your password is changed' }).waitFor();
  const login = await fetch(`${BASE}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: account.email, password: 'another long passphrase' }),
  });
  assert.equal(login.status, 200);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the sign-in page in English and Arabic, desktop and phone: screenshots, RTL, no axe violation', async () => {
  for (const lang of ['en', 'ar']) {
    for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      const { context, page, problems } = await open(browser, { viewport, lang });
      await page.goto('/signin');
      await page.getByRole('heading', { level: 1 }).waitFor();
      assert.equal(await page.getAttribute('html', 'dir'), lang === 'ar' ? 'rtl' : 'ltr');
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      await expectAccessible(page, `sign in (${lang}, ${size})`);
      await assertNoSideScroll(page);
      await screenshot(page, `signin-${lang}-${size}`);
      assert.deepEqual(problems, []);
      await context.close();
    }
  }
});
