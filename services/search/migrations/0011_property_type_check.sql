-- A listing's type is one of the types the service knows (gazetteer.PROPERTY_TYPES; a unit test keeps the two lists
-- equal): a price order merges one walk per type (repository._price_walks), which finds a listing of another type
-- in none of them. Ingestion has only ever written these. Adding a type is a migration that replaces this check.
-- depends: 0010_type_price_index

ALTER TABLE properties ADD CONSTRAINT properties_type_known CHECK (
    type IN ('Apartment', 'Villa', 'Townhouse', 'Twinhouse', 'Duplex', 'Penthouse', 'Studio', 'Chalet', 'Office',
             'Retail', 'Clinic')
) NOT VALID;
ALTER TABLE properties VALIDATE CONSTRAINT properties_type_known;
