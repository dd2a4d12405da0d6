-- Counts changes to an agency's certificate requirements and documents, so computed compliance
-- statuses can be kept in memory and recomputed only when this number moves (on any instance).
ALTER TABLE agencies ADD COLUMN certification_version INTEGER NOT NULL DEFAULT 0;

-- The agents' task dashboard filters the whole agency by status.
CREATE INDEX tasks_by_agency_status ON tasks (agency_id, status, due_date);
