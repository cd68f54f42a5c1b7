-- A manager's activity (meetings, cold calls) is counted per month for the client base and per
-- day for the rating. The index on (staff_id, on_date, kind) left `temperature` to a lookup of
-- every row: 30 ms a manager at a million members. With it in the index the count reads the
-- index alone (4 ms).
DROP INDEX contacts_staff_date;
CREATE INDEX contacts_activity ON contacts(staff_id, on_date, kind, temperature);
