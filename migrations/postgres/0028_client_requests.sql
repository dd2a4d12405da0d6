-- A signed-in person's POST sent with an Idempotency-Key, and its first answer (status NULL
-- while it is being answered): a repeat of the request gets that answer instead of the work
-- being done again.
CREATE TABLE client_requests (
    user_id BIGINT NOT NULL REFERENCES users(id),
    request_key TEXT NOT NULL,
    path TEXT NOT NULL,
    status BIGINT,
    content_type TEXT,
    location TEXT,
    body BYTEA,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, request_key)
);
