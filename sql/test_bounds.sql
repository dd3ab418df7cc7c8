-- test_bounds.sql: xBestIndex boundaries through the real module (TESTPLAN
-- E5), the cases sql/test_plan.sql does not already cover.  Each query runs
-- on an lsm table and on its native twin (n_*), and each result line is
-- "lsm rows | native rows": the two halves must be equal.  EXPLAIN QUERY
-- PLAN shows what the planner consumed (planner.h: idxNum bits, idxStr).
-- Tables: a (untyped key: integers, reals, text, blobs, int64 edges and
-- reals next to them), tx (TEXT key), ti (INT key, WITHOUT ROWID), rr (REAL
-- key), r (INTEGER PRIMARY KEY), c (composite key), and a native o with
-- numeric and text columns for joins, whose operand affinity the planner
-- cannot see.
CREATE VIRTUAL TABLE a USING lsm(k PRIMARY KEY, v);
CREATE TABLE n_a(k PRIMARY KEY, v) WITHOUT ROWID;
INSERT INTO a VALUES (-9223372036854775808, 'min'), (-9223372036854775807, 'min1'),
  (-9.3e18, 'rbelow'), (-1, 'm1'), (0, 'z'), (1, 'one'), (4.0, 'r4'), (4.5, 'r45'),
  (9007199254740992, 'p53'), (9007199254740993, 'p53p1'), (9223372036854775807, 'max'),
  (9223372036854775808.0, 'r63'), (1e300, 'huge'), ('', 'e'), ('A', 'uA'), ('B', 'uB'),
  ('a', 'la'), ('ab', 'lab'), ('b', 'lb'), (x'', 'be'), (x'00', 'b0');
INSERT INTO n_a SELECT * FROM a;
CREATE VIRTUAL TABLE tx USING lsm(k TEXT PRIMARY KEY, v);
CREATE TABLE n_tx(k TEXT PRIMARY KEY, v) WITHOUT ROWID;
INSERT INTO tx VALUES ('1', 1), ('10', 2), ('2', 3), ('05', 4), (' 7', 5), ('1.5', 6),
  ('a', 7), ('A', 8), ('7', 9), (x'01', 10);
INSERT INTO n_tx SELECT * FROM tx;
CREATE VIRTUAL TABLE ti USING lsm(k INT PRIMARY KEY, v);
CREATE TABLE n_ti(k INT PRIMARY KEY, v) WITHOUT ROWID;
INSERT INTO ti VALUES (1, 1), ('2', 2), (3.5, 3), ('abc', 4), ('7x', 5), (x'01', 6),
  (9223372036854775807, 7), (-5, 8), (4.0, 9);
INSERT INTO n_ti SELECT * FROM ti;
CREATE VIRTUAL TABLE rr USING lsm(k REAL PRIMARY KEY, v);
CREATE TABLE n_rr(k REAL PRIMARY KEY, v) WITHOUT ROWID;
INSERT INTO rr VALUES (1, 1), (2.5, 2), (-0.0, 3), (1e308, 4), ('x', 5), ('3', 6), (-7, 7);
INSERT INTO n_rr SELECT * FROM rr;
CREATE VIRTUAL TABLE r USING lsm(id INTEGER PRIMARY KEY, v);
CREATE TABLE n_r(id INTEGER PRIMARY KEY, v);
INSERT INTO r VALUES (-9223372036854775808, 'min'), (1, 'a'), (2, 'b'), (3, 'c'), (5, 'e'),
  (8, 'h'), (9223372036854775807, 'max');
INSERT INTO n_r SELECT * FROM r;
CREATE VIRTUAL TABLE c USING lsm(a TEXT, b INTEGER, v, PRIMARY KEY(a, b));
CREATE TABLE n_c(a TEXT, b INTEGER, v, PRIMARY KEY(a, b)) WITHOUT ROWID;
INSERT INTO c VALUES ('x', 1, 'x1'), ('x', 2, 'x2'), ('x', 3, 'x3'), ('y', 1, 'y1'), ('y', 2, 'y2'),
  ('y', 5, 'y5'), ('z', 0, 'z0');
