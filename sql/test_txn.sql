-- test_txn.sql: transactions on an lsm table, each step mirrored on a
-- native twin (t first, then n: each pair must agree): BEGIN/COMMIT/
-- ROLLBACK, reads of own writes, nested savepoints, a savepoint that
-- begins the transaction, OR ROLLBACK, statement rollback (ABORT/FAIL)
-- inside a transaction, and one transaction over both tables.
.open test.db
.load ./lsmvtab
CREATE VIRTUAL TABLE t USING lsm(k INTEGER PRIMARY KEY, v);
CREATE TABLE n(k INTEGER PRIMARY KEY, v);
INSERT INTO t VALUES (1, 'one');
INSERT INTO n VALUES (1, 'one');

.print -- reads see the transaction's own writes; ROLLBACK discards them
BEGIN;
INSERT INTO t VALUES (2, 'two'), (3, 'three');
UPDATE t SET v = 'ONE' WHERE k = 1;
DELETE FROM t WHERE k = 3;
SELECT group_concat(k || v, ' ') FROM t;
SELECT count(*) FROM t WHERE k = 2;
SELECT v FROM t WHERE k = 1;
SELECT group_concat(k || v, ' ') FROM (SELECT * FROM t ORDER BY k DESC);
ROLLBACK;
SELECT group_concat(k || v, ' ') FROM t;

.print -- COMMIT keeps them
BEGIN;
INSERT INTO t VALUES (2, 'two'), (3, 'three');
UPDATE t SET v = 'ONE' WHERE k = 1;
COMMIT;
SELECT group_concat(k || v, ' ') FROM t;
INSERT INTO n VALUES (2, 'two'), (3, 'three');
UPDATE n SET v = 'ONE' WHERE k = 1;

.print -- nested savepoints: ROLLBACK TO and RELEASE
BEGIN;
INSERT INTO t VALUES (10, 'a');
SAVEPOINT s1;
INSERT INTO t VALUES (11, 'b');
SAVEPOINT s2;
INSERT INTO t VALUES (12, 'c');
DELETE FROM t WHERE k = 1;
SAVEPOINT s3;
UPDATE t SET v = 'B' WHERE k = 11;
SELECT group_concat(k || v, ' ') FROM t;
ROLLBACK TO s3;
SELECT group_concat(k || v, ' ') FROM t;
ROLLBACK TO s2;
SELECT group_concat(k || v, ' ') FROM t;
INSERT INTO t VALUES (13, 'd');
RELEASE s2;
ROLLBACK TO s1;
SELECT group_concat(k || v, ' ') FROM t;
INSERT INTO t VALUES (14, 'e');
RELEASE s1;
COMMIT;
SELECT group_concat(k || v, ' ') FROM t;
BEGIN;
INSERT INTO n VALUES (10, 'a');
SAVEPOINT s1;
INSERT INTO n VALUES (11, 'b');
SAVEPOINT s2;
INSERT INTO n VALUES (12, 'c');
DELETE FROM n WHERE k = 1;
SAVEPOINT s3;
UPDATE n SET v = 'B' WHERE k = 11;
SELECT group_concat(k || v, ' ') FROM n;
ROLLBACK TO s3;
SELECT group_concat(k || v, ' ') FROM n;
ROLLBACK TO s2;
SELECT group_concat(k || v, ' ') FROM n;
INSERT INTO n VALUES (13, 'd');
RELEASE s2;
ROLLBACK TO s1;
SELECT group_concat(k || v, ' ') FROM n;
INSERT INTO n VALUES (14, 'e');
RELEASE s1;
COMMIT;
SELECT group_concat(k || v, ' ') FROM n;

.print -- a SAVEPOINT outside BEGIN starts the transaction
SAVEPOINT outer1;
INSERT INTO t VALUES (20, 'x');
SAVEPOINT inner1;
INSERT INTO t VALUES (21, 'y');
ROLLBACK TO inner1;
SELECT group_concat(k || v, ' ') FROM t WHERE k >= 20;
ROLLBACK TO outer1;
SELECT count(*) FROM t WHERE k >= 20;
INSERT INTO t VALUES (22, 'z');
RELEASE outer1;
SELECT group_concat(k || v, ' ') FROM t WHERE k >= 20;
SAVEPOINT outer1;
INSERT INTO n VALUES (20, 'x');
SAVEPOINT inner1;
INSERT INTO n VALUES (21, 'y');
ROLLBACK TO inner1;
SELECT group_concat(k || v, ' ') FROM n WHERE k >= 20;
ROLLBACK TO outer1;
SELECT count(*) FROM n WHERE k >= 20;
INSERT INTO n VALUES (22, 'z');
RELEASE outer1;
SELECT group_concat(k || v, ' ') FROM n WHERE k >= 20;

