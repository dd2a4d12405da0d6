-- Signatures drawn on a pad: on a task ("I've performed this work": the technician's or office's,
-- and optionally the client's) or saved in a Desk user's preferences. The strokes are kept as
-- drawn (JSON of domain::signature::Drawing); the PNG the server renders from them lives in the
-- file store. Kept in step with migrations/postgres/0010.
CREATE TABLE signatures (
    id INTEGER PRIMARY KEY,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    task_id INTEGER REFERENCES tasks(id),
    user_id INTEGER REFERENCES users(id),
    role TEXT NOT NULL CHECK (role IN ('contractor', 'client', 'saved')),
    signer_name TEXT NOT NULL,
    strokes TEXT NOT NULL,
    png_key TEXT NOT NULL,
    signed_at INTEGER NOT NULL,
    CHECK ((role = 'saved') = (task_id IS NULL))
);
CREATE INDEX signatures_by_task ON signatures (task_id, id);
CREATE INDEX signatures_saved_by_user ON signatures (user_id, role, id);

-- The notes of "I've performed this work".
ALTER TABLE tasks ADD COLUMN performed_notes TEXT;
