-- The Desk dashboard counts the office's tasks that match its filters ("312 tasks"), which reads
-- every task of the status. The count is kept in memory under the contractor's `task_version`
-- (services::task_list), which triggers move on every change that can change a count: a task
-- added, removed or given to another contractor, its status, due date, archiving, search text
-- (its title, reference, or its property's address), and its technicians. No write path can leave
-- a count stale. Kept in step with migrations/postgres/0030.
ALTER TABLE contractors ADD COLUMN task_version INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER tasks_list_version_on_insert AFTER INSERT ON tasks
WHEN NEW.contractor_id IS NOT NULL BEGIN
    UPDATE contractors SET task_version = task_version + 1 WHERE id = NEW.contractor_id;
END;

CREATE TRIGGER tasks_list_version_on_update
AFTER UPDATE OF agency_id, contractor_id, status, due_date, archived_at, reference, title,
    property_id, search_text, property_text
ON tasks BEGIN
    UPDATE contractors SET task_version = task_version + 1
    WHERE id IN (OLD.contractor_id, NEW.contractor_id);
END;

CREATE TRIGGER tasks_list_version_on_delete AFTER DELETE ON tasks
WHEN OLD.contractor_id IS NOT NULL BEGIN
    UPDATE contractors SET task_version = task_version + 1 WHERE id = OLD.contractor_id;
END;

CREATE TRIGGER task_technicians_list_version_on_insert AFTER INSERT ON task_technicians BEGIN
    UPDATE contractors SET task_version = task_version + 1
    WHERE id = (SELECT contractor_id FROM tasks WHERE id = NEW.task_id);
END;

CREATE TRIGGER task_technicians_list_version_on_delete AFTER DELETE ON task_technicians BEGIN
    UPDATE contractors SET task_version = task_version + 1
    WHERE id = (SELECT contractor_id FROM tasks WHERE id = OLD.task_id);
END;
