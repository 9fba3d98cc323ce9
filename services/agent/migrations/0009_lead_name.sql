-- The name a buyer gives in the chat ("my name is Mohamed", "اسمي محمد"), shown to agents with the contact consent.
ALTER TABLE leads ADD COLUMN contact_name text CHECK (char_length(contact_name) BETWEEN 1 AND 80);
