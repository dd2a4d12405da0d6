-- API keys: an agency's administrator makes one for another system (a property-management
-- system, an accounts package). Only a hash of the key is kept; the key acts as the
-- administrator who made it, narrowed to its scopes. `window_start`/`window_count` count its
-- requests in the current minute, in the database so every server instance shares the limit.
-- Audit entries made through a key name it. Kept in step with the other engine's 0023.
CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    name TEXT NOT NULL,
    scopes TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    key_hint TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER,
    revoked_by INTEGER REFERENCES users(id),
    window_start INTEGER NOT NULL DEFAULT 0,
    window_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX api_keys_by_agency ON api_keys (agency_id, created_at);

ALTER TABLE audit_log ADD COLUMN api_key_id INTEGER REFERENCES api_keys(id);
