-- Notifications other services asked to send to a user under a dedupe key (POST /api/auth/internal/notify): a repeat
-- of the key gets the stored result and sends nothing. Calls without a key are not stored.
-- depends: 0002_identity
CREATE TABLE notifications (
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    dedupe_key text NOT NULL,
    -- 'sending' while a request delivers it (a claim left by a process that died is taken over once stale).
    status text NOT NULL CHECK (status IN ('sending', 'sent')),
    result jsonb,
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    PRIMARY KEY (user_id, dedupe_key)
);
