-- coopdesk schema: the daily sales rating (DOMAIN §5).
--
-- The rating's aggregates, kept equal to `sales` by triggers inside the very transaction that
-- changes a sale, whichever code writes it (a loan issued, a sale at the desk, an import, the
-- demo): per day, manager and product (sales_daily), per month, manager and product
-- (sales_monthly), and the cooperative's total per day (sales_day_total). Items, УКП in
-- hundredths, amounts in kopecks. A date's month-to-date is read from the month's totals less
-- the days after it, or from the days up to it, whichever is fewer rows.

CREATE TABLE sales_daily (
    sale_date   TEXT NOT NULL,
    manager_id  INTEGER NOT NULL,
    product     TEXT NOT NULL,
    items       INTEGER NOT NULL,
    ukp_centi   INTEGER NOT NULL,
    amount      INTEGER NOT NULL,
    PRIMARY KEY (sale_date, manager_id, product)
) WITHOUT ROWID;

CREATE TABLE sales_monthly (
    month       TEXT NOT NULL,            -- 'YYYY-MM'
    manager_id  INTEGER NOT NULL,
    product     TEXT NOT NULL,
    items       INTEGER NOT NULL,
    ukp_centi   INTEGER NOT NULL,
    amount      INTEGER NOT NULL,
    PRIMARY KEY (month, manager_id, product)
) WITHOUT ROWID;

