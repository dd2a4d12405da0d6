-- The timeline of a task: every status change, by whom, when, and why when a reason is asked
-- for (reject, revisit, send back). Kept in step with migrations/postgres/0005.
CREATE TABLE task_events (
    id INTEGER PRIMARY KEY,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    actor_user_id INTEGER REFERENCES users(id),
    action TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    reason TEXT,
    at INTEGER NOT NULL
);
CREATE INDEX task_events_by_task ON task_events (task_id, at);
