-- coopdesk schema, version 4: the member card and finding a member among a million.
-- Runs with foreign keys off (Store::migrate) so that tables can be rebuilt; the runner checks
-- `foreign_key_check` before it commits.

-- A member's exit: when and why (status 'left').
ALTER TABLE members ADD COLUMN left_on TEXT;
ALTER TABLE members ADD COLUMN left_reason TEXT NOT NULL DEFAULT '';

-- Cash orders: the cash desk also takes voluntary share contributions. A CHECK cannot be
-- altered in SQLite: the table is rebuilt (nothing references cash_orders).
CREATE TABLE cash_orders_new (
    id          INTEGER PRIMARY KEY,
    number      TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL
        CHECK (kind IN ('entrance_fee','mandatory_share','voluntary_share','loan_issue')),
    amount      INTEGER NOT NULL CHECK (amount >= 0),
    member_id   INTEGER NOT NULL REFERENCES members(id),
    loan_id     INTEGER REFERENCES loans(id),
    receipt_no  TEXT NOT NULL DEFAULT '',
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL
);
INSERT INTO cash_orders_new(id, number, kind, amount, member_id, loan_id, receipt_no, at, actor)
    SELECT id, number, kind, amount, member_id, loan_id, receipt_no, at, actor FROM cash_orders;
DROP TABLE cash_orders;
ALTER TABLE cash_orders_new RENAME TO cash_orders;
CREATE INDEX cash_orders_member ON cash_orders(member_id, at);

-- Loans from the accounting system (`coopdesk import loans`) have no application here: the
-- application becomes optional (still one loan per application). `overdue_since` is what the
-- accounting system reports; the card counts the days from it.
CREATE TABLE loans_new (
    id              INTEGER PRIMARY KEY,
    contract_no     TEXT NOT NULL UNIQUE,
    member_id       INTEGER NOT NULL REFERENCES members(id),
    application_id  INTEGER UNIQUE REFERENCES applications(id),
    product         TEXT NOT NULL,
    amount          INTEGER NOT NULL CHECK (amount > 0),
    term_months     INTEGER NOT NULL,
    rate            TEXT NOT NULL,
    issue_date      TEXT NOT NULL,
    balance         INTEGER NOT NULL CHECK (balance >= 0),
    overdue_amount  INTEGER NOT NULL DEFAULT 0 CHECK (overdue_amount >= 0),
    overdue_days    INTEGER NOT NULL DEFAULT 0,
    overdue_since   TEXT
);
INSERT INTO loans_new(id, contract_no, member_id, application_id, product, amount, term_months,
        rate, issue_date, balance, overdue_amount, overdue_days)
    SELECT id, contract_no, member_id, application_id, product, amount, term_months,
        rate, issue_date, balance, overdue_amount, overdue_days FROM loans;
DROP TABLE loans;
ALTER TABLE loans_new RENAME TO loans;
CREATE INDEX loans_member ON loans(member_id);

-- Search: folded names (lower case, ё→е, Ukrainian letters onto Russian, see
-- domain::member::fold) with an index per name part for word prefixes, and a trigram index
-- over the names and the phone/passport digits for substrings. Kept by triggers, so nothing
-- that writes members can forget it; `coop_fold` is registered on every connection the
-- program opens.
CREATE TABLE member_search (
    member_id   INTEGER PRIMARY KEY REFERENCES members(id),
    last_fold   TEXT NOT NULL,
    first_fold  TEXT NOT NULL,
    patr_fold   TEXT NOT NULL,
    phone_digits TEXT NOT NULL
);
CREATE INDEX member_search_last ON member_search(last_fold, first_fold, patr_fold);
CREATE INDEX member_search_first ON member_search(first_fold, last_fold);
CREATE INDEX member_search_patr ON member_search(patr_fold, last_fold);

