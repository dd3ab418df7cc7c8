-- test_lifecycle.sql: data survives reopening (every sync mode), DROP
-- TABLE removes the store directory (and is refused inside a
-- transaction), ALTER TABLE RENAME keeps the data (also after reopening),
-- in-memory databases, a store deleted behind the table's back (a clear
-- error, never an empty table), and a schema whose store is missing can be
-- read and checked without creating anything (xConnect touches no file).
-- ".system ls" shows the working directory (lsmvtab.so is the module).
.open test.db
.load ./lsmvtab
CREATE VIRTUAL TABLE t USING lsm(k INTEGER PRIMARY KEY, v);
INSERT INTO t VALUES (1, 'a'), (2, 'b');
CREATE VIRTUAL TABLE s_off USING lsm(k, v, sync=off);
CREATE VIRTUAL TABLE s_full USING lsm(k, v, sync=full);
CREATE VIRTUAL TABLE p USING lsm(k PRIMARY KEY, v, path='stores/p');
INSERT INTO s_off VALUES (1, 'off');
INSERT INTO s_full VALUES (1, 'full');
INSERT INTO p VALUES ('x', 'in stores/p');
CREATE VIRTUAL TABLE g USING lsm(k INTEGER PRIMARY KEY, v);
INSERT INTO g VALUES (1, 'soon gone');
-- A flushed store and one with its rows only in the WAL.
SELECT lsm_flush('t');
INSERT INTO t VALUES (3, 'c');
.system ls
.system ls stores

.print -- reopen: everything is there
.open test.db
.load ./lsmvtab
SELECT group_concat(k || v, ' ') FROM t;
SELECT * FROM s_off UNION ALL SELECT * FROM s_full UNION ALL SELECT * FROM p;
SELECT lsm_check('t');

.print -- a store deleted behind the table's back: schema reads do not touch it
.open test.db
.system rm -r test.db-g.lsm
.load ./lsmvtab
PRAGMA integrity_check;
SELECT name FROM sqlite_schema ORDER BY name;
PRAGMA table_info(g);
SELECT count(*) FROM t;
.system ls
.print -- ... and using the table is a clear error, not an empty table
SELECT * FROM g;
INSERT INTO g VALUES (2, 'x');
SELECT lsm_check('g');
.system ls
.print -- DROP of a table whose store is missing drops it
DROP TABLE g;
SELECT count(*) FROM sqlite_schema WHERE name = 'g';

.print -- DROP TABLE inside a transaction is refused (SQLite 3.40 does not
.print -- pass an xDestroy message on: it reports SQL logic error)
BEGIN;
DROP TABLE t;
ROLLBACK;
SELECT count(*) FROM t;
.system ls

.print -- ALTER TABLE RENAME moves a default-path store with the table
ALTER TABLE t RENAME TO t2;
SELECT group_concat(k || v, ' ') FROM t2;
INSERT INTO t2 VALUES (4, 'd');
.system ls
.open test.db
.load ./lsmvtab
SELECT group_concat(k || v, ' ') FROM t2;
.print -- ... an explicit path stays where it is
ALTER TABLE p RENAME TO p2;
SELECT * FROM p2;
.system ls stores
.print -- ... and inside a transaction a default-path rename is refused
BEGIN;
ALTER TABLE t2 RENAME TO t3;
ROLLBACK;
SELECT count(*) FROM t2;
.system ls

.print -- DROP TABLE removes the store directories
DROP TABLE t2;
DROP TABLE p2;
DROP TABLE s_off;
DROP TABLE s_full;
SELECT count(*) FROM sqlite_schema;
.system ls
.system ls stores

.print -- an in-memory database
.open :memory:
.load ./lsmvtab
CREATE VIRTUAL TABLE m USING lsm(k INTEGER PRIMARY KEY, v);
INSERT INTO m VALUES (1, 'mem'), (2, 'ory');
BEGIN;
UPDATE m SET v = upper(v);
SELECT group_concat(v, '') FROM m;
COMMIT;
SELECT lsm_flush('m'), lsm_check('m');
SELECT group_concat(v, '') FROM m;
ALTER TABLE m RENAME TO m2;
SELECT group_concat(v, '') FROM m2;
DROP TABLE m2;
SELECT count(*) FROM sqlite_schema;
CREATE VIRTUAL TABLE m USING lsm(k INTEGER PRIMARY KEY, v);
SELECT count(*) FROM m;
-- path= needs a database directory to be confined to.
CREATE VIRTUAL TABLE mp USING lsm(k, v, path='x');
.system ls
