-- Contract reviews a signed-in buyer asked to keep (POST /api/contracts/audit with keep=true): the findings, not the
-- contract's text (a hash and its length identify it). Nothing is stored for anyone else.
CREATE TABLE contract_audits (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL,
    source text NOT NULL CHECK (source IN ('text', 'pdf')),
    text_sha256 text NOT NULL,
    text_chars integer NOT NULL CHECK (text_chars > 0),
    language text NOT NULL CHECK (language IN ('en', 'ar')),
    findings jsonb NOT NULL,
    summary jsonb NOT NULL,
    score smallint NOT NULL CHECK (score BETWEEN 0 AND 100),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contract_audits_user_idx ON contract_audits (user_id, created_at DESC);
