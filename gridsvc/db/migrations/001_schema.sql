-- The five levels and the people: community ▸ section ▸ group (areas), representatives, households.
-- Geometries in CGCS2000 lon/lat (SRID 4490); the hierarchy is held by foreign keys.
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE community (
    id      serial PRIMARY KEY,
    code    text NOT NULL UNIQUE CHECK (code <> ''),
    name    text NOT NULL CHECK (name <> ''),
    geom    geometry(MultiPolygon, 4490) NOT NULL CHECK (ST_IsValid(geom))
);
CREATE INDEX community_geom_idx ON community USING gist (geom);

CREATE TABLE grid_section (
    id            serial PRIMARY KEY,
    code          text NOT NULL UNIQUE CHECK (code <> ''),
    name          text NOT NULL CHECK (name <> ''),
    community_id  integer NOT NULL REFERENCES community (id) ON DELETE RESTRICT,
    geom          geometry(MultiPolygon, 4490) NOT NULL CHECK (ST_IsValid(geom)),
    UNIQUE (id, community_id)
);
CREATE INDEX grid_section_geom_idx ON grid_section USING gist (geom);
CREATE INDEX grid_section_community_idx ON grid_section (community_id);

CREATE TABLE resident_group (
    id          serial PRIMARY KEY,
    code        text NOT NULL UNIQUE CHECK (code <> ''),
    name        text NOT NULL CHECK (name <> ''),
    section_id  integer NOT NULL REFERENCES grid_section (id) ON DELETE RESTRICT,
    geom        geometry(MultiPolygon, 4490) NOT NULL CHECK (ST_IsValid(geom)),
    UNIQUE (id, section_id)
);
CREATE INDEX resident_group_geom_idx ON resident_group USING gist (geom);
CREATE INDEX resident_group_section_idx ON resident_group (section_id);

-- Kinds of key household (重点户); a household has one or none.
CREATE TABLE key_category (
    name         text PRIMARY KEY,
    description  text NOT NULL
);
INSERT INTO key_category (name, description) VALUES
    ('低保', 'minimum living allowance (低保户)'),
    ('残障', 'disabled member (残障家庭)'),
    ('独居老人', 'elderly person living alone'),
    ('孤儿', 'orphan'),
    ('特困', 'extreme hardship support (特困供养)'),
    ('优抚', 'entitled groups: veterans and martyrs'' families');

CREATE TABLE import_batch (
    id           bigserial PRIMARY KEY,
    kind         text NOT NULL,              -- street, households, representatives, boundaries
    file_name    text NOT NULL,
    checksum     text NOT NULL,              -- sha256 of the file(s)
    actor        text NOT NULL DEFAULT current_user,
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    counts       jsonb NOT NULL DEFAULT '{}'::jsonb
);

CREATE TABLE representative (
    id             serial PRIMARY KEY,
    code           text NOT NULL UNIQUE CHECK (code <> ''),
    name           text NOT NULL,
    phone          text CHECK (phone ~ '^1[3-9][0-9]{9}$'),
    group_id       integer NOT NULL REFERENCES resident_group (id) ON DELETE RESTRICT,
    role           text NOT NULL DEFAULT '居民代表',
    party_member   boolean NOT NULL DEFAULT false,
    active         boolean NOT NULL DEFAULT true,
    min_load       integer CHECK (min_load >= 0),
    max_load       integer CHECK (max_load >= 1),
    geom           geometry(Point, 4490) NOT NULL,
    import_batch_id bigint REFERENCES import_batch (id),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (min_load IS NULL OR max_load IS NULL OR min_load <= max_load)
);
CREATE INDEX representative_geom_idx ON representative USING gist (geom);
CREATE INDEX representative_group_idx ON representative (group_id);

CREATE TABLE household (
    id              serial PRIMARY KEY,
    code            text NOT NULL UNIQUE CHECK (code <> ''),
    address         text NOT NULL DEFAULT '',
    head_name       text NOT NULL DEFAULT '',
    phone           text CHECK (phone ~ '^1[3-9][0-9]{9}$'),
    group_id        integer NOT NULL,
    section_id      integer NOT NULL,
    key_category    text REFERENCES key_category (name),
    geom            geometry(Point, 4490) NOT NULL,
    import_batch_id bigint REFERENCES import_batch (id),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    -- the household's section is its group's section: no other is possible
    FOREIGN KEY (group_id, section_id) REFERENCES resident_group (id, section_id)
        ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX household_geom_idx ON household USING gist (geom);
CREATE INDEX household_group_idx ON household (group_id);
CREATE INDEX household_section_idx ON household (section_id);

-- An assignment run: its parameters, figures and, once done, whether it is the one in force.
CREATE TABLE assignment_run (
    id           bigserial PRIMARY KEY,
    status       text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
    in_force     boolean NOT NULL DEFAULT false,
    scenario     text,                        -- NULL for a run meant to be put in force
    params       jsonb NOT NULL DEFAULT '{}'::jsonb,
    metrics      jsonb NOT NULL DEFAULT '{}'::jsonb,
    diagnostics  jsonb NOT NULL DEFAULT '[]'::jsonb,
    actor        text NOT NULL DEFAULT current_user,
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    CHECK (NOT in_force OR status = 'done')
);
CREATE UNIQUE INDEX assignment_run_one_in_force ON assignment_run ((true)) WHERE in_force;

CREATE TABLE assignment (
    run_id             bigint NOT NULL REFERENCES assignment_run (id) ON DELETE CASCADE,
    household_id       integer NOT NULL REFERENCES household (id) ON DELETE CASCADE,
    representative_id  integer REFERENCES representative (id) ON DELETE CASCADE,  -- NULL: uncovered
    distance_m         double precision,
    cross_group        boolean NOT NULL DEFAULT false,
    household_geom     geometry(Point, 4490) NOT NULL,  -- where the household was at the run
    PRIMARY KEY (run_id, household_id)
);
CREATE INDEX assignment_representative_idx ON assignment (run_id, representative_id);
