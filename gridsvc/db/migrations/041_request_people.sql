-- Requests reach the organisation's people: transferred to a grid worker's or petition
-- agent's own queue (an account scoped to the section), escalated when overdue to the
-- section's chief (片区网格长), then the community's director (总网格长).
ALTER TABLE request ADD COLUMN assignee text;
ALTER TABLE request ADD COLUMN escalation text CHECK (escalation IN ('片区网格长', '总网格长'));
ALTER TABLE request_event DROP CONSTRAINT request_event_kind_check;
ALTER TABLE request_event ADD CONSTRAINT request_event_kind_check
    CHECK (kind IN ('received', 'accepted', 'transferred', 'extended', 'answered', 'rated',
                    'closed', 'reopened', 'escalated'));
