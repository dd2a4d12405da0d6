-- The work on a task between the agency and the contractor's office: who instructed it (messages
-- from the office go to them), the actual on-site date, the chat, and the documents (the
-- client's, and the contractor's reports, invoices and quotes). Kept in step with
-- migrations/postgres/0006.
ALTER TABLE tasks ADD COLUMN instructed_by INTEGER REFERENCES users(id);
ALTER TABLE tasks ADD COLUMN on_site_date TEXT;

CREATE TABLE task_messages (
    id INTEGER PRIMARY KEY,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    author_user_id INTEGER NOT NULL REFERENCES users(id),
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX task_messages_by_task ON task_messages (task_id, id);

CREATE TABLE task_documents (
    id INTEGER PRIMARY KEY,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    kind TEXT NOT NULL CHECK (kind IN ('client', 'report', 'invoice', 'quote')),
    storage_key TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    uploaded_by INTEGER REFERENCES users(id),
    uploaded_at INTEGER NOT NULL
);
CREATE INDEX task_documents_by_task ON task_documents (task_id, id);

-- The Desk view's dashboard: one contractor's tasks from one agency, by due date.
CREATE INDEX tasks_desk_by_due ON tasks (contractor_id, agency_id, due_date, id);

-- What the assignment email adds to a task's essentials, as the agency chose (Settings).
ALTER TABLE agencies ADD COLUMN assignment_email_description INTEGER NOT NULL DEFAULT 1;
ALTER TABLE agencies ADD COLUMN assignment_email_access INTEGER NOT NULL DEFAULT 1;
ALTER TABLE agencies ADD COLUMN assignment_email_purchase_order INTEGER NOT NULL DEFAULT 1;

-- The task dashboard's columns each person chose ("reference,title,due"); NULL: the default.
ALTER TABLE users ADD COLUMN task_columns TEXT;
