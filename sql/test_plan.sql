-- test_plan.sql: what xBestIndex pushes down, shown by EXPLAIN QUERY PLAN
-- (the idxNum bits and idxStr of planner.h), and the rows of each query on
-- the lsm table next to the same query on a native twin: each result line
-- is "lsm rows | native rows" and the two halves must be equal.  The keys
-- mix storage classes, so "k > 1" must include TEXT and BLOB keys.
CREATE VIRTUAL TABLE t USING lsm(k PRIMARY KEY, v);
CREATE TABLE n_t(k PRIMARY KEY, v) WITHOUT ROWID;
INSERT INTO t VALUES (-5, 'm5'), (0, 'z0'), (1, 'one'), (1.5, 'r15'), (2, 'two'), (3, 'three'),
  (10, 'ten'), ('', 'empty'), ('1', 't1'), ('a', 'ta'), ('b', 'tb'), (x'', 'bempty'), (x'00', 'b00'),
  (x'01', 'b01');
INSERT INTO n_t SELECT * FROM t;
CREATE VIRTUAL TABLE c USING lsm(a TEXT, b INTEGER, v, PRIMARY KEY(a, b));
CREATE TABLE n_c(a TEXT, b INTEGER, v, PRIMARY KEY(a, b)) WITHOUT ROWID;
INSERT INTO c VALUES ('x', 1, 'x1'), ('x', 2, 'x2'), ('x', 3, 'x3'), ('x', 'q', 'xq'), ('y', 1, 'y1'),
  ('y', 2, 'y2'), ('z', 0, 'z0'), ('X', 5, 'X5');
INSERT INTO n_c SELECT * FROM c;
CREATE VIRTUAL TABLE r USING lsm(id INTEGER PRIMARY KEY, v);
CREATE TABLE n_r(id INTEGER PRIMARY KEY, v);
INSERT INTO r VALUES (-9223372036854775808, 'min'), (1, 'a'), (2, 'b'), (3, 'c'), (5, 'e'), (8, 'h'),
  (9223372036854775807, 'max');
INSERT INTO n_r SELECT * FROM r;

