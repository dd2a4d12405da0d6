-- Contractor certification: which certificate types each contractor must hold, and the
-- documents uploaded for them. Kept in step with migrations/postgres/0003_certification.sql.

CREATE TABLE certificate_requirements (
    id INTEGER PRIMARY KEY,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    contractor_id INTEGER NOT NULL REFERENCES contractors(id),
    certificate_type_id INTEGER NOT NULL REFERENCES certificate_types(id),
    requested_by INTEGER REFERENCES users(id),
    requested_at INTEGER NOT NULL,
    UNIQUE (contractor_id, certificate_type_id)
);
CREATE INDEX certificate_requirements_by_agency ON certificate_requirements (agency_id, contractor_id);

-- Every upload is kept: a new one for a type becomes history once a newer one is validated.
-- The file itself lives in the file store under file_key (server-chosen), never in the database.
CREATE TABLE certificate_documents (
    id INTEGER PRIMARY KEY,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    contractor_id INTEGER NOT NULL REFERENCES contractors(id),
    certificate_type_id INTEGER NOT NULL REFERENCES certificate_types(id),
    file_key TEXT,
    file_name TEXT,
    content_type TEXT,
    size_bytes INTEGER,
    start_date TEXT,
    end_date TEXT,
    description TEXT,
    reminder TEXT,
    reminder_relates_to TEXT NOT NULL DEFAULT 'EndDate'
        CHECK (reminder_relates_to IN ('StartDate', 'EndDate')),
    uploaded_by INTEGER REFERENCES users(id),
    uploaded_at INTEGER NOT NULL,
    validated_by INTEGER REFERENCES users(id),
    validated_at INTEGER,
    CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
);
CREATE INDEX certificate_documents_by_contractor
    ON certificate_documents (agency_id, contractor_id, certificate_type_id, uploaded_at);
