-- The hour (0-23, in the agency's time zone) after which each contractor office user and
-- technician with open work gets the day's "Tasks to do" email. Kept in step with the other
-- engine's 0008.
ALTER TABLE agencies ADD COLUMN daily_reminder_hour BIGINT NOT NULL DEFAULT 7;
