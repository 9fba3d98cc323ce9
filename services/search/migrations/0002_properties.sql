-- Listings, their embeddings, the embedding cache and the record of every ingest run.
-- depends: 0001_schema

CREATE TABLE properties (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    source_id text NOT NULL UNIQUE,
    title text NOT NULL,
    description text NOT NULL DEFAULT '',
    type text NOT NULL,
    location text NOT NULL,
    compound text,
    developer text,
    price bigint NOT NULL CHECK (price > 0),
    price_per_sqm integer NOT NULL CHECK (price_per_sqm > 0),
    size_sqm real NOT NULL CHECK (size_sqm > 0),
    bedrooms smallint,
    bathrooms smallint,
    finishing text,
    delivery_year smallint,
    is_delivered boolean NOT NULL DEFAULT false,
    sale_type text NOT NULL CHECK (sale_type IN ('developer', 'resale')),
    down_payment_pct real,
    installment_years smallint,
    monthly_installment bigint,
    is_cash_only boolean NOT NULL DEFAULT false,
    image_url text,
    source_url text,
    is_available boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- sha256 of the canonical record: an unchanged record in a re-run is recognised without comparing columns.
    content_hash text NOT NULL,
    -- The text the embedding was made from, its model, and the vector (384 dimensions for every model we use:
    -- MiniLM natively, OpenAI's text-embedding-3-small asked for 384).
    embedding_text text NOT NULL,
    embedding_model text NOT NULL,
    embedding vector(384) NOT NULL,
    -- English and Arabic stems side by side, so words of either language match.
    search tsvector GENERATED ALWAYS AS (
        to_tsvector('english'::regconfig,
            title || ' ' || coalesce(compound, '') || ' ' || coalesce(developer, '') || ' ' || description)
        || to_tsvector('arabic'::regconfig, title || ' ' || description)
    ) STORED
);

-- Cosine distance on normalised vectors; m/ef_construction are pgvector's defaults, which reach the recall goal.
CREATE INDEX properties_embedding_idx ON properties USING hnsw (embedding vector_cosine_ops);
CREATE INDEX properties_search_idx ON properties USING gin (search);
CREATE INDEX properties_title_trgm_idx ON properties USING gin (title gin_trgm_ops);
-- The filters people combine most: place and kind, then price.
CREATE INDEX properties_location_type_price_idx ON properties (location, type, price) WHERE is_available;
CREATE INDEX properties_compound_idx ON properties (compound, price) WHERE is_available;
CREATE INDEX properties_price_idx ON properties (price) WHERE is_available;
CREATE INDEX properties_created_idx ON properties (created_at DESC, id DESC);

-- A text embedded once is never embedded again by the same model.
CREATE TABLE embedding_cache (
    model text NOT NULL,
    text_sha256 bytea NOT NULL,
    embedding vector(384) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (model, text_sha256)
);

CREATE TABLE ingest_runs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    source text NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    read integer NOT NULL DEFAULT 0,
    inserted integer NOT NULL DEFAULT 0,
    updated integer NOT NULL DEFAULT 0,
    unchanged integer NOT NULL DEFAULT 0,
    rejected integer NOT NULL DEFAULT 0,
    embedded integer NOT NULL DEFAULT 0,
    rejections jsonb NOT NULL DEFAULT '[]'
);

-- The current embedding model, so a change of model is noticed and followed by a reindex.
CREATE TABLE settings (
    key text PRIMARY KEY,
    value text NOT NULL
);
