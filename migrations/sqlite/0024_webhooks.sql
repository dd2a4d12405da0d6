-- Webhooks: an agency's administrator registers endpoints with the events each wants. A change
-- writes one delivery per subscribed endpoint in its own transaction (an outbox, as for mail);
-- a worker leases due deliveries, posts them signed, and retries with backoff. `secret` signs
-- the deliveries, so it is kept (not hashed) and shown to administrators only when made.
-- `failing_since`/`failures` count the failed attempts in a row that disable an endpoint.
-- Kept in step with the other engine's 0024.
CREATE TABLE webhook_endpoints (
    id INTEGER PRIMARY KEY,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    url TEXT NOT NULL,
    description TEXT NOT NULL,
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    disabled_at INTEGER,
    disabled_reason TEXT,
    failing_since INTEGER,
    failures INTEGER NOT NULL DEFAULT 0,
    deleted_at INTEGER
);
CREATE INDEX webhook_endpoints_by_agency ON webhook_endpoints (agency_id, id);

-- One event for one endpoint. `event_id` is the same on every attempt (the receiver's
-- idempotency key) and unique per endpoint, so an event queued twice is delivered once.
CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY,
    endpoint_id INTEGER NOT NULL REFERENCES webhook_endpoints(id),
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    locked_until INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    delivered_at INTEGER,
    gave_up_at INTEGER,
    last_status INTEGER,
    last_error TEXT,
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (delivered_at, gave_up_at, next_attempt_at);
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, id);

-- The compliance light each contractor last had, as the webhook watcher saw it: a change of
-- light (a certificate validated, or one expiring overnight) is an event only when it differs.
CREATE TABLE contractor_lights (
    contractor_id INTEGER PRIMARY KEY REFERENCES contractors(id),
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    light TEXT NOT NULL,
    changed_at INTEGER NOT NULL
);
