-- The journal sorted by who has the application («У кого»): a sort key kept on the row and
-- indexed, instead of the joined staff name, which no index can order (every open
-- application was read and sorted for each page). Triggers keep it in the same transaction
-- as the assignment, and as a renamed staff member.
ALTER TABLE applications ADD COLUMN assignee_sort TEXT NOT NULL DEFAULT '';

UPDATE applications
SET assignee_sort = COALESCE((SELECT name FROM staff WHERE id = applications.assignee_id), '')
WHERE assignee_id IS NOT NULL;

CREATE INDEX applications_assignee_sort ON applications(assignee_sort, id);

CREATE TRIGGER applications_assignee_sort_insert AFTER INSERT ON applications
WHEN NEW.assignee_id IS NOT NULL
BEGIN
    UPDATE applications
    SET assignee_sort = COALESCE((SELECT name FROM staff WHERE id = NEW.assignee_id), '')
    WHERE id = NEW.id;
END;

CREATE TRIGGER applications_assignee_sort_update AFTER UPDATE OF assignee_id ON applications
BEGIN
    UPDATE applications
    SET assignee_sort = COALESCE((SELECT name FROM staff WHERE id = NEW.assignee_id), '')
    WHERE id = NEW.id;
END;

CREATE TRIGGER staff_name_assignee_sort AFTER UPDATE OF name ON staff
BEGIN
    UPDATE applications SET assignee_sort = NEW.name WHERE assignee_id = NEW.id;
END;
