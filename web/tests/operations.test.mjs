// The operations page for an administrator against the test stack: every service healthy with its checks, an alert
// delivered the way Alertmanager delivers it, traffic charted per service, the AI spend against its budget, the
// database report; read again every 15 s; English and Arabic, keyboard and axe. A failed reading said in words over
// the figures from before. Then a service stopped for real (supervisorctl) turns unreachable on the page without a
// reload, and healthy again once started.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { before, test } from 'node:test';
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
import { adminAccount, logIn, signIn } from './people.mjs';

const INTERNAL = process.env.OSOOL_INTERNAL_URL;
const SERVICE_KEY = JSON.parse(process.env.OSOOL_OUTBOX_HEADERS ?? '{}')['X-Osool-Service-Key'];
const CTL = process.env.OSOOL_STACK_CTL ? JSON.parse(process.env.OSOOL_STACK_CTL) : null;
// The service the last test stops: one replica, nothing else of this suite needs it meanwhile.
const STOPPED = 'chat-history';

const browser = suiteBrowser();
let token;
let admin;
before(async () => {
  admin = adminAccount();
  token = await logIn(admin);
});

async function adminGet(path) {
  const response = await fetch(`${BASE}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(response.status, 200, `${path}: ${await response.clone().text()}`);
  return response.json();
}

async function waitFor(what, check, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 1000));
  }
}

/** Every service the health job reads, once it has read each of them healthy. */
async function everyServiceHealthy() {
  return waitFor('every service healthy in the health job', async () => {
    const status = await adminGet('/api/monitoring/status');
    const names = status.services.map((service) => service.service);
    return status.services.length > 0 && status.services.every((service) => service.status === 'healthy') && names;
  });
}

/** An alert as Alertmanager's webhook delivers it (version 4), with the service key as its bearer token. */
async function deliverAlert(status, alert) {
  const body = {
    version: '4',
    status,
    receiver: 'monitoring',
    groupKey: `{}:{alertname="${alert.labels.alertname}"}`,
    alerts: [{ ...alert, status }],
  };
  const response = await fetch(`${INTERNAL}/monitoring/api/monitoring/internal/alerts`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${SERVICE_KEY}` },
    body: JSON.stringify(body),
  });
  assert.equal(response.status, 200, await response.clone().text());
}

function ctl(...args) {
  return execFileSync(CTL[0], [...CTL.slice(1), ...args], { encoding: 'utf8', timeout: 60_000 });
}