INSERT INTO n_c SELECT * FROM c;
CREATE TABLE o(i INTEGER, t TEXT, u);
INSERT INTO o VALUES (7, '7', 7), (10, '10', '10'), (2, '2', 2.0);

.print -- int vs real equality; int64 edges and the reals beside them (untyped key)
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k = 4;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k = 4)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k = 4));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k = 4.0;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k = 4.0)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k = 4.0));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k IN (4, 4.0, '4');
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k IN (4, 4.0, '4'))),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k IN (4, 4.0, '4')));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k = -0.0;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k = -0.0)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k = -0.0));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k = 9223372036854775807;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k = 9223372036854775807)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k = 9223372036854775807));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k = 9223372036854775807.0;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k = 9223372036854775807.0)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k = 9223372036854775807.0));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k = 9223372036854775808;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k = 9223372036854775808)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k = 9223372036854775808));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k > 9223372036854775807;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k > 9223372036854775807)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k > 9223372036854775807));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k >= 9223372036854775808.0 AND k < '';
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k >= 9223372036854775808.0 AND k < '')),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k >= 9223372036854775808.0 AND k < ''));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k < -9223372036854775808;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k < -9223372036854775808)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k < -9223372036854775808));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k <= -9223372036854775808;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k <= -9223372036854775808)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k <= -9223372036854775808));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k = -9223372036854775808.0;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k = -9223372036854775808.0)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k = -9223372036854775808.0));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k < -9223372036854775807.0;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k < -9223372036854775807.0)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k < -9223372036854775807.0));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k = 9007199254740993;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k = 9007199254740993)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k = 9007199254740993));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k = 9007199254740993.0;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k = 9007199254740993.0)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k = 9007199254740993.0));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k BETWEEN 9007199254740992 AND 9007199254740992.5;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k BETWEEN 9007199254740992 AND 9007199254740992.5)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k BETWEEN 9007199254740992 AND 9007199254740992.5));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k > 4 AND k < 5;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k > 4 AND k < 5)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k > 4 AND k < 5));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k > 1e300;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k > 1e300)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k > 1e300));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k >= 1e300 AND k < 'A';
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k >= 1e300 AND k < 'A')),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k >= 1e300 AND k < 'A'));
.print -- NULL operands: no rows; IS NULL / IS NOT NULL
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k < NULL;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k < NULL)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k < NULL));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k BETWEEN NULL AND 5;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k BETWEEN NULL AND 5)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k BETWEEN NULL AND 5));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k >= 1 AND k < NULL;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k >= 1 AND k < NULL)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k >= 1 AND k < NULL));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k IN (NULL);
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k IN (NULL))),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k IN (NULL)));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k IN (NULL, NULL);
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k IN (NULL, NULL))),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k IN (NULL, NULL)));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k IN ();
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k IN ())),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k IN ()));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k IS NOT NULL;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k IS NOT NULL)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k IS NOT NULL));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k IS NULL AND k > 1;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k IS NULL AND k > 1)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k IS NULL AND k > 1));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k IS NULL OR k = 1;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k IS NULL OR k = 1)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k IS NULL OR k = 1));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k = NULL OR k = 'a';
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k = NULL OR k = 'a')),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k = NULL OR k = 'a'));
.print -- several bounds on the key: the first one is consumed, the others re-checked
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k > 1 AND k > 'a';
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k > 1 AND k > 'a')),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k > 1 AND k > 'a'));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k > 'a' AND k > 1;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k > 'a' AND k > 1)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k > 'a' AND k > 1));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k >= 'a' AND k > 1 AND k < x'00';
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k >= 'a' AND k > 1 AND k < x'00')),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k >= 'a' AND k > 1 AND k < x'00'));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k < 'b' AND k <= 'a';
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k < 'b' AND k <= 'a')),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k < 'b' AND k <= 'a'));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k <= 'a' AND k < 'b';
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k <= 'a' AND k < 'b')),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k <= 'a' AND k < 'b'));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k = 1 AND k = 4;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k = 1 AND k = 4)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k = 1 AND k = 4));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k = 4 AND k > 5;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k = 4 AND k > 5)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k = 4 AND k > 5));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k > 5 AND k = 4.0;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k > 5 AND k = 4.0)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k > 5 AND k = 4.0));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k IN (1, 4, 'a') AND k IN (4, 'a', 'b');
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k IN (1, 4, 'a') AND k IN (4, 'a', 'b'))),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k IN (1, 4, 'a') AND k IN (4, 'a', 'b')));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k > 0 AND k < 1;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k > 0 AND k < 1)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k > 0 AND k < 1));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k >= 1 AND k <= 1;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k >= 1 AND k <= 1)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k >= 1 AND k <= 1));
.print -- IN with duplicates, in both orders and with LIMIT/OFFSET
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k IN ('a', 1, x'00', 4, 'a', 1.0, 4.0);
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k IN ('a', 1, x'00', 4, 'a', 1.0, 4.0))),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k IN ('a', 1, x'00', 4, 'a', 1.0, 4.0)));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k IN ('a', 1, x'00', 4, 'a', 1.0) ORDER BY k DESC;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k IN ('a', 1, x'00', 4, 'a', 1.0) ORDER BY k DESC)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k IN ('a', 1, x'00', 4, 'a', 1.0) ORDER BY k DESC));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k IN ('a', 1, x'00', 4, 'a', 1.0) ORDER BY k DESC LIMIT 2 OFFSET 1;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k IN ('a', 1, x'00', 4, 'a', 1.0) ORDER BY k DESC LIMIT 2 OFFSET 1)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k IN ('a', 1, x'00', 4, 'a', 1.0) ORDER BY k DESC LIMIT 2 OFFSET 1));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k IN (SELECT k FROM n_a WHERE typeof(k) = 'text' UNION ALL SELECT 'a') ORDER BY k;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k IN (SELECT k FROM n_a WHERE typeof(k) = 'text' UNION ALL SELECT 'a') ORDER BY k)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k IN (SELECT k FROM n_a WHERE typeof(k) = 'text' UNION ALL SELECT 'a') ORDER BY k));
.print -- BETWEEN with reversed bounds
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k BETWEEN 'b' AND 'a';
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k BETWEEN 'b' AND 'a')),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k BETWEEN 'b' AND 'a'));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k BETWEEN x'00' AND 1;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k BETWEEN x'00' AND 1)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k BETWEEN x'00' AND 1));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k BETWEEN 4.5 AND 4.0;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k BETWEEN 4.5 AND 4.0)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k BETWEEN 4.5 AND 4.0));
EXPLAIN QUERY PLAN SELECT * FROM r WHERE id BETWEEN 8 AND 2;
SELECT (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM r WHERE id BETWEEN 8 AND 2)),
       (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM n_r WHERE id BETWEEN 8 AND 2));
