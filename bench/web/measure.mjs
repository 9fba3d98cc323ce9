// Measures the built web client in Debian's chromium through a running stack's gateway (OSOOL_WEB_URL) and prints
// one JSON document: the scripts `/` loads, first contentful paint of cold loads (a new browser context each: no
// cache, no storage), and for chat turns each streamed chunk's arrival (the client's `osool:chat-chunk` User Timing
// marks) beside each change of the reply's text (a MutationObserver) and the animation frame that paints it.
// bench/web/__main__.py starts the stack, runs this and does the arithmetic.
import { createRequire } from 'node:module';

// playwright-core is the web client's dev dependency: resolved from web/, where `make install` put it.
const require = createRequire(new URL('../../web/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const BASE = (process.env.OSOOL_WEB_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const LOADS = Number(process.env.BENCH_WEB_LOADS ?? 15);
const TURNS = Number(process.env.BENCH_WEB_TURNS ?? 12);
const VIEWPORT = { width: 1280, height: 800 };
const QUESTIONS = [
  '3 bedroom apartment in New Cairo under 8M',
  'شقة ٣ غرف في التجمع الخامس بأقل من ٨ مليون',
  'villa in Sheikh Zayed',
  'Mortgage on 5 million over 10 years with 20% down at 12% interest',
];

async function coldLoad(browser) {
  const context = await browser.newContext({ viewport: VIEWPORT, locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(`${BASE}/`, { waitUntil: 'load' });
  await page.getByRole('heading', { level: 1 }).waitFor();
  await page.waitForLoadState('networkidle');
  const figures = await page.evaluate(
    () =>
      new Promise((resolve) => {
        // The paint entry may come after `load`: wait for it (buffered: one already recorded counts).
        new PerformanceObserver((list, observer) => {
          const fcp = list.getEntriesByName('first-contentful-paint')[0];
          if (!fcp) return;
          observer.disconnect();
          const navigation = performance.getEntriesByType('navigation')[0];
          resolve({
            fcp_ms: fcp.startTime,
            response_end_ms: navigation?.responseEnd ?? null,
            dom_content_loaded_ms: navigation?.domContentLoadedEventEnd ?? null,
            scripts: performance
              .getEntriesByType('resource')
              .filter((entry) => new URL(entry.name).pathname.endsWith('.js'))
              .map((entry) => ({
                path: new URL(entry.name).pathname,
                transfer_bytes: entry.transferSize,
                encoded_bytes: entry.encodedBodySize,
                decoded_bytes: entry.decodedBodySize,
              })),
          });
        }).observe({ type: 'paint', buffered: true });
      }),
  );
  await context.close();
  return figures;
}

async function chatTurns(browser) {
  const context = await browser.newContext({ viewport: VIEWPORT, locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(`${BASE}/`);
  const box = page.getByRole('textbox', { name: /message to Amr/ });
  await box.waitFor();
  // Long tasks (50 ms or more of script, style or layout) are what keeps a frame from starting: kept for the report.
  await page.evaluate(() => {
    window.__benchLongTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__benchLongTasks.push([entry.startTime, entry.duration]);
    }).observe({ type: 'longtask' });
  });
  const turns = [];
  for (let i = 0; i < TURNS; i++) {
    const before = await page.locator('.message-amr').count();
    await page.evaluate(() => {
      const changes = [];
      window.__benchChanges = changes;
      const observer = new MutationObserver((records) => {
        const now = performance.now();
        for (const record of records) {
          const text = record.target.parentElement?.closest?.('.message-amr .message-text');
          if (!text || record.type !== 'characterData') continue;
          const change = { dom_ms: now, frame_ms: null, length: record.target.data.length };
          changes.push(change);
          // The frame that paints the change starts with this callback.
          requestAnimationFrame(() => {
            change.frame_ms = performance.now();
          });
          return;
        }
      });
      observer.observe(document.querySelector('.chat-log'), { subtree: true, characterData: true });
      window.__benchObserver = observer;
    });
    await box.fill(QUESTIONS[i % QUESTIONS.length]);
    await box.press('Enter');
    await page.waitForFunction(
      (index) => {
        const element = document.querySelectorAll('.message-amr')[index];
        return element && element.dataset.state !== 'streaming';
      },
      before,
      { timeout: 60_000 },
    );
    // One more frame, so the last change has its frame time.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 50))));
    turns.push(
      await page.evaluate(() => {
        window.__benchObserver.disconnect();
        const chunks = performance.getEntriesByName('osool:chat-chunk').map((entry) => entry.startTime);
        const since = chunks[0] ?? 0;
        return {
          chunks_ms: chunks,
          changes: window.__benchChanges.filter((change) => change.length > 0),
          long_tasks_ms: window.__benchLongTasks.filter(([start, duration]) => start + duration >= since),
          cards: [...document.querySelectorAll('.message-amr')].at(-1)?.querySelectorAll('.listing-card').length ?? 0,
        };
      }),
    );
  }
  await context.close();
  return turns;
}

const browser = await chromium.launch({
  executablePath: process.env.OSOOL_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  chromiumSandbox: typeof process.getuid === 'function' && process.getuid() !== 0,
  args: ['--disable-dev-shm-usage'],
});
try {
  await coldLoad(browser); // the stack's own first answers (worker start, caches) are not the client's
  const loads = [];
  for (let i = 0; i < LOADS; i++) loads.push(await coldLoad(browser));
  const turns = await chatTurns(browser);
  process.stdout.write(`${JSON.stringify({ base: BASE, browser: browser.version(), loads, turns })}\n`);
} finally {
  await browser.close();
}
