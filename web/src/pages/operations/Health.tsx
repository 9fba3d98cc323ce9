// The operations page's health: the summary at its top, a card per service with its checks, and the alerts firing
// with the incidents (open, and the latest ended).
import type { HealthCheck, HealthOverview, Incident, ServiceState, StoredAlert } from '../../api/monitoring';
import { t } from '../../i18n';
import { duration, moment, ms } from './format';
import { type Loaded, OpsSection, SectionState, TableScroll } from './Section';

// Seen as behind when the health job (every minute) has not read a service for this long: two and a half periods, so
// a reading on time (up to a period old, plus the page's 15 s between readings) is never called late.
const STALE_SECONDS = 150;
const ICONS: Record<string, string> = { healthy: '✓', degraded: '!', unhealthy: '✕', unreachable: '✕' };

function since(value: string): number {
  return (Date.now() - new Date(value).getTime()) / 1000;
}

export interface Summary {
  tone: 'ok' | 'bad' | 'unknown';
  text: string;
  detail: string;
}

/** The sentence at the top of the page: are all services healthy, which are not, and what is firing or open. */
export function summaryOf(
  health: Loaded<HealthOverview>,
  alerts: Loaded<StoredAlert[]>,
  incidents: Loaded<{ open: Incident[] }>,
): Summary {
  const m = t.value.operations;
  const services = health.data?.services;
  if (!services) return { tone: 'unknown', text: health.done ? '' : m.loading, detail: '' };
  if (services.length === 0) return { tone: 'unknown', text: m.summaryUnknown, detail: '' };
  const bad = services.filter((service) => service.status !== 'healthy');
  const counts = alerts.data && incidents.data ? m.counts(alerts.data.length, incidents.data.open.length) : '';
  if (bad.length === 0) return { tone: 'ok', text: m.summaryHealthy(services.length), detail: counts };
  const names = bad.map((service) => `${service.service}: ${m.status[service.status] ?? service.status}`).join(', ');
  return { tone: 'bad', text: `${m.summaryUnhealthy(bad.length, services.length)} ${names}.`, detail: counts };
}

function StatusBadge({ status }: { status: string }) {
  const m = t.value.operations;
  return (
    <span class={`ops-status ops-status-${status}`}>
      <span aria-hidden="true">{ICONS[status] ?? '?'}</span> {m.status[status] ?? status}
    </span>
  );
}

