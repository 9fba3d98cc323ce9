-- Conversations: a session belongs to a user, or is anonymous and opened with its secret.
CREATE TABLE sessions (
    id uuid PRIMARY KEY,
    owner_id uuid,
    secret_hash bytea,
    title text,
    message_count integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_activity_at timestamptz NOT NULL DEFAULT now(),
    CHECK (owner_id IS NOT NULL OR secret_hash IS NOT NULL)
);
CREATE INDEX sessions_owner_idx ON sessions (owner_id, last_activity_at DESC, id DESC) WHERE owner_id IS NOT NULL;
CREATE INDEX sessions_anonymous_idx ON sessions (last_activity_at) WHERE owner_id IS NULL;

-- Messages in a session. The identity column orders them, even when several are written in one millisecond.
CREATE TABLE messages (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    role text NOT NULL CHECK (role IN ('user', 'assistant', 'tool')),
    content text NOT NULL,
    property_ids text[] NOT NULL DEFAULT '{}',
    tool_calls jsonb,
    prompt_tokens integer,
    completion_tokens integer,
    idempotency_key text,
    created_at timestamptz NOT NULL DEFAULT now(),
    -- English stems and Arabic stems side by side, so a search in either language finds its words.
    search tsvector GENERATED ALWAYS AS (
        to_tsvector('english'::regconfig, content) || to_tsvector('arabic'::regconfig, content)
    ) STORED
);
CREATE UNIQUE INDEX messages_idempotency_key ON messages (session_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX messages_session_idx ON messages (session_id, id DESC);
CREATE INDEX messages_search_idx ON messages USING gin (search);
