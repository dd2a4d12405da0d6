-- Service reports as issued: each version's PDF is kept, with the SHA-256 of its bytes and an
-- unguessable code that /verify/{code} answers to without signing in. A new version is issued
-- when what the report shows changes (content_digest); an agency may withdraw a code.
CREATE TABLE service_reports (
    id INTEGER PRIMARY KEY,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    version INTEGER NOT NULL,
    code TEXT NOT NULL UNIQUE,
    file_key TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    pages INTEGER NOT NULL,
    content_digest TEXT NOT NULL,
    issued_at INTEGER NOT NULL,
    withdrawn_at INTEGER,
    withdrawn_by INTEGER REFERENCES users(id),
    UNIQUE (task_id, version)
);
