// The operations page's traffic: requests per second, 5xx errors and p95 latency per service over a window (charts
// from the monitoring service's minute-by-minute RED history), each service's totals, the slowest routes.
import { useMemo } from 'preact/hooks';
import type { PerformanceSeries, PerformanceView } from '../../api/monitoring';
import { num, t } from '../../i18n';
import { Chart, type ChartSeries } from './Chart';
import { axisTime, ms, ratio, seconds } from './format';
import { type Loaded, OpsSection, SectionState, TableScroll } from './Section';

export const WINDOWS = [60, 360, 1440];

function rate(value: number): string {
  if (value === 0) return num(0);
  return num(value, value < 0.1 ? 3 : 2);
}

interface Props {
  series: Loaded<PerformanceSeries>;
  performance: Loaded<PerformanceView>;
  minutes: number;
  onWindow: (minutes: number) => void;
}

export function TrafficSection({ series, performance, minutes, onWindow }: Props) {
  const m = t.value.operations;
  const data = series.data;
  const charts = useMemo(() => {
    if (!data) return null;
    const x = data.times.map((time) => seconds(time));
    const pick = (key: 'rate_per_second' | 'errors' | 'p95_ms'): ChartSeries[] =>
      data.services.map((service) => ({ label: service.service, values: service[key] }));
    return { x, rate: pick('rate_per_second'), errors: pick('errors'), p95: pick('p95_ms') };
  }, [data]);
  const quiet = !data || data.services.every((service) => service.total.requests === 0);
  const withDay = (data?.window.minutes ?? minutes) >= 1440;
  const formatX = (x: number) => axisTime(x, withDay);
  const stepMinutes = Math.round((data?.window.step_seconds ?? 60) / 60);
  const slowest = performance.data?.slowest.slice(0, 5) ?? [];
  const advice = performance.data?.recommendations.slice(0, 5) ?? [];

  return (
    <OpsSection id="ops-traffic" title={m.trafficTitle}>
      <p class="ops-muted">{m.trafficNote}</p>
      <div class="ops-window">
        <label for="ops-window">{m.window}</label>
        <select
          id="ops-window"
          value={String(minutes)}
          onChange={(event) => onWindow(Number(event.currentTarget.value))}
        >
          {WINDOWS.map((value) => (
            <option key={value} value={String(value)}>
              {m.windows[value]}
            </option>
          ))}
        </select>
      </div>
      <SectionState part={series} />
      {data && quiet ? <p class="ops-empty">{m.noTraffic}</p> : null}
      {data && charts && !quiet ? (
        <>
          <div class="ops-charts">
            <Chart
              id="ops-rate"
              title={m.rateChart}
              x={charts.x}
              series={charts.rate}
              formatX={formatX}
              formatY={rate}
              xLabel={m.time}
            />
            <Chart
              id="ops-errors"
              title={m.errorsChart(stepMinutes)}
              x={charts.x}
              series={charts.errors}
              formatX={formatX}
              formatY={(value) => num(value)}
              xLabel={m.time}
              integers
            />
            <Chart
              id="ops-p95"
              title={m.p95Chart}
              x={charts.x}
              series={charts.p95}
              formatX={formatX}
              formatY={ms}
              xLabel={m.time}
            />
          </div>
          <TableScroll label={m.totalsCaption(m.windows[minutes] ?? '')}>
            <table class="ops-table" id="ops-totals">
              <caption>{m.totalsCaption(m.windows[minutes] ?? '')}</caption>
              <thead>
                <tr>
                  <th scope="col">{m.service}</th>
                  <th scope="col">{m.rate}</th>
                  <th scope="col">{m.requests}</th>
                  <th scope="col">{m.errors}</th>
                  <th scope="col">{m.errorRatio}</th>
                  <th scope="col">{m.p95}</th>
                </tr>
              </thead>
              <tbody>
                {data.services.map((service) => (
                  <tr key={service.service} data-service={service.service}>
                    <th scope="row">
                      <bdi lang="en">{service.service}</bdi>
                    </th>
                    <td>{service.total.rate_per_second === null ? '—' : rate(service.total.rate_per_second)}</td>
                    <td>{num(service.total.requests)}</td>
                    <td>{num(service.total.errors)}</td>
                    <td>{service.total.error_ratio === null ? '—' : ratio(service.total.error_ratio)}</td>
                    <td>{service.total.p95_ms === null ? '—' : ms(service.total.p95_ms)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        </>
      ) : null}
      {slowest.length > 0 ? (
        <>
          <h3>{m.slowestTitle}</h3>
          <TableScroll label={m.slowestTitle}>
            <table class="ops-table">
              <caption class="visually-hidden">{m.slowestTitle}</caption>
              <thead>
                <tr>
                  <th scope="col">{m.route}</th>
                  <th scope="col">{m.service}</th>
                  <th scope="col">{m.requests}</th>
                  <th scope="col">{m.p95}</th>
                  <th scope="col">{m.baseline}</th>
                </tr>
              </thead>
              <tbody>
                {slowest.map((route) => (
                  <tr key={`${route.service} ${route.method} ${route.route}`}>
                    <th scope="row">
                      <bdi lang="en" class="ops-code">
                        {route.method} {route.route}
                      </bdi>
                    </th>
                    <td>
                      <bdi lang="en">{route.service}</bdi>
                    </td>
                    <td>{num(route.requests)}</td>
                    <td>{route.p95_ms === null ? '—' : ms(route.p95_ms)}</td>
                    <td>{route.baseline_p95_ms === null ? '—' : ms(route.baseline_p95_ms)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        </>
      ) : null}
      {advice.length > 0 ? (
        <>
          <h3>{m.recommendationsTitle}</h3>
          <ul class="ops-advice" lang="en" dir="ltr">
            {advice.map((text) => (
              <li key={text}>{text}</li>
            ))}
          </ul>
        </>
      ) : null}
    </OpsSection>
  );
}