EXPLAIN QUERY PLAN SELECT * FROM c WHERE a = 'x' AND b BETWEEN 3 AND 1;
SELECT (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM c WHERE a = 'x' AND b BETWEEN 3 AND 1)),
       (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM n_c WHERE a = 'x' AND b BETWEEN 3 AND 1));
EXPLAIN QUERY PLAN SELECT * FROM c WHERE a BETWEEN 'y' AND 'x';
SELECT (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM c WHERE a BETWEEN 'y' AND 'x')),
       (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM n_c WHERE a BETWEEN 'y' AND 'x'));
.print -- LIMIT/OFFSET with and without other constraints
EXPLAIN QUERY PLAN SELECT * FROM a LIMIT 5 OFFSET 100;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a LIMIT 5 OFFSET 100)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a LIMIT 5 OFFSET 100));
EXPLAIN QUERY PLAN SELECT * FROM a ORDER BY k DESC LIMIT 1 OFFSET 20;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a ORDER BY k DESC LIMIT 1 OFFSET 20)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a ORDER BY k DESC LIMIT 1 OFFSET 20));
EXPLAIN QUERY PLAN SELECT * FROM a ORDER BY k DESC LIMIT 1 OFFSET 21;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a ORDER BY k DESC LIMIT 1 OFFSET 21)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a ORDER BY k DESC LIMIT 1 OFFSET 21));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k < 'b' ORDER BY k DESC LIMIT 3 OFFSET 2;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k < 'b' ORDER BY k DESC LIMIT 3 OFFSET 2)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k < 'b' ORDER BY k DESC LIMIT 3 OFFSET 2));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k > 1 AND k < x'' LIMIT 2 OFFSET 3;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k > 1 AND k < x'' LIMIT 2 OFFSET 3)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k > 1 AND k < x'' LIMIT 2 OFFSET 3));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k > 1 AND v > 'l' ORDER BY k LIMIT 2 OFFSET 1;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k > 1 AND v > 'l' ORDER BY k LIMIT 2 OFFSET 1)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k > 1 AND v > 'l' ORDER BY k LIMIT 2 OFFSET 1));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE v > 'l' ORDER BY k DESC LIMIT 3;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE v > 'l' ORDER BY k DESC LIMIT 3)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE v > 'l' ORDER BY k DESC LIMIT 3));
EXPLAIN QUERY PLAN SELECT * FROM a ORDER BY v LIMIT 3 OFFSET 1;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a ORDER BY v LIMIT 3 OFFSET 1)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a ORDER BY v LIMIT 3 OFFSET 1));
EXPLAIN QUERY PLAN SELECT * FROM a LIMIT (SELECT 2) OFFSET (SELECT 19);
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a LIMIT (SELECT 2) OFFSET (SELECT 19))),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a LIMIT (SELECT 2) OFFSET (SELECT 19)));
EXPLAIN QUERY PLAN SELECT * FROM r WHERE id IN (8, 1, 3, 5, 1) ORDER BY id DESC LIMIT 2 OFFSET 1;
SELECT (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM r WHERE id IN (8, 1, 3, 5, 1) ORDER BY id DESC LIMIT 2 OFFSET 1)),
       (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM n_r WHERE id IN (8, 1, 3, 5, 1) ORDER BY id DESC LIMIT 2 OFFSET 1));
