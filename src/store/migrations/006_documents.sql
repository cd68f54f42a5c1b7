-- Schema: every printed document (DOMAIN §2, "documents printable"). A print is recorded
-- whether the file was only saved, sent to the printer, or the print command failed, so the
-- history of an application shows who printed what and when, and what became of it.

CREATE TABLE prints (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL REFERENCES applications(id),
    -- The document's code: application, membership, entrance_fee, share, contract_draft,
    -- contract, guarantee, collateral, issue_order.
    document        TEXT NOT NULL,
    -- The plain-text file written (its HTML twin sits beside it with .html).
    file            TEXT NOT NULL,
    at              TEXT NOT NULL,
    actor           TEXT NOT NULL,
    -- The print command as configured ('' when printing is off: the file only).
    command         TEXT NOT NULL DEFAULT '',
    outcome         TEXT NOT NULL CHECK (outcome IN ('saved','sent','failed')),
    -- Why it failed: the command's exit status and first line of its error output.
    detail          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX prints_application ON prints(application_id, id);
