// Amr's numbers as small widgets, from the tools' full results: a mortgage, a rental yield, a comparison with the
// true cost of each plan, a valuation as a range chart; each with the assumptions the tool made (in the page's
// language: the finance tools state them in English and in Arabic). Viewings and reservations have their own
// (Viewing.tsx, Reservation.tsx).
import type { ComponentChildren } from 'preact';
import { area, date, egp, lang, num, percent, t } from '../../i18n';
import { ReservationWidgetView } from './Reservation';
import type { ComparisonResult, MortgageResult, RoiResult, ValuationResult, Widget } from './tools';
import { ValuationChart } from './ValuationChart';
import { ViewingWidgetView } from './Viewing';

/** A finance result's assumptions in the page's language, where the tool gave them in it. */
function stated(result: { assumptions: string[]; assumptions_ar?: string[] }): { items: string[]; arabic: boolean } {
  const arabic = lang.value === 'ar' && (result.assumptions_ar?.length ?? 0) > 0;
  return { items: arabic ? (result.assumptions_ar ?? []) : result.assumptions, arabic };
}

function Assumptions({ items, title, arabic = false }: { items: string[]; title: string; arabic?: boolean }) {
  if (items.length === 0) return null;
  return (
    <details class="assumptions">
      <summary>{title}</summary>
      <ul lang={arabic ? 'ar' : 'en'} dir={arabic ? 'rtl' : 'ltr'}>
        {items.map((item) => (
          <li key={item}>{item}</li>
        ))}
      </ul>
    </details>
  );
}

function Figures({ rows }: { rows: Array<[string, ComponentChildren] | null> }) {
  return (
    <dl class="widget-figures">
      {rows.map((row) =>
        row ? (
          <div key={row[0]}>
            <dt>{row[0]}</dt>
            <dd>{row[1]}</dd>
          </div>
        ) : null,
      )}
    </dl>
  );
}

