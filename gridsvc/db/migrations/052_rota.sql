-- The reception rota (逢6接待): stations, reception days, who is on duty, who came.
CREATE TABLE station (
    id            serial PRIMARY KEY,
    code          text NOT NULL UNIQUE CHECK (code <> ''),
    name          text NOT NULL CHECK (name <> ''),
    community_id  integer REFERENCES community (id) ON DELETE CASCADE,  -- NULL: the street's
    geom          geometry(Point, 4490) NOT NULL
);

CREATE TABLE rota_unavailable (
    representative_id  integer NOT NULL REFERENCES representative (id) ON DELETE CASCADE,
    day                date NOT NULL,
    PRIMARY KEY (representative_id, day)
);

CREATE TABLE reception (
    id          bigserial PRIMARY KEY,
    station_id  integer NOT NULL REFERENCES station (id) ON DELETE CASCADE,
    day         date NOT NULL,
    nominal     date NOT NULL,          -- the 6th/16th/26th it stands for
    UNIQUE (station_id, day)
);
CREATE INDEX reception_day_idx ON reception (day);

CREATE TABLE rota_duty (
    reception_id       bigint NOT NULL REFERENCES reception (id) ON DELETE CASCADE,
    representative_id  integer NOT NULL REFERENCES representative (id) ON DELETE CASCADE,
    attended           boolean,         -- NULL until recorded
    residents          integer CHECK (residents >= 0),
    request_ids        bigint[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (reception_id, representative_id)
);
CREATE INDEX rota_duty_rep_idx ON rota_duty (representative_id);
