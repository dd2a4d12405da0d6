-- The agencies' statuses kept in memory are brought up to date contractor by contractor: a change
-- to one contractor's certification records that contractor under the version it moved the agency
-- to, so the next reader recomputes that contractor alone. A change that concerns every contractor
-- (a certificate type's minimum cover, a kind of work, an import, a suspension) sets
-- certification_reset to its version instead, and the next reader computes them all. Rows older
-- than the last thousand versions are dropped as new ones come. Kept in step with
-- migrations/postgres/0031.
ALTER TABLE agencies ADD COLUMN certification_reset INTEGER NOT NULL DEFAULT 0;

CREATE TABLE certification_changes (
    agency_id INTEGER NOT NULL REFERENCES agencies(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    contractor_id INTEGER NOT NULL
);

CREATE INDEX certification_changes_by_version ON certification_changes (agency_id, version);
