-- coopdesk schema, version 3: what the member card, the rating and the client base share.
-- The work done with a member (calls, meetings, comments) counts as the manager's activity
-- in the daily rating (DOMAIN §5) and against the client-base norms (DOMAIN §6).

ALTER TABLE members ADD COLUMN potential TEXT NOT NULL DEFAULT ''
    CHECK (potential IN ('', 'S', 'A', 'B', 'C'));
ALTER TABLE members ADD COLUMN client_group TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN territory TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN related_group TEXT NOT NULL DEFAULT '';
-- Who last changed the record and when: a stale save names them.
ALTER TABLE members ADD COLUMN updated_at TEXT;
ALTER TABLE members ADD COLUMN updated_by TEXT;
CREATE INDEX members_manager ON members(manager_id);
CREATE INDEX members_office ON members(office_id);

CREATE TABLE contacts (
    id              INTEGER PRIMARY KEY,
    member_id       INTEGER REFERENCES members(id),
    -- Whose activity it is (a manager's calls and meetings count in the rating).
    staff_id        INTEGER NOT NULL REFERENCES staff(id),
    at              TEXT NOT NULL,
    on_date         TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('call', 'meeting', 'comment')),
    direction       TEXT NOT NULL DEFAULT '' CHECK (direction IN ('', 'in', 'out')),
    temperature     TEXT NOT NULL DEFAULT '' CHECK (temperature IN ('', 'warm', 'cold')),
    outcome         TEXT NOT NULL DEFAULT ''
        CHECK (outcome IN ('', 'successful', 'declined', 'no_answer', 'promise', 'restructuring')),
    promise_date    TEXT,
    promise_amount  INTEGER CHECK (promise_amount >= 0),
    duration_sec    INTEGER NOT NULL DEFAULT 0 CHECK (duration_sec >= 0),
    comment         TEXT NOT NULL DEFAULT '',
    actor           TEXT NOT NULL
);
CREATE INDEX contacts_member ON contacts(member_id, at);
CREATE INDEX contacts_staff_date ON contacts(staff_id, on_date, kind);
