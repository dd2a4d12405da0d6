-- Agencies, their people, contractors, certificate types, properties and tasks.
-- Kept in step with migrations/postgres/0001_initial.sql: same tables, columns and meaning.
-- Instants are INTEGER Unix milliseconds; calendar dates are TEXT 'YYYY-MM-DD'; flags are 0/1
-- integers (sqlx's Any driver decodes no SQLite boolean).

CREATE TABLE agencies (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    time_zone TEXT NOT NULL DEFAULT 'Europe/London',
    date_format TEXT NOT NULL DEFAULT 'DD/MM/YYYY',
    expiring_soon_days INTEGER NOT NULL DEFAULT 30,
    created_at INTEGER NOT NULL
);

CREATE TABLE roles (
    id INTEGER PRIMARY KEY,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    name TEXT NOT NULL,
    can_manage_users INTEGER NOT NULL DEFAULT 0 CHECK (can_manage_users IN (0, 1)),
    can_manage_certification INTEGER NOT NULL DEFAULT 0 CHECK (can_manage_certification IN (0, 1)),
    can_instruct_work INTEGER NOT NULL DEFAULT 0 CHECK (can_instruct_work IN (0, 1)),
    can_override_compliance INTEGER NOT NULL DEFAULT 0 CHECK (can_override_compliance IN (0, 1)),
    UNIQUE (agency_id, name)
);

CREATE TABLE contractors (
    id INTEGER PRIMARY KEY,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    company_name TEXT NOT NULL,
    external_ref TEXT,
    email TEXT NOT NULL,
    phone TEXT,
    trade TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX contractors_by_agency ON contractors (agency_id, company_name);

-- Agents, contractor office users and technicians. Agents have a role; the other two a contractor.
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    kind TEXT NOT NULL CHECK (kind IN ('agent', 'contractor', 'technician')),
    role_id INTEGER REFERENCES roles(id),
    contractor_id INTEGER REFERENCES contractors(id),
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    mobile TEXT,
    password_hash TEXT,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at INTEGER NOT NULL,
    CHECK ((kind = 'agent' AND role_id IS NOT NULL AND contractor_id IS NULL)
        OR (kind <> 'agent' AND role_id IS NULL AND contractor_id IS NOT NULL)),
    CHECK (kind <> 'technician' OR password_hash IS NULL)
);
CREATE UNIQUE INDEX users_by_email ON users (lower(email));
CREATE INDEX users_by_contractor ON users (contractor_id);

CREATE TABLE certificate_types (
    id INTEGER PRIMARY KEY,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    name TEXT NOT NULL,
    built_in INTEGER NOT NULL DEFAULT 0 CHECK (built_in IN (0, 1)),
    applies_to_technicians INTEGER NOT NULL DEFAULT 0 CHECK (applies_to_technicians IN (0, 1)),
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX certificate_types_by_name ON certificate_types (agency_id, lower(name));

CREATE TABLE properties (
    id INTEGER PRIMARY KEY,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    address_line1 TEXT NOT NULL,
    address_line2 TEXT,
    town TEXT NOT NULL,
    postcode TEXT NOT NULL,
    access_details TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX properties_by_agency ON properties (agency_id);

CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    reference TEXT NOT NULL,
    property_id INTEGER NOT NULL REFERENCES properties(id),
    contractor_id INTEGER REFERENCES contractors(id),
    title TEXT NOT NULL,
    description TEXT,
    status TEXT NOT NULL CHECK (status IN ('draft', 'assigned', 'accepted', 'rejected', 'in_progress',
        'revisit', 'performed_need_docs', 'performed', 'completed')),
    priority TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    due_date TEXT,
    scheduled_date TEXT,
    purchase_order TEXT,
    archived_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (agency_id, reference)
);
CREATE INDEX tasks_by_contractor ON tasks (agency_id, contractor_id, status);

CREATE TABLE task_technicians (
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    technician_id INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (task_id, technician_id)
);