EXPLAIN QUERY PLAN SELECT * FROM r WHERE id > 1 ORDER BY id DESC LIMIT 2 OFFSET 3;
SELECT (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM r WHERE id > 1 ORDER BY id DESC LIMIT 2 OFFSET 3)),
       (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM n_r WHERE id > 1 ORDER BY id DESC LIMIT 2 OFFSET 3));
EXPLAIN QUERY PLAN SELECT * FROM c WHERE a IN ('y', 'x', 'x') AND b > 1 ORDER BY a DESC, b DESC LIMIT 3 OFFSET 1;
SELECT (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM c WHERE a IN ('y', 'x', 'x') AND b > 1 ORDER BY a DESC, b DESC LIMIT 3 OFFSET 1)),
       (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM n_c WHERE a IN ('y', 'x', 'x') AND b > 1 ORDER BY a DESC, b DESC LIMIT 3 OFFSET 1));
.print -- ORDER BY k COLLATE NOCASE: never consumed (a temp b-tree sorts)
EXPLAIN QUERY PLAN SELECT * FROM a WHERE typeof(k) = 'text' ORDER BY k COLLATE NOCASE, k;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE typeof(k) = 'text' ORDER BY k COLLATE NOCASE, k)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE typeof(k) = 'text' ORDER BY k COLLATE NOCASE, k));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE typeof(k) = 'text' ORDER BY k COLLATE NOCASE DESC, k DESC;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE typeof(k) = 'text' ORDER BY k COLLATE NOCASE DESC, k DESC)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE typeof(k) = 'text' ORDER BY k COLLATE NOCASE DESC, k DESC));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k >= '' ORDER BY k COLLATE NOCASE, v LIMIT 3;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k >= '' ORDER BY k COLLATE NOCASE, v LIMIT 3)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k >= '' ORDER BY k COLLATE NOCASE, v LIMIT 3));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k = 'a' COLLATE NOCASE;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k = 'a' COLLATE NOCASE)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k = 'a' COLLATE NOCASE));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k > 'a' COLLATE NOCASE;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k > 'a' COLLATE NOCASE)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k > 'a' COLLATE NOCASE));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k BETWEEN 'A' AND 'a' COLLATE NOCASE;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k BETWEEN 'A' AND 'a' COLLATE NOCASE)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k BETWEEN 'A' AND 'a' COLLATE NOCASE));
EXPLAIN QUERY PLAN SELECT * FROM a WHERE k IN ('A', 'b') COLLATE NOCASE;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM a WHERE k IN ('A', 'b') COLLATE NOCASE)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_a WHERE k IN ('A', 'b') COLLATE NOCASE));
EXPLAIN QUERY PLAN SELECT * FROM tx WHERE k COLLATE NOCASE = 'A' ORDER BY k;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM tx WHERE k COLLATE NOCASE = 'A' ORDER BY k)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_tx WHERE k COLLATE NOCASE = 'A' ORDER BY k));
.print -- TEXT key: numbers compare as their text
EXPLAIN QUERY PLAN SELECT * FROM tx WHERE k = 10;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM tx WHERE k = 10)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_tx WHERE k = 10));
EXPLAIN QUERY PLAN SELECT * FROM tx WHERE k = 5;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM tx WHERE k = 5)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_tx WHERE k = 5));
EXPLAIN QUERY PLAN SELECT * FROM tx WHERE k = 7;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM tx WHERE k = 7)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_tx WHERE k = 7));
EXPLAIN QUERY PLAN SELECT * FROM tx WHERE k > 2;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM tx WHERE k > 2)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_tx WHERE k > 2));
EXPLAIN QUERY PLAN SELECT * FROM tx WHERE k < 2;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM tx WHERE k < 2)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_tx WHERE k < 2));
EXPLAIN QUERY PLAN SELECT * FROM tx WHERE k IN (1, 10, '2', 1.5, 7.0);
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM tx WHERE k IN (1, 10, '2', 1.5, 7.0))),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_tx WHERE k IN (1, 10, '2', 1.5, 7.0)));
EXPLAIN QUERY PLAN SELECT * FROM tx WHERE k BETWEEN 1 AND 2;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM tx WHERE k BETWEEN 1 AND 2)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_tx WHERE k BETWEEN 1 AND 2));
EXPLAIN QUERY PLAN SELECT * FROM tx WHERE k = '05';
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM tx WHERE k = '05')),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_tx WHERE k = '05'));
EXPLAIN QUERY PLAN SELECT * FROM tx WHERE k >= 1.5 AND k < 10;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM tx WHERE k >= 1.5 AND k < 10)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_tx WHERE k >= 1.5 AND k < 10));
.print -- INT key (WITHOUT ROWID): TEXT that reads as a number compares as one
EXPLAIN QUERY PLAN SELECT * FROM ti WHERE k = '2';
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM ti WHERE k = '2')),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_ti WHERE k = '2'));
EXPLAIN QUERY PLAN SELECT * FROM ti WHERE k = 2.0;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM ti WHERE k = 2.0)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_ti WHERE k = 2.0));
EXPLAIN QUERY PLAN SELECT * FROM ti WHERE k = ' 2';
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM ti WHERE k = ' 2')),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_ti WHERE k = ' 2'));
EXPLAIN QUERY PLAN SELECT * FROM ti WHERE k = '3.5';
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM ti WHERE k = '3.5')),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_ti WHERE k = '3.5'));
EXPLAIN QUERY PLAN SELECT * FROM ti WHERE k = 4;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM ti WHERE k = 4)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_ti WHERE k = 4));
EXPLAIN QUERY PLAN SELECT * FROM ti WHERE k > '2';
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM ti WHERE k > '2')),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_ti WHERE k > '2'));
EXPLAIN QUERY PLAN SELECT * FROM ti WHERE k < 'abc';
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM ti WHERE k < 'abc')),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_ti WHERE k < 'abc'));
EXPLAIN QUERY PLAN SELECT * FROM ti WHERE k IN ('1', 2.0, 'abc', '4.0');
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM ti WHERE k IN ('1', 2.0, 'abc', '4.0'))),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_ti WHERE k IN ('1', 2.0, 'abc', '4.0')));
EXPLAIN QUERY PLAN SELECT * FROM ti WHERE k = 9223372036854775807.0;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM ti WHERE k = 9223372036854775807.0)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_ti WHERE k = 9223372036854775807.0));
EXPLAIN QUERY PLAN SELECT * FROM ti WHERE k > 9.3e18;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM ti WHERE k > 9.3e18)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_ti WHERE k > 9.3e18));
EXPLAIN QUERY PLAN SELECT * FROM ti WHERE k >= '7x';
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM ti WHERE k >= '7x')),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_ti WHERE k >= '7x'));
EXPLAIN QUERY PLAN SELECT * FROM ti WHERE k BETWEEN '1' AND '3.5';
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM ti WHERE k BETWEEN '1' AND '3.5')),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_ti WHERE k BETWEEN '1' AND '3.5'));
.print -- REAL key: integers are stored and found as reals
EXPLAIN QUERY PLAN SELECT * FROM rr WHERE k = 1;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM rr WHERE k = 1)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_rr WHERE k = 1));
EXPLAIN QUERY PLAN SELECT * FROM rr WHERE k = '1';
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM rr WHERE k = '1')),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_rr WHERE k = '1'));
EXPLAIN QUERY PLAN SELECT * FROM rr WHERE k = 0;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM rr WHERE k = 0)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_rr WHERE k = 0));
EXPLAIN QUERY PLAN SELECT * FROM rr WHERE k IN (1, 2.5, '2.5', 3);
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM rr WHERE k IN (1, 2.5, '2.5', 3))),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_rr WHERE k IN (1, 2.5, '2.5', 3)));
EXPLAIN QUERY PLAN SELECT * FROM rr WHERE k > 1 AND k < 'a';
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM rr WHERE k > 1 AND k < 'a')),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_rr WHERE k > 1 AND k < 'a'));
EXPLAIN QUERY PLAN SELECT * FROM rr WHERE k = 'x';
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM rr WHERE k = 'x')),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_rr WHERE k = 'x'));
EXPLAIN QUERY PLAN SELECT * FROM rr WHERE k < -1;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM rr WHERE k < -1)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_rr WHERE k < -1));
EXPLAIN QUERY PLAN SELECT * FROM rr WHERE k > 2.5 AND k <= 1e308;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM rr WHERE k > 2.5 AND k <= 1e308)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_rr WHERE k > 2.5 AND k <= 1e308));
.print -- rowid key: NULL, reals and the int64 edges
EXPLAIN QUERY PLAN SELECT * FROM r WHERE id = NULL;
SELECT (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM r WHERE id = NULL)),
       (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM n_r WHERE id = NULL));