test('an administrator sees every service healthy, an alert firing, traffic, AI spend, the database report', async () => {
  const services = await everyServiceHealthy();
  // Traffic to chart: the RED job reads every replica (every 20 s on the test stack), and the second reading gives
  // the first figures.
  for (let i = 0; i < 25; i++) await fetch(`${BASE}/api/market/stats`);
  await waitFor(
    'search traffic in the RED history',
    async () => {
      const series = await adminGet('/api/monitoring/performance/series?minutes=60');
      return series.services.find((service) => service.service === 'search')?.total.requests >= 25;
    },
    200_000,
  );
  const alert = {
    labels: { alertname: 'OpsPageProbe', service: 'search', severity: 'warning' },
    annotations: { summary: 'search: the operations page test raised this alert' },
    startsAt: new Date(Date.now() - 120_000).toISOString(),
    fingerprint: randomBytes(8).toString('hex'),
  };
  await deliverAlert('firing', alert);
  const costs = await adminGet('/api/agent/costs?days=7');
  try {
    const { context, page, problems } = await open(browser);
    await signIn(page, admin, '/');
    await page.getByRole('banner').getByRole('link', { name: 'Operations' }).click();
    await page.getByRole('heading', { level: 1, name: 'Operations' }).waitFor();

    // Every service the health job reads, each healthy with its checks.
    const summary = page.locator('.ops-summary');
    await summary.filter({ hasText: `All ${services.length} services are healthy.` }).waitFor();
    const cards = page.locator('.ops-card');
    const names = await cards.evaluateAll((all) => all.map((card) => card.dataset.service));
    assert.deepEqual(names.sort(), [...services].sort());
    for (const name of services) {
      const card = page.locator(`.ops-card[data-service="${name}"]`);
      assert.equal(await card.getAttribute('data-status'), 'healthy');
      assert.match(await card.locator('.ops-card-head').innerText(), /Healthy/);
      const checks = await card.locator('.ops-check-name').allInnerTexts();
      assert.ok(checks.includes('database'), `${name}'s checks: ${checks}`);
    }

    // The alert, as delivered.
    const shown = page.locator('.ops-alert[data-alert="OpsPageProbe"]');
    await shown.waitFor();
    assert.match(await shown.innerText(), /Warning\s+OpsPageProbe on search/);
    assert.match(await shown.innerText(), /the operations page test raised this alert/);
    assert.match(await shown.innerText(), /firing since .+ \(\d+ min\)/);

    // Traffic: three charts drawn, and search's totals over the hour count the requests sent above.
    for (const title of ['Requests per second, by service', 'Errors (5xx) per minute, by service',
      'Latency p95 in milliseconds, by service']) {
      const figure = page.getByRole('figure', { name: title });
      await figure.locator('canvas').waitFor();
      assert.ok((await figure.locator('.chart-legend li').allInnerTexts()).includes('search'));
    }
    const searchRow = page.locator('#ops-totals tr[data-service="search"]');
    const requests = Number((await searchRow.locator('td').nth(1).innerText()).replace(/,/g, ''));
    assert.ok(requests >= 25, `search's requests over the hour: ${requests}`);

    // The AI spend against the budget the agent's meter has, over 7 days.
    const budget = costs.budget_usd.toFixed(2).replace('.', '\\.');
    const today = await page.getByTestId('spend-today').innerText();
    assert.match(today, new RegExp(`^Today: \\S+ of the \\S*${budget} daily budget`));
    const spend = page.getByRole('figure', { name: 'Spend per day over 7 days, against the daily budget' });
    await spend.locator('canvas').waitFor();
    assert.equal(await spend.locator('tbody tr').count(), 7);

    // The database report ran when the monitoring service started.
    assert.match(await page.locator('#ops-database').innerText(), /Last report .*, took/);
    await expectAccessible(page, 'operations (healthy)');
    await screenshot(page, 'operations-en-desktop');
    await page.setViewportSize(PHONE);
    await assertNoSideScroll(page);
    await screenshot(page, 'operations-en-phone');
    await page.setViewportSize(DESKTOP);

    // Read again every 15 s without a reload, saying when.
    const updated = page.getByTestId('updated-at');
    const first = await updated.innerText();
    assert.match(first, /^Updated at \d/);
    await page.waitForFunction((before) => document.querySelector('[data-testid="updated-at"]')?.textContent !== before,
      first, { timeout: 25_000 });

    // Keyboard only: refresh now, another window, the figures behind a chart.
    await tabTo(page, '.ops-controls .button:not(.button-quiet)');
    await assertVisibleFocus(page);
    const beforeRefresh = await updated.innerText();
    await page.waitForTimeout(1100); // the clock shows seconds: a reading a second later says another time
    await page.keyboard.press('Enter');
    await page.waitForFunction((before) => document.querySelector('[data-testid="updated-at"]')?.textContent !== before,
      beforeRefresh, { timeout: 10_000 });
    await tabTo(page, '#ops-window');
    await page.keyboard.press('ArrowDown');
    await page.locator('#ops-totals caption').filter({ hasText: 'Last 6 hours' }).waitFor();
    await tabTo(page, '#ops-rate-title ~ .chart-figures summary');
    await page.keyboard.press('Enter');
    await page.getByRole('figure', { name: 'Requests per second, by service' }).locator('table').waitFor();
    await expectAccessible(page, 'operations (figures shown)');
    assert.deepEqual(problems, []);
    await context.close();

    // Arabic: right to left, the same figures in Arabic words and digits.
    for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      const arabic = await open(browser, { viewport, lang: 'ar' });
      await signIn(arabic.page, admin, '/operations');
      await arabic.page.getByRole('heading', { level: 1, name: 'التشغيل' }).waitFor();
      assert.equal(await arabic.page.locator('html').getAttribute('dir'), 'rtl');
      await arabic.page.locator('.ops-summary').filter({ hasText: 'الخدمات كلها سليمة' }).waitFor();
      const rate = arabic.page.getByRole('figure', { name: 'الطلبات في الثانية، حسب الخدمة' });
      await rate.locator('canvas').waitFor();
      assert.match(await arabic.page.getByTestId('updated-at').innerText(), /آخر تحديث [٠-٩]/);
      assert.match(await arabic.page.locator('.ops-card').first().innerText(), /سليمة/);
      await expectAccessible(arabic.page, `operations (Arabic, ${size})`);
      if (size === 'phone') await assertNoSideScroll(arabic.page);
      await screenshot(arabic.page, `operations-ar-${size}`);
      assert.deepEqual(arabic.problems, []);
      await arabic.context.close();
    }
  } finally {
    await deliverAlert('resolved', { ...alert, endsAt: new Date().toISOString() });
  }
});

