-- A representative (居民代表) may hold a key or an account: their own households only.
ALTER TABLE api_key DROP CONSTRAINT api_key_role_check;
ALTER TABLE api_key ADD CONSTRAINT api_key_role_check
    CHECK (role IN ('viewer', 'representative', 'staff', 'planner'));
ALTER TABLE api_key DROP CONSTRAINT api_key_scope_check;
ALTER TABLE api_key ADD CONSTRAINT api_key_scope_check
    CHECK (scope = 'street' OR scope ~ '^(community|section|representative):.+$');
