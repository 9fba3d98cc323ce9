// The operations page (administrators): every service's health with its checks, alerts and incidents, traffic per
// service, the AI's spend against its budget, the database's recommendations; read again every 15 seconds.
import { useEffect, useRef, useState } from 'preact/hooks';
import { SessionExpiredError } from '../../api/errors';
import * as monitoring from '../../api/monitoring';
import { t } from '../../i18n';
import { clock } from './format';
import { AlertsSection, ServicesSection, summaryOf } from './Health';
import { DatabaseSection } from './Database';
import { SpendSection } from './Spend';
import { type Loaded, loaded } from './Section';
import { TrafficSection } from './Traffic';

const REFRESH_MS = 15_000;

interface Snapshot {
  health: Loaded<monitoring.HealthOverview>;
  alerts: Loaded<monitoring.StoredAlert[]>;
  incidents: Loaded<{ open: monitoring.Incident[]; recent: monitoring.Incident[] }>;
  series: Loaded<monitoring.PerformanceSeries>;
  performance: Loaded<monitoring.PerformanceView>;
  costs: Loaded<monitoring.CostView>;
  database: Loaded<monitoring.DatabaseStatus>;
}

const EMPTY: Snapshot = {
  health: loaded(),
  alerts: loaded(),
  incidents: loaded(),
  series: loaded(),
  performance: loaded(),
  costs: loaded(),
  database: loaded(),
};

/** A settled call into the section: new data, or the error kept beside the data from before. */
function settle<T>(before: Loaded<T>, result: PromiseSettledResult<T>): Loaded<T> {
  return result.status === 'fulfilled'
    ? { data: result.value, error: null, done: true }
    : { data: before.data, error: result.reason, done: true };
}

export function OperationsPage() {
  const m = t.value.operations;
  const [snapshot, setSnapshot] = useState<Snapshot>(EMPTY);
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);
  const [busy, setBusy] = useState(false);
  const [paused, setPaused] = useState(false);
  const [minutes, setMinutes] = useState(60);
  const running = useRef<AbortController | null>(null);
  const windowRef = useRef(minutes);
  windowRef.current = minutes;

  async function refresh(): Promise<void> {
    if (running.current) return; // one reading at a time: a slow answer is not stacked under the next
    const controller = new AbortController();
    running.current = controller;
    setBusy(true);
    const signal = controller.signal;
    const window = windowRef.current;
    try {
      const results = await Promise.allSettled([
        monitoring.healthStatus(signal),
        monitoring.firingAlerts(signal),
        monitoring.incidents(signal),
        monitoring.performanceSeries(window, signal),
        monitoring.performance(window, signal),
        monitoring.costs(signal),
        monitoring.databaseStatus(signal),
      ] as const);
      if (signal.aborted) return;
      const [health, alerts, incidents, series, performance, costs, database] = results;
      setSnapshot((before) => ({
        health: settle(before.health, health),
        alerts: settle(before.alerts, alerts),
        incidents: settle(before.incidents, incidents),
        series: settle(before.series, series),
        performance: settle(before.performance, performance),
        costs: settle(before.costs, costs),
        database: settle(before.database, database),
      }));
      if (health.status === 'fulfilled') setUpdatedAt(new Date());
    } finally {
      if (running.current === controller) {
        running.current = null;
        setBusy(false);
      }
    }
  }

  // The first reading, then one every 15 s while the page is visible and not paused; a tab coming back reads at once.
  useEffect(() => {
    if (paused) return undefined;
    void refresh();
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') void refresh();
    }, REFRESH_MS);
    const onVisible = () => {
      if (document.visibilityState === 'visible') void refresh();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [paused]);

  // Leaving the page stops what is on its way.
  useEffect(
    () => () => {
      running.current?.abort();
      running.current = null;
    },
    [],
  );

  function changeWindow(next: number) {
    setMinutes(next);
    windowRef.current = next;
    running.current?.abort();
    running.current = null;
    void refresh();
  }

  const ended = Object.values(snapshot).some((part: Loaded<unknown>) => part.error instanceof SessionExpiredError);
  const summary = summaryOf(snapshot.health, snapshot.alerts, snapshot.incidents);

  return (
    <section class="ops" aria-labelledby="ops-title">
      <header class="ops-head">
        <div>
          <h1 id="ops-title">{m.title}</h1>
          <p class="ops-intro">{m.intro}</p>
        </div>
        <div class="ops-controls">
          <p class="ops-updated" data-testid="updated-at">
            {updatedAt ? m.updatedAt(clock(updatedAt)) : m.notUpdated}
            {paused ? (
              <span class="ops-paused">
                {m.sep}
                {m.paused}
              </span>
            ) : null}
          </p>
          {/* Never disabled while a reading runs: a disabled button would drop a keyboard user's focus. */}
          <button type="button" class="button" onClick={() => void refresh()} disabled={ended}>
            {busy ? m.refreshing : m.refresh}
          </button>
          <button
            type="button"
            class="button button-quiet"
            aria-pressed={paused}
            onClick={() => setPaused((value) => !value)}
          >
            {m.pause}
          </button>
        </div>
      </header>
      <div class={`ops-summary ops-summary-${summary.tone}`} role="status">
        <p>{summary.text}</p>
        {summary.detail ? <p>{summary.detail}</p> : null}
      </div>
      <ServicesSection health={snapshot.health} />
      <AlertsSection alerts={snapshot.alerts} incidents={snapshot.incidents} />
      <TrafficSection
        series={snapshot.series}
        performance={snapshot.performance}
        minutes={minutes}
        onWindow={changeWindow}
      />
      <SpendSection costs={snapshot.costs} />
      <DatabaseSection database={snapshot.database} />
    </section>
  );
}