EXPLAIN QUERY PLAN SELECT * FROM r WHERE rowid > NULL;
SELECT (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM r WHERE rowid > NULL)),
       (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM n_r WHERE rowid > NULL));
EXPLAIN QUERY PLAN SELECT * FROM r WHERE id < 2.5;
SELECT (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM r WHERE id < 2.5)),
       (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM n_r WHERE id < 2.5));
EXPLAIN QUERY PLAN SELECT * FROM r WHERE id = -9223372036854775808.0;
SELECT (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM r WHERE id = -9223372036854775808.0)),
       (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM n_r WHERE id = -9223372036854775808.0));
EXPLAIN QUERY PLAN SELECT * FROM r WHERE id >= -9223372036854775808.0 AND id < 2;
SELECT (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM r WHERE id >= -9223372036854775808.0 AND id < 2)),
       (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM n_r WHERE id >= -9223372036854775808.0 AND id < 2));
EXPLAIN QUERY PLAN SELECT * FROM r WHERE id = 9223372036854775807.0;
SELECT (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM r WHERE id = 9223372036854775807.0)),
       (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM n_r WHERE id = 9223372036854775807.0));
EXPLAIN QUERY PLAN SELECT * FROM r WHERE id > 9223372036854775806.0;
SELECT (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM r WHERE id > 9223372036854775806.0)),
       (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM n_r WHERE id > 9223372036854775806.0));
