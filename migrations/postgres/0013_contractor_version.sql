-- Contractor lists are kept in memory with the compliance statuses under
-- agencies.certification_version: adding, renaming or removing a contractor moves it too, by
-- trigger, so no write path can leave a list stale.
CREATE FUNCTION contractors_version() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE agencies SET certification_version = certification_version + 1 WHERE id = OLD.agency_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        UPDATE agencies SET certification_version = certification_version + 1 WHERE id = NEW.agency_id;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER contractors_version
AFTER INSERT OR DELETE OR UPDATE OF company_name, external_ref, trade, agency_id ON contractors
    FOR EACH ROW EXECUTE FUNCTION contractors_version();
