-- Saved searches and their alerts: what a signed-in buyer asked to hear about, the new listings and price drops found
-- for them (each listing once per price), the digests sent (at most one a day per channel), and where the matching
-- stands in the search service's change log.
-- depends: 0006_reservations

CREATE TABLE saved_searches (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL,
    query text NOT NULL,
    -- The search service's reading of the query (its applied filters): what a new listing must meet.
    filters jsonb NOT NULL,
    channel text NOT NULL CHECK (channel IN ('email', 'sms')),
    language text NOT NULL CHECK (language IN ('en', 'ar')),
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
-- Saving the same words again is the same saved search.
CREATE UNIQUE INDEX saved_searches_once ON saved_searches (user_id, lower(query)) WHERE active;
CREATE INDEX saved_searches_user_idx ON saved_searches (user_id, created_at DESC);

CREATE TABLE alert_items (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id uuid NOT NULL,
    saved_search_id uuid REFERENCES saved_searches (id) ON DELETE CASCADE,
    channel text NOT NULL CHECK (channel IN ('email', 'sms')),
    language text NOT NULL CHECK (language IN ('en', 'ar')),
    kind text NOT NULL CHECK (kind IN ('match', 'price_drop')),
    listing_id uuid NOT NULL,
    price bigint NOT NULL,
    previous_price bigint,
    -- What the message says about the listing (title, place, type, rooms, size), as it was when found.
    listing jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz,
    outcome text
);
-- Sent once: a listing reaches a buyer once as a match and once for each lower price it drops to.
CREATE UNIQUE INDEX alert_items_once ON alert_items (user_id, listing_id, kind, price);
CREATE INDEX alert_items_unsent_idx ON alert_items (user_id, channel) WHERE sent_at IS NULL;

-- One row per buyer and channel: the claim a digest is sent under, and when the last one went.
CREATE TABLE alert_digests (
    user_id uuid NOT NULL,
    channel text NOT NULL CHECK (channel IN ('email', 'sms')),
    last_sent_at timestamptz,
    PRIMARY KEY (user_id, channel)
);

-- The last change of the search service's log the matching has read (one row).
CREATE TABLE alert_cursor (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    last_seq bigint NOT NULL
);