EXPLAIN QUERY PLAN SELECT * FROM r WHERE id IN (1.0, 2.5, '3', NULL, 3);
SELECT (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM r WHERE id IN (1.0, 2.5, '3', NULL, 3))),
       (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM n_r WHERE id IN (1.0, 2.5, '3', NULL, 3)));
.print -- composite key: NULL and IS on the second column
EXPLAIN QUERY PLAN SELECT * FROM c WHERE a = 'x' AND b IS NULL;
SELECT (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM c WHERE a = 'x' AND b IS NULL)),
       (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM n_c WHERE a = 'x' AND b IS NULL));
EXPLAIN QUERY PLAN SELECT * FROM c WHERE a = NULL;
SELECT (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM c WHERE a = NULL)),
       (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM n_c WHERE a = NULL));
EXPLAIN QUERY PLAN SELECT * FROM c WHERE a = 'y' AND b > NULL;
SELECT (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM c WHERE a = 'y' AND b > NULL)),
       (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM n_c WHERE a = 'y' AND b > NULL));
EXPLAIN QUERY PLAN SELECT * FROM c WHERE a = 'y' AND b = 5.0;
SELECT (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM c WHERE a = 'y' AND b = 5.0)),
       (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM n_c WHERE a = 'y' AND b = 5.0));