.print -- a failing multi-row statement inside a transaction
BEGIN;
INSERT INTO t VALUES (30, 'p');
INSERT INTO t VALUES (31, 'q'), (32, 'r'), (30, 'dup'), (33, 's');
SELECT group_concat(k || v, ' ') FROM t WHERE k >= 30;
INSERT OR FAIL INTO t VALUES (34, 'q'), (35, 'r'), (30, 'dup'), (36, 's');
SELECT group_concat(k || v, ' ') FROM t WHERE k >= 30;
UPDATE OR FAIL t SET k = CASE k WHEN 34 THEN 134 ELSE 30 END WHERE k >= 34;
SELECT group_concat(k || v, ' ') FROM t WHERE k >= 30;
COMMIT;
SELECT group_concat(k || v, ' ') FROM t WHERE k >= 30;
BEGIN;
INSERT INTO n VALUES (30, 'p');
INSERT INTO n VALUES (31, 'q'), (32, 'r'), (30, 'dup'), (33, 's');
SELECT group_concat(k || v, ' ') FROM n WHERE k >= 30;
INSERT OR FAIL INTO n VALUES (34, 'q'), (35, 'r'), (30, 'dup'), (36, 's');
SELECT group_concat(k || v, ' ') FROM n WHERE k >= 30;
UPDATE OR FAIL n SET k = CASE k WHEN 34 THEN 134 ELSE 30 END WHERE k >= 34;
SELECT group_concat(k || v, ' ') FROM n WHERE k >= 30;
COMMIT;
SELECT group_concat(k || v, ' ') FROM n WHERE k >= 30;

.print -- OR ROLLBACK ends the transaction (the earlier writes go too)
BEGIN;
INSERT INTO t VALUES (40, 'g');
INSERT OR ROLLBACK INTO t VALUES (41, 'h'), (40, 'dup');
SELECT count(*) FROM t WHERE k BETWEEN 40 AND 49;
COMMIT;
BEGIN;
INSERT INTO n VALUES (40, 'g');
INSERT OR ROLLBACK INTO n VALUES (41, 'h'), (40, 'dup');
SELECT count(*) FROM n WHERE k BETWEEN 40 AND 49;
COMMIT;

.print -- one transaction over the lsm table and the native table
BEGIN;
INSERT INTO t VALUES (50, 'both');
INSERT INTO n VALUES (50, 'both');
ROLLBACK;
SELECT (SELECT count(*) FROM t WHERE k = 50), (SELECT count(*) FROM n WHERE k = 50);
BEGIN;
INSERT INTO t VALUES (50, 'both');
INSERT INTO n VALUES (50, 'both');
SAVEPOINT s;
INSERT INTO t VALUES (51, 'both');
INSERT INTO n VALUES (51, 'both');
ROLLBACK TO s;
COMMIT;
SELECT (SELECT group_concat(k, ' ') FROM t WHERE k BETWEEN 50 AND 59), (SELECT group_concat(k, ' ') FROM n WHERE k BETWEEN 50 AND 59);
-- OR ROLLBACK on the lsm table rolls back the native table's writes too,
-- and a failed (ABORT) statement on the lsm table keeps the native ones.
BEGIN;
INSERT INTO n VALUES (60, 'gone');
INSERT INTO t VALUES (60, 'gone');
INSERT OR ROLLBACK INTO t VALUES (61, 'x'), (60, 'dup');
SELECT (SELECT count(*) FROM t WHERE k BETWEEN 60 AND 69), (SELECT count(*) FROM n WHERE k BETWEEN 60 AND 69);
BEGIN;
INSERT INTO n VALUES (60, 'kept');
INSERT INTO t VALUES (60, 'kept');
INSERT INTO t VALUES (61, 'x'), (60, 'dup');
COMMIT;
SELECT (SELECT group_concat(k || v, ' ') FROM t WHERE k BETWEEN 60 AND 69), (SELECT group_concat(k || v, ' ') FROM n WHERE k BETWEEN 60 AND 69);

.print -- everything is still there after reopening
.open test.db
.load ./lsmvtab
SELECT group_concat(k || v, ' ') FROM t;
SELECT group_concat(k || v, ' ') FROM n;