.print -- equality and IS
EXPLAIN QUERY PLAN SELECT * FROM t WHERE k = 1;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t WHERE k = 1)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t WHERE k = 1));
EXPLAIN QUERY PLAN SELECT * FROM t WHERE k = 1.0;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t WHERE k = 1.0)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t WHERE k = 1.0));
EXPLAIN QUERY PLAN SELECT * FROM t WHERE k = '1';
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t WHERE k = '1')),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t WHERE k = '1'));
EXPLAIN QUERY PLAN SELECT * FROM t WHERE k = x'00';
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t WHERE k = x'00')),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t WHERE k = x'00'));
EXPLAIN QUERY PLAN SELECT * FROM t WHERE k = NULL;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t WHERE k = NULL)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t WHERE k = NULL));
EXPLAIN QUERY PLAN SELECT * FROM t WHERE k IS 2;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t WHERE k IS 2)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t WHERE k IS 2));
EXPLAIN QUERY PLAN SELECT * FROM t WHERE k IS NULL;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t WHERE k IS NULL)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t WHERE k IS NULL));
EXPLAIN QUERY PLAN SELECT * FROM t WHERE k IS NOT NULL AND k < 0;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t WHERE k IS NOT NULL AND k < 0)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t WHERE k IS NOT NULL AND k < 0));
.print -- IN (duplicates and NULL are dropped)
EXPLAIN QUERY PLAN SELECT * FROM t WHERE k IN (2, 'a', 2, x'00', NULL, 7);
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t WHERE k IN (2, 'a', 2, x'00', NULL, 7))),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t WHERE k IN (2, 'a', 2, x'00', NULL, 7)));
EXPLAIN QUERY PLAN SELECT * FROM t WHERE k IN (SELECT 1 UNION SELECT 'b');
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t WHERE k IN (SELECT 1 UNION SELECT 'b'))),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t WHERE k IN (SELECT 1 UNION SELECT 'b')));
.print -- ranges: numbers < TEXT < BLOB
EXPLAIN QUERY PLAN SELECT * FROM t WHERE k > 1;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t WHERE k > 1)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t WHERE k > 1));
EXPLAIN QUERY PLAN SELECT * FROM t WHERE k >= 1;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t WHERE k >= 1)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t WHERE k >= 1));
EXPLAIN QUERY PLAN SELECT * FROM t WHERE k < 2;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t WHERE k < 2)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t WHERE k < 2));
EXPLAIN QUERY PLAN SELECT * FROM t WHERE k <= 2;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t WHERE k <= 2)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t WHERE k <= 2));
EXPLAIN QUERY PLAN SELECT * FROM t WHERE k > 'a';
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t WHERE k > 'a')),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t WHERE k > 'a'));
EXPLAIN QUERY PLAN SELECT * FROM t WHERE k >= 'a';
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t WHERE k >= 'a')),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t WHERE k >= 'a'));
EXPLAIN QUERY PLAN SELECT * FROM t WHERE k < 'a';
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t WHERE k < 'a')),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t WHERE k < 'a'));
EXPLAIN QUERY PLAN SELECT * FROM t WHERE k > x'00';
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t WHERE k > x'00')),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t WHERE k > x'00'));
EXPLAIN QUERY PLAN SELECT * FROM t WHERE k < x'';
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t WHERE k < x'')),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t WHERE k < x''));
EXPLAIN QUERY PLAN SELECT * FROM t WHERE k > NULL;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t WHERE k > NULL)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t WHERE k > NULL));
EXPLAIN QUERY PLAN SELECT * FROM t WHERE k > 1 AND k < 'b';
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t WHERE k > 1 AND k < 'b')),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t WHERE k > 1 AND k < 'b'));
EXPLAIN QUERY PLAN SELECT * FROM t WHERE k BETWEEN 1 AND 'a';
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t WHERE k BETWEEN 1 AND 'a')),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t WHERE k BETWEEN 1 AND 'a'));
EXPLAIN QUERY PLAN SELECT * FROM t WHERE k BETWEEN 5 AND 1;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t WHERE k BETWEEN 5 AND 1)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t WHERE k BETWEEN 5 AND 1));
EXPLAIN QUERY PLAN SELECT * FROM t WHERE k >= 1.5 AND k <= 1.5;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t WHERE k >= 1.5 AND k <= 1.5)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t WHERE k >= 1.5 AND k <= 1.5));
.print -- ORDER BY on the key is consumed (no temp b-tree); on another column it is not
EXPLAIN QUERY PLAN SELECT * FROM t ORDER BY k;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t ORDER BY k)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t ORDER BY k));
EXPLAIN QUERY PLAN SELECT * FROM t ORDER BY k DESC;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t ORDER BY k DESC)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t ORDER BY k DESC));
EXPLAIN QUERY PLAN SELECT * FROM t WHERE k > 1 ORDER BY k DESC;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t WHERE k > 1 ORDER BY k DESC)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t WHERE k > 1 ORDER BY k DESC));
EXPLAIN QUERY PLAN SELECT * FROM t WHERE k < 'a' ORDER BY k ASC;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t WHERE k < 'a' ORDER BY k ASC)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t WHERE k < 'a' ORDER BY k ASC));
EXPLAIN QUERY PLAN SELECT * FROM t ORDER BY v;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t ORDER BY v)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t ORDER BY v));
EXPLAIN QUERY PLAN SELECT * FROM t ORDER BY k COLLATE NOCASE;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t ORDER BY k COLLATE NOCASE)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t ORDER BY k COLLATE NOCASE));
.print -- LIMIT/OFFSET: pushed down when every constraint is consumed
EXPLAIN QUERY PLAN SELECT * FROM t ORDER BY k LIMIT 3;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t ORDER BY k LIMIT 3)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t ORDER BY k LIMIT 3));
EXPLAIN QUERY PLAN SELECT * FROM t ORDER BY k DESC LIMIT 2 OFFSET 1;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t ORDER BY k DESC LIMIT 2 OFFSET 1)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t ORDER BY k DESC LIMIT 2 OFFSET 1));
EXPLAIN QUERY PLAN SELECT * FROM t WHERE k > 1 ORDER BY k LIMIT 3 OFFSET 2;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t WHERE k > 1 ORDER BY k LIMIT 3 OFFSET 2)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t WHERE k > 1 ORDER BY k LIMIT 3 OFFSET 2));
EXPLAIN QUERY PLAN SELECT * FROM t WHERE k >= 'a' LIMIT 10 OFFSET 1;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t WHERE k >= 'a' LIMIT 10 OFFSET 1)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t WHERE k >= 'a' LIMIT 10 OFFSET 1));
EXPLAIN QUERY PLAN SELECT * FROM t WHERE k > 1 AND v LIKE 't%' ORDER BY k LIMIT 2;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t WHERE k > 1 AND v LIKE 't%' ORDER BY k LIMIT 2)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t WHERE k > 1 AND v LIKE 't%' ORDER BY k LIMIT 2));
EXPLAIN QUERY PLAN SELECT * FROM t LIMIT -1 OFFSET 12;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t LIMIT -1 OFFSET 12)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t LIMIT -1 OFFSET 12));
EXPLAIN QUERY PLAN SELECT * FROM t ORDER BY k LIMIT 0;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t ORDER BY k LIMIT 0)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t ORDER BY k LIMIT 0));
EXPLAIN QUERY PLAN SELECT * FROM t WHERE k IN (1, 2, 3) ORDER BY k LIMIT 2;
SELECT (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM t WHERE k IN (1, 2, 3) ORDER BY k LIMIT 2)),
       (SELECT group_concat(x, ',') FROM (SELECT quote(k) AS x FROM n_t WHERE k IN (1, 2, 3) ORDER BY k LIMIT 2));
