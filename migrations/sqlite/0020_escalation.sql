-- Chasing outstanding certificates. Each agency sets its ladder: days after a certificate fell
-- outstanding (asked for and never provided, or expired) until the contractor's office address
-- is chased, then all its office users, then the agency's compliance users, and optionally until
-- the contractor is suspended for new work (NULL: never). Kept in step with the other engine's 0020.
ALTER TABLE agencies ADD COLUMN chase_office_days INTEGER NOT NULL DEFAULT 0;
ALTER TABLE agencies ADD COLUMN chase_office_users_days INTEGER NOT NULL DEFAULT 7;
ALTER TABLE agencies ADD COLUMN chase_agency_days INTEGER NOT NULL DEFAULT 14;
ALTER TABLE agencies ADD COLUMN suspend_after_days INTEGER;

-- Each step reached, once per spell without a valid certificate (`since`: the agency's date the
-- spell began, YYYY-MM-DD). The unique key makes a repeated pass, a restart or a second
-- instance record nothing twice. A contractor is suspended while a 'suspended' row's spell lasts.
CREATE TABLE certificate_escalations (
    id INTEGER PRIMARY KEY,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    contractor_id INTEGER NOT NULL REFERENCES contractors(id),
    certificate_type_id INTEGER NOT NULL REFERENCES certificate_types(id),
    since TEXT NOT NULL,
    step TEXT NOT NULL CHECK (step IN ('office', 'office_users', 'agency', 'suspended')),
    reached_at INTEGER NOT NULL,
    UNIQUE (contractor_id, certificate_type_id, since, step)
);
CREATE INDEX certificate_escalations_by_agency ON certificate_escalations (agency_id, step);