function Checks({ service, checks }: { service: string; checks: Record<string, HealthCheck> }) {
  const m = t.value.operations;
  const names = Object.keys(checks).sort();
  if (names.length === 0) return <p class="ops-muted">{m.noChecks}</p>;
  return (
    <ul class="ops-checks" aria-label={m.checksLabel(service)}>
      {names.map((name) => {
        const check = checks[name] as HealthCheck;
        return (
          <li key={name} class={`ops-check ops-check-${check.status}`}>
            <span class="ops-check-name" lang="en" dir="ltr">
              {name}
            </span>
            <StatusBadge status={check.status} />
            {typeof check.latency_ms === 'number' ? <span class="ops-muted">{ms(check.latency_ms)}</span> : null}
            {check.status !== 'healthy' && check.message ? (
              <span class="ops-check-message" lang="en" dir="ltr">
                {check.message}
              </span>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}

function ServiceCard({ state }: { state: ServiceState }) {
  const m = t.value.operations;
  const checkedAgo = since(state.checked_at);
  return (
    <li class={`ops-card ops-card-${state.status}`} data-service={state.service} data-status={state.status}>
      <div class="ops-card-head">
        <h3 lang="en" dir="ltr">
          {state.service}
        </h3>
        <StatusBadge status={state.status} />
      </div>
      <p class="ops-muted">
        {m.since(moment(state.since), duration(since(state.since)))}
        {typeof state.latency_ms === 'number' && state.status !== 'unreachable'
          ? `${m.sep}${m.responseTime(ms(state.latency_ms))}`
          : ''}
        {checkedAgo <= STALE_SECONDS ? `${m.sep}${m.checkedAgo(duration(checkedAgo))}` : ''}
      </p>
      {checkedAgo > STALE_SECONDS ? <p class="ops-warning">{m.checkStale(duration(checkedAgo))}</p> : null}
      <Checks service={state.service} checks={state.checks} />
    </li>
  );
}

export function ServicesSection({ health }: { health: Loaded<HealthOverview> }) {
  const m = t.value.operations;
  const services = health.data?.services ?? [];
  return (
    <OpsSection id="ops-services" title={m.servicesTitle}>
      <SectionState part={health} />
      {health.data && services.length === 0 ? <p class="ops-empty">{m.summaryUnknown}</p> : null}
      {services.length > 0 ? (
        <ul class="ops-cards">
          {services.map((state) => (
            <ServiceCard key={state.service} state={state} />
          ))}
        </ul>
      ) : null}
    </OpsSection>
  );
}

function AlertItem({ alert }: { alert: StoredAlert }) {
  const m = t.value.operations;
  const severity = alert.severity ?? 'warning';
  const text = alert.annotations.summary ?? alert.annotations.description ?? '';
  return (
    <li class={`ops-alert ops-alert-${severity}`} data-alert={alert.alertname}>
      <p class="ops-alert-head">
        <span class={`ops-severity ops-severity-${severity}`}>{m.severity[severity] ?? severity}</span>{' '}
        <strong lang="en" dir="ltr">
          {alert.alertname}
        </strong>
        {alert.service ? ` ${m.alertFor(alert.service)}` : null}
      </p>
      {text ? (
        <p lang="en" dir="ltr" class="ops-alert-text">
          {text}
        </p>
      ) : null}
      <p class="ops-muted">
        {m.firingSince(moment(alert.starts_at))} ({duration(since(alert.starts_at))})
      </p>
    </li>
  );
}

function failing(checks: Record<string, HealthCheck>): string {
  return Object.entries(checks)
    .filter(([, check]) => check.status !== 'healthy')
    .map(([name, check]) => (check.message ? `${name}: ${check.message}` : name))
    .join('; ');
}

function OpenIncident({ incident }: { incident: Incident }) {
  const m = t.value.operations;
  const why = failing(incident.checks);
  return (
    <li class="ops-incident" data-service={incident.service}>
      <p class="ops-alert-head">
        <strong lang="en" dir="ltr">
          {incident.service}
        </strong>{' '}
        <StatusBadge status={incident.worst_status} />
      </p>
      <p class="ops-muted">
        {m.since(moment(incident.started_at), m.incidentOngoing(duration(incident.lasted_seconds)))}
        {incident.alerts.length > 0 ? `${m.sep}${m.incidentAlerts(incident.alerts.length)}` : ''}
      </p>
      {why ? (
        <p lang="en" dir="ltr" class="ops-check-message">
          {why}
        </p>
      ) : null}
    </li>
  );
}

export function AlertsSection({
  alerts,
  incidents,
}: {
  alerts: Loaded<StoredAlert[]>;
  incidents: Loaded<{ open: Incident[]; recent: Incident[] }>;
}) {
  const m = t.value.operations;
  const open = incidents.data?.open ?? [];
  const recent = incidents.data?.recent ?? [];
  return (
    <OpsSection id="ops-alerts" title={m.alertsTitle}>
      <div class="ops-columns">
        <div>
          <h3>{m.firingTitle}</h3>
          <SectionState part={alerts} />
          {alerts.data && alerts.data.length === 0 ? <p class="ops-empty">{m.noAlerts}</p> : null}
          {alerts.data && alerts.data.length > 0 ? (
            <ul class="ops-list" aria-label={m.firingTitle}>
              {alerts.data.map((alert) => (
                <AlertItem key={alert.id} alert={alert} />
              ))}
            </ul>
          ) : null}
        </div>
        <div>
          <h3>{m.openIncidentsTitle}</h3>
          <SectionState part={incidents} />
          {incidents.data && open.length === 0 ? <p class="ops-empty">{m.noOpenIncidents}</p> : null}
          {open.length > 0 ? (
            <ul class="ops-list" aria-label={m.openIncidentsTitle}>
              {open.map((incident) => (
                <OpenIncident key={incident.id} incident={incident} />
              ))}
            </ul>
          ) : null}
        </div>
      </div>
      <h3>{m.recentIncidentsTitle}</h3>
      {incidents.data && recent.length === 0 ? <p class="ops-empty">{m.noRecentIncidents}</p> : null}
      {recent.length > 0 ? (
        <TableScroll label={m.recentIncidentsTitle}>
          <table class="ops-table">
            <caption class="visually-hidden">{m.recentIncidentsTitle}</caption>
            <thead>
              <tr>
                <th scope="col">{m.incidentService}</th>
                <th scope="col">{m.incidentStarted}</th>
                <th scope="col">{m.incidentLasted}</th>
                <th scope="col">{m.incidentWorst}</th>
              </tr>
            </thead>
            <tbody>
              {recent.map((incident) => (
                <tr key={incident.id}>
                  <th scope="row">
                    <bdi lang="en">{incident.service}</bdi>
                  </th>
                  <td>{moment(incident.started_at)}</td>
                  <td>{duration(incident.lasted_seconds)}</td>
                  <td>
                    <StatusBadge status={incident.worst_status} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      ) : null}
    </OpsSection>
  );
}
