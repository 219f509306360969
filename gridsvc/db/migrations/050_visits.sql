-- "四个一" visits: a representative at a household, the kinds done, the requests it raised.
CREATE TABLE visit (
    id                 bigserial PRIMARY KEY,
    household_id       integer NOT NULL REFERENCES household (id) ON DELETE CASCADE,
    representative_id  integer NOT NULL REFERENCES representative (id) ON DELETE CASCADE,
    visited_on         date NOT NULL,
    kinds              text[] NOT NULL CHECK (
        cardinality(kinds) > 0
        AND kinds <@ ARRAY['入户见面', '拉家常', '发放联系卡', '收集问题']::text[]),
    notes              text NOT NULL DEFAULT '',
    -- residents' requests raised on the visit: ids only, no foreign key (another module's table)
    request_ids        bigint[] NOT NULL DEFAULT '{}',
    actor              text NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX visit_household_idx ON visit (household_id, visited_on);
CREATE INDEX visit_representative_idx ON visit (representative_id, visited_on);
