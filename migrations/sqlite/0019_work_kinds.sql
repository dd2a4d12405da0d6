-- Kinds of work (requirement profiles): an agency names a kind of work ("Gas work") and the
-- certificate types it needs; contractors are given kinds (a contractor may have several), and
-- a task may name its kind, so the instruct check and the date-of-work check judge only the
-- certificates that work needs. A task without a kind is judged on every requirement, as before.
CREATE TABLE work_kinds (
    id INTEGER PRIMARY KEY,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX work_kinds_by_name ON work_kinds (agency_id, lower(name));

CREATE TABLE work_kind_types (
    work_kind_id INTEGER NOT NULL REFERENCES work_kinds(id),
    certificate_type_id INTEGER NOT NULL REFERENCES certificate_types(id),
    PRIMARY KEY (work_kind_id, certificate_type_id)
);

CREATE TABLE contractor_work_kinds (
    contractor_id INTEGER NOT NULL REFERENCES contractors(id),
    work_kind_id INTEGER NOT NULL REFERENCES work_kinds(id),
    PRIMARY KEY (contractor_id, work_kind_id)
);
CREATE INDEX contractor_work_kinds_by_kind ON contractor_work_kinds (work_kind_id, contractor_id);

ALTER TABLE tasks ADD COLUMN work_kind_id INTEGER REFERENCES work_kinds(id);
