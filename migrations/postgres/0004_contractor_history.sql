-- Audit entries about a contractor (requested, uploaded, validated, overridden) name it, so its
-- profile can show who did what and when. Kept in step with migrations/sqlite/0004.
ALTER TABLE audit_log ADD COLUMN contractor_id BIGINT REFERENCES contractors(id);
CREATE INDEX audit_log_by_contractor ON audit_log (agency_id, contractor_id, at);
