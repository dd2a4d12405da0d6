-- A key's activity on Settings > API reads the audit log by key, newest first; most entries
-- are a person's, so only those of a key are indexed.
CREATE INDEX audit_log_by_api_key ON audit_log (api_key_id, at) WHERE api_key_id IS NOT NULL;
