-- Sign-in: sessions, single-use emailed tokens, throttling of attempts; the mail outbox; the audit log.
-- Kept in step with migrations/postgres/0002_identity.sql.

ALTER TABLE users ADD COLUMN last_sign_in_at INTEGER;

-- tower-sessions records. user_id is copied out of the data so that "sign out everywhere" and
-- disabling a user can end every session of that user in one statement.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id INTEGER,
    data TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- Emailed sign-in, password-reset and invitation links. Only a SHA-256 of the token is kept.
CREATE TABLE sign_in_tokens (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    purpose TEXT NOT NULL CHECK (purpose IN ('sign_in', 'password_reset', 'invitation')),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    requested_from TEXT
);
CREATE INDEX sign_in_tokens_by_user ON sign_in_tokens (user_id);

-- One row per throttled event: a failed password, a link or reset request.
CREATE TABLE auth_attempts (
    id INTEGER PRIMARY KEY,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX auth_attempts_by_subject ON auth_attempts (action, subject, at);

-- The transactional outbox: written with the change that causes the email, sent by the worker.
CREATE TABLE outbox_emails (
    id INTEGER PRIMARY KEY,
    agency_id INTEGER REFERENCES agencies(id),
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    idempotency_key TEXT UNIQUE,
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    locked_until INTEGER,
    sent_at INTEGER,
    gave_up_at INTEGER,
    last_error TEXT
);
CREATE INDEX outbox_emails_due ON outbox_emails (sent_at, gave_up_at, next_attempt_at);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    actor_user_id INTEGER REFERENCES users(id),
    action TEXT NOT NULL,
    subject_user_id INTEGER REFERENCES users(id),
    detail TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX audit_log_by_agency ON audit_log (agency_id, at);
