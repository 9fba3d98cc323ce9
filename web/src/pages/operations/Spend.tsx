// The operations page's AI spend: today against the daily budget, each of the last 7 days as a bar under the budget's
// line, the spend by model, and what stands out (a day over budget, a spike).
import { useMemo } from 'preact/hooks';
import type { CostView } from '../../api/monitoring';
import { num, percent, t } from '../../i18n';
import { Chart } from './Chart';
import { day, moment, usd } from './format';
import { type Loaded, OpsSection, SectionState } from './Section';

export function SpendSection({ costs }: { costs: Loaded<CostView> }) {
  const m = t.value.operations;
  const view = costs.data;
  const chart = useMemo(() => {
    if (!view) return null;
    const days = [...view.summary.history].reverse(); // the meter lists today first; the chart reads left to right
    return {
      days,
      x: days.map((_, index) => index),
      series: [
        { label: m.spend, values: days.map((item) => item.total_usd) },
        { label: m.budget, values: days.map(() => view.summary.budget_usd) },
      ],
    };
  }, [view, m]);
  const summary = view?.summary;
  const models = Object.entries(summary?.by_model ?? {}).filter(([, spent]) => spent > 0);

  return (
    <OpsSection id="ops-spend" title={m.costTitle}>
      <SectionState part={costs} />
      {view?.source === 'report' && view.created_at ? (
        <p class="ops-warning">{m.costFromReport(moment(view.created_at))}</p>
      ) : null}
      {summary ? (
        <>
          <p class="ops-headline" data-testid="spend-today">
            {m.costToday(
              usd(summary.spent_today_usd),
              usd(summary.budget_usd),
              percent(summary.budget_used_pct_today ?? 0),
            )}
          </p>
          {summary.over_budget_today ? <p class="ops-warning">{m.overBudget}</p> : null}
        </>
      ) : null}
      {chart && chart.days.length > 0 ? (
        <Chart
          id="ops-cost"
          title={m.costChart}
          kind="bars"
          x={chart.x}
          series={chart.series}
          formatX={(index) => {
            const item = chart.days[Math.round(index)];
            return item ? day(item.date) : '';
          }}
          formatY={usd}
          xLabel={m.day}
          height={180}
        />
      ) : null}
      {summary ? <p>{m.costWeek(usd(summary.total_usd), num(summary.calls))}</p> : null}
      {summary && models.length === 0 ? <p class="ops-empty">{m.noSpend}</p> : null}
      {models.length > 0 ? (
        <>
          <h3>{m.byModel}</h3>
          <ul class="ops-models">
            {models.map(([model, spent]) => (
              <li key={model}>
                <bdi lang="en" class="ops-code">
                  {model}
                </bdi>{' '}
                {usd(spent)}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {view && view.findings.length > 0 ? (
        <ul class="ops-advice">
          {view.findings.map((finding) => (
            <li key={`${finding.kind} ${finding.object}`}>
              <strong>{m.kinds[finding.kind] ?? finding.kind}</strong>{' '}
              <span lang="en" dir="ltr">
                {finding.recommendation}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </OpsSection>
  );
}