.print -- joins: the operand's affinity is not visible to xBestIndex
SELECT (SELECT group_concat(y, ',') FROM (SELECT o.rowid || ':' || quote(x.k) AS y FROM o JOIN tx x ON x.k = o.i ORDER BY o.rowid, x.k)),
       (SELECT group_concat(y, ',') FROM (SELECT o.rowid || ':' || quote(x.k) AS y FROM o JOIN n_tx x ON x.k = o.i ORDER BY o.rowid, x.k));
SELECT (SELECT group_concat(y, ',') FROM (SELECT o.rowid || ':' || quote(x.k) AS y FROM o JOIN tx x ON x.k = o.t ORDER BY o.rowid, x.k)),
       (SELECT group_concat(y, ',') FROM (SELECT o.rowid || ':' || quote(x.k) AS y FROM o JOIN n_tx x ON x.k = o.t ORDER BY o.rowid, x.k));
SELECT (SELECT group_concat(y, ',') FROM (SELECT o.rowid || ':' || quote(x.k) AS y FROM o JOIN tx x ON x.k = o.u ORDER BY o.rowid, x.k)),
       (SELECT group_concat(y, ',') FROM (SELECT o.rowid || ':' || quote(x.k) AS y FROM o JOIN n_tx x ON x.k = o.u ORDER BY o.rowid, x.k));
