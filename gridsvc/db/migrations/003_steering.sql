-- Planners steer the assignment: pins, proposed representatives, named scenarios.
CREATE TABLE pin (
    id                 serial PRIMARY KEY,
    household_id       integer NOT NULL REFERENCES household (id) ON DELETE CASCADE,
    representative_id  integer NOT NULL REFERENCES representative (id) ON DELETE CASCADE,
    kind               text NOT NULL CHECK (kind IN ('fix', 'forbid')),
    note               text NOT NULL DEFAULT '',
    actor              text NOT NULL DEFAULT current_user,
    created_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (household_id, representative_id)
);
CREATE UNIQUE INDEX pin_one_fix_per_household ON pin (household_id) WHERE kind = 'fix';
CREATE INDEX pin_representative_idx ON pin (representative_id);

-- a representative proposed in a scenario only: inactive until that scenario is promoted
ALTER TABLE representative ADD COLUMN proposed_in text;

CREATE UNIQUE INDEX assignment_run_one_per_scenario ON assignment_run (scenario)
    WHERE scenario IS NOT NULL AND status = 'done';
