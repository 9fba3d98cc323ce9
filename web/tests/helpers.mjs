// What every browser test shares: Debian's chromium through playwright-core, a page per test with its console
// watched (a CSP violation or an uncaught error fails the test), axe, screenshots, the outbox, and API calls.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));

/** The stack's public address (the gateway): set by tests/web/test_browser.py, or by hand against `make up`. */
export const BASE = (process.env.OSOOL_WEB_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
export const SCREENSHOTS = process.env.OSOOL_SCREENSHOTS ?? resolve(here, '../../bench/results/screenshots');
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export async function launch() {
  return chromium.launch({
    executablePath: process.env.OSOOL_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    // Root (CI containers) cannot use chromium's sandbox.
    chromiumSandbox: typeof process.getuid === 'function' && process.getuid() !== 0,
    args: ['--disable-dev-shm-usage'],
  });
}

/**
 * The suite's one browser: launched before its first test and closed after its last (node:test's hooks of the file
 * that calls this at its top level). The handle works from the first test on; `open` takes it.
 */
export function suiteBrowser() {
  let launched = null;
  before(async () => {
    launched = await launch();
  });
  after(async () => {
    await launched?.close();
  });
  return {
    newContext: (options) => {
      assert.ok(launched, 'the browser is launched in before(): use it inside a test or a later hook');
      return launched.newContext(options);
    },
  };
}

/**
 * A fresh context (its own storage: a new visitor) and page. `problems` collects what must never happen: a CSP
 * violation, an uncaught exception.
 */
export async function open(browser, { viewport = DESKTOP, lang = null } = {}) {
  const context = await browser.newContext({ viewport, locale: 'en-US', baseURL: BASE });
  if (lang) {
    // The choice a visitor made earlier (the switch itself is exercised by the tests that click it).
    await context.addInitScript((value) => window.localStorage.setItem('osool.lang', value), lang);
  }
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) {
      problems.push(`console: ${message.text()}`);
    }
  });
  page.setDefaultTimeout(30_000);
  return { context, page, problems };
}

/** No serious or critical axe violation on what the page shows now. */
export async function expectAccessible(page, where) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.slice(0, 3).map((node) => `${node.target.join(' ')}: ${node.failureSummary}`),
    }));
  assert.deepEqual(bad, [], `axe on ${where}: ${JSON.stringify(bad, null, 2)}`);
}

/** The whole page by default; `fullPage: false` for what the viewport shows (a modal dialog sits in it). */
export async function screenshot(page, name, { fullPage = true } = {}) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}

/** The development outbox (auth's internal route, with the headers test_browser.py passes: service key + admin). */
export async function outbox(recipient) {
  const internal = process.env.OSOOL_INTERNAL_URL;
  assert.ok(internal, 'OSOOL_INTERNAL_URL is not set (tests/web/test_browser.py sets it)');
  const headers = JSON.parse(process.env.OSOOL_OUTBOX_HEADERS ?? '{}');
  const url = `${internal}/auth/api/auth/internal/dev/outbox?recipient=${encodeURIComponent(recipient)}&limit=20`;
  const response = await fetch(url, { headers });
  assert.equal(response.status, 200, await response.clone().text());
  return response.json();
}

/** The newest link of a kind ("verify-email", "reset-password") sent to the address, waiting for it a little. */
export async function emailLink(recipient, kind) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const message = (await outbox(recipient)).find((item) => item.body.includes(`/${kind}?token=`));
    if (message) return new URL(message.body.match(/https?:\/\/\S+/)[0]);
    assert.ok(Date.now() < deadline, `no ${kind} email to ${recipient}`);
    await new Promise((done) => setTimeout(done, 250));
  }
}

export function uniqueEmail(label) {
  return `${label}-${Math.random().toString(16).slice(2, 10)}@osool-test.eg`;
}

export const PASSWORD = 'a long enough passphrase';

