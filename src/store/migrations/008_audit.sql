-- coopdesk schema: the trail is append-only. What was done, shown or printed stays as it was
-- written: the tables of history refuse UPDATE and DELETE, whoever asks (the program, a
-- script, the sqlite3 shell). A correction is a new row, never an edited one.

-- An audit row names the member or the application it is about, so a head can browse the
-- trail of one of them.
ALTER TABLE audit ADD COLUMN member_id INTEGER;
ALTER TABLE audit ADD COLUMN application_id INTEGER;
CREATE INDEX audit_member ON audit(member_id, id) WHERE member_id IS NOT NULL;
CREATE INDEX audit_application ON audit(application_id, id) WHERE application_id IS NOT NULL;

CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'append-only: audit rows are never changed'); END;
CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'append-only: audit rows are never deleted'); END;

CREATE TRIGGER application_events_append_only_update BEFORE UPDATE ON application_events
BEGIN SELECT RAISE(ABORT, 'append-only: application history is never changed'); END;
CREATE TRIGGER application_events_append_only_delete BEFORE DELETE ON application_events
BEGIN SELECT RAISE(ABORT, 'append-only: application history is never deleted'); END;

CREATE TRIGGER assignment_history_append_only_update BEFORE UPDATE ON assignment_history
BEGIN SELECT RAISE(ABORT, 'append-only: assignment history is never changed'); END;
CREATE TRIGGER assignment_history_append_only_delete BEFORE DELETE ON assignment_history
BEGIN SELECT RAISE(ABORT, 'append-only: assignment history is never deleted'); END;

CREATE TRIGGER prints_append_only_update BEFORE UPDATE ON prints
BEGIN SELECT RAISE(ABORT, 'append-only: print history is never changed'); END;
CREATE TRIGGER prints_append_only_delete BEFORE DELETE ON prints
BEGIN SELECT RAISE(ABORT, 'append-only: print history is never deleted'); END;

CREATE TRIGGER personal_data_views_append_only_update BEFORE UPDATE ON personal_data_views
BEGIN SELECT RAISE(ABORT, 'append-only: personal-data views are never changed'); END;
CREATE TRIGGER personal_data_views_append_only_delete BEFORE DELETE ON personal_data_views
BEGIN SELECT RAISE(ABORT, 'append-only: personal-data views are never deleted'); END;

CREATE TRIGGER application_scores_append_only_update BEFORE UPDATE ON application_scores
BEGIN SELECT RAISE(ABORT, 'append-only: scores are never changed'); END;
CREATE TRIGGER application_scores_append_only_delete BEFORE DELETE ON application_scores
BEGIN SELECT RAISE(ABORT, 'append-only: scores are never deleted'); END;

-- Money taken at the cash desk: a receipt once written is a fact.
CREATE TRIGGER contributions_append_only_update BEFORE UPDATE ON contributions
BEGIN SELECT RAISE(ABORT, 'append-only: contributions are never changed'); END;
CREATE TRIGGER contributions_append_only_delete BEFORE DELETE ON contributions
BEGIN SELECT RAISE(ABORT, 'append-only: contributions are never deleted'); END;
CREATE TRIGGER cash_orders_append_only_update BEFORE UPDATE ON cash_orders
BEGIN SELECT RAISE(ABORT, 'append-only: cash orders are never changed'); END;
CREATE TRIGGER cash_orders_append_only_delete BEFORE DELETE ON cash_orders
BEGIN SELECT RAISE(ABORT, 'append-only: cash orders are never deleted'); END;
