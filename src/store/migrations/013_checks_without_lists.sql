-- CHECK constraints that list three values or more, written as comparisons.
--
-- SQLite checks `kind IN ('a','b','c')` by building a temporary B-tree of the list for every
-- row it inserts or updates, and drops it afterwards: opening, filling and closing those trees
-- was a quarter of the demo's bulk fill, and the same cost sits in every insert at the desk.
-- `kind = 'a' OR kind = 'b' OR kind = 'c'` is the same rule (a NULL passes as before) and costs
-- a few comparisons. Lists of two are already compiled to comparisons and stay as they are.
--
-- No row changes, only the text of the rule, so the schema is rewritten in place as SQLite
-- documents for changes that leave the stored content alone
-- (https://www.sqlite.org/lang_altertable.html#otheralter); RESET reads the new schema back
-- at once, and a text that did not parse would fail the migration and roll it back.
PRAGMA writable_schema = ON;

UPDATE sqlite_master SET sql = replace(sql,
    'CHECK (status IN (''candidate'',''member'',''left''))',
    'CHECK (status = ''candidate'' OR status = ''member'' OR status = ''left'')')
WHERE type = 'table' AND name = 'members';
UPDATE sqlite_master SET sql = replace(sql,
    'CHECK (potential IN ('''', ''S'', ''A'', ''B'', ''C''))',
    'CHECK (potential = '''' OR potential = ''S'' OR potential = ''A'' OR potential = ''B'' OR potential = ''C'')')
WHERE type = 'table' AND name = 'members';
UPDATE sqlite_master SET sql = replace(sql,
    'CHECK (status IN (''new'',''checked'',''candidate'',''member'',''authorized'',''archived'',''rejected''))',
    'CHECK (status = ''new'' OR status = ''checked'' OR status = ''candidate'' OR status = ''member'' OR status = ''authorized'' OR status = ''archived'' OR status = ''rejected'')')
WHERE type = 'table' AND name = 'applications';
UPDATE sqlite_master SET sql = replace(sql,
    'CHECK (kind IN (''entrance_fee'',''mandatory_share'',''voluntary_share''))',
    'CHECK (kind = ''entrance_fee'' OR kind = ''mandatory_share'' OR kind = ''voluntary_share'')')
WHERE type = 'table' AND name = 'contributions';
UPDATE sqlite_master SET sql = replace(sql,
    'CHECK (category IN (1, 2, 3))',
    'CHECK (category = 1 OR category = 2 OR category = 3)')
WHERE type = 'table' AND name = 'application_scores';
UPDATE sqlite_master SET sql = replace(sql,
    'CHECK (kind IN (''created'',''imported'',''edited'',''status'',''checks'',''assigned'',''scored'',''printed''))',
    'CHECK (kind = ''created'' OR kind = ''imported'' OR kind = ''edited'' OR kind = ''status'' OR kind = ''checks'' OR kind = ''assigned'' OR kind = ''scored'' OR kind = ''printed'')')
WHERE type = 'table' AND name = 'application_events';
UPDATE sqlite_master SET sql = replace(sql,
    'CHECK (kind IN (''call'', ''meeting'', ''comment''))',
    'CHECK (kind = ''call'' OR kind = ''meeting'' OR kind = ''comment'')')
WHERE type = 'table' AND name = 'contacts';
UPDATE sqlite_master SET sql = replace(sql,
    'CHECK (direction IN ('''', ''in'', ''out''))',
    'CHECK (direction = '''' OR direction = ''in'' OR direction = ''out'')')
WHERE type = 'table' AND name = 'contacts';
UPDATE sqlite_master SET sql = replace(sql,
    'CHECK (temperature IN ('''', ''warm'', ''cold''))',
    'CHECK (temperature = '''' OR temperature = ''warm'' OR temperature = ''cold'')')
WHERE type = 'table' AND name = 'contacts';
UPDATE sqlite_master SET sql = replace(sql,
    'CHECK (outcome IN ('''', ''successful'', ''declined'', ''no_answer'', ''promise'', ''restructuring''))',
    'CHECK (outcome = '''' OR outcome = ''successful'' OR outcome = ''declined'' OR outcome = ''no_answer'' OR outcome = ''promise'' OR outcome = ''restructuring'')')
WHERE type = 'table' AND name = 'contacts';
UPDATE sqlite_master SET sql = replace(sql,
    'CHECK (kind IN (''entrance_fee'',''mandatory_share'',''voluntary_share'',''loan_issue''))',
    'CHECK (kind = ''entrance_fee'' OR kind = ''mandatory_share'' OR kind = ''voluntary_share'' OR kind = ''loan_issue'')')
WHERE type = 'table' AND name = 'cash_orders';
UPDATE sqlite_master SET sql = replace(sql,
    'CHECK (outcome IN (''saved'',''sent'',''failed''))',
    'CHECK (outcome = ''saved'' OR outcome = ''sent'' OR outcome = ''failed'')')
WHERE type = 'table' AND name = 'prints';
UPDATE sqlite_master SET sql = replace(sql,
    'CHECK (role IN' || char(10) || '        (''manager'',''inspector'',''cashier'',''head'',''admin'',''analyst'',''director''))',
    'CHECK (role = ''manager'' OR role = ''inspector'' OR role = ''cashier'' OR role = ''head'' OR role = ''admin'' OR role = ''analyst'' OR role = ''director'')')
WHERE type = 'table' AND name = 'staff_roles';
UPDATE sqlite_master SET sql = replace(sql,
    'CHECK (kind IN (''attach'', ''detach'', ''transfer'', ''co_assign''))',
    'CHECK (kind = ''attach'' OR kind = ''detach'' OR kind = ''transfer'' OR kind = ''co_assign'')')
WHERE type = 'table' AND name = 'assignment_requests';
UPDATE sqlite_master SET sql = replace(sql,
    'CHECK (status IN (''pending'', ''approved'', ''rejected'', ''withdrawn''))',
    'CHECK (status = ''pending'' OR status = ''approved'' OR status = ''rejected'' OR status = ''withdrawn'')')
WHERE type = 'table' AND name = 'assignment_requests';
UPDATE sqlite_master SET sql = replace(sql,
    'CHECK (reason IN (''request'', ''idle'', ''import'', ''co_assign'', ''loan''))',
    'CHECK (reason = ''request'' OR reason = ''idle'' OR reason = ''import'' OR reason = ''co_assign'' OR reason = ''loan'')')
WHERE type = 'table' AND name = 'assignment_history';
PRAGMA writable_schema = RESET;