.print -- composite key: equality prefix plus a range
EXPLAIN QUERY PLAN SELECT * FROM c WHERE a = 'x';
SELECT (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM c WHERE a = 'x')),
       (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM n_c WHERE a = 'x'));
EXPLAIN QUERY PLAN SELECT * FROM c WHERE a = 'x' AND b > 1;
SELECT (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM c WHERE a = 'x' AND b > 1)),
       (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM n_c WHERE a = 'x' AND b > 1));
EXPLAIN QUERY PLAN SELECT * FROM c WHERE a = 'x' AND b BETWEEN 2 AND 3;
SELECT (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM c WHERE a = 'x' AND b BETWEEN 2 AND 3)),
       (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM n_c WHERE a = 'x' AND b BETWEEN 2 AND 3));
EXPLAIN QUERY PLAN SELECT * FROM c WHERE a = 'x' AND b >= 2 ORDER BY b DESC;
SELECT (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM c WHERE a = 'x' AND b >= 2 ORDER BY b DESC)),
       (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM n_c WHERE a = 'x' AND b >= 2 ORDER BY b DESC));
EXPLAIN QUERY PLAN SELECT * FROM c WHERE a = 'x' AND b = 2;
SELECT (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM c WHERE a = 'x' AND b = 2)),
       (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM n_c WHERE a = 'x' AND b = 2));
EXPLAIN QUERY PLAN SELECT * FROM c WHERE a IN ('x', 'y') AND b = 2;
SELECT (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM c WHERE a IN ('x', 'y') AND b = 2)),
       (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM n_c WHERE a IN ('x', 'y') AND b = 2));
EXPLAIN QUERY PLAN SELECT * FROM c WHERE a > 'x';
SELECT (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM c WHERE a > 'x')),
       (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM n_c WHERE a > 'x'));
EXPLAIN QUERY PLAN SELECT * FROM c WHERE b = 2;
SELECT (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM c WHERE b = 2)),
       (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM n_c WHERE b = 2));
EXPLAIN QUERY PLAN SELECT * FROM c WHERE a = 'x' ORDER BY a, b;
SELECT (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM c WHERE a = 'x' ORDER BY a, b)),
       (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM n_c WHERE a = 'x' ORDER BY a, b));
EXPLAIN QUERY PLAN SELECT * FROM c WHERE a = 'x' ORDER BY b;
SELECT (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM c WHERE a = 'x' ORDER BY b)),
       (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM n_c WHERE a = 'x' ORDER BY b));