test('a reading that fails keeps the figures from before and says why, in words', async () => {
  const { context, page, problems } = await open(browser);
  await signIn(page, admin, '/operations');
  await page.locator('.ops-card').first().waitFor();
  const cards = await page.locator('.ops-card').count();
  // What the page makes of the gateway's answers (the limits and outages themselves are tested where they live).
  await page.route('**/api/monitoring/status', (route) =>
    route.fulfill({
      status: 503,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ error: { code: 'unavailable', message: 'database unavailable', request_id: 'x' } }),
    }),
  );
  await page.route('**/api/monitoring/costs', (route) =>
    route.fulfill({
      status: 429,
      headers: { 'Content-Type': 'application/json', 'Retry-After': '7' },
      body: JSON.stringify({ error: { code: 'rate_limited', message: 'Too many requests; slow down', request_id: 'x' } }),
    }),
  );
  await page.getByRole('button', { name: 'Refresh now' }).click();
  const services = page.locator('#ops-services');
  await services.getByRole('alert').filter({ hasText: 'This part of Osool is briefly unavailable.' }).waitFor();
  assert.match(await services.innerText(), /Could not update; showing the figures from before\./);
  assert.equal(await page.locator('.ops-card').count(), cards);
  await page.locator('#ops-spend').getByRole('alert').filter({ hasText: 'Too many tries, wait 7 s.' }).waitFor();
  assert.doesNotMatch(await page.locator('main').innerText(), /rate_limited|request_id|"error"/);
  await page.unrouteAll();

  await context.setOffline(true);
  await page.getByRole('button', { name: 'Refresh now' }).click();
  await services.getByRole('alert').filter({ hasText: 'You are offline.' }).waitFor();
  await context.setOffline(false);
  await page.getByRole('button', { name: 'Refresh now' }).click();
  await services.getByRole('alert').waitFor({ state: 'detached' });
  assert.deepEqual(problems, []);
  await context.close();
});

test('a stopped service turns unreachable on the page without a reload, and healthy again once started', async () => {
  assert.ok(CTL, 'OSOOL_STACK_CTL is not set: tests/web/test_browser.py gives the stack supervisorctl');
  const services = await everyServiceHealthy();
  assert.ok(services.includes(STOPPED));
  const { context, page, problems } = await open(browser);
  await signIn(page, admin, '/operations');
  await page.locator('.ops-summary').filter({ hasText: `All ${services.length} services are healthy.` }).waitFor();
  const card = page.locator(`.ops-card[data-service="${STOPPED}"]`);
  assert.equal(await card.getAttribute('data-status'), 'healthy');

  ctl('stop', `${STOPPED}:*`);
  try {
    // The health job reads every service each 15 s and the page reads it each 15 s: within a minute, no reload.
    await page.locator(`.ops-card[data-service="${STOPPED}"][data-status="unreachable"]`).waitFor({ timeout: 75_000 });
    assert.match(await card.locator('.ops-card-head').innerText(), /Unreachable/);
    assert.match(await card.innerText(), /No checks reported: the service did not answer\./);
    const summary = await page.locator('.ops-summary').innerText();
    assert.match(summary, new RegExp(`of ${services.length} services (is|are) not healthy\\.`));
    assert.match(summary, new RegExp(`${STOPPED}: Unreachable`));
    await page.locator(`.ops-incident[data-service="${STOPPED}"]`).waitFor({ timeout: 20_000 });
    await expectAccessible(page, 'operations (a service down)');
    await screenshot(page, 'operations-unhealthy-en-desktop');
  } finally {
    ctl('start', `${STOPPED}:*`);
    await waitFor(`${STOPPED} healthy again`, async () => {
      const response = await fetch(`${INTERNAL}/${STOPPED}/health`).catch(() => null);
      return response?.status === 200;
    });
  }
  // Back: healthy on the page, and the incident among the ended ones.
  await page.locator(`.ops-card[data-service="${STOPPED}"][data-status="healthy"]`).waitFor({ timeout: 75_000 });
  await page.locator('.ops-summary').filter({ hasText: `All ${services.length} services are healthy.` }).waitFor();
  assert.equal(await page.locator(`.ops-incident[data-service="${STOPPED}"]`).count(), 0);
  assert.match(await page.locator('#ops-alerts table').innerText(), new RegExp(STOPPED));
  assert.deepEqual(problems, []);
  await context.close();
});
