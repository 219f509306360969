-- One access policy and one path to the store: who read what, in which scope; what a run solved.

-- a representative may decline to publish a phone: the card then gives the office's number
ALTER TABLE representative ADD COLUMN publish_phone boolean NOT NULL DEFAULT true;

-- keys answer for a scope: the street, one community or one section
ALTER TABLE api_key ADD COLUMN scope text NOT NULL DEFAULT 'street'
    CHECK (scope = 'street' OR scope ~ '^(community|section):.+$');

-- the audit names the real actor (a key's owner, a user, the OS user at the terminal), what was
-- done (a service's use case) and through which door (an HTTP route, the CLI)
ALTER TABLE audit_log ADD COLUMN actor text NOT NULL DEFAULT current_user;
ALTER TABLE audit_log ADD COLUMN action text NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN scope text NOT NULL DEFAULT 'street';
ALTER TABLE audit_log ADD COLUMN rows integer;
ALTER TABLE assignment_run ADD COLUMN error text;
-- the server process of a running run: when it is gone, the run died
ALTER TABLE assignment_run ADD COLUMN backend_pid integer;

-- what each block (a section, or a community when crossing sections) of a run was computed
-- from: a later run re-solves only the blocks whose inputs changed
CREATE TABLE run_block (
    run_id      bigint NOT NULL REFERENCES assignment_run (id) ON DELETE CASCADE,
    block       text NOT NULL,        -- 'section:12' or 'community:3' (ids)
    input_hash  text NOT NULL,
    solved      boolean NOT NULL,     -- false: copied from the run in force
    PRIMARY KEY (run_id, block)
);
