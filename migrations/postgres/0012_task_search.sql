-- The task dashboard's searches read one lower-cased column of the task instead of joining the
-- property and lowering four columns per row, and the dashboard's indexes carry that column, so
-- counting the matching tasks reads the index alone. Triggers keep both columns current;
-- chr(31) between the parts stops a search matching across two of them.
ALTER TABLE tasks ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN property_text TEXT NOT NULL DEFAULT '';

UPDATE tasks t SET
    search_text = lower(t.reference || chr(31) || t.title || chr(31) || p.address_line1
        || chr(31) || p.postcode),
    property_text = lower(p.address_line1 || chr(31) || p.postcode || chr(31) || p.town)
FROM properties p WHERE p.id = t.property_id;

CREATE FUNCTION tasks_search_text() RETURNS trigger AS $$
BEGIN
    SELECT lower(NEW.reference || chr(31) || NEW.title || chr(31) || p.address_line1
               || chr(31) || p.postcode),
           lower(p.address_line1 || chr(31) || p.postcode || chr(31) || p.town)
      INTO NEW.search_text, NEW.property_text
      FROM properties p WHERE p.id = NEW.property_id;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER tasks_search_text BEFORE INSERT OR UPDATE OF reference, title, property_id ON tasks
    FOR EACH ROW EXECUTE FUNCTION tasks_search_text();

CREATE FUNCTION properties_search_text() RETURNS trigger AS $$
BEGIN
    UPDATE tasks SET
        search_text = lower(reference || chr(31) || title || chr(31) || NEW.address_line1
            || chr(31) || NEW.postcode),
        property_text = lower(NEW.address_line1 || chr(31) || NEW.postcode || chr(31) || NEW.town)
    WHERE property_id = NEW.id;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER properties_search_text AFTER UPDATE OF address_line1, town, postcode ON properties
    FOR EACH ROW EXECUTE FUNCTION properties_search_text();

DROP INDEX tasks_by_agency_status;
CREATE INDEX tasks_by_agency_status ON tasks (agency_id, status, due_date, search_text);
DROP INDEX tasks_by_contractor;
CREATE INDEX tasks_by_contractor ON tasks (agency_id, contractor_id, status, due_date, search_text);
