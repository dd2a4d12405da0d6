-- A record signed on site ("I've performed this work") is read-only. The contractor's office may
-- reopen it with a reason (in the timeline); its signatures are then withdrawn: kept, with when,
-- but no longer shown as the record's, nor on the service report. Kept in step with the other
-- engine's 0021.
ALTER TABLE signatures ADD COLUMN withdrawn_at BIGINT;
