-- Service tasks an agent lists on a task, the contractor's results, and the defects found on
-- site with their photos (a thumbnail and a viewable size, both made by the server). Kept in
-- step with migrations/postgres/0007.
CREATE TABLE service_tasks (
    id INTEGER PRIMARY KEY,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    result_kind TEXT NOT NULL CHECK (result_kind IN ('pass_fail', 'reading')),
    outcome TEXT CHECK (outcome IN ('pass', 'fail', 'not_applicable')),
    reading TEXT,
    recorded_by INTEGER REFERENCES users(id),
    recorded_at INTEGER
);
CREATE INDEX service_tasks_by_task ON service_tasks (task_id, position);

CREATE TABLE defects (
    id INTEGER PRIMARY KEY,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    service_task_id INTEGER REFERENCES service_tasks(id),
    description TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('informational', 'recommended', 'non_conformance',
        'non_critical', 'critical')),
    reported_by INTEGER REFERENCES users(id),
    reported_at INTEGER NOT NULL
);
CREATE INDEX defects_by_task ON defects (task_id, id);

CREATE TABLE defect_photos (
    id INTEGER PRIMARY KEY,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    defect_id INTEGER NOT NULL REFERENCES defects(id),
    thumbnail_key TEXT NOT NULL,
    view_key TEXT NOT NULL,
    file_name TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL
);
CREATE INDEX defect_photos_by_defect ON defect_photos (defect_id, id);

-- The task dashboard's technician filter looks tasks up by technician.
CREATE INDEX task_technicians_by_technician ON task_technicians (technician_id, task_id);
