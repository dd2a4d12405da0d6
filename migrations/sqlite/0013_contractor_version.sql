-- Contractor lists are kept in memory with the compliance statuses under
-- agencies.certification_version: adding, renaming or removing a contractor moves it too, by
-- trigger, so no write path can leave a list stale.
CREATE TRIGGER contractors_version_on_insert AFTER INSERT ON contractors BEGIN
    UPDATE agencies SET certification_version = certification_version + 1 WHERE id = NEW.agency_id;
END;

CREATE TRIGGER contractors_version_on_update
AFTER UPDATE OF company_name, external_ref, trade, agency_id ON contractors BEGIN
    UPDATE agencies SET certification_version = certification_version + 1
    WHERE id IN (OLD.agency_id, NEW.agency_id);
END;

CREATE TRIGGER contractors_version_on_delete AFTER DELETE ON contractors BEGIN
    UPDATE agencies SET certification_version = certification_version + 1 WHERE id = OLD.agency_id;
END;
