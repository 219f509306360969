-- The community office's phone (the contact card gives it when a representative declines to
-- publish their own) and the street's name for titles of print material.
ALTER TABLE community ADD COLUMN office_phone text
    CHECK (office_phone ~ '^[0-9][0-9-]{5,18}[0-9]$');

CREATE TABLE street_info (
    id       boolean PRIMARY KEY DEFAULT true CHECK (id),  -- one row: the street this store holds
    name     text NOT NULL CHECK (name <> ''),
    district text NOT NULL DEFAULT '',
    city     text NOT NULL DEFAULT ''
);
