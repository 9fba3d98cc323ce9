// The monitoring service's admin routes the operations page reads (services/monitoring/README.md), with their shapes.
import { api } from './client';

export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy' | 'unreachable';

/** One check of a service's /health, as the health job stored it. */
export interface HealthCheck {
  status: string;
  message?: string | null;
  latency_ms?: number | null;
}

export interface ServiceState {
  service: string;
  status: HealthStatus;
  since: string;
  checked_at: string;
  latency_ms: number | null;
  checks: Record<string, HealthCheck>;
}

export interface StateChange {
  service: string;
  from_status: string | null;
  to_status: string;
  at: string;
}

/** GET /api/monitoring/status: every service's state from the health job (every minute) and the latest changes. */
export interface HealthOverview {
  status: HealthStatus | 'unknown';
  services: ServiceState[];
  changes: StateChange[];
}

/** An alert Alertmanager delivered (GET /api/monitoring/alerts). */
export interface StoredAlert {
  id: number;
  alertname: string;
  severity: string | null;
  service: string | null;
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  starts_at: string;
  ends_at: string | null;
  resolved_at: string | null;
  receipts: number;
  last_received_at: string;
}

/** A time a service was not healthy (opened when it left healthy, closed when it came back). */
export interface Incident {
  id: number;
  service: string;
  started_at: string;
  ended_at: string | null;
  lasted_seconds: number;
  worst_status: string;
  checks: Record<string, HealthCheck>;
  alerts: Array<{ id: number; alertname: string; severity: string | null; status: string; starts_at: string }>;
}

export interface ServiceTotals {
  requests: number;
  rate_per_second: number | null;
  errors: number;
  error_ratio: number | null;
  p95_ms: number | null;
}

/** GET /api/monitoring/performance/series: per service, one value per bin of `times` (null: no reading then). */
export interface PerformanceSeries {
  window: { from: string; to: string; minutes: number; step_seconds: number };
  times: string[];
  services: Array<{
    service: string;
    requests: Array<number | null>;
    rate_per_second: Array<number | null>;
    errors: Array<number | null>;
    p95_ms: Array<number | null>;
    total: ServiceTotals;
  }>;
}

export interface RouteFigures {
  service: string;
  route: string;
  method: string;
  requests: number;
  errors: number;
  error_ratio: number | null;
  p95_ms: number | null;
  baseline_p95_ms: number | null;
}

/** GET /api/monitoring/performance: RED per route over the window, the slowest routes, recommendations. */
export interface PerformanceView {
  window: { from: string; to: string; minutes: number };
  slowest: RouteFigures[];
  recommendations: string[];
}

export interface CostDay {
  date: string;
  total_usd: number;
  budget_used_pct: number | null;
}

export interface Finding {
  kind: string;
  severity: string;
  object: string;
  recommendation: string;
}

/** GET /api/monitoring/costs: the AI's spend over 7 days (newest day first) against the daily budget. */
export interface CostView {
  source: 'live' | 'report';
  created_at: string | null;
  summary: {
    budget_usd: number;
    spent_today_usd: number;
    budget_used_pct_today: number | null;
    over_budget_today: boolean;
    total_usd: number;
    calls: number;
    by_model: Record<string, number>;
    history: CostDay[];
  };
  findings: Finding[];
  unavailable?: string | null;
}

/** GET /api/monitoring/database-optimization/status: the latest hourly database report in brief. */
export interface DatabaseStatus {
  report_id?: number | null;
  last_run_at: string | null;
  duration_ms?: number | null;
  next_run_in_seconds: number | null;
  pg_stat_statements?: string | null;
  cache_hit_ratio?: number | null;
  findings: number;
  by_kind: Record<string, number>;
  top: Finding[];
}

export function healthStatus(signal?: AbortSignal): Promise<HealthOverview> {
  return api('/api/monitoring/status', signal ? { signal } : {});
}

export async function firingAlerts(signal?: AbortSignal): Promise<StoredAlert[]> {
  const options = signal ? { signal } : {};
  const page = await api<{ items: StoredAlert[] }>('/api/monitoring/alerts?status=firing&limit=50', options);
  return page.items;
}

/** The open incidents (every one) and the latest closed ones. */
export async function incidents(signal?: AbortSignal): Promise<{ open: Incident[]; recent: Incident[] }> {
  const options = signal ? { signal } : {};
  const [open, recent] = await Promise.all([
    api<{ items: Incident[] }>('/api/monitoring/incidents?open=true&limit=200', options),
    api<{ items: Incident[] }>('/api/monitoring/incidents?limit=20', options),
  ]);
  return { open: open.items, recent: recent.items.filter((item) => item.ended_at !== null).slice(0, 10) };
}

export function performanceSeries(minutes: number, signal?: AbortSignal): Promise<PerformanceSeries> {
  return api(`/api/monitoring/performance/series?minutes=${minutes}`, signal ? { signal } : {});
}

export function performance(minutes: number, signal?: AbortSignal): Promise<PerformanceView> {
  return api(`/api/monitoring/performance?minutes=${minutes}`, signal ? { signal } : {});
}

export function costs(signal?: AbortSignal): Promise<CostView> {
  return api('/api/monitoring/costs', signal ? { signal } : {});
}

export function databaseStatus(signal?: AbortSignal): Promise<DatabaseStatus> {
  return api('/api/monitoring/database-optimization/status', signal ? { signal } : {});
}
