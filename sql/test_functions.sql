-- test_functions.sql: lsm_version, lsm_stats (stable fields only, through
-- json_extract: keys as lsmcore/stats.c prints them), lsm_flush,
-- lsm_compact, lsm_check, errors, and DIRECTONLY: neither the functions
-- nor the table can be reached from a view or a trigger of the schema,
-- whatever PRAGMA trusted_schema says.
.open test.db
.load ./lsmvtab
SELECT lsm_version();
CREATE VIRTUAL TABLE t USING lsm(k INTEGER PRIMARY KEY, v);

.print -- a new store: every counter is zero, 7 levels, no file
SELECT json_valid(lsm_stats('t')),
       json_extract(lsm_stats('t'), '$.compaction'),
       json_array_length(lsm_stats('t'), '$.level_files'),
       json_array_length(lsm_stats('t'), '$.level_bytes'),
       json_extract(lsm_stats('t'), '$.puts'),
       json_extract(lsm_stats('t'), '$.deletes'),
       json_extract(lsm_stats('t'), '$.last_sequence'),
       json_extract(lsm_stats('t'), '$.sst_bytes');
-- every key stats.c documents is present
SELECT group_concat(k, ' ') FROM (
  SELECT key AS k FROM json_each(lsm_stats('t')) ORDER BY key);

.print -- 3 puts and 1 delete (two commits); then a flush writes one L0 file
INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c');
DELETE FROM t WHERE k = 2;
SELECT json_extract(s, '$.puts'), json_extract(s, '$.deletes'), json_extract(s, '$.last_sequence'),
       json_extract(s, '$.memtable_bytes') > 0, json_extract(s, '$.flushes')
  FROM (SELECT lsm_stats('t') AS s);
SELECT lsm_flush('t');
SELECT json_extract(s, '$.flushes'), json_extract(s, '$.memtable_bytes'),
       json_extract(s, '$.level_files[0]'), json_extract(s, '$.sst_bytes') > 0
  FROM (SELECT lsm_stats('t') AS s);
SELECT group_concat(k || v, ' ') FROM t;

.print -- more writes, a second flush, then a full compaction: one file below L0
INSERT INTO t VALUES (4, 'd');
UPDATE t SET v = 'A' WHERE k = 1;
SELECT lsm_flush('t');
SELECT json_extract(s, '$.level_files[0]'), json_extract(s, '$.puts') FROM (SELECT lsm_stats('t') AS s);
SELECT lsm_compact('t');
SELECT json_extract(s, '$.level_files[0]'), (SELECT sum(value) FROM json_each(s, '$.level_files')),
       json_extract(s, '$.compactions') >= 1, json_extract(s, '$.memtable_bytes')
  FROM (SELECT lsm_stats('t') AS s);
SELECT group_concat(k || v, ' ') FROM t;
SELECT lsm_check('t');
SELECT lsm_check('main.t');

.print -- a flush inside a transaction does not write the uncommitted rows
BEGIN;
INSERT INTO t VALUES (5, 'e');
SELECT lsm_flush('t');
ROLLBACK;
SELECT group_concat(k || v, ' ') FROM t;
SELECT json_extract(lsm_stats('t'), '$.puts');

.print -- an in-memory table (attached) works too
ATTACH ':memory:' AS mem;
CREATE VIRTUAL TABLE mem.m USING lsm;
INSERT INTO mem.m VALUES ('x', 1);
SELECT lsm_flush('mem.m'), lsm_check('mem.m'), json_extract(lsm_stats('mem.m'), '$.level_files[0]');
SELECT * FROM mem.m;

.print -- errors
SELECT lsm_check('nope');
SELECT lsm_stats('other.t');
SELECT lsm_flush(NULL);
CREATE TABLE nat(x);
SELECT lsm_compact('nat');
SELECT lsm_flush();

.print -- DIRECTONLY, with trusted_schema OFF and then ON
CREATE TABLE logt(x);
CREATE VIEW v_fn AS SELECT lsm_check('t') AS c;
CREATE VIEW v_tab AS SELECT * FROM t;
CREATE TRIGGER tr_fn AFTER INSERT ON nat BEGIN INSERT INTO logt VALUES (lsm_flush('t')); END;
CREATE TRIGGER tr_tab AFTER INSERT ON logt BEGIN INSERT INTO t VALUES (new.x, 'from trigger'); END;
PRAGMA trusted_schema = OFF;
SELECT * FROM v_fn;
SELECT * FROM v_tab;
INSERT INTO nat VALUES (1);
INSERT INTO logt VALUES (7);
PRAGMA trusted_schema = ON;
SELECT * FROM v_fn;
SELECT * FROM v_tab;
INSERT INTO nat VALUES (2);
INSERT INTO logt VALUES (8);
SELECT (SELECT count(*) FROM nat), (SELECT count(*) FROM logt), (SELECT group_concat(k, ' ') FROM t);
-- Top-level use, including subqueries and CTEs, works.
WITH c AS (SELECT lsm_check('t') AS r) SELECT r, (SELECT v FROM t WHERE k = 4) FROM c;