function Mortgage({ result }: { result: MortgageResult }) {
  const m = t.value;
  const f = m.finance;
  const affordability = result.affordability;
  return (
    <section class="widget" aria-label={f.mortgageTitle}>
      <h3>{f.mortgageTitle}</h3>
      <p class="widget-headline">{f.monthly(egp(result.monthly_payment))}</p>
      <Figures
        rows={[
          [f.loan, egp(result.loan_amount)],
          result.down_payment ? [f.downPayment, egp(result.down_payment)] : null,
          [f.term, f.years(result.years)],
          [f.rate, percent(result.annual_rate_pct)],
          [f.programme, <span dir="auto">{result.programme.name}</span>],
          [f.totalInterest, egp(result.total_interest)],
          [f.totalPaid, egp(result.total_paid)],
          result.total_cost_with_down_payment ? [f.totalWithDown, egp(result.total_cost_with_down_payment)] : null,
          affordability?.max_price_for_income ? [f.priceWithinReach, egp(affordability.max_price_for_income)] : null,
          affordability?.subsidised
            ? [
                f.subsidisedReach(percent(affordability.subsidised.programme.annual_rate_pct), affordability.subsidised.years),
                egp(affordability.subsidised.max_price),
              ]
            : null,
          affordability
            ? [
                f.affordability,
                `${percent(affordability.payment_to_income_pct)} — ${affordability.within_limit ? f.withinLimit : f.overLimit}`,
              ]
            : null,
        ]}
      />
      {result.warnings.length > 0 ? (
        <div class="widget-warnings">
          <p>{f.warnings}</p>
          <ul lang="en" dir="ltr">
            {result.warnings.map((warning) => (
              <li key={warning}>{warning}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <Assumptions {...stated(result)} title={f.assumptions} />
      <p class="widget-note">{f.asOf(date(result.as_of))}</p>
    </section>
  );
}

function Roi({ result }: { result: RoiResult }) {
  const f = t.value.finance;
  return (
    <section class="widget" aria-label={f.roiTitle}>
      <h3>{f.roiTitle}</h3>
      <p class="widget-headline">
        {f.netYield}: {percent(result.net_yield_pct)} <span class="badge">{f.grades[result.grade] ?? result.grade}</span>
      </p>
      <Figures
        rows={[
          [f.grossYield, percent(result.gross_yield_pct)],
          [f.annualRent, egp(result.annual_rent)],
          [f.annualCosts, `${egp(result.annual_costs)} (${percent(result.annual_costs_pct)})`],
          [f.netIncome, egp(result.net_annual_income)],
          [f.breakEven, result.break_even_years ? f.breakEvenYears(num(result.break_even_years, 1)) : f.never],
          result.total_return_pct != null ? [f.totalReturn, percent(result.total_return_pct)] : null,
        ]}
      />
      <Assumptions {...stated(result)} title={f.assumptions} />
    </section>
  );
}

function Comparison({ result }: { result: ComparisonResult }) {
  const m = t.value;
  const f = m.finance;
  const winnersOf = (id: string) =>
    Object.entries(result.winners)
      .filter(([, winner]) => winner === id)
      .map(([key]) => f.winners[key] ?? key);
  // The comparison's own defaults, then each unit's (in its true cost), named by the unit's title.
  const general = stated(result);
  const perUnit = result.units.map((unit) => ({ unit, ...stated(unit.true_cost) }));
  const unitsNamed = {
    items: [...general.items, ...perUnit.flatMap(({ unit, items }) => items.map((item) => `${unit.title}: ${item}`))],
    arabic: lang.value === 'ar' && [general, ...perUnit].every((part) => part.items.length === 0 || part.arabic),
  };
  return (
    <section class="widget widget-wide" aria-label={f.comparisonTitle}>
      <h3>{f.comparisonTitle}</h3>
      <div class="table-scroll" tabIndex={0} role="region" aria-label={m.compare.caption}>
        <table class="compare-table">
          <thead>
            <tr>
              <td />
              {result.units.map((unit) => (
                <th scope="col" key={unit.id} dir="auto">
                  {unit.title}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">{m.card.price}</th>
              {result.units.map((unit) => (
                <td key={unit.id}>{egp(unit.price)}</td>
              ))}
            </tr>
            <tr>
              <th scope="row">{m.card.pricePerSqm}</th>
              {result.units.map((unit) => (
                <td key={unit.id}>{egp(unit.price_per_sqm)}</td>
              ))}
            </tr>
            <tr>
              <th scope="row">{m.card.paymentPlan}</th>
              {result.units.map((unit) => (
                <td key={unit.id} lang="en" dir="ltr">
                  {unit.plan}
                </td>
              ))}
            </tr>
            <tr>
              <th scope="row">{f.trueCost}</th>
              {result.units.map((unit) => (
                <td key={unit.id}>{egp(unit.true_cost.present_value)}</td>
              ))}
            </tr>
            <tr>
              <th scope="row">{f.savingVsCash}</th>
              {result.units.map((unit) => (
                <td key={unit.id}>{egp(unit.true_cost.saving_vs_cash)}</td>
              ))}
            </tr>
            <tr>
              <th scope="row">{m.compare.best}</th>
              {result.units.map((unit) => (
                <td key={unit.id}>{winnersOf(unit.id).join(', ')}</td>
              ))}
            </tr>
          </tbody>
        </table>
      </div>
      <Assumptions {...unitsNamed} title={f.assumptions} />
    </section>
  );
}

function Valuation({ result }: { result: ValuationResult }) {
  const m = t.value;
  const v = m.valuation;
  const type = (m.listingFields.types[result.property_type] ?? result.property_type).toLowerCase();
  return (
    <section class="widget widget-valuation" aria-label={v.title}>
      <h3>{v.title}</h3>
      <p class="widget-note" dir="auto">
        {v.subject(area(result.size_sqm), type, result.location)}
      </p>
      <p class="widget-headline">{v.headline(egp(result.estimate))}</p>
      <ValuationChart result={result} />
      <ul class="chart-legend" aria-hidden="true">
        <li class="chart-key chart-key-range">{v.range}</li>
        <li class="chart-key chart-key-estimate">{v.estimate}</li>
        <li class="chart-key chart-key-dot">{v.comparables}</li>
      </ul>
      <Figures
        rows={[
          [v.range, `${egp(result.low)} – ${egp(result.high)}`],
          [v.perSqm, egp(result.median_price_per_sqm)],
          [v.comparables, num(result.comparables_count)],
          [v.confidence, v.confidences[result.confidence] ?? result.confidence],
        ]}
      />
      <Assumptions items={result.method ? [result.method] : []} title={v.method} />
    </section>
  );
}

export function WidgetView({ widget }: { widget: Widget }) {
  switch (widget.kind) {
    case 'mortgage':
      return <Mortgage result={widget.result} />;
    case 'roi':
      return <Roi result={widget.result} />;
    case 'comparison':
      return <Comparison result={widget.result} />;
    case 'valuation':
      return <Valuation result={widget.result} />;
    case 'viewing':
      return <ViewingWidgetView widget={widget} />;
    case 'reservation':
      return <ReservationWidgetView widget={widget} />;
  }
}