CREATE TABLE sales_day_total (
    sale_date   TEXT PRIMARY KEY,
    items       INTEGER NOT NULL,
    ukp_centi   INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO sales_daily(sale_date, manager_id, product, items, ukp_centi, amount)
SELECT sale_date, manager_id, product, COUNT(*), SUM(ukp_centi), SUM(amount)
FROM sales GROUP BY sale_date, manager_id, product;
INSERT INTO sales_monthly(month, manager_id, product, items, ukp_centi, amount)
SELECT substr(sale_date, 1, 7), manager_id, product, COUNT(*), SUM(ukp_centi), SUM(amount)
FROM sales GROUP BY substr(sale_date, 1, 7), manager_id, product;
INSERT INTO sales_day_total(sale_date, items, ukp_centi)
SELECT sale_date, COUNT(*), SUM(ukp_centi) FROM sales GROUP BY sale_date;

CREATE TRIGGER sales_daily_insert AFTER INSERT ON sales BEGIN
    INSERT INTO sales_daily(sale_date, manager_id, product, items, ukp_centi, amount)
    VALUES (NEW.sale_date, NEW.manager_id, NEW.product, 1, NEW.ukp_centi, NEW.amount)
    ON CONFLICT(sale_date, manager_id, product) DO UPDATE SET
        items = items + 1,
        ukp_centi = ukp_centi + excluded.ukp_centi,
        amount = amount + excluded.amount;
    INSERT INTO sales_monthly(month, manager_id, product, items, ukp_centi, amount)
    VALUES (substr(NEW.sale_date, 1, 7), NEW.manager_id, NEW.product, 1, NEW.ukp_centi, NEW.amount)
    ON CONFLICT(month, manager_id, product) DO UPDATE SET
        items = items + 1,
        ukp_centi = ukp_centi + excluded.ukp_centi,
        amount = amount + excluded.amount;
    INSERT INTO sales_day_total(sale_date, items, ukp_centi)
    VALUES (NEW.sale_date, 1, NEW.ukp_centi)
    ON CONFLICT(sale_date) DO UPDATE SET
        items = items + 1,
        ukp_centi = ukp_centi + excluded.ukp_centi;
END;

CREATE TRIGGER sales_daily_delete AFTER DELETE ON sales BEGIN
    UPDATE sales_daily SET
        items = items - 1,
        ukp_centi = ukp_centi - OLD.ukp_centi,
        amount = amount - OLD.amount
    WHERE sale_date = OLD.sale_date AND manager_id = OLD.manager_id AND product = OLD.product;
    DELETE FROM sales_daily
    WHERE sale_date = OLD.sale_date AND manager_id = OLD.manager_id AND product = OLD.product
      AND items = 0;
    UPDATE sales_monthly SET
        items = items - 1,
        ukp_centi = ukp_centi - OLD.ukp_centi,
        amount = amount - OLD.amount
    WHERE month = substr(OLD.sale_date, 1, 7) AND manager_id = OLD.manager_id AND product = OLD.product;
    DELETE FROM sales_monthly
    WHERE month = substr(OLD.sale_date, 1, 7) AND manager_id = OLD.manager_id AND product = OLD.product
      AND items = 0;
    UPDATE sales_day_total SET items = items - 1, ukp_centi = ukp_centi - OLD.ukp_centi
    WHERE sale_date = OLD.sale_date;
    DELETE FROM sales_day_total WHERE sale_date = OLD.sale_date AND items = 0;
END;

CREATE TRIGGER sales_daily_update AFTER UPDATE OF sale_date, manager_id, product, ukp_centi, amount ON sales BEGIN
    UPDATE sales_daily SET
        items = items - 1,
        ukp_centi = ukp_centi - OLD.ukp_centi,
        amount = amount - OLD.amount
    WHERE sale_date = OLD.sale_date AND manager_id = OLD.manager_id AND product = OLD.product;
    DELETE FROM sales_daily
    WHERE sale_date = OLD.sale_date AND manager_id = OLD.manager_id AND product = OLD.product
      AND items = 0;
    UPDATE sales_monthly SET
        items = items - 1,
        ukp_centi = ukp_centi - OLD.ukp_centi,
        amount = amount - OLD.amount
    WHERE month = substr(OLD.sale_date, 1, 7) AND manager_id = OLD.manager_id AND product = OLD.product;
    DELETE FROM sales_monthly
    WHERE month = substr(OLD.sale_date, 1, 7) AND manager_id = OLD.manager_id AND product = OLD.product
      AND items = 0;
    UPDATE sales_day_total SET items = items - 1, ukp_centi = ukp_centi - OLD.ukp_centi
    WHERE sale_date = OLD.sale_date;
    DELETE FROM sales_day_total WHERE sale_date = OLD.sale_date AND items = 0;
    INSERT INTO sales_daily(sale_date, manager_id, product, items, ukp_centi, amount)
    VALUES (NEW.sale_date, NEW.manager_id, NEW.product, 1, NEW.ukp_centi, NEW.amount)
    ON CONFLICT(sale_date, manager_id, product) DO UPDATE SET
        items = items + 1,
        ukp_centi = ukp_centi + excluded.ukp_centi,
        amount = amount + excluded.amount;
    INSERT INTO sales_monthly(month, manager_id, product, items, ukp_centi, amount)
    VALUES (substr(NEW.sale_date, 1, 7), NEW.manager_id, NEW.product, 1, NEW.ukp_centi, NEW.amount)
    ON CONFLICT(month, manager_id, product) DO UPDATE SET
        items = items + 1,
        ukp_centi = ukp_centi + excluded.ukp_centi,
        amount = amount + excluded.amount;
    INSERT INTO sales_day_total(sale_date, items, ukp_centi)
    VALUES (NEW.sale_date, 1, NEW.ukp_centi)
    ON CONFLICT(sale_date) DO UPDATE SET
        items = items + 1,
        ukp_centi = ukp_centi + excluded.ukp_centi;
END;

-- Who recorded a sale at the desk or by import, and when (a loan's sale has its application).
ALTER TABLE sales ADD COLUMN recorded_by TEXT;
ALTER TABLE sales ADD COLUMN recorded_at TEXT;

-- A manager's plan for a month, in hundredths of a УКП. No row: no plan.
CREATE TABLE sales_plans (
    month       TEXT NOT NULL,            -- 'YYYY-MM'
    staff_id    INTEGER NOT NULL REFERENCES staff(id),
    ukp_centi   INTEGER NOT NULL CHECK (ukp_centi > 0),
    set_by      TEXT NOT NULL,
    set_at      TEXT NOT NULL,
    PRIMARY KEY (month, staff_id)
) WITHOUT ROWID;

-- The head's monthly scores 1–10 of a manager: КК, КА, КД, КВ.
CREATE TABLE manager_scores (
    month       TEXT NOT NULL,
    staff_id    INTEGER NOT NULL REFERENCES staff(id),
    quality     INTEGER NOT NULL CHECK (quality BETWEEN 1 AND 10),
    activity    INTEGER NOT NULL CHECK (activity BETWEEN 1 AND 10),
    discipline  INTEGER NOT NULL CHECK (discipline BETWEEN 1 AND 10),
    time        INTEGER NOT NULL CHECK (time BETWEEN 1 AND 10),
    set_by      TEXT NOT NULL,
    set_at      TEXT NOT NULL,
    PRIMARY KEY (month, staff_id)
) WITHOUT ROWID;

-- The day's calls and meetings of every manager at once.
CREATE INDEX contacts_date_staff ON contacts(on_date, staff_id, kind);
