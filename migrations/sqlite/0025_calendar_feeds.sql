-- Calendar feeds: a private ICS address per person, for the calendar app on their phone. A
-- technician's shows the tasks assigned to them, a contractor office's its company's tasks, an
-- agent's (who manages certification) the agency's certificate expiries. The address holds a
-- random token; only its SHA-256 is kept. Making a new address revokes the old one. Kept in
-- step with the other engine's 0025.
CREATE TABLE calendar_feeds (
    id INTEGER PRIMARY KEY,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    last_read_at INTEGER,
    revoked_at INTEGER
);
CREATE INDEX calendar_feeds_by_user ON calendar_feeds (user_id, revoked_at);