SELECT (SELECT group_concat(y, ',') FROM (SELECT o.rowid || ':' || quote(x.k) AS y FROM o JOIN tx x ON x.k > o.i ORDER BY o.rowid, x.k)),
       (SELECT group_concat(y, ',') FROM (SELECT o.rowid || ':' || quote(x.k) AS y FROM o JOIN n_tx x ON x.k > o.i ORDER BY o.rowid, x.k));
SELECT (SELECT group_concat(y, ',') FROM (SELECT o.rowid || ':' || quote(x.k) AS y FROM o JOIN tx x ON x.k < o.t ORDER BY o.rowid, x.k)),
       (SELECT group_concat(y, ',') FROM (SELECT o.rowid || ':' || quote(x.k) AS y FROM o JOIN n_tx x ON x.k < o.t ORDER BY o.rowid, x.k));
SELECT (SELECT group_concat(y, ',') FROM (SELECT o.rowid || ':' || quote(x.k) AS y FROM o JOIN tx x ON x.k IN (o.i, o.t) ORDER BY o.rowid, x.k)),
       (SELECT group_concat(y, ',') FROM (SELECT o.rowid || ':' || quote(x.k) AS y FROM o JOIN n_tx x ON x.k IN (o.i, o.t) ORDER BY o.rowid, x.k));
SELECT (SELECT group_concat(y, ',') FROM (SELECT o.rowid || ':' || quote(x.k) AS y FROM o JOIN ti x ON x.k = o.t ORDER BY o.rowid, x.k)),
       (SELECT group_concat(y, ',') FROM (SELECT o.rowid || ':' || quote(x.k) AS y FROM o JOIN n_ti x ON x.k = o.t ORDER BY o.rowid, x.k));
SELECT (SELECT group_concat(y, ',') FROM (SELECT o.rowid || ':' || quote(x.k) AS y FROM o JOIN ti x ON x.k = o.u ORDER BY o.rowid, x.k)),
       (SELECT group_concat(y, ',') FROM (SELECT o.rowid || ':' || quote(x.k) AS y FROM o JOIN n_ti x ON x.k = o.u ORDER BY o.rowid, x.k));
SELECT (SELECT group_concat(y, ',') FROM (SELECT o.rowid || ':' || quote(x.k) AS y FROM o JOIN ti x ON x.k > o.t ORDER BY o.rowid, x.k)),
       (SELECT group_concat(y, ',') FROM (SELECT o.rowid || ':' || quote(x.k) AS y FROM o JOIN n_ti x ON x.k > o.t ORDER BY o.rowid, x.k));
SELECT (SELECT group_concat(y, ',') FROM (SELECT o.rowid || ':' || quote(x.k) AS y FROM o JOIN a x ON x.k = o.i - 6 ORDER BY o.rowid, x.k)),
       (SELECT group_concat(y, ',') FROM (SELECT o.rowid || ':' || quote(x.k) AS y FROM o JOIN n_a x ON x.k = o.i - 6 ORDER BY o.rowid, x.k));
SELECT (SELECT group_concat(y, ',') FROM (SELECT o.rowid || ':' || quote(x.k) AS y FROM o JOIN a x ON x.k = o.u / 2.5 ORDER BY o.rowid, x.k)),
       (SELECT group_concat(y, ',') FROM (SELECT o.rowid || ':' || quote(x.k) AS y FROM o JOIN n_a x ON x.k = o.u / 2.5 ORDER BY o.rowid, x.k));
SELECT (SELECT group_concat(y, ',') FROM (SELECT o.rowid || ':' || quote(x.k) AS y FROM o JOIN a x ON x.k >= o.u ORDER BY o.rowid, x.k)),
       (SELECT group_concat(y, ',') FROM (SELECT o.rowid || ':' || quote(x.k) AS y FROM o JOIN n_a x ON x.k >= o.u ORDER BY o.rowid, x.k));
