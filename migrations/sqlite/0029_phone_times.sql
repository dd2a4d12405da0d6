-- Work done on a phone without signal arrives later. For such an act a timeline line keeps the
-- phone's time of it (`phone_at`) and when it arrived (`received_at`); its `at` is the phone's
-- time when the server's clock makes that plausible, else the arrival, and `phone_clock` says
-- why (`domain::acted_at::PhoneClock`). All three are NULL for an act done with signal. Kept in
-- step with migrations/postgres/0029.
ALTER TABLE task_events ADD COLUMN phone_at INTEGER;
ALTER TABLE task_events ADD COLUMN received_at INTEGER;
ALTER TABLE task_events ADD COLUMN phone_clock TEXT;
