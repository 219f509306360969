-- Residents' requests (诉求): the case, its photos and an append-only log of what was done.

-- the categories an office offers residents; configurable (add rows, switch off with active)
CREATE TABLE request_category (
    code    text PRIMARY KEY CHECK (code ~ '^[a-z_]+$'),
    name    text NOT NULL UNIQUE CHECK (name <> ''),
    active  boolean NOT NULL DEFAULT true,
    sort    integer NOT NULL DEFAULT 0
);
INSERT INTO request_category (code, name, sort) VALUES
    ('policy', '政策咨询', 1),
    ('dispute', '矛盾纠纷', 2),
    ('sanitation', '环境卫生', 3),
    ('property', '物业管理', 4),
    ('assistance', '帮扶救助', 5),
    ('safety', '安全隐患', 6),
    ('repair', '设施维修', 7),
    ('other', '其他', 8);

CREATE TABLE request (
    id                 bigserial PRIMARY KEY,
    tracking_code      text NOT NULL UNIQUE CHECK (tracking_code ~ '^[A-Z0-9]{10}$'),
    household_id       integer REFERENCES household (id) ON DELETE SET NULL,
    phone              text CHECK (phone ~ '^1[3-9][0-9]{9}$'),
    representative_id  integer REFERENCES representative (id) ON DELETE SET NULL,
    group_id           integer REFERENCES resident_group (id) ON DELETE SET NULL,
    section_id         integer NOT NULL REFERENCES grid_section (id) ON DELETE RESTRICT,
    community_id       integer NOT NULL REFERENCES community (id) ON DELETE RESTRICT,
    geom               geometry(Point, 4490),
    category           text NOT NULL REFERENCES request_category (code),
    text               text NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
    tier               text NOT NULL DEFAULT '一般' CHECK (tier IN ('当场', '一般', '重大')),
    status             text NOT NULL DEFAULT 'received'
        CHECK (status IN ('received', 'accepted', 'transferred', 'answered', 'closed')),
    deadline           date NOT NULL,
    department         text,
    answer             text,
    rating             text CHECK (rating IN ('满意', '基本满意', '不满意')),
    reopened           integer NOT NULL DEFAULT 0,
    received_at        timestamptz NOT NULL DEFAULT now(),
    answered_at        timestamptz,
    closed_at          timestamptz,
    source             text NOT NULL DEFAULT 'qr' CHECK (source IN ('qr', 'api', 'open311', 'staff', 'sample')),
    client_hash        text,               -- sha256 of the submitting IP: abuse limits only
    CHECK (household_id IS NOT NULL OR phone IS NOT NULL OR source = 'sample')
);
CREATE INDEX request_section_idx ON request (section_id, status);
CREATE INDEX request_community_idx ON request (community_id);
CREATE INDEX request_representative_idx ON request (representative_id, received_at);
CREATE INDEX request_group_idx ON request (group_id);
CREATE INDEX request_open_deadline_idx ON request (deadline) WHERE status NOT IN ('answered', 'closed');
CREATE INDEX request_phone_idx ON request (phone, received_at);
CREATE INDEX request_client_idx ON request (client_hash, received_at);
CREATE INDEX request_received_idx ON request (received_at);

-- photos, re-encoded (no EXIF, no text chunks) before they get here
CREATE TABLE request_photo (
    request_id  bigint NOT NULL REFERENCES request (id) ON DELETE CASCADE,
    n           smallint NOT NULL CHECK (n BETWEEN 1 AND 3),
    mime        text NOT NULL CHECK (mime IN ('image/jpeg', 'image/png')),
    width       integer NOT NULL,
    height      integer NOT NULL,
    data        bytea NOT NULL,
    PRIMARY KEY (request_id, n)
);

-- who did what and when; rows are never changed or removed
CREATE TABLE request_event (
    id          bigserial PRIMARY KEY,
    request_id  bigint NOT NULL REFERENCES request (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    kind        text NOT NULL CHECK (kind IN ('received', 'accepted', 'transferred', 'extended',
                                              'answered', 'rated', 'closed', 'reopened')),
    actor       text NOT NULL,
    role        text NOT NULL,
    detail      jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX request_event_request_idx ON request_event (request_id, at);

CREATE FUNCTION request_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'request_event is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER request_event_no_change BEFORE UPDATE OR DELETE ON request_event
    FOR EACH ROW EXECUTE FUNCTION request_event_append_only();