EXPLAIN QUERY PLAN SELECT * FROM c ORDER BY a DESC, b DESC;
SELECT (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM c ORDER BY a DESC, b DESC)),
       (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM n_c ORDER BY a DESC, b DESC));
EXPLAIN QUERY PLAN SELECT * FROM c ORDER BY a, b DESC;
SELECT (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM c ORDER BY a, b DESC)),
       (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM n_c ORDER BY a, b DESC));
EXPLAIN QUERY PLAN SELECT * FROM c WHERE a = 'X' COLLATE NOCASE;
SELECT (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM c WHERE a = 'X' COLLATE NOCASE)),
       (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM n_c WHERE a = 'X' COLLATE NOCASE));
EXPLAIN QUERY PLAN SELECT * FROM c WHERE a = 'x' AND b > 'a';
SELECT (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM c WHERE a = 'x' AND b > 'a')),
       (SELECT group_concat(x, ',') FROM (SELECT a || '.' || b AS x FROM n_c WHERE a = 'x' AND b > 'a'));
.print -- rowid table: the INTEGER PRIMARY KEY and rowid
EXPLAIN QUERY PLAN SELECT * FROM r WHERE id = 5;
SELECT (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM r WHERE id = 5)),
       (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM n_r WHERE id = 5));
EXPLAIN QUERY PLAN SELECT * FROM r WHERE rowid = 5;
SELECT (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM r WHERE rowid = 5)),
       (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM n_r WHERE rowid = 5));
EXPLAIN QUERY PLAN SELECT * FROM r WHERE id = '5';
SELECT (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM r WHERE id = '5')),
       (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM n_r WHERE id = '5'));
EXPLAIN QUERY PLAN SELECT * FROM r WHERE id = 5.0;
SELECT (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM r WHERE id = 5.0)),
       (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM n_r WHERE id = 5.0));
EXPLAIN QUERY PLAN SELECT * FROM r WHERE id = 5.5;
SELECT (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM r WHERE id = 5.5)),
       (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM n_r WHERE id = 5.5));
EXPLAIN QUERY PLAN SELECT * FROM r WHERE id > 2 AND id < 8;
SELECT (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM r WHERE id > 2 AND id < 8)),
       (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM n_r WHERE id > 2 AND id < 8));
EXPLAIN QUERY PLAN SELECT * FROM r WHERE id > '2';
SELECT (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM r WHERE id > '2')),
       (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM n_r WHERE id > '2'));
EXPLAIN QUERY PLAN SELECT * FROM r WHERE id >= 9223372036854775807;
SELECT (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM r WHERE id >= 9223372036854775807)),
       (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM n_r WHERE id >= 9223372036854775807));
EXPLAIN QUERY PLAN SELECT * FROM r WHERE id < -9223372036854775807;
SELECT (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM r WHERE id < -9223372036854775807)),
       (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM n_r WHERE id < -9223372036854775807));
EXPLAIN QUERY PLAN SELECT * FROM r WHERE id > 2.5 ORDER BY id DESC LIMIT 2;
SELECT (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM r WHERE id > 2.5 ORDER BY id DESC LIMIT 2)),
       (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM n_r WHERE id > 2.5 ORDER BY id DESC LIMIT 2));
EXPLAIN QUERY PLAN SELECT * FROM r WHERE id IN (8, 1, 8, 'x');
SELECT (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM r WHERE id IN (8, 1, 8, 'x'))),
       (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM n_r WHERE id IN (8, 1, 8, 'x')));
EXPLAIN QUERY PLAN SELECT * FROM r WHERE id IS NULL;
SELECT (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM r WHERE id IS NULL)),
       (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM n_r WHERE id IS NULL));
EXPLAIN QUERY PLAN SELECT * FROM r WHERE id > 9223372036854775808.0;
SELECT (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM r WHERE id > 9223372036854775808.0)),
       (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM n_r WHERE id > 9223372036854775808.0));
EXPLAIN QUERY PLAN SELECT * FROM r WHERE id < 1e19;
SELECT (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM r WHERE id < 1e19)),
       (SELECT group_concat(x, ',') FROM (SELECT id AS x FROM n_r WHERE id < 1e19));
