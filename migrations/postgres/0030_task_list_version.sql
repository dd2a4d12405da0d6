-- The Desk dashboard counts the office's tasks that match its filters ("312 tasks"), which reads
-- every task of the status. The count is kept in memory under the contractor's `task_version`
-- (services::task_list), which triggers move on every change that can change a count: a task
-- added, removed or given to another contractor, its status, due date, archiving, search text
-- (its title, reference, or its property's address), and its technicians. No write path can leave
-- a count stale. Kept in step with migrations/sqlite/0030.
ALTER TABLE contractors ADD COLUMN task_version BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION tasks_list_version() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE contractors SET task_version = task_version + 1 WHERE id = OLD.contractor_id;
    END IF;
    IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.contractor_id IS DISTINCT FROM OLD.contractor_id) THEN
        UPDATE contractors SET task_version = task_version + 1 WHERE id = NEW.contractor_id;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

-- (reference, title and property_id: a BEFORE trigger sets the search text from them, which an
-- UPDATE OF search_text does not see.) Deferred to the commit: the contractor's row is then
-- locked from the commit's start to its end, not from the task's write on, so transactions
-- writing one contractor's tasks do not wait for each other's remaining work (with an immediate
-- trigger, `bench/load.sh` made 585 status changes a second on one contractor instead of 1,179).
CREATE CONSTRAINT TRIGGER tasks_list_version
AFTER INSERT OR DELETE OR UPDATE OF agency_id, contractor_id, status, due_date, archived_at,
    reference, title, property_id, search_text, property_text ON tasks
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION tasks_list_version();

CREATE FUNCTION task_technicians_list_version() RETURNS trigger AS $$
DECLARE
    changed BIGINT;
BEGIN
    IF TG_OP = 'DELETE' THEN
        changed := OLD.task_id;
    ELSE
        changed := NEW.task_id;
    END IF;
    UPDATE contractors SET task_version = task_version + 1
    WHERE id = (SELECT contractor_id FROM tasks WHERE id = changed);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER task_technicians_list_version
AFTER INSERT OR DELETE ON task_technicians
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION task_technicians_list_version();
