-- Technicians' accreditations and what tasks require of the technicians who do them. Kept in
-- step with migrations/postgres/0009.

-- Certificate types (those that apply to technicians) a task requires of its technicians.
CREATE TABLE task_required_types (
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    certificate_type_id INTEGER NOT NULL REFERENCES certificate_types(id),
    PRIMARY KEY (task_id, certificate_type_id)
);

-- A technician's accreditation, uploaded by their contractor's office; every upload is kept,
-- the newest per type counts. The file lives in the file store under file_key (none for the
-- demo's, typed from a paper copy).
CREATE TABLE technician_certificates (
    id INTEGER PRIMARY KEY,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    contractor_id INTEGER NOT NULL REFERENCES contractors(id),
    technician_id INTEGER NOT NULL REFERENCES users(id),
    certificate_type_id INTEGER NOT NULL REFERENCES certificate_types(id),
    file_key TEXT,
    file_name TEXT,
    content_type TEXT,
    size_bytes INTEGER,
    start_date TEXT,
    end_date TEXT,
    uploaded_by INTEGER REFERENCES users(id),
    uploaded_at INTEGER NOT NULL,
    CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
);
CREATE INDEX technician_certificates_by_technician
    ON technician_certificates (technician_id, certificate_type_id, uploaded_at);

-- Who assigned a technician and when, and the accreditations they lacked at that moment
-- ("Gas Safe registration (expired)"; NULL: none), which the agency sees on the task.
ALTER TABLE task_technicians ADD COLUMN assigned_by INTEGER REFERENCES users(id);
ALTER TABLE task_technicians ADD COLUMN assigned_at INTEGER;
ALTER TABLE task_technicians ADD COLUMN accreditation_gaps TEXT;
