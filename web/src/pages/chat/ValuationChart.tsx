// A valuation as a small inline SVG (no chart library in the chat's bundle): the likely range (low to high) as a band,
// the estimate as a mark on it, and each comparable listing as a dot at its price per m² times the valued size.
import { egpShort, lang, t } from '../../i18n';
import type { ValuationResult } from './tools';

const WIDTH = 320;
const HEIGHT = 138;
const PAD = 14;
const BAND_Y = 34;
const BAND_H = 22;
const DOTS_Y = 110;
const LANE = 9;
const DOT_R = 4;

/** Dots closer than this (in chart units) go to the next lane down, so each stays visible. */
function lanes(xs: number[]): number[] {
  const last: number[] = [];
  return xs.map((x) => {
    let lane = last.findIndex((end) => x - end >= DOT_R * 2 + 1);
    if (lane === -1) lane = last.length < 3 ? last.length : 0;
    last[lane] = x;
    return lane;
  });
}

export function ValuationChart({ result }: { result: ValuationResult }) {
  const v = t.value.valuation;
  const values = result.comparables.map((listing) => listing.price_per_sqm * result.size_sqm);
  const lowest = Math.min(result.low, ...values);
  const highest = Math.max(result.high, ...values);
  const span = highest - lowest || Math.max(1, highest * 0.1);
  const from = lowest - span * 0.06;
  const to = highest + span * 0.06;
  const x = (value: number) => PAD + ((value - from) / (to - from)) * (WIDTH - PAD * 2);
  const clamp = (value: number) => Math.min(WIDTH - PAD, Math.max(PAD, value));
  const order = values.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  const laneOf = lanes(order.map((dot) => x(dot.value)));
  const low = x(result.low);
  const high = x(result.high);
  const estimate = x(result.estimate);
  // Each end's label on a row of its own (they never overlap), outside the band where it fits, inside it near an edge
  // (a label's width estimated from its length: 10-unit text averages under 6 units a character).
  const lowText = `${v.low}: ${egpShort(result.low)}`;
  const highText = `${v.high}: ${egpShort(result.high)}`;
  const lowAnchor = low - PAD < lowText.length * 6 ? 'start' : 'end';
  const highAnchor = WIDTH - PAD - high < highText.length * 6 ? 'end' : 'start';
  // The scale runs left to right in both languages, as a number line; Arabic labels keep their own direction, in
  // which text-anchor's start is the right-hand end.
  const rtl = lang.value === 'ar';
  const anchor = (side: 'start' | 'end') => (rtl ? (side === 'start' ? 'end' : 'start') : side);
  return (
    <svg
      class="valuation-chart"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={v.chart(
        egpShort(result.low),
        egpShort(result.estimate),
        egpShort(result.high),
        result.comparables.length,
      )}
    >
      <line class="valuation-axis" x1={PAD} x2={WIDTH - PAD} y1={BAND_Y + BAND_H / 2} y2={BAND_Y + BAND_H / 2} />
      <rect class="valuation-range" x={low} y={BAND_Y} width={Math.max(2, high - low)} height={BAND_H} rx={4} />
      <line class="valuation-estimate" x1={estimate} x2={estimate} y1={BAND_Y - 8} y2={BAND_Y + BAND_H + 8} />
      <text class="valuation-label valuation-label-strong" x={clamp(estimate)} y={BAND_Y - 13} text-anchor="middle">
        {egpShort(result.estimate)}
      </text>
      <text
        class="valuation-label valuation-low"
        x={low - 4 * (lowAnchor === 'end' ? 1 : -1)}
        y={BAND_Y + BAND_H + 14}
        text-anchor={anchor(lowAnchor)}
      >
        {lowText}
      </text>
      <text
        class="valuation-label valuation-high"
        x={high + 4 * (highAnchor === 'start' ? 1 : -1)}
        y={BAND_Y + BAND_H + 37}
        text-anchor={anchor(highAnchor)}
      >
        {highText}
      </text>
      {order.map((dot, i) => (
        <circle
          key={dot.index}
          class="valuation-dot"
          cx={x(dot.value)}
          cy={DOTS_Y + (laneOf[i] ?? 0) * LANE}
          r={DOT_R}
        />
      ))}
    </svg>
  );
}
