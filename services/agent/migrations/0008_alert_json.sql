-- Saved-search filters and alert listings were written as JSON strings holding the object (encoded twice: the shared
-- kit's codec already encodes jsonb); unwrap them into the objects themselves.
-- depends: 0007_saved_searches

UPDATE saved_searches SET filters = (filters #>> '{}')::jsonb WHERE jsonb_typeof(filters) = 'string';
UPDATE alert_items SET listing = (listing #>> '{}')::jsonb WHERE jsonb_typeof(listing) = 'string';
