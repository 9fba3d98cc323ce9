-- Reservations a signed-in buyer made through Amr or the API: the deposit, the hold's expiry, and the chain
-- transactions that recorded and released it. At most one live (pending or confirmed) reservation per listing.
CREATE TABLE reservations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    listing_id uuid NOT NULL,
    listing_title text NOT NULL,
    price_egp bigint NOT NULL CHECK (price_egp > 0),
    deposit_egp bigint NOT NULL CHECK (deposit_egp > 0),
    user_id uuid NOT NULL,
    buyer_address text NOT NULL,
    status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'confirmed', 'failed', 'cancelled', 'expired')),
    chain_tx_id uuid,
    release_tx_id uuid,
    error text,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX reservations_live_listing_idx ON reservations (listing_id) WHERE status IN ('pending', 'confirmed');
CREATE INDEX reservations_user_idx ON reservations (user_id, created_at DESC);
CREATE INDEX reservations_pending_idx ON reservations (updated_at) WHERE status = 'pending';
CREATE INDEX reservations_expiry_idx ON reservations (expires_at) WHERE status = 'confirmed';
