-- The organisation's people: who holds which role for which area, with history.
CREATE TABLE person (
    id          serial PRIMARY KEY,
    name        text NOT NULL CHECK (name <> ''),
    phone       text CHECK (phone ~ '^1[3-9][0-9]{9}$'),
    created_at  timestamptz NOT NULL DEFAULT now()
);
-- a person with a phone is that phone's person; without one, a name is not unique
CREATE UNIQUE INDEX person_phone_idx ON person (phone) WHERE phone IS NOT NULL;

CREATE TABLE person_role (
    id               serial PRIMARY KEY,
    person_id        integer NOT NULL REFERENCES person (id) ON DELETE RESTRICT,
    role             text NOT NULL CHECK (role IN
                         ('总网格长', '片区网格长', '网格员', '小组长', '副组长', '信访代理员', '其他')),
    level            text NOT NULL CHECK (level IN ('street', 'community', 'section', 'group')),
    area_code        text NOT NULL,               -- 'street' for the street itself
    start_date       date NOT NULL DEFAULT current_date,
    end_date         date,                        -- NULL: holds it now
    import_batch_id  bigint REFERENCES import_batch (id),
    CHECK (end_date IS NULL OR end_date >= start_date)
);
CREATE INDEX person_role_area_idx ON person_role (level, area_code) WHERE end_date IS NULL;
-- one chief per section, one director per community, one leader per group at a time
CREATE UNIQUE INDEX person_role_one_head ON person_role (role, area_code)
    WHERE end_date IS NULL AND role IN ('总网格长', '片区网格长', '小组长');
CREATE UNIQUE INDEX person_role_once ON person_role (person_id, role, area_code)
    WHERE end_date IS NULL;