/** A verified account made through the API (for tests about something else than signing up). */
export async function verifiedAccount(label) {
  const email = uniqueEmail(label);
  const signup = await fetch(`${BASE}/api/auth/signup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  assert.equal(signup.status, 202, await signup.text());
  const link = await emailLink(email, 'verify-email');
  const verified = await fetch(`${BASE}/api/auth/verify-email`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token: link.searchParams.get('token') }),
  });
  assert.equal(verified.status, 200, await verified.text());
  return { email, password: PASSWORD };
}

/**
 * Sends a chat message and waits for the reply to finish; returns how the reply's text grew on screen (the length
 * after every change of its text node, recorded by a MutationObserver as the tokens arrived) and the reply element.
 */
export async function chat(page, message) {
  const before = await page.locator('.message-amr').count();
  await page.evaluate(() => {
    window.__osoolGrowth = [];
    const log = document.querySelector('.chat-log');
    // Records arrive in batches: each one's oldValue is the text as it was before that change.
    const observer = new MutationObserver((records) => {
      for (const record of records) {
        const reply = record.target.parentElement?.closest?.('.message-amr .message-text');
        if (reply && record.type === 'characterData') window.__osoolGrowth.push(record.oldValue.length);
      }
    });
    observer.observe(log, { subtree: true, characterData: true, characterDataOldValue: true, childList: true });
    window.__osoolObserver = observer;
  });
  const box = page.getByRole('textbox', { name: /message to Amr|رسالتك إلى عمرو/ });
  await box.fill(message);
  await box.press('Enter');
  const reply = page.locator('.message-amr').nth(before);
  await reply.waitFor();
  await page.waitForFunction((index) => {
    const element = document.querySelectorAll('.message-amr')[index];
    return element && element.dataset.state !== 'streaming';
  }, before, { timeout: 60_000 });
  const growth = await page.evaluate((index) => {
    window.__osoolObserver.disconnect();
    const text = document.querySelectorAll('.message-amr .message-text')[index].textContent;
    return [...window.__osoolGrowth, text.length];
  }, before);
  return { reply, growth };
}

/** Presses Tab (or Shift+Tab) until the focused element matches the CSS selector; fails after `max` presses. */
export async function tabTo(page, selector, { backwards = false, max = 80 } = {}) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((css) => document.activeElement?.matches(css) ?? false, selector)) return;
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
  }
  assert.fail(`no ${selector} within ${max} presses of Tab`);
}

/** Nothing sticks out sideways: the page is no wider than the viewport (a phone never scrolls sideways). */
export async function assertNoSideScroll(page) {
  const { scroll, width } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    width: window.innerWidth,
  }));
  assert.ok(scroll <= width, `the page is ${scroll}px wide in a ${width}px viewport`);
}

/** The focused element draws a visible focus ring. */
export async function assertVisibleFocus(page) {
  const style = await page.evaluate(() => {
    const css = getComputedStyle(document.activeElement);
    return { outline: css.outlineStyle, width: parseFloat(css.outlineWidth) };
  });
  assert.ok(style.outline !== 'none' && style.width >= 2, `focus is not visible: ${JSON.stringify(style)}`);
}

/** The listing ids on the cards of a reply, each checked against the search service (it exists). */
export async function cardIds(reply) {
  const ids = await reply.locator('article.listing-card').evaluateAll((cards) => cards.map((card) => card.dataset.listingId));
  for (const id of ids) {
    const response = await fetch(`${BASE}/api/properties/${encodeURIComponent(id)}`);
    assert.equal(response.status, 200, `listing ${id} on a card does not exist`);
  }
  return ids;
}

/** At least two changes of the reply's text, each longer than the last: it streamed, it did not arrive whole. */
export function assertStreamed(growth) {
  const lengths = growth.filter((length) => length > 0);
  assert.ok(lengths.length >= 2, `the reply's text changed ${lengths.length} time(s): ${JSON.stringify(growth)}`);
  for (let i = 1; i < lengths.length; i++) {
    assert.ok(lengths[i] > lengths[i - 1], `the reply's text shrank: ${JSON.stringify(growth)}`);
  }
}
