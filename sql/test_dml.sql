-- test_dml.sql: INSERT/UPDATE/DELETE as on a native table: conflict modes
-- with changes(), multi-row VALUES, INSERT..SELECT from itself, key
-- updates with collisions, DELETE forms, auto rowids, last_insert_rowid(),
-- NOT NULL, DEFAULT, datatype mismatch, the hidden _key column.
-- Every statement runs on the lsm table t and on its native twin n; both
-- results are shown (t first), so each pair must agree.

CREATE VIRTUAL TABLE t USING lsm(k INTEGER PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE n(k INTEGER PRIMARY KEY, v TEXT NOT NULL);
INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c');
INSERT INTO n VALUES (1, 'a'), (2, 'b'), (3, 'c');
SELECT changes();

-- A multi-row INSERT whose third row collides, in each conflict mode.
.print -- ABORT: nothing of the statement remains
INSERT INTO t VALUES (10, 'x'), (11, 'y'), (2, 'dup'), (12, 'z');
INSERT INTO n VALUES (10, 'x'), (11, 'y'), (2, 'dup'), (12, 'z');
SELECT group_concat(k || v, ' ') FROM t;
SELECT group_concat(k || v, ' ') FROM n;
.print -- FAIL: the rows before the failure remain
INSERT OR FAIL INTO t VALUES (10, 'x'), (11, 'y'), (2, 'dup'), (12, 'z');
SELECT changes();
INSERT OR FAIL INTO n VALUES (10, 'x'), (11, 'y'), (2, 'dup'), (12, 'z');
SELECT changes();
SELECT group_concat(k || v, ' ') FROM t;
SELECT group_concat(k || v, ' ') FROM n;
.print -- IGNORE: the colliding rows are skipped
INSERT OR IGNORE INTO t VALUES (3, 'dup'), (12, 'z'), (10, 'dup');
SELECT changes();
INSERT OR IGNORE INTO n VALUES (3, 'dup'), (12, 'z'), (10, 'dup');
SELECT changes();
SELECT group_concat(k || v, ' ') FROM t;
SELECT group_concat(k || v, ' ') FROM n;
.print -- REPLACE: the colliding row is replaced
INSERT OR REPLACE INTO t VALUES (3, 'C'), (13, 'w');
SELECT changes();
INSERT OR REPLACE INTO n VALUES (3, 'C'), (13, 'w');
SELECT changes();
REPLACE INTO t VALUES (1, 'A');
REPLACE INTO n VALUES (1, 'A');
SELECT group_concat(k || v, ' ') FROM t;
SELECT group_concat(k || v, ' ') FROM n;
.print -- ROLLBACK: outside a transaction, like ABORT
INSERT OR ROLLBACK INTO t VALUES (20, 'r'), (1, 'dup');
INSERT OR ROLLBACK INTO n VALUES (20, 'r'), (1, 'dup');
SELECT group_concat(k || v, ' ') FROM t;
SELECT group_concat(k || v, ' ') FROM n;

.print -- INSERT .. SELECT from itself (SQLite reads everything first)
INSERT INTO t SELECT k + 100, v || '+' FROM t;
SELECT changes();
INSERT INTO n SELECT k + 100, v || '+' FROM n;
SELECT changes();
SELECT count(*), sum(k) FROM t;
SELECT count(*), sum(k) FROM n;

.print -- UPDATE of the key: collision (ABORT, the table is unchanged)
UPDATE t SET k = k + 1 WHERE k < 100;
UPDATE n SET k = k + 1 WHERE k < 100;
SELECT group_concat(k || v, ' ') FROM t WHERE k < 100;
SELECT group_concat(k || v, ' ') FROM n WHERE k < 100;
.print -- UPDATE of the key without collision, and OR REPLACE onto another key
UPDATE t SET k = k + 1000 WHERE k > 100;
SELECT changes();
UPDATE n SET k = k + 1000 WHERE k > 100;
SELECT changes();
UPDATE OR REPLACE t SET k = 2 WHERE k = 1;
SELECT changes();
UPDATE OR REPLACE n SET k = 2 WHERE k = 1;
SELECT changes();
UPDATE OR IGNORE t SET k = 3 WHERE k = 2;
SELECT changes();
UPDATE OR IGNORE n SET k = 3 WHERE k = 2;
SELECT changes();
UPDATE t SET v = upper(v) WHERE k BETWEEN 10 AND 12;
UPDATE n SET v = upper(v) WHERE k BETWEEN 10 AND 12;
SELECT group_concat(k || v, ' ') FROM t;
SELECT group_concat(k || v, ' ') FROM n;

.print -- DELETE forms
DELETE FROM t WHERE k = 1102;
SELECT changes();
DELETE FROM n WHERE k = 1102;
SELECT changes();
DELETE FROM t WHERE k > 1110;
SELECT changes();
DELETE FROM n WHERE k > 1110;
SELECT changes();
DELETE FROM t WHERE v LIKE '%+';
SELECT changes();
DELETE FROM n WHERE v LIKE '%+';
SELECT changes();
DELETE FROM t WHERE k IN (SELECT k FROM t WHERE k > 10);
SELECT changes();
DELETE FROM n WHERE k IN (SELECT k FROM n WHERE k > 10);
SELECT changes();
DELETE FROM t WHERE k = 999;
SELECT changes();
SELECT group_concat(k || v, ' ') FROM t;
SELECT group_concat(k || v, ' ') FROM n;
DELETE FROM t;
SELECT changes();
DELETE FROM n;
SELECT changes();
SELECT count(*) FROM t;

.print -- auto rowid: max + 1; a deleted maximum is reused; last_insert_rowid
INSERT INTO t(v) VALUES ('p');
SELECT last_insert_rowid();
INSERT INTO n(v) VALUES ('p');
SELECT last_insert_rowid();
INSERT INTO t VALUES (NULL, 'q'), (50, 'r'), (NULL, 's');
SELECT last_insert_rowid();
INSERT INTO n VALUES (NULL, 'q'), (50, 'r'), (NULL, 's');
SELECT last_insert_rowid();
DELETE FROM t WHERE k = 51;
DELETE FROM n WHERE k = 51;
INSERT INTO t(v) VALUES ('t');
SELECT last_insert_rowid();
INSERT INTO n(v) VALUES ('t');
SELECT last_insert_rowid();
INSERT INTO t VALUES (9223372036854775807, 'max');
INSERT INTO n VALUES (9223372036854775807, 'max');
INSERT INTO t VALUES ('7', 'text 7'), (8.0, 'real 8');
INSERT INTO n VALUES ('7', 'text 7'), (8.0, 'real 8');
SELECT group_concat(k || v, ' ') FROM t;
SELECT group_concat(k || v, ' ') FROM n;
.print -- an INSERT into a WITHOUT ROWID table leaves last_insert_rowid()
CREATE VIRTUAL TABLE w USING lsm(k TEXT PRIMARY KEY, v);
CREATE TABLE n_w(k TEXT PRIMARY KEY, v) WITHOUT ROWID;
INSERT INTO n VALUES (70, 'seventy');
SELECT last_insert_rowid();
INSERT INTO n_w VALUES ('a', 1);
SELECT last_insert_rowid();
INSERT INTO w VALUES ('a', 1);
SELECT last_insert_rowid();
DELETE FROM n WHERE k = 70;
.print -- the rowid table without a key
CREATE VIRTUAL TABLE lg USING lsm(ts INTEGER, line TEXT);
CREATE TABLE n_lg(ts INTEGER, line TEXT);
INSERT INTO lg VALUES (5, 'a'), (5, 'a');
INSERT INTO n_lg VALUES (5, 'a'), (5, 'a');
INSERT INTO lg(rowid, ts, line) VALUES (10, 6, 'b');
INSERT INTO n_lg(rowid, ts, line) VALUES (10, 6, 'b');
INSERT INTO lg(rowid, ts) VALUES (10, 7);
INSERT INTO n_lg(rowid, ts) VALUES (10, 7);
INSERT INTO lg VALUES (8, 'c');
SELECT last_insert_rowid();
INSERT INTO n_lg VALUES (8, 'c');
SELECT last_insert_rowid();
UPDATE lg SET rowid = 20 WHERE rowid = 1;
UPDATE n_lg SET rowid = 20 WHERE rowid = 1;
UPDATE lg SET rowid = 2 WHERE rowid = 20;
UPDATE n_lg SET rowid = 2 WHERE rowid = 20;
SELECT rowid, ts, line FROM lg;
SELECT rowid, ts, line FROM n_lg;

.print -- datatype mismatch: a non-integer INTEGER PRIMARY KEY / rowid
INSERT INTO t VALUES ('x', 'bad');
INSERT INTO n VALUES ('x', 'bad');
INSERT INTO t VALUES (1.5, 'bad');
INSERT INTO n VALUES (1.5, 'bad');
UPDATE t SET k = 'y' WHERE k = 7;
UPDATE n SET k = 'y' WHERE k = 7;
INSERT INTO lg(rowid, ts) VALUES ('z', 1);
INSERT INTO n_lg(rowid, ts) VALUES ('z', 1);

.print -- NOT NULL
INSERT INTO t VALUES (60, NULL);
INSERT INTO n VALUES (60, NULL);
INSERT INTO t(k) VALUES (61);
INSERT INTO n(k) VALUES (61);
UPDATE t SET v = NULL WHERE k = 7;
UPDATE n SET v = NULL WHERE k = 7;
INSERT OR IGNORE INTO t VALUES (62, NULL), (63, 'ok');
SELECT changes();
INSERT OR IGNORE INTO n VALUES (62, NULL), (63, 'ok');
SELECT changes();
SELECT group_concat(k || v, ' ') FROM t;
SELECT group_concat(k || v, ' ') FROM n;

.print -- DEFAULT
CREATE VIRTUAL TABLE d USING lsm(k INTEGER PRIMARY KEY, a TEXT DEFAULT 'dflt', b INTEGER DEFAULT (6*7),
                                 c NOT NULL DEFAULT x'00', e REAL DEFAULT 1);
CREATE TABLE n_d(k INTEGER PRIMARY KEY, a TEXT DEFAULT 'dflt', b INTEGER DEFAULT (6*7),
                 c NOT NULL DEFAULT x'00', e REAL DEFAULT 1);
INSERT INTO d(k) VALUES (1);
INSERT INTO n_d(k) VALUES (1);
INSERT INTO d(k, a, c) VALUES (2, 'given', 'c');
INSERT INTO n_d(k, a, c) VALUES (2, 'given', 'c');
INSERT INTO d DEFAULT VALUES;
INSERT INTO n_d DEFAULT VALUES;
-- OR REPLACE on a NOT NULL column with a DEFAULT takes the default.
INSERT OR REPLACE INTO d(k, c) VALUES (4, NULL);
INSERT OR REPLACE INTO n_d(k, c) VALUES (4, NULL);
SELECT k, quote(a), quote(b), quote(c), quote(e) FROM d;
SELECT k, quote(a), quote(b), quote(c), quote(e) FROM n_d;
-- Documented limit (DESIGN/update.c): SQLite's vtab interface hands an
-- omitted column and an explicit NULL alike, so an explicit NULL into a
-- column with a DEFAULT stores the default (a native table stores NULL).
INSERT INTO d VALUES (5, NULL, NULL, x'01', NULL);
SELECT k, quote(a), quote(b), quote(c), quote(e) FROM d WHERE k = 5;
-- An UPDATE to NULL is not affected.
UPDATE d SET a = NULL WHERE k = 5;
SELECT k, quote(a) FROM d WHERE k = 5;

.print -- composite key: the hidden _key column
CREATE VIRTUAL TABLE c USING lsm(a TEXT, b INTEGER, v, PRIMARY KEY(a, b));
CREATE TABLE n_c(a TEXT, b INTEGER, v, PRIMARY KEY(a, b)) WITHOUT ROWID;
INSERT INTO c VALUES ('x', 1, 'x1'), ('x', 2, 'x2'), ('y', 1, 'y1');
INSERT INTO n_c VALUES ('x', 1, 'x1'), ('x', 2, 'x2'), ('y', 1, 'y1');
INSERT INTO c VALUES ('x', 1, 'dup');
INSERT INTO n_c VALUES ('x', 1, 'dup');
INSERT INTO c VALUES ('x', NULL, 'null b');
INSERT INTO n_c VALUES ('x', NULL, 'null b');
SELECT * FROM c;
SELECT typeof(_key), length(_key) > 0 FROM c LIMIT 1;
SELECT a, b FROM c ORDER BY _key DESC;
SELECT count(*) FROM c WHERE _key = (SELECT _key FROM c WHERE a = 'x' AND b = 2);
INSERT INTO c(a, b, v, _key) VALUES ('z', 1, 'z1', x'00');
UPDATE c SET _key = x'00' WHERE a = 'y';
UPDATE c SET b = 2 WHERE a = 'y';
UPDATE n_c SET b = 2 WHERE a = 'y';
UPDATE c SET b = 2 WHERE a = 'x' AND b = 1;
UPDATE n_c SET b = 2 WHERE a = 'x' AND b = 1;
UPDATE c SET a = 'w', v = v || '!' WHERE a = 'y';
UPDATE n_c SET a = 'w', v = v || '!' WHERE a = 'y';
SELECT * FROM c;
SELECT * FROM n_c;
SELECT * FROM c WHERE a = 'x' AND b = 2;
DELETE FROM c WHERE a = 'x';
SELECT changes();
SELECT * FROM c;
