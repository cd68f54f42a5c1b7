-- Scoring (DOMAIN §3): every score an application was given, on which card version, with
-- every answer and every stage's points; the latest is current, the earlier ones are history.

CREATE TABLE scorecard_versions (
    card_id      TEXT NOT NULL,
    version      INTEGER NOT NULL,
    fingerprint  TEXT NOT NULL,
    first_used   TEXT NOT NULL,
    PRIMARY KEY (card_id, version)
) WITHOUT ROWID;

CREATE TABLE application_scores (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL REFERENCES applications(id),
    card_id         TEXT NOT NULL,
    card_version    INTEGER NOT NULL,
    -- Every answer (typed and computed), JSON: {"stage.question": {"number": "33"}, ...}.
    answers         TEXT NOT NULL,
    -- Purchase price and down payment typed for the derivation, kopecks (NULL: not given).
    purchase_price  INTEGER,
    down_payment    INTEGER,
    -- The full result, JSON (stages with points, criteria, forced reasons, missing).
    result          TEXT NOT NULL,
    total           TEXT NOT NULL,
    category        INTEGER NOT NULL CHECK (category IN (1, 2, 3)),
    complete        INTEGER NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    at              TEXT NOT NULL,
    actor           TEXT NOT NULL
);
CREATE INDEX application_scores_app ON application_scores(application_id, id);

-- History gains 'scored' (and 'printed', for documents): SQLite cannot widen a CHECK in
-- place, so the table is rebuilt with its rows.
CREATE TABLE application_events_new (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL REFERENCES applications(id),
    at              TEXT NOT NULL,
    actor           TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('created','imported','edited','status','checks','assigned','scored','printed')),
    from_status     TEXT,
    to_status       TEXT,
    comment         TEXT NOT NULL DEFAULT ''
);
INSERT INTO application_events_new SELECT * FROM application_events;
DROP TABLE application_events;
ALTER TABLE application_events_new RENAME TO application_events;
CREATE INDEX application_events_app ON application_events(application_id, id);
