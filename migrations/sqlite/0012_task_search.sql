-- The task dashboard's searches read one lower-cased column of the task instead of joining the
-- property and lowering four columns per row, and the dashboard's indexes carry that column, so
-- counting the matching tasks reads the index alone. Triggers keep both columns current;
-- char(31) between the parts stops a search matching across two of them.
ALTER TABLE tasks ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN property_text TEXT NOT NULL DEFAULT '';

UPDATE tasks SET
    search_text = (SELECT lower(tasks.reference || char(31) || tasks.title || char(31)
        || p.address_line1 || char(31) || p.postcode) FROM properties p WHERE p.id = tasks.property_id),
    property_text = (SELECT lower(p.address_line1 || char(31) || p.postcode || char(31) || p.town)
        FROM properties p WHERE p.id = tasks.property_id);

CREATE TRIGGER tasks_search_on_insert AFTER INSERT ON tasks BEGIN
    UPDATE tasks SET
        search_text = (SELECT lower(NEW.reference || char(31) || NEW.title || char(31)
            || p.address_line1 || char(31) || p.postcode) FROM properties p WHERE p.id = NEW.property_id),
        property_text = (SELECT lower(p.address_line1 || char(31) || p.postcode || char(31) || p.town)
            FROM properties p WHERE p.id = NEW.property_id)
    WHERE id = NEW.id;
END;

CREATE TRIGGER tasks_search_on_update AFTER UPDATE OF reference, title, property_id ON tasks BEGIN
    UPDATE tasks SET
        search_text = (SELECT lower(NEW.reference || char(31) || NEW.title || char(31)
            || p.address_line1 || char(31) || p.postcode) FROM properties p WHERE p.id = NEW.property_id),
        property_text = (SELECT lower(p.address_line1 || char(31) || p.postcode || char(31) || p.town)
            FROM properties p WHERE p.id = NEW.property_id)
    WHERE id = NEW.id;
END;

CREATE TRIGGER properties_search_on_update AFTER UPDATE OF address_line1, town, postcode ON properties
BEGIN
    UPDATE tasks SET
        search_text = lower(reference || char(31) || title || char(31) || NEW.address_line1
            || char(31) || NEW.postcode),
        property_text = lower(NEW.address_line1 || char(31) || NEW.postcode || char(31) || NEW.town)
    WHERE property_id = NEW.id;
END;

DROP INDEX tasks_by_agency_status;
CREATE INDEX tasks_by_agency_status ON tasks (agency_id, status, due_date, search_text);
DROP INDEX tasks_by_contractor;
CREATE INDEX tasks_by_contractor ON tasks (agency_id, contractor_id, status, due_date, search_text);
