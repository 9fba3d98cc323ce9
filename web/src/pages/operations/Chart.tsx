// A chart of the operations page drawn by uPlot (a canvas), with its caption, its legend, and the same figures as a
// table for keyboards and screen readers. Lines over time, or bars with a line (the spend against the budget).
import 'uplot/dist/uPlot.min.css';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { lang, t } from '../../i18n';
import { TableScroll } from './Section';

export interface ChartSeries {
  label: string;
  values: Array<number | null>;
}

export interface ChartProps {
  id: string;
  title: string;
  /** Seconds since the epoch for a time chart; 0..n-1 for a chart of categories (the days). */
  x: number[];
  series: ChartSeries[];
  formatX: (x: number) => string;
  formatY: (y: number) => string;
  /** 'bars': the first series drawn as bars, the others as lines over them. */
  kind?: 'lines' | 'bars';
  /** Counts: ticks on whole numbers only. */
  integers?: boolean;
  /** The header of the table's first column. */
  xLabel: string;
  height?: number;
}

// Distinct for colour-blind eyes too (the Okabe–Ito palette, darkened for contrast on white), each also dashed
// its own way: the colours live in app.css (--chart-1 ... --chart-8) so the legend's swatches use the same.
const DASHES: number[][] = [[], [6, 3], [2, 3], [8, 3, 2, 3], [], [6, 3], [2, 3], [8, 3, 2, 3]];
const INTEGER_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000];
const FONT = "12px 'Noto Sans', 'Noto Sans Arabic', system-ui, sans-serif";

function colour(styles: CSSStyleDeclaration, index: number): string {
  return styles.getPropertyValue(`--chart-${(index % 8) + 1}`).trim() || '#0f4c5c';
}

/** The indices of the values with no value on either side. */
function lonely(values: ArrayLike<number | null | undefined> | undefined): number[] {
  const found: number[] = [];
  if (!values) return found;
  for (let i = 0; i < values.length; i++) {
    const present = (index: number) => values[index] !== null && values[index] !== undefined;
    if (present(i) && !present(i - 1) && !present(i + 1)) found.push(i);
  }
  return found;
}

function axisSize(values: string[] | null): number {
  const longest = Math.max(0, ...(values ?? []).map((value) => value.length));
  return Math.max(40, longest * 7 + 16);
}

/** `latest` holds the props of the last render: uPlot calls the formatters long after the chart was made. */
function options(latest: { current: ChartProps }, width: number, styles: CSSStyleDeclaration): uPlot.Options {
  const props = latest.current;
  const muted = styles.getPropertyValue('--muted').trim() || '#4a5761';
  const grid = styles.getPropertyValue('--line').trim() || '#d9d4c7';
  const bars = props.kind === 'bars';
  const series: uPlot.Series[] = [
    {},
    ...props.series.map((item, index): uPlot.Series => {
      const stroke = colour(styles, index);
      if (bars && index === 0) {
        return {
          label: item.label,
          stroke,
          fill: stroke,
          width: 0,
          paths: uPlot.paths.bars?.({ size: [0.6, 56] }),
          points: { show: false },
        };
      }
      return {
        label: item.label,
        stroke,
        width: 2,
        dash: bars ? [6, 4] : (DASHES[index % DASHES.length] ?? []),
        // A value alone between gaps draws no line: it is drawn as a dot.
        points: { show: true, size: 6, filter: (u, seriesIndex) => lonely(u.data[seriesIndex]) },
      };
    }),
  ];
  return {
    width,
    height: props.height ?? 200,
    series,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: bars ? { time: false, range: [-0.5, props.x.length - 0.5] } : { time: true },
      y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.15 : 1] },
    },
    axes: [
      {
        stroke: muted,
        font: FONT,
        grid: { stroke: grid, width: 1 },
        ticks: { stroke: grid, width: 1 },
        ...(bars ? { splits: () => latest.current.x } : {}),
        values: (_u, splits) => splits.map((value) => latest.current.formatX(value)),
      },
      {
        stroke: muted,
        font: FONT,
        grid: { stroke: grid, width: 1 },
        ticks: { stroke: grid, width: 1 },
        size: (_u, values) => axisSize(values),
        ...(props.integers ? { incrs: INTEGER_STEPS } : {}),
        values: (_u, splits) => splits.map((value) => latest.current.formatY(value)),
      },
    ],
  };
}

function data(props: ChartProps): uPlot.AlignedData {
  return [props.x, ...props.series.map((item) => item.values)] as uPlot.AlignedData;
}

export function Chart(props: ChartProps) {
  const m = t.value.operations;
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(props);
  latest.current = props;
  // A new chart when what it draws changes shape (other series, another language); new data otherwise.
  const labels = props.series.map((item) => item.label).join('|');
  const shape = `${lang.value}|${props.kind ?? 'lines'}|${props.x.length}|${labels}`;

  useEffect(() => {
    const element = box.current;
    if (!element) return undefined;
    const styles = getComputedStyle(element);
    plot.current = new uPlot(options(latest, Math.max(element.clientWidth, 200), styles), data(props), element);
    const observer = new ResizeObserver(() => {
      if (plot.current && element.clientWidth > 0) {
        plot.current.setSize({ width: element.clientWidth, height: latest.current.height ?? 200 });
      }
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [shape]);

  useEffect(() => {
    plot.current?.setData(data(props));
  }, [props.x, props.series]);

  return (
    <figure class="chart" aria-labelledby={`${props.id}-title`}>
      <figcaption id={`${props.id}-title`} class="chart-title">
        {props.title}
      </figcaption>
      <ul class="chart-legend">
        {props.series.map((item, index) => (
          <li key={item.label}>
            <span
              class={`chart-swatch chart-swatch-${(index % 8) + 1}${
                (props.kind === 'bars' ? index > 0 : (DASHES[index % 8]?.length ?? 0) > 0) ? ' chart-swatch-dashed' : ''
              }${props.kind === 'bars' && index === 0 ? ' chart-swatch-bar' : ''}`}
              aria-hidden="true"
            />
            <bdi>{item.label}</bdi>
          </li>
        ))}
      </ul>
      {/* uPlot positions its parts left to right: the chart keeps that direction in Arabic too. */}
      <div class="chart-canvas" dir="ltr" ref={box} aria-hidden="true" />
      <details class="chart-figures">
        <summary>{m.showFigures}</summary>
        <TableScroll label={props.title} tall>
          <table class="ops-table">
            <caption class="visually-hidden">{props.title}</caption>
            <thead>
              <tr>
                <th scope="col">{props.xLabel}</th>
                {props.series.map((item) => (
                  <th scope="col" key={item.label}>
                    <bdi>{item.label}</bdi>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {props.x.map((x, row) => (
                <tr key={x}>
                  <th scope="row">{props.formatX(x)}</th>
                  {props.series.map((item) => {
                    const value = item.values[row];
                    const shown = value === null || value === undefined ? '—' : props.formatY(value);
                    return <td key={item.label}>{shown}</td>;
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      </details>
    </figure>
  );
}
