-- The registry as this service knows it: where the contract is, every write it sends (outbox and tx log in one
-- table), the contract's events as indexed, and each listing's state (intended and confirmed).

-- One row per contract the service has used; exactly one is active. A node that lost its chain (the in-memory dev
-- node restarted) retires the row and a new deployment starts.
CREATE TABLE deployments (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    chain_id bigint NOT NULL,
    genesis_hash text NOT NULL,
    signer text NOT NULL,
    -- NULL until the deployment transaction is mined (a configured contract has it from the start).
    address text,
    configured boolean NOT NULL DEFAULT false,
    deployed_block bigint,
    -- The sender's next nonce on this chain: assigned under the sender lock, one by one, never reused.
    next_nonce bigint NOT NULL,
    last_indexed_block bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    retired_at timestamptz,
    retired_reason text
);
CREATE UNIQUE INDEX deployments_one_active_idx ON deployments ((true)) WHERE retired_at IS NULL;

-- Every write: accepted as 'pending' (the outbox), 'sent' once the node has it, then 'confirmed' or 'failed'.
CREATE TABLE transactions (
    id uuid PRIMARY KEY,
    -- The order writes were accepted in, which is the order they are sent in.
    seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    -- NULL for the service's own transactions (deployment, role grants).
    idempotency_key text UNIQUE,
    request_hash bytea,
    requested_by text,
    function text NOT NULL,
    listing_id numeric(78, 0),
    args jsonb NOT NULL DEFAULT '{}',
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'confirmed', 'failed')),
    -- 0: the deployment's own transactions, sent before any write.
    priority smallint NOT NULL DEFAULT 1,
    deployment_id bigint REFERENCES deployments (id),
    nonce bigint,
    -- Not unique: a restarted dev node is a new chain where the same key signs the same first transactions.
    tx_hash text,
    raw_tx bytea,
    block_number bigint,
    gas_used bigint,
    error text,
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz,
    mined_at timestamptz,
    finished_at timestamptz,
    -- A nonce is used once on a chain: two senders could never both record the same one.
    UNIQUE (deployment_id, nonce)
);
CREATE INDEX transactions_outbox_idx ON transactions (priority, seq) WHERE status = 'pending';
CREATE INDEX transactions_open_idx ON transactions (deployment_id, nonce) WHERE status IN ('pending', 'sent');
CREATE INDEX transactions_listing_idx ON transactions (listing_id, seq);
CREATE INDEX transactions_hash_idx ON transactions (tx_hash);

-- The contract's events, as the indexer read them (CHAIN_CONFIRMATIONS blocks deep).
CREATE TABLE events (
    deployment_id bigint NOT NULL REFERENCES deployments (id),
    block_number bigint NOT NULL,
    log_index integer NOT NULL,
    tx_hash text NOT NULL,
    event text NOT NULL,
    listing_id numeric(78, 0),
    args jsonb NOT NULL,
    block_time timestamptz NOT NULL,
    PRIMARY KEY (deployment_id, block_number, log_index)
);
CREATE INDEX events_listing_idx ON events (listing_id, block_number, log_index);

-- A listing of the active deployment. `intended_*` is what the chain will say once every accepted write has
-- landed: writes are decided against it under a row lock, so two replicas never queue conflicting writes.
-- The other columns are what the indexer has confirmed on chain.
CREATE TABLE listings (
    listing_id numeric(78, 0) PRIMARY KEY,
    ref text,
    intended_status text CHECK (intended_status IN ('available', 'reserved', 'sold')),
    intended_reserved_by text,
    status text CHECK (status IN ('available', 'reserved', 'sold')),
    owner text,
    reserved_by text,
    price numeric(78, 0),
    document_hash text,
    listed_at timestamptz,
    updated_at timestamptz,
    last_block bigint,
    created_at timestamptz NOT NULL DEFAULT now()
);
