-- The catalogue's changes in order: new listings and price drops, written by the database itself whichever way a
-- listing is written (upload, `make ingest`, the demo seed), for the agent's saved-search alerts to follow by seq.
-- depends: 0003_profiles

CREATE TABLE listing_changes (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    listing_id uuid NOT NULL,
    kind text NOT NULL CHECK (kind IN ('new', 'price_drop')),
    price bigint NOT NULL,
    previous_price bigint,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX listing_changes_at_idx ON listing_changes (at);

-- Statement-level triggers with transition tables: one INSERT .. SELECT per ingest chunk, not one per row.
CREATE FUNCTION record_new_listings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO listing_changes (listing_id, kind, price) SELECT id, 'new', price FROM inserted_listings;
    RETURN NULL;
END
$$;

CREATE FUNCTION record_price_drops() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO listing_changes (listing_id, kind, price, previous_price)
    SELECT n.id, 'price_drop', n.price, o.price FROM updated_listings n JOIN previous_listings o USING (id)
    WHERE n.price < o.price;
    RETURN NULL;
END
$$;

CREATE TRIGGER properties_record_new AFTER INSERT ON properties
    REFERENCING NEW TABLE AS inserted_listings FOR EACH STATEMENT EXECUTE FUNCTION record_new_listings();
CREATE TRIGGER properties_record_price_drops AFTER UPDATE ON properties
    REFERENCING OLD TABLE AS previous_listings NEW TABLE AS updated_listings
    FOR EACH STATEMENT EXECUTE FUNCTION record_price_drops();
