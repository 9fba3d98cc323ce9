-- A unit's floor in its building (0 the ground floor, -1 a basement or lower ground floor): buyers rule floors out
-- ("anything but ground floor", "مش دور أرضي") and ask for them ("الدور التالت", "a high floor").
-- depends: 0007_embedding_model_index
--
-- NULL where the source does not say, and for houses (a villa is every floor of itself). Listings stored before this
-- migration get theirs when their source is ingested again: an export's floor column is the only reliable source.
-- No index: a floor filter narrows a query by a few times at most, and is checked on the rows the others leave.

ALTER TABLE properties ADD COLUMN floor smallint CHECK (floor BETWEEN -1 AND 100);
