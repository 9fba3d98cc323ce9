-- The features a listing's source stated in a column of its own, as it stated them ("pool, garden", "حمام سباحة -
-- جراج"), beside those read from it (features, migration 0005). When the words features are read with change (a new
-- feature, a new spelling), the service reads every listing's features again on start (main.py): from the title, the
-- description and these, so what a source stated is never lost. NULL for listings stored before this column: a
-- re-read keeps their features and adds what the new words find.
-- depends: 0013_price_per_sqm_indexes

ALTER TABLE properties ADD COLUMN stated_features text[];
