// A valuation as a small inline SVG (no chart library in the chat's bundle): the likely range (low to high) as a band,
// the estimate as a mark on it, and each comparable listing as a dot at its price per m² times the valued size.
import { egpShort, t } from '../../i18n';
import type { ValuationResult } from './tools';

const WIDTH = 320;
const HEIGHT = 128;
const PAD = 14;
const BAND_Y = 34;
const BAND_H = 22;
const DOTS_Y = 86;
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
  // Labels at the band's ends sit outside it, and inside the chart however near an edge the band is.
  const lowAnchor = low - PAD < 60 ? 'start' : 'end';
  const highAnchor = WIDTH - PAD - high < 60 ? 'end' : 'start';
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
      dir="ltr"
    >
      <line class="valuation-axis" x1={PAD} x2={WIDTH - PAD} y1={BAND_Y + BAND_H / 2} y2={BAND_Y + BAND_H / 2} />
      <rect class="valuation-range" x={low} y={BAND_Y} width={Math.max(2, high - low)} height={BAND_H} rx={4} />
      <line class="valuation-estimate" x1={estimate} x2={estimate} y1={BAND_Y - 8} y2={BAND_Y + BAND_H + 8} />
      <text class="valuation-label valuation-label-strong" x={clamp(estimate)} y={BAND_Y - 13} text-anchor="middle">
        {egpShort(result.estimate)}
      </text>
      <text class="valuation-label" x={low - 4 * (lowAnchor === 'end' ? 1 : -1)} y={BAND_Y + BAND_H + 16} text-anchor={lowAnchor}>
        {v.low}: {egpShort(result.low)}
      </text>
      <text class="valuation-label" x={high + 4 * (highAnchor === 'start' ? 1 : -1)} y={BAND_Y + BAND_H + 16} text-anchor={highAnchor}>
        {v.high}: {egpShort(result.high)}
      </text>
      {order.map((dot, i) => (
        <circle
          key={dot.index}
          class="valuation-dot"
          cx={x(dot.value)}
          cy={DOTS_Y + (laneOf[i] ?? 0) * LANE + 12}
          r={DOT_R}
        />
      ))}
    </svg>
  );
}
