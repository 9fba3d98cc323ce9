-- Listings in order of their price per square metre ("أقل سعر للمتر في التجمع", "cheapest per sqm"): how Egyptians
-- compare what a listing costs. An order by it walks these indexes as a size order walks those of migration 0012, one
-- walk per place and type the filters name (or per type), and merges the walks.
-- depends: 0012_size_indexes

CREATE INDEX properties_location_type_price_per_sqm_idx ON properties (location, type, price_per_sqm) WHERE is_available;
CREATE INDEX properties_type_price_per_sqm_idx ON properties (type, price_per_sqm) WHERE is_available;
