-- Points (积分): the scored tasks, and an append-only ledger of entries (corrections are entries).
CREATE TABLE point_task (
    code        text PRIMARY KEY CHECK (code <> ''),
    name        text NOT NULL CHECK (name <> ''),
    points      numeric(6, 1) NOT NULL CHECK (points > 0),
    counted     text NOT NULL CHECK (counted IN ('event', 'staff')),
    event       text UNIQUE CHECK (event IN ('visit', 'request_on_time', 'reception', 'suggestion')),
    cap         numeric(7, 1) CHECK (cap > 0),           -- most points per cap_period
    cap_period  text NOT NULL DEFAULT 'month' CHECK (cap_period IN ('month', 'quarter', 'year')),
    CHECK ((counted = 'event') = (event IS NOT NULL))
);

CREATE TABLE point_entry (
    id                 bigserial PRIMARY KEY,
    representative_id  integer NOT NULL REFERENCES representative (id) ON DELETE CASCADE,
    task_code          text NOT NULL REFERENCES point_task (code),
    points             numeric(7, 1) NOT NULL,
    earned_on          date NOT NULL,
    -- what earned it: 'visit:12', 'request:7', 'reception:3:R0001', 'suggestion:9'; NULL for
    -- staff entries. Unique: an event counts once however often it is reported.
    source             text UNIQUE,
    corrects           bigint UNIQUE REFERENCES point_entry (id),
    reason             text NOT NULL DEFAULT '',
    actor              text NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (corrects IS NOT NULL OR points > 0)
);
CREATE INDEX point_entry_earned_idx ON point_entry (earned_on, representative_id);
CREATE INDEX point_entry_rep_idx ON point_entry (representative_id, task_code, earned_on);

-- the ledger is never edited: a correction is a new entry that reverses an old one
CREATE FUNCTION point_entry_no_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'point entries are never edited: add a correction';
END $$;
CREATE TRIGGER point_entry_append_only BEFORE UPDATE ON point_entry
    FOR EACH ROW EXECUTE FUNCTION point_entry_no_update();

-- 26 tasks in the spirit of seed 002 (政策宣传、走访接待、建议提交 ... 评分—公示—应用)
INSERT INTO point_task (code, name, points, counted, event, cap, cap_period) VALUES
    ('T01', '入户走访（四个一）', 1, 'event', 'visit', 20, 'month'),
    ('T02', '诉求按期办结', 2, 'event', 'request_on_time', 20, 'month'),
    ('T03', '逢6进站接待', 3, 'event', 'reception', 9, 'month'),
    ('T04', '提交意见建议', 2, 'event', 'suggestion', 10, 'month'),
    ('T05', '政策宣传', 1, 'staff', NULL, 4, 'month'),
    ('T06', '参加学习培训', 2, 'staff', NULL, 2, 'month'),
    ('T07', '参加代表小组活动', 2, 'staff', NULL, 4, 'month'),
    ('T08', '参加视察检查', 3, 'staff', NULL, 3, 'quarter'),
    ('T09', '参加专题调研', 5, 'staff', NULL, 10, 'year'),
    ('T10', '提交调研报告', 5, 'staff', NULL, 10, 'year'),
    ('T11', '领办民生实事', 5, 'staff', NULL, 15, 'year'),
    ('T12', '调解矛盾纠纷', 3, 'staff', NULL, 12, 'quarter'),
    ('T13', '安全隐患排查', 2, 'staff', NULL, 6, 'quarter'),
    ('T14', '结对帮扶困难家庭', 3, 'staff', NULL, 9, 'quarter'),
    ('T15', '组织院落会议', 3, 'staff', NULL, 6, 'quarter'),
    ('T16', '参加评议测评', 3, 'staff', NULL, 3, 'year'),
    ('T17', '向选民报告履职', 5, 'staff', NULL, 5, 'year'),
    ('T18', '更新民情台账', 1, 'staff', NULL, 3, 'month'),
    ('T19', '发布阳光栏公示', 1, 'staff', NULL, 2, 'month'),
    ('T20', '参加志愿服务', 2, 'staff', NULL, 4, 'month'),
    ('T21', '反映社情民意信息', 2, 'staff', NULL, 6, 'month'),
    ('T22', '产业督导', 2, 'staff', NULL, 6, 'quarter'),
    ('T23', '效能监督', 2, 'staff', NULL, 6, 'quarter'),
    ('T24', '贡献发展金点子', 3, 'staff', NULL, 6, 'year'),
    ('T25', '应急处置参与', 3, 'staff', NULL, 9, 'year'),
    ('T26', '获得表彰', 5, 'staff', NULL, 10, 'year');
