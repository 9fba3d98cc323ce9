-- Listing profiles: the semantic search runs over distinct vectors, not over every listing's copy of one.
-- depends: 0002_properties
--
-- A listing's embedding text says what it is (rooms, kind, place, compound, developer, finishing, readiness, sale),
-- so many listings share one text and one vector: 100,000 demo listings have about 8,000 distinct texts. An HNSW
-- graph over the listings holds those duplicates as clusters it cannot navigate between (pgvector keeps up to ten
-- heap tids per graph element): with filters, recall@10 against an exact search fell to 0.71 on average and 0.0
-- on some queries at 100,000 listings. A profile is one (model, text, profile attributes) with its vector; the HNSW
-- index is over profiles, and filters on the attributes a profile fixes are checked on the profile, without
-- visiting its listings.

DROP INDEX properties_embedding_idx;

-- convert_to() is only STABLE because an encoding name could change meaning; with 'UTF8' spelled out the result
-- depends on the arguments alone, so the function is declared IMMUTABLE and may define a generated column.
CREATE FUNCTION profile_key(
    model text, embedding_text text, bedrooms smallint, type text, location text, compound text, developer text,
    finishing text, is_delivered boolean, sale_type text
) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN sha256(convert_to(
    model || E'\x1f' || embedding_text || E'\x1f' || coalesce(bedrooms::text, '') || E'\x1f' || type
    || E'\x1f' || location || E'\x1f' || coalesce(compound, '') || E'\x1f' || coalesce(developer, '')
    || E'\x1f' || coalesce(finishing, '') || E'\x1f' || is_delivered::text || E'\x1f' || sale_type,
    'UTF8'));

ALTER TABLE properties ADD COLUMN profile_key bytea GENERATED ALWAYS AS (
    profile_key(embedding_model, embedding_text, bedrooms, type, location, compound, developer, finishing,
                is_delivered, sale_type)
) STORED;

CREATE TABLE profiles (
    key bytea PRIMARY KEY,
    model text NOT NULL,
    embedding vector(384) NOT NULL,
    bedrooms smallint,
    type text NOT NULL,
    location text NOT NULL,
    compound text,
    developer text,
    finishing text,
    is_delivered boolean NOT NULL,
    sale_type text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO profiles (key, model, embedding, bedrooms, type, location, compound, developer, finishing,
                      is_delivered, sale_type)
SELECT DISTINCT ON (profile_key) profile_key, embedding_model, embedding, bedrooms, type, location, compound,
       developer, finishing, is_delivered, sale_type
FROM properties ORDER BY profile_key;

-- Checked at commit, so a transaction may write listings first and their new profiles after.
ALTER TABLE properties ADD CONSTRAINT properties_profile_fk FOREIGN KEY (profile_key) REFERENCES profiles (key)
    DEFERRABLE INITIALLY DEFERRED;
-- A profile's listings, with price in the key so the commonest listing-level filter is checked in the index.
CREATE INDEX properties_profile_price_idx ON properties (profile_key, price);

CREATE INDEX profiles_embedding_idx ON profiles USING hnsw (embedding vector_cosine_ops);
-- The profile filters people give most (place, kind, rooms; a compound): the profiles they leave are found without
-- reading every profile, then ranked exactly (see repository.narrows_profiles).
CREATE INDEX profiles_place_idx ON profiles (model, location, type, bedrooms);
CREATE INDEX profiles_compound_idx ON profiles (model, compound);
