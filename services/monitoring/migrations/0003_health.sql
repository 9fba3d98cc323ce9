-- Scheduled jobs and the health history.
-- depends: 0002_alerts
--
-- job_runs: one row per job and period, the lease that makes a job run once per period however many replicas
-- schedule it (the first INSERT wins; a dead runner's next period is anyone's).
CREATE TABLE job_runs (
    job text NOT NULL,
    period bigint NOT NULL,
    runner text NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    error text,
    PRIMARY KEY (job, period)
);

-- Every health reading of every service, partitioned by day (the job creates each day's partition and drops those
-- past the retention).
CREATE TABLE health_samples (
    checked_at timestamptz NOT NULL,
    service text NOT NULL,
    status text NOT NULL CHECK (status IN ('healthy', 'degraded', 'unhealthy', 'unreachable')),
    http_status integer,
    latency_ms real,
    checks jsonb NOT NULL
) PARTITION BY RANGE (checked_at);
CREATE INDEX health_samples_service_at ON health_samples (service, checked_at DESC);

-- Where each service stands now, and since when.
CREATE TABLE service_states (
    service text PRIMARY KEY,
    status text NOT NULL,
    since timestamptz NOT NULL,
    checked_at timestamptz NOT NULL,
    latency_ms real,
    checks jsonb NOT NULL
);

-- Each change of a service's state (the incidents' raw material).
CREATE TABLE state_changes (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    service text NOT NULL,
    from_status text,
    to_status text NOT NULL,
    at timestamptz NOT NULL,
    checks jsonb NOT NULL
);
CREATE INDEX state_changes_at ON state_changes (at DESC);
