-- Alerts Alertmanager delivered to the webhook: one row per alert occurrence (its fingerprint and start), updated by
-- every repeat and by its resolution; when its operators were told that it fired and that it resolved.
CREATE TABLE alerts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    fingerprint text NOT NULL,
    alertname text NOT NULL,
    severity text,
    service text,
    status text NOT NULL CHECK (status IN ('firing', 'resolved')),
    labels jsonb NOT NULL,
    annotations jsonb NOT NULL,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz,
    generator_url text,
    receipts integer NOT NULL DEFAULT 1,
    first_received_at timestamptz NOT NULL DEFAULT now(),
    last_received_at timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz,
    notified_firing_at timestamptz,
    notified_resolved_at timestamptz,
    UNIQUE (fingerprint, starts_at)
);
CREATE INDEX alerts_recent ON alerts (last_received_at DESC, id DESC);
CREATE INDEX alerts_firing ON alerts (starts_at DESC) WHERE status = 'firing';
