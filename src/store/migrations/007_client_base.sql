-- coopdesk schema: the client base (DOMAIN §6). Who holds which client, since when, the
-- turnover that judges a base, and every change with its memo, request and approval.

-- Two roles the client base needs: the client-analysis manager (makes the changes on a memo)
-- and the sales director (approves them). SQLite cannot alter a CHECK: rebuild the table.
CREATE TABLE staff_roles_new (
    staff_id  INTEGER NOT NULL REFERENCES staff(id),
    role      TEXT NOT NULL CHECK (role IN
        ('manager','inspector','cashier','head','admin','analyst','director')),
    PRIMARY KEY (staff_id, role)
) WITHOUT ROWID;
INSERT INTO staff_roles_new SELECT staff_id, role FROM staff_roles;
DROP TABLE staff_roles;
ALTER TABLE staff_roles_new RENAME TO staff_roles;

-- A sales manager is a person with a specialisation (codes in rules/client_base.toml).
ALTER TABLE staff ADD COLUMN specialization TEXT;
ALTER TABLE staff ADD COLUMN trainee INTEGER NOT NULL DEFAULT 0 CHECK (trainee IN (0, 1));
ALTER TABLE staff ADD COLUMN novice_since TEXT;
ALTER TABLE staff ADD COLUMN dismissed_on TEXT;
ALTER TABLE staff ADD COLUMN specialization_changed_on TEXT;
-- The manager's own territories, for the "assigned" territory rule: one per line.
ALTER TABLE staff ADD COLUMN territories TEXT NOT NULL DEFAULT '';

-- When the client came to its current manager (members.manager_id).
ALTER TABLE members ADD COLUMN assigned_since TEXT;

-- Monthly turnover of a client (from the accounting system), kopecks; month = 'YYYY-MM-01'.
CREATE TABLE turnover (
    member_id  INTEGER NOT NULL REFERENCES members(id),
    month      TEXT NOT NULL,
    amount     INTEGER NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (member_id, month)
) WITHOUT ROWID;

-- A client held by managers of several offices at once (rule 8), besides its own manager.
CREATE TABLE co_assignments (
    member_id    INTEGER NOT NULL REFERENCES members(id),
    staff_id     INTEGER NOT NULL REFERENCES staff(id),
    since        TEXT NOT NULL,
    request_id   INTEGER REFERENCES assignment_requests(id),
    PRIMARY KEY (member_id, staff_id)
) WITHOUT ROWID;

-- A change asked for on a memo, applied when the sales director approves it.
CREATE TABLE assignment_requests (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind IN ('attach', 'detach', 'transfer', 'co_assign')),
    -- The client named in the memo; its whole related group moves with it.
    member_id        INTEGER NOT NULL REFERENCES members(id),
    from_staff_id    INTEGER REFERENCES staff(id),
    to_staff_id      INTEGER REFERENCES staff(id),
    memo             TEXT NOT NULL CHECK (length(trim(memo)) > 0),
    requested_by     TEXT NOT NULL,
    requested_at     TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn')),
    decided_by       TEXT,
    decided_at       TEXT,
    -- The director approved it although it breaks an overridable norm (over the maximum).
    override         INTEGER NOT NULL DEFAULT 0 CHECK (override IN (0, 1)),
    decision_comment TEXT NOT NULL DEFAULT ''
);
CREATE INDEX assignment_requests_status ON assignment_requests(status, id);

-- Every change of who holds a client: requests applied, automatic unassignment, imports.
CREATE TABLE assignment_history (
    id             INTEGER PRIMARY KEY,
    member_id      INTEGER NOT NULL REFERENCES members(id),
    from_staff_id  INTEGER REFERENCES staff(id),
    to_staff_id    INTEGER REFERENCES staff(id),
    at             TEXT NOT NULL,
    on_date        TEXT NOT NULL,
    actor          TEXT NOT NULL,
    reason         TEXT NOT NULL CHECK (reason IN ('request', 'idle', 'import', 'co_assign')),
    request_id     INTEGER REFERENCES assignment_requests(id),
    override       INTEGER NOT NULL DEFAULT 0,
    memo           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX assignment_history_member ON assignment_history(member_id, id);
CREATE INDEX members_related_group ON members(related_group) WHERE related_group <> '';
