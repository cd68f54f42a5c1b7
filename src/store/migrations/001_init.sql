-- coopdesk schema, version 1: offices, staff, members, applications and what issuing a loan creates.
-- Money columns are INTEGER kopecks. Times are local 'YYYY-MM-DD HH:MM:SS', dates 'YYYY-MM-DD'.

CREATE TABLE offices (
    id      INTEGER PRIMARY KEY,
    code    TEXT NOT NULL UNIQUE,
    name    TEXT NOT NULL,
    city    TEXT NOT NULL
);

CREATE TABLE staff (
    id             INTEGER PRIMARY KEY,
    login          TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    office_id      INTEGER NOT NULL REFERENCES offices(id),
    password_hash  TEXT NOT NULL,
    failed_logins  INTEGER NOT NULL DEFAULT 0,
    locked_until   TEXT,
    active         INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL
);

CREATE TABLE staff_roles (
    staff_id  INTEGER NOT NULL REFERENCES staff(id),
    role      TEXT NOT NULL CHECK (role IN ('manager','inspector','cashier','head','admin')),
    PRIMARY KEY (staff_id, role)
) WITHOUT ROWID;

CREATE TABLE counters (
    name   TEXT PRIMARY KEY,
    value  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE members (
    id                  INTEGER PRIMARY KEY,
    member_no           TEXT UNIQUE,
    status              TEXT NOT NULL CHECK (status IN ('candidate','member','left')),
    last_name           TEXT NOT NULL,
    first_name          TEXT NOT NULL,
    patronymic          TEXT NOT NULL DEFAULT '',
    birth_date          TEXT NOT NULL,
    passport            TEXT NOT NULL UNIQUE,
    passport_issued_by  TEXT NOT NULL DEFAULT '',
    passport_issued_on  TEXT,
    reg_address         TEXT NOT NULL DEFAULT '',
    fact_address        TEXT NOT NULL DEFAULT '',
    phone               TEXT NOT NULL DEFAULT '',
    email               TEXT NOT NULL DEFAULT '',
    income              INTEGER NOT NULL DEFAULT 0 CHECK (income >= 0),
    expenses            INTEGER NOT NULL DEFAULT 0 CHECK (expenses >= 0),
    payments            INTEGER NOT NULL DEFAULT 0 CHECK (payments >= 0),
    deductions          INTEGER NOT NULL DEFAULT 0 CHECK (deductions >= 0),
    join_date           TEXT,
    office_id           INTEGER NOT NULL REFERENCES offices(id),
    manager_id          INTEGER REFERENCES staff(id),
    created_at          TEXT NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE applications (
    id                  INTEGER PRIMARY KEY,
    number              TEXT NOT NULL UNIQUE,
    external_id         TEXT UNIQUE,
    created_at          TEXT NOT NULL,
    created_by          TEXT NOT NULL,
    office_id           INTEGER NOT NULL REFERENCES offices(id),
    status              TEXT NOT NULL CHECK (status IN ('new','checked','candidate','member','authorized','archived','rejected')),
    status_rank         INTEGER NOT NULL,
    status_since        TEXT NOT NULL,
    assignee_id         INTEGER REFERENCES staff(id),
    member_id           INTEGER REFERENCES members(id),
    last_name           TEXT NOT NULL,
    first_name          TEXT NOT NULL,
    patronymic          TEXT NOT NULL DEFAULT '',
    birth_date          TEXT NOT NULL,
    passport            TEXT NOT NULL,
    passport_issued_by  TEXT NOT NULL DEFAULT '',
    passport_issued_on  TEXT,
    reg_address         TEXT NOT NULL DEFAULT '',
    fact_address        TEXT NOT NULL DEFAULT '',
    phone               TEXT NOT NULL DEFAULT '',
    email               TEXT NOT NULL DEFAULT '',
    income              INTEGER NOT NULL DEFAULT 0 CHECK (income >= 0),
    expenses            INTEGER NOT NULL DEFAULT 0 CHECK (expenses >= 0),
    payments            INTEGER NOT NULL DEFAULT 0 CHECK (payments >= 0),
    deductions          INTEGER NOT NULL DEFAULT 0 CHECK (deductions >= 0),
    product             TEXT NOT NULL,
    amount              INTEGER NOT NULL CHECK (amount > 0),
    term_months         INTEGER NOT NULL CHECK (term_months > 0),
    purpose             TEXT NOT NULL DEFAULT '',
    guarantor           TEXT NOT NULL DEFAULT '',
    collateral          TEXT NOT NULL DEFAULT '',
    reject_reason       TEXT NOT NULL DEFAULT '',
    -- Denormalised for the journal: full name as shown, and folded (lower-case, ё→е) name,
    -- number, phone digits and passport for search and sorting.
    applicant           TEXT NOT NULL,
    applicant_sort      TEXT NOT NULL,
    search_text         TEXT NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX applications_status ON applications(status_rank, id);
CREATE INDEX applications_created ON applications(created_at, id);
CREATE INDEX applications_applicant ON applications(applicant_sort, id);
CREATE INDEX applications_amount ON applications(amount, id);
CREATE INDEX applications_since ON applications(status_since, id);
CREATE INDEX applications_product ON applications(product, id);
CREATE INDEX applications_assignee ON applications(assignee_id, id);
CREATE INDEX applications_office ON applications(office_id, id);
CREATE INDEX applications_passport ON applications(passport);

-- History of an application: status changes, edits, checks, assignment, prints.
CREATE TABLE application_events (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL REFERENCES applications(id),
    at              TEXT NOT NULL,
    actor           TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('created','imported','edited','status','checks','assigned')),
    from_status     TEXT,
    to_status       TEXT,
    comment         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX application_events_app ON application_events(application_id, id);

CREATE TABLE application_checks (
    application_id  INTEGER NOT NULL REFERENCES applications(id),
    code            TEXT NOT NULL,
    result          TEXT NOT NULL CHECK (result IN ('ok','failed')),
    comment         TEXT NOT NULL DEFAULT '',
    actor           TEXT NOT NULL,
    at              TEXT NOT NULL,
    PRIMARY KEY (application_id, code)
) WITHOUT ROWID;

CREATE TABLE bureau_checks (
    application_id  INTEGER PRIMARY KEY REFERENCES applications(id),
    bureau          TEXT NOT NULL,
    report_date     TEXT NOT NULL,
    outcome         TEXT NOT NULL,
    comment         TEXT NOT NULL DEFAULT '',
    actor           TEXT NOT NULL,
    at              TEXT NOT NULL
);

CREATE TABLE contributions (
    id              INTEGER PRIMARY KEY,
    member_id       INTEGER NOT NULL REFERENCES members(id),
    kind            TEXT NOT NULL CHECK (kind IN ('entrance_fee','mandatory_share','voluntary_share')),
    amount          INTEGER NOT NULL CHECK (amount >= 0),
    receipt_no      TEXT NOT NULL,
    paid_on         TEXT NOT NULL,
    actor           TEXT NOT NULL,
    application_id  INTEGER REFERENCES applications(id)
);
CREATE INDEX contributions_member ON contributions(member_id);

CREATE TABLE loans (
    id              INTEGER PRIMARY KEY,
    contract_no     TEXT NOT NULL UNIQUE,
    member_id       INTEGER NOT NULL REFERENCES members(id),
    application_id  INTEGER NOT NULL UNIQUE REFERENCES applications(id),
    product         TEXT NOT NULL,
    amount          INTEGER NOT NULL CHECK (amount > 0),
    term_months     INTEGER NOT NULL,
    rate            TEXT NOT NULL,
    issue_date      TEXT NOT NULL,
    balance         INTEGER NOT NULL CHECK (balance >= 0),
    overdue_amount  INTEGER NOT NULL DEFAULT 0 CHECK (overdue_amount >= 0),
    overdue_days    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX loans_member ON loans(member_id);

CREATE TABLE loan_agreements (
    id           INTEGER PRIMARY KEY,
    loan_id      INTEGER NOT NULL REFERENCES loans(id),
    kind         TEXT NOT NULL CHECK (kind IN ('guarantee','collateral')),
    number       TEXT NOT NULL UNIQUE,
    description  TEXT NOT NULL
);

CREATE TABLE cash_orders (
    id          INTEGER PRIMARY KEY,
    number      TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('entrance_fee','mandatory_share','loan_issue')),
    amount      INTEGER NOT NULL CHECK (amount >= 0),
    member_id   INTEGER NOT NULL REFERENCES members(id),
    loan_id     INTEGER REFERENCES loans(id),
    receipt_no  TEXT NOT NULL DEFAULT '',
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL
);

-- A sale for the daily rating (DOMAIN §5). УКП in hundredths of a unit.
CREATE TABLE sales (
    id              INTEGER PRIMARY KEY,
    external_id     TEXT UNIQUE,
    sale_date       TEXT NOT NULL,
    manager_id      INTEGER NOT NULL REFERENCES staff(id),
    product         TEXT NOT NULL,
    member_id       INTEGER REFERENCES members(id),
    amount          INTEGER NOT NULL CHECK (amount >= 0),
    ukp_centi       INTEGER NOT NULL,
    application_id  INTEGER REFERENCES applications(id)
);
CREATE INDEX sales_date ON sales(sale_date, manager_id);

-- Who did what outside an application's own history: staff and offices, logins.
CREATE TABLE audit (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    detail  TEXT NOT NULL DEFAULT ''
);
