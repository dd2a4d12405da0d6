-- Quotes: an agent asks one or several contractors to price an issue at a property; each
-- contractor's office answers with an amount, a note and perhaps a document, or declines; the
-- agent accepts one, which instructs the works to that contractor as a task. A request is
-- accepted at most once (accepted_quote_id is set by a conditional update). Kept in step with the
-- other engine's 0022.
CREATE TABLE quote_requests (
    id INTEGER PRIMARY KEY,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    reference TEXT NOT NULL,
    property_id INTEGER NOT NULL REFERENCES properties(id),
    title TEXT NOT NULL,
    description TEXT,
    due_date TEXT,
    priority TEXT NOT NULL,
    work_kind_id INTEGER REFERENCES work_kinds(id),
    requested_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    accepted_quote_id INTEGER,
    task_id INTEGER REFERENCES tasks(id),
    withdrawn_at INTEGER
);
CREATE UNIQUE INDEX quote_requests_by_reference ON quote_requests (agency_id, reference);
CREATE INDEX quote_requests_by_agency ON quote_requests (agency_id, created_at);

CREATE TABLE quotes (
    id INTEGER PRIMARY KEY,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    request_id INTEGER NOT NULL REFERENCES quote_requests(id),
    contractor_id INTEGER NOT NULL REFERENCES contractors(id),
    status TEXT NOT NULL CHECK (status IN ('requested', 'quoted', 'declined', 'accepted', 'not_chosen')),
    amount_pence INTEGER,
    note TEXT,
    storage_key TEXT,
    file_name TEXT,
    content_type TEXT,
    size_bytes INTEGER,
    answered_by INTEGER REFERENCES users(id),
    answered_at INTEGER,
    UNIQUE (request_id, contractor_id)
);
CREATE INDEX quotes_by_contractor ON quotes (contractor_id, request_id);
