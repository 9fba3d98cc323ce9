// The market of a listing's area and type (GET /api/market/stats): count, median and average price per m², median
// price and range, how this listing's price per m² compares, and the median by delivery year as a chart (uPlot, in
// this page's bundle only) with the same figures as a table.
import 'uplot/dist/uPlot.min.css';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { marketStats, type MarketStats, type Property } from '../../api/search';
import { egp, egpShort, lang, num, placeName, t, year } from '../../i18n';
import { gap } from './figures';
import { RetryNotice } from './RetryNotice';
import { useLoad } from './useLoad';

const BRAND = '#0f4c5c';
const ACCENT = '#b3470b';
const INK = '#4a5761';

/** The medians by delivery year (years with a median only), and this listing's price per m² as a level line. */
function YearChart({ stats, listing }: { stats: MarketStats; listing: Property }) {
  const holder = useRef<HTMLDivElement>(null);
  const m = t.value;
  const l = m.listing;
  const years = stats.by_delivery_year.filter(
    (row): row is typeof row & { delivery_year: number; median_price_per_sqm: number } =>
      row.delivery_year !== null && row.median_price_per_sqm !== null,
  );
  const language = lang.value;

  useEffect(() => {
    const element = holder.current;
    if (!element || years.length < 2) return;
    const xs = years.map((row) => row.delivery_year);
    const medians = years.map((row) => row.median_price_per_sqm);
    const mine = years.map(() => listing.price_per_sqm);
    const width = () => Math.max(280, element.clientWidth);
    const axis = { stroke: INK, grid: { stroke: '#e6e1d6' }, ticks: { stroke: '#d9d4c7' } };
    const chart = new uPlot(
      {
        width: width(),
        height: 240,
        legend: { show: false },
        scales: { x: { time: false } },
        axes: [
          { ...axis, values: (_u, ticks) => ticks.map((tick) => (Number.isInteger(tick) ? year(tick) : '')) },
          { ...axis, size: 80, values: (_u, ticks) => ticks.map((tick) => egpShort(tick)) },
        ],
        series: [
          {},
          { label: l.areaMedian, stroke: BRAND, width: 2, points: { show: true, size: 6, fill: BRAND } },
          { label: l.thisListing, stroke: ACCENT, width: 2, dash: [6, 4], points: { show: false } },
        ],
      },
      [xs, medians, mine],
      element,
    );
    const observer = new ResizeObserver(() => chart.setSize({ width: width(), height: 240 }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
  }, [stats, listing, language]);

  if (years.length < 2) return null;
  const first = years[0]!.delivery_year;
  const last = years[years.length - 1]!.delivery_year;
  return (
    <figure class="market-chart">
      <figcaption>
        <h3>{l.byYearTitle}</h3>
        <span class="visually-hidden">{l.byYearChart(year(first), year(last))}</span>
      </figcaption>
      <ul class="chart-legend" aria-hidden="true">
        <li class="chart-key chart-key-median">{l.areaMedian}</li>
        <li class="chart-key chart-key-mine">
          {l.thisListing} ({egp(listing.price_per_sqm)})
        </li>
      </ul>
      {/* Numbers run left to right in both languages, as on a number line. */}
      <div class="market-chart-canvas" ref={holder} dir="ltr" aria-hidden="true" />
    </figure>
  );
}

function YearTable({ stats }: { stats: MarketStats }) {
  const m = t.value;
  const l = m.listing;
  return (
    <details class="market-years">
      <summary>{l.byYearTable}</summary>
      <div class="table-scroll" tabIndex={0} role="region" aria-label={l.byYearTable}>
        <table class="data-table">
          <caption class="visually-hidden">{l.byYearTable}</caption>
          <thead>
            <tr>
              <th scope="col">{l.deliveryYear}</th>
              <th scope="col">{l.listingsCount}</th>
              <th scope="col">{l.medianPerSqm}</th>
              <th scope="col">{l.meanPerSqm}</th>
            </tr>
          </thead>
          <tbody>
            {stats.by_delivery_year.map((row) => (
              <tr key={row.delivery_year ?? 'unknown'}>
                <th scope="row">{row.delivery_year === null ? l.yearUnknown : year(row.delivery_year)}</th>
                <td>{num(row.count)}</td>
                <td>{row.median_price_per_sqm === null ? '—' : egp(row.median_price_per_sqm)}</td>
                <td>{row.mean_price_per_sqm === null ? '—' : egp(row.mean_price_per_sqm)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

export function MarketSection({ listing }: { listing: Property }) {
  const m = t.value;
  const l = m.listing;
  const load = useLoad(`${listing.location}|${listing.type}`, (signal) =>
    marketStats(listing.location, listing.type, signal),
  );
  let body;
  if (load.state === 'loading') {
    body = <p role="status">{l.marketLoading}</p>;
  } else if (load.state === 'failed') {
    body = <RetryNotice error={load.error} retry={load.retry} />;
  } else if (load.data.count === 0 || load.data.median_price_per_sqm === null) {
    body = <p class="listing-muted">{l.marketNone}</p>;
  } else {
    const stats = load.data;
    const versus = gap(listing.price_per_sqm, stats.median_price_per_sqm!);
    body = (
      <>
        <dl class="listing-page-facts market-facts">
          <div>
            <dt>{l.listingsCount}</dt>
            <dd>{num(stats.count)}</dd>
          </div>
          <div>
            <dt>{l.medianPerSqm}</dt>
            <dd>{egp(stats.median_price_per_sqm!)}</dd>
          </div>
          <div>
            <dt>{l.meanPerSqm}</dt>
            <dd>{stats.mean_price_per_sqm === null ? '—' : egp(stats.mean_price_per_sqm)}</dd>
          </div>
          <div>
            <dt>{l.medianPrice}</dt>
            <dd>{stats.median_price === null ? '—' : egp(stats.median_price)}</dd>
          </div>
          {stats.min_price !== null && stats.max_price !== null ? (
            <div>
              <dt>{l.priceRange}</dt>
              <dd>{l.range(egp(stats.min_price), egp(stats.max_price))}</dd>
            </div>
          ) : null}
        </dl>
        <p class="listing-verdict">{versus ? l.versusMarket(versus.pct, versus.above) : l.atMarket}</p>
        <YearChart stats={stats} listing={listing} />
        <YearTable stats={stats} />
      </>
    );
  }
  return (
    <section class="listing-section" aria-labelledby="market-title" aria-busy={load.state === 'loading'}>
      <h2 id="market-title">
        {l.marketTitle(m.types[listing.type] ?? listing.type, placeName(listing.location, listing.location_ar))}
      </h2>
      {body}
    </section>
  );
}