-- Whole words with prefix indexes, for queries of several words (each must begin some part
-- of the name): FTS5 intersects the words' lists instead of scanning one word's range.
CREATE VIRTUAL TABLE member_words USING fts5(
    names, tokenize = 'unicode61 remove_diacritics 0', prefix = '1 2 3',
    content = '', contentless_delete = 1
);

CREATE VIRTUAL TABLE member_trigram USING fts5(
    names, digits, tokenize = 'trigram', content = '', contentless_delete = 1
);

INSERT INTO member_search(member_id, last_fold, first_fold, patr_fold, phone_digits)
    SELECT id, coop_fold(last_name), coop_fold(first_name), coop_fold(patronymic),
           coop_digits(phone)
    FROM members;
INSERT INTO member_words(rowid, names)
    SELECT member_id, last_fold || ' ' || first_fold || ' ' || patr_fold FROM member_search;
INSERT INTO member_trigram(rowid, names, digits)
    SELECT member_id, last_fold || ' ' || first_fold || ' ' || patr_fold,
           phone_digits || ' ' || (SELECT passport FROM members WHERE id = member_id)
    FROM member_search;

CREATE TRIGGER members_search_insert AFTER INSERT ON members BEGIN
    INSERT INTO member_search(member_id, last_fold, first_fold, patr_fold, phone_digits)
    VALUES (NEW.id, coop_fold(NEW.last_name), coop_fold(NEW.first_name),
            coop_fold(NEW.patronymic), coop_digits(NEW.phone));
    INSERT INTO member_words(rowid, names)
    VALUES (NEW.id,
            coop_fold(NEW.last_name) || ' ' || coop_fold(NEW.first_name) || ' '
                || coop_fold(NEW.patronymic));
    INSERT INTO member_trigram(rowid, names, digits)
    VALUES (NEW.id,
            coop_fold(NEW.last_name) || ' ' || coop_fold(NEW.first_name) || ' '
                || coop_fold(NEW.patronymic),
            coop_digits(NEW.phone) || ' ' || NEW.passport);
END;

CREATE TRIGGER members_search_update
AFTER UPDATE OF last_name, first_name, patronymic, phone, passport ON members BEGIN
    UPDATE member_search SET last_fold = coop_fold(NEW.last_name),
        first_fold = coop_fold(NEW.first_name), patr_fold = coop_fold(NEW.patronymic),
        phone_digits = coop_digits(NEW.phone)
    WHERE member_id = NEW.id;
    DELETE FROM member_words WHERE rowid = NEW.id;
    INSERT INTO member_words(rowid, names)
    VALUES (NEW.id,
            coop_fold(NEW.last_name) || ' ' || coop_fold(NEW.first_name) || ' '
                || coop_fold(NEW.patronymic));
    DELETE FROM member_trigram WHERE rowid = NEW.id;
    INSERT INTO member_trigram(rowid, names, digits)
    VALUES (NEW.id,
            coop_fold(NEW.last_name) || ' ' || coop_fold(NEW.first_name) || ' '
                || coop_fold(NEW.patronymic),
            coop_digits(NEW.phone) || ' ' || NEW.passport);
END;

CREATE TRIGGER members_search_delete AFTER DELETE ON members BEGIN
    DELETE FROM member_search WHERE member_id = OLD.id;
    DELETE FROM member_words WHERE rowid = OLD.id;
    DELETE FROM member_trigram WHERE rowid = OLD.id;
END;

-- Who saw whose full personal data, and when (ФЗ-152): one row per explicit reveal.
CREATE TABLE personal_data_views (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    staff_id   INTEGER NOT NULL REFERENCES staff(id),
    actor      TEXT NOT NULL,
    member_id  INTEGER NOT NULL REFERENCES members(id)
);
CREATE INDEX personal_data_views_member ON personal_data_views(member_id, at);

CREATE INDEX application_events_at ON application_events(application_id, at);
CREATE INDEX applications_member ON applications(member_id);
