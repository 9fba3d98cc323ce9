// The valuation in the chat against the test stack's agent (rules brain): a valuation question shows the widget with
// the estimate and range the comparables give (worked out here again from the search service's comparables), drawn as
// an inline SVG chart (range, estimate, a dot per comparable), in English and Arabic, and again after a reload.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  assertNoSideScroll,
  BASE,
  chat,
  DESKTOP,
  expectAccessible,
  suiteBrowser,
  open,
  PHONE,
  SCREENSHOTS,
} from './helpers.mjs';

const browser = suiteBrowser();

/** What run_valuation makes of the comparables: the median price per m² × size, and the interquartile range
 * (Python's statistics.quantiles(n=4, method="inclusive")). */
async function expectedValuation(size) {
  const query = `location=New%20Cairo&type=Apartment&size_sqm=${size}&limit=10`;
  const response = await fetch(`${BASE}/api/market/comparables?${query}`);
  const { comparables } = await response.json();
  const perSqm = comparables.map((listing) => listing.price_per_sqm).sort((a, b) => a - b);
  const n = perSqm.length;
  const median = n % 2 ? perSqm[(n - 1) / 2] : (perSqm[n / 2 - 1] + perSqm[n / 2]) / 2;
  const quartile = (i) => {
    const m = n - 1;
    const j = Math.floor((i * m) / 4);
    const delta = i * m - j * 4;
    return (perSqm[j] * (4 - delta) + perSqm[j + 1] * delta) / 4;
  };
  // Python's round(): a half goes to the even neighbour.
  const round = (value) => (Math.abs(value % 1) === 0.5 ? 2 * Math.round(value / 2) : Math.round(value));
  return {
    count: n,
    estimate: round(median * size),
    low: round(quartile(1) * size),
    high: round(quartile(3) * size),
  };
}

/** The widget alone (the chat page around it is in chat.test.mjs's screenshots). */
async function shot(widget, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await widget.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

const egp = (value) => `EGP\\s?${value.toLocaleString('en-US')}`;

/** The labels of the range's ends: inside the chart, apart, and low left of high. */
function assertLabelsReadable(chart) {
  const { box, lowLabel: low, highLabel: high } = chart;
  for (const label of [low, high]) {
    const inside = label.left >= box.left - 0.5 && label.right <= box.right + 0.5;
    assert.ok(inside, `a label is cut off: ${JSON.stringify(chart)}`);
  }
  const apart = low.bottom <= high.top || high.bottom <= low.top || low.right <= high.left;
  assert.ok(apart, `the range's labels overlap: ${JSON.stringify(chart)}`);
  assert.ok(low.left + low.width / 2 < high.left + high.width / 2, `low is not left of high: ${JSON.stringify(chart)}`);
}

/** The chart's geometry: the range band, the estimate's mark, the dots. */
async function chartOf(widget) {
  return widget.locator('svg.valuation-chart').evaluate((svg) => {
    const rect = svg.querySelector('rect.valuation-range');
    const mark = svg.querySelector('line.valuation-estimate');
    return {
      label: svg.getAttribute('aria-label'),
      role: svg.getAttribute('role'),
      from: Number(rect.getAttribute('x')),
      to: Number(rect.getAttribute('x')) + Number(rect.getAttribute('width')),
      estimate: Number(mark.getAttribute('x1')),
      dots: [...svg.querySelectorAll('circle.valuation-dot')].map((dot) => Number(dot.getAttribute('cx'))),
      // Where the labels of the range's ends are drawn, on screen.
      box: svg.getBoundingClientRect().toJSON(),
      lowLabel: svg.querySelector('text.valuation-low').getBoundingClientRect().toJSON(),
      highLabel: svg.querySelector('text.valuation-high').getBoundingClientRect().toJSON(),
    };
  });
}

test('a valuation question shows the estimate and its range as a chart, with a dot for each comparable', async () => {
  const expected = await expectedValuation(150);
  assert.ok(expected.count >= 4, `${expected.count} comparables`);
  const { context, page, problems } = await open(browser);
  await page.goto('/');
  const { reply } = await chat(page, 'How much is my 150 m² apartment in New Cairo worth?');
  await reply.locator('.tool[data-tool="run_valuation"]').waitFor();
  const widget = reply.getByRole('region', { name: 'Valuation' });
  await widget.waitFor();
  const text = await widget.innerText();
  assert.match(text, /150 m² apartment in New Cairo/);
  assert.match(text, new RegExp(`About ${egp(expected.estimate)}`));
  assert.match(text, new RegExp(`${egp(expected.low)} – ${egp(expected.high)}`));
  assert.match(text, new RegExp(`Comparable listings\\s+${expected.count}`));

  const chart = await chartOf(widget);
  assert.equal(chart.role, 'img');
  assert.match(chart.label, new RegExp(`${expected.count} comparable listings as dots`));
  assert.equal(chart.dots.length, expected.count);
  assert.ok(chart.from < chart.estimate && chart.estimate < chart.to, JSON.stringify(chart));
  assertLabelsReadable(chart);
  // The dots spread on both sides of the range: the lowest comparable left of the band's start, or on it.
  const spread = Math.min(...chart.dots) <= chart.from + 0.5 && Math.max(...chart.dots) >= chart.to - 0.5;
  assert.ok(spread, JSON.stringify(chart));
  await expectAccessible(page, 'chat (valuation widget)');
  await shot(widget, 'valuation-en-desktop');
  await page.setViewportSize(PHONE);
  await assertNoSideScroll(page);
  await shot(widget, 'valuation-en-phone');
  await page.setViewportSize(DESKTOP);

  // A reload brings the conversation back from chat-history, the chart with it.
  await page.reload();
  const restored = page.getByRole('region', { name: 'Valuation' });
  await restored.waitFor();
  assert.deepEqual((await chartOf(restored)).dots, chart.dots);
  assert.deepEqual(problems, []);
  await context.close();
});

test('in Arabic, the valuation speaks Arabic with Arabic digits, and its chart still reads left to right', async () => {
  const expected = await expectedValuation(150);
  const { context, page, problems } = await open(browser, { lang: 'ar' });
  await page.goto('/');
  const { reply } = await chat(page, 'شقتي ١٥٠ متر في التجمع الخامس تسوى كام؟');
  const widget = reply.getByRole('region', { name: 'التقييم' });
  await widget.waitFor();
  const headline = await widget.locator('.widget-headline').innerText();
  assert.match(headline, /^حوالي /);
  assert.equal(headline.replace(/[^٠-٩]/g, ''), expected.estimate.toLocaleString('ar-EG').replace(/[^٠-٩]/g, ''));
  const chart = await chartOf(widget);
  assert.match(chart.label, /^رسم بياني: النطاق المرجّح من /);
  assert.ok(chart.from < chart.estimate && chart.estimate < chart.to);
  // Low on the left, high on the right, with Arabic labels, neither overlapping nor cut off.
  assertLabelsReadable(chart);
  await expectAccessible(page, 'chat in Arabic (valuation widget)');
  await shot(widget, 'valuation-ar-desktop');
  await page.setViewportSize(PHONE);
  await assertNoSideScroll(page);
  await shot(widget, 'valuation-ar-phone');
  assert.deepEqual(problems, []);
  await context.close();
});
