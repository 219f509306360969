-- API keys (only their hash is kept) and the audit of every access to personal data.
CREATE TABLE api_key (
    id          serial PRIMARY KEY,
    name        text NOT NULL,
    role        text NOT NULL CHECK (role IN ('viewer', 'staff', 'planner')),
    key_hash    text NOT NULL UNIQUE,            -- sha256 of the key, hex
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);

CREATE TABLE audit_log (
    id         bigserial PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    key_id     integer REFERENCES api_key (id),
    role       text NOT NULL,
    method     text NOT NULL,
    path       text NOT NULL,
    subject    text                                -- the household/representative code(s) seen
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_key_idx ON audit_log (key_id);
