-- People log in (machines keep API keys): accounts with a role and a scope like a key's,
-- Argon2 hashes only, a lock-out counter, and sessions kept server-side.
CREATE TABLE app_user (
    id               serial PRIMARY KEY,
    name             text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9_.\-\u4e00-\u9fff]{1,50}$'),
    role             text NOT NULL CHECK (role IN ('viewer', 'representative', 'staff', 'planner')),
    scope            text NOT NULL DEFAULT 'street'
                     CHECK (scope = 'street' OR scope ~ '^(community|section|representative):.+$'),
    password_hash    text NOT NULL,                  -- argon2id, PHC string
    failed_logins    integer NOT NULL DEFAULT 0,     -- since the last good log-in
    locked_until     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    password_at      timestamptz NOT NULL DEFAULT now(),
    disabled_at      timestamptz
);

-- a session is known by the SHA-256 of its id (the cookie): a read of this table logs no one in
CREATE TABLE user_session (
    id_hash     text PRIMARY KEY,
    user_id     integer NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    csrf_token  text NOT NULL,                       -- the synchronizer token of its forms
    created_at  timestamptz NOT NULL DEFAULT now(),
    seen_at     timestamptz NOT NULL DEFAULT now(),
    ended_at    timestamptz
);
CREATE INDEX user_session_user_idx ON user_session (user_id);
