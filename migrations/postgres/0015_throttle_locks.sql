-- One row per throttled subject (an account or a network address), written first in the
-- transaction that counts its attempts and records the next: the write makes parallel requests
-- for one subject take turns (a row lock on PostgreSQL, the write lock on SQLite), on every
-- instance alike, so a burst cannot all read the count before any of them adds to it.
CREATE TABLE throttle_locks (
    subject TEXT PRIMARY KEY,
    at BIGINT NOT NULL
);
