-- Leads: one per signed-in user or anonymous conversation (merged on sign-in), their score history and audit trail,
-- and the roster of sales agents on duty that leads are assigned to in turn.
CREATE TABLE sales_agents (
    agent_id uuid PRIMARY KEY,
    on_duty boolean NOT NULL DEFAULT true,
    last_assigned_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE leads (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid UNIQUE,
    kind text NOT NULL DEFAULT 'buyer' CHECK (kind IN ('buyer', 'seller')),
    intent text CHECK (intent IN ('buy', 'sell', 'rent', 'invest')),
    budget_min bigint CHECK (budget_min > 0),
    budget_max bigint CHECK (budget_max > 0),
    areas text[] NOT NULL DEFAULT '{}',
    types text[] NOT NULL DEFAULT '{}',
    bedrooms smallint CHECK (bedrooms BETWEEN 0 AND 20),
    timeline text CHECK (timeline IN ('immediate', 'within_3_months', 'within_6_months', 'within_year', 'later',
                                      'exploring')),
    financing text CHECK (financing IN ('cash', 'mortgage', 'installments')),
    purpose text CHECK (purpose IN ('live', 'holiday', 'invest', 'business')),
    -- Seller qualification: the four answers, which question is waiting for an answer, and the two scores.
    motivation text CHECK (motivation IN ('relocating', 'upgrading', 'downsizing', 'financial', 'inheritance',
                                          'investment_exit', 'other')),
    condition text CHECK (condition IN ('excellent', 'good', 'needs_work', 'unfinished')),
    price_expectation bigint CHECK (price_expectation > 0),
    pending_question text,
    questions_asked text[] NOT NULL DEFAULT '{}',
    readiness_score smallint CHECK (readiness_score BETWEEN 0 AND 100),
    commitment_score smallint CHECK (commitment_score BETWEEN 0 AND 100),
    -- Contact the buyer gave (or their verified profile's), shown to agents only with consent.
    contact_phone text,
    contact_email text,
    contact_consent boolean,
    consent_at timestamptz,
    listings_shown text[] NOT NULL DEFAULT '{}',
    listings_asked text[] NOT NULL DEFAULT '{}',
    turns integer NOT NULL DEFAULT 0,
    score smallint NOT NULL DEFAULT 0 CHECK (score BETWEEN 0 AND 100),
    temperature text NOT NULL DEFAULT 'COLD' CHECK (temperature IN ('HOT', 'WARM', 'COLD')),
    reasons jsonb NOT NULL DEFAULT '[]',
    status text NOT NULL DEFAULT 'new'
        CHECK (status IN ('new', 'contacted', 'viewing', 'negotiating', 'won', 'lost')),
    assigned_agent_id uuid,
    assigned_at timestamptz,
    hot_at timestamptz,
    notified_at timestamptz,
    first_contact_at timestamptz,
    last_message text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX leads_created_idx ON leads (created_at DESC, id DESC);
CREATE INDEX leads_score_idx ON leads (score DESC, id DESC);
CREATE INDEX leads_agent_idx ON leads (assigned_agent_id, created_at DESC);
-- The reassignment job's scan: HOT, assigned, not yet contacted.
CREATE INDEX leads_uncontacted_idx ON leads (assigned_at) WHERE hot_at IS NOT NULL AND first_contact_at IS NULL;

CREATE TABLE lead_sessions (
    session_id uuid PRIMARY KEY,
    lead_id uuid NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    added_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX lead_sessions_lead_idx ON lead_sessions (lead_id);

-- The audit trail: score changes (the score history), status changes, assignments, notifications, consent, merges.
CREATE TABLE lead_events (
    id bigserial PRIMARY KEY,
    lead_id uuid NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('created', 'score', 'status', 'assigned', 'notified', 'consent', 'merged',
                                       'contacted', 'reassigned')),
    actor text NOT NULL,
    data jsonb NOT NULL DEFAULT '{}',
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX lead_events_lead_idx ON lead_events (lead_id, id);
