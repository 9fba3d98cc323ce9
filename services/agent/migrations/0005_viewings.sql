-- Viewings: each agent's weekly hours (local wall-clock times in their time zone, Africa/Cairo) and exceptions, and
-- the viewings buyers book in them. One agent's booked viewings never overlap: the exclusion constraint decides between
-- concurrent bookings of one slot (btree_gist comes from database/init.sql).
-- depends: 0003_leads
CREATE TABLE viewing_agents (
    agent_id uuid PRIMARY KEY,
    timezone text NOT NULL DEFAULT 'Africa/Cairo',
    slot_minutes smallint NOT NULL DEFAULT 60 CHECK (slot_minutes BETWEEN 30 AND 180),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE viewing_hours (
    id bigserial PRIMARY KEY,
    agent_id uuid NOT NULL REFERENCES viewing_agents (agent_id) ON DELETE CASCADE,
    weekday smallint NOT NULL CHECK (weekday BETWEEN 0 AND 6),  -- Monday = 0
    start_time time NOT NULL,
    end_time time NOT NULL,
    CHECK (start_time < end_time)
);
CREATE INDEX viewing_hours_agent_idx ON viewing_hours (agent_id);

-- A day off (available false, no hours), hours off that day (available false, with hours), or extra hours.
CREATE TABLE viewing_exceptions (
    id bigserial PRIMARY KEY,
    agent_id uuid NOT NULL REFERENCES viewing_agents (agent_id) ON DELETE CASCADE,
    day date NOT NULL,
    available boolean NOT NULL,
    start_time time,
    end_time time,
    CHECK ((start_time IS NULL) = (end_time IS NULL) AND (start_time IS NULL OR start_time < end_time)),
    CHECK (NOT available OR start_time IS NOT NULL)
);
CREATE INDEX viewing_exceptions_agent_idx ON viewing_exceptions (agent_id, day);

CREATE TABLE viewings (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    listing_id uuid NOT NULL,
    agent_id uuid NOT NULL,
    user_id uuid NOT NULL,
    lead_id uuid REFERENCES leads (id) ON DELETE SET NULL,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    status text NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'cancelled', 'done')),
    -- The calendar invitation's SEQUENCE: 0 when booked, one more for each new time or the cancellation.
    sequence integer NOT NULL DEFAULT 0,
    -- The SEQUENCE whose notice (confirmation, new time, cancellation) reached auth; behind `sequence` it is resent.
    notified_sequence integer,
    created_at timestamptz NOT NULL DEFAULT now(),
    cancelled_at timestamptz,
    rescheduled_at timestamptz,
    reminded_at timestamptz,
    CHECK (starts_at < ends_at),
    CONSTRAINT viewings_agent_slot_taken
        EXCLUDE USING gist (agent_id WITH =, tstzrange(starts_at, ends_at) WITH &&) WHERE (status = 'booked')
);
CREATE INDEX viewings_user_idx ON viewings (user_id, starts_at DESC);
CREATE INDEX viewings_agent_idx ON viewings (agent_id, starts_at);
-- The reminder job's scan: booked and not reminded yet.
CREATE INDEX viewings_reminder_idx ON viewings (starts_at) WHERE status = 'booked' AND reminded_at IS NULL;
-- The notice job's scan: a change whose notice did not go out.
CREATE INDEX viewings_unnotified_idx ON viewings (created_at)
    WHERE notified_sequence IS NULL OR notified_sequence < sequence;
