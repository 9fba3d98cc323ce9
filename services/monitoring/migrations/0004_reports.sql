-- RED history, reports, incidents and the routes' latency baselines.
-- depends: 0003_health
--
-- Every minute, per service, route and method: the requests, errors and latency histogram of that minute (the
-- difference between two readings of every replica's /metrics), partitioned by day like health_samples.
-- buckets holds the cumulative counts of the kit's latency buckets (le 0.001 .. 10, then +Inf) for that minute, so
-- any window's p95 is computed from summed buckets, never averaged from per-minute quantiles.
CREATE TABLE red_samples (
    at timestamptz NOT NULL,
    service text NOT NULL,
    route text NOT NULL,
    method text NOT NULL,
    seconds real NOT NULL,
    requests bigint NOT NULL,
    errors bigint NOT NULL,
    duration_sum double precision NOT NULL,
    buckets bigint[] NOT NULL
) PARTITION BY RANGE (at);
CREATE INDEX red_samples_route_at ON red_samples (service, route, at DESC);
CREATE INDEX red_samples_at ON red_samples (at DESC);

-- The last cumulative reading of each replica's counters: the next run (in whichever monitoring replica) subtracts
-- it. A replica whose counters went down restarted, and its reading counts from zero.
CREATE TABLE red_readings (
    service text NOT NULL,
    replica text NOT NULL,
    read_at timestamptz NOT NULL,
    counters jsonb NOT NULL,
    PRIMARY KEY (service, replica)
);

-- The reports of the scheduled jobs: database, performance, cache and cost, with their findings.
CREATE TABLE reports (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('database', 'performance', 'cache', 'cost')),
    created_at timestamptz NOT NULL DEFAULT now(),
    duration_ms real NOT NULL,
    summary jsonb NOT NULL,
    findings jsonb NOT NULL
);
CREATE INDEX reports_kind_created ON reports (kind, created_at DESC);

-- A time a service was not healthy: opened by the health job when it leaves healthy, closed when it is back.
CREATE TABLE incidents (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    service text NOT NULL,
    started_at timestamptz NOT NULL,
    ended_at timestamptz,
    worst_status text NOT NULL,
    checks jsonb NOT NULL
);
CREATE UNIQUE INDEX incidents_open ON incidents (service) WHERE ended_at IS NULL;
CREATE INDEX incidents_started ON incidents (started_at DESC);

-- Each route's 7-day p95 (per method), recalibrated daily; every replica publishes it as a gauge the latency alerts
-- compare with.
CREATE TABLE route_baselines (
    service text NOT NULL,
    route text NOT NULL,
    method text NOT NULL,
    p95_seconds real NOT NULL,
    requests bigint NOT NULL,
    computed_at timestamptz NOT NULL,
    PRIMARY KEY (service, route, method)
);
