-- Certificates read for the user, and cover amounts. A certificate type may require a minimum
-- cover (whole pounds); a document records its cover as confirmed by a person, its issuer and
-- number, and what reading its PDF proposed (read_*), so the agent sees whether the typed values
-- agree with the document before ticking Valid. read_outcome: read, no_text, unreadable,
-- timed_out; NULL when the file was not a PDF or there was no file.
ALTER TABLE certificate_types ADD COLUMN minimum_cover BIGINT CHECK (minimum_cover IS NULL OR minimum_cover > 0);
ALTER TABLE certificate_documents ADD COLUMN cover BIGINT CHECK (cover IS NULL OR cover >= 0);
ALTER TABLE certificate_documents ADD COLUMN issuer TEXT;
ALTER TABLE certificate_documents ADD COLUMN reference TEXT;
ALTER TABLE certificate_documents ADD COLUMN read_outcome TEXT;
ALTER TABLE certificate_documents ADD COLUMN read_start_date TEXT;
ALTER TABLE certificate_documents ADD COLUMN read_end_date TEXT;
ALTER TABLE certificate_documents ADD COLUMN read_issuer TEXT;
ALTER TABLE certificate_documents ADD COLUMN read_reference TEXT;
ALTER TABLE certificate_documents ADD COLUMN read_cover BIGINT;
