-- coopdesk schema 11: a loan issued to a member nobody holds makes the issuing manager the
-- member's manager (DOMAIN §6: the client base follows the sale); that change is written in
-- assignment_history like every other, with reason 'loan'. SQLite cannot change a CHECK in
-- place: the table is rebuilt with its rows, index and append-only triggers (008_audit.sql).

CREATE TABLE assignment_history_new (
    id             INTEGER PRIMARY KEY,
    member_id      INTEGER NOT NULL REFERENCES members(id),
    from_staff_id  INTEGER REFERENCES staff(id),
    to_staff_id    INTEGER REFERENCES staff(id),
    at             TEXT NOT NULL,
    on_date        TEXT NOT NULL,
    actor          TEXT NOT NULL,
    reason         TEXT NOT NULL
                   CHECK (reason IN ('request', 'idle', 'import', 'co_assign', 'loan')),
    request_id     INTEGER REFERENCES assignment_requests(id),
    override       INTEGER NOT NULL DEFAULT 0,
    memo           TEXT NOT NULL DEFAULT ''
);
INSERT INTO assignment_history_new(id, member_id, from_staff_id, to_staff_id, at, on_date,
                                   actor, reason, request_id, override, memo)
SELECT id, member_id, from_staff_id, to_staff_id, at, on_date, actor, reason, request_id,
       override, memo
FROM assignment_history;
DROP TABLE assignment_history;
ALTER TABLE assignment_history_new RENAME TO assignment_history;
CREATE INDEX assignment_history_member ON assignment_history(member_id, id);

CREATE TRIGGER assignment_history_append_only_update BEFORE UPDATE ON assignment_history
BEGIN SELECT RAISE(ABORT, 'append-only: assignment history is never changed'); END;
CREATE TRIGGER assignment_history_append_only_delete BEFORE DELETE ON assignment_history
BEGIN SELECT RAISE(ABORT, 'append-only: assignment history is never deleted'); END;
