-- Chat turns sent with an Idempotency-Key: a retry of a finished turn gets the stored answer, one still running 409.
CREATE TABLE turns (
    session_id uuid NOT NULL,
    idempotency_key text NOT NULL,
    request_hash text NOT NULL,
    status text NOT NULL CHECK (status IN ('running', 'completed', 'interrupted')),
    response jsonb,
    error text,
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    PRIMARY KEY (session_id, idempotency_key)
);
CREATE INDEX turns_started_idx ON turns (started_at);
