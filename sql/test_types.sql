-- test_types.sql: affinity and storage classes round-trip exactly as in a
-- native table declared with the same columns (DESIGN.md section 3).
-- Each lsm table has a native twin (n_*); the lsm rows are shown with
-- typeof and quote, and a diff query against the twin must print nothing.

-- Non-key columns of every affinity, keyed by an INTEGER PRIMARY KEY.
CREATE VIRTUAL TABLE t USING lsm(id INTEGER PRIMARY KEY, a, t TEXT, n NUMERIC, i INTEGER, r REAL, b BLOB);
CREATE TABLE n_t(id INTEGER PRIMARY KEY, a, t TEXT, n NUMERIC, i INTEGER, r REAL, b BLOB);
CREATE TEMP TABLE vals(id INTEGER PRIMARY KEY, v);
INSERT INTO vals(v) VALUES (1), (1.0), ('1'), (-0.0), (' 12 '), ('1e3'), ('0x10'),
  ('abc'), (x'00'), (x'610062'), ('a' || char(0) || 'b'), (CAST(x'ff' AS TEXT)),
  (9223372036854775807), (-9223372036854775808), (9223372036854775808.0),
  (-9223372036854775808.0), (9.2233720368547758e18), (1e308), (-1e-308),
  (NULL), (2.5), ('2.5'), ('9223372036854775807'), ('9223372036854775808'), (x'');
INSERT INTO t SELECT id, v, v, v, v, v, v FROM vals;
INSERT INTO n_t SELECT id, v, v, v, v, v, v FROM vals;
.mode list
SELECT id, typeof(a), quote(a), typeof(t), quote(t), typeof(n), quote(n),
       typeof(i), quote(i), typeof(r), quote(r), typeof(b), quote(b) FROM t
  WHERE id<>12 ORDER BY id;   -- 12, invalid UTF-8, is shown in hex below
-- Diff against the native twin (must be empty).
SELECT 'diff', * FROM (
  SELECT id, quote(a), quote(t), quote(n), quote(i), quote(r), quote(b) FROM t
  EXCEPT SELECT id, quote(a), quote(t), quote(n), quote(i), quote(r), quote(b) FROM n_t
  UNION ALL
  SELECT id, quote(a), quote(t), quote(n), quote(i), quote(r), quote(b) FROM n_t
  EXCEPT SELECT id, quote(a), quote(t), quote(n), quote(i), quote(r), quote(b) FROM t);
-- Lengths survive NUL bytes and invalid UTF-8.
SELECT id, length(CAST(t AS BLOB)), hex(t), hex(b) FROM t WHERE id IN (9, 10, 11, 12) ORDER BY id;
-- -0.0 (quote() prints it as 0.0; the shell's ieee754() shows the sign):
-- an untyped column keeps it; a REAL column stores an integral real as an
-- integer, so the sign is lost there, in both tables.
SELECT id, ieee754(a), ieee754(r) FROM t WHERE id=4;
SELECT id, ieee754(a), ieee754(r) FROM n_t WHERE id=4;

-- Keys of every storage class: an untyped WITHOUT ROWID key keeps 1, 1.0
-- and '1' apart by class but 1 = 1.0 (same key); order NULL<num<text<blob
-- (NULL keys are refused, as in a native WITHOUT ROWID table).
CREATE VIRTUAL TABLE k USING lsm(k PRIMARY KEY, v);
CREATE TABLE n_k(k PRIMARY KEY, v) WITHOUT ROWID;
INSERT INTO k VALUES (2, 'int 2'), ('10', 'text 10'), (x'00', 'blob 00'), ('', 'empty text'),
  (x'', 'empty blob'), (-1.5, 'real -1.5'), ('a' || char(0), 'text a NUL'), ('a', 'text a'),
  (x'0001', 'blob 0001'), (-9223372036854775808, 'int min'), (9223372036854775807, 'int max'),
  (9223372036854775808.0, 'real 2^63'), (-9.3e18, 'real below min'),
  (1.0, 'real 1.0'), (0.5, 'real 0.5'), (CAST(x'ff' AS TEXT), 'text ff'), (-0.0, 'real -0.0');
INSERT INTO n_k SELECT k, v FROM k;
SELECT typeof(k), CASE typeof(k) WHEN 'text' THEN 'text ' || hex(k) ELSE quote(k) END, v FROM k;
SELECT 'order differs' WHERE (SELECT group_concat(quote(k), ',') FROM k)
                          <> (SELECT group_concat(quote(k), ',') FROM n_k);
-- 1 and 1.0 are the same key; 2.0 finds the INTEGER 2.
INSERT INTO k VALUES (1, 'int 1');
INSERT INTO n_k VALUES (1, 'int 1');
-- -0.0 and 0 are the same key; the stored -0.0 keeps its sign.
INSERT INTO k VALUES (0, 'int 0');
INSERT INTO n_k VALUES (0, 'int 0');
SELECT ieee754(k), v FROM k WHERE k = 0;
SELECT ieee754(k), v FROM n_k WHERE k = 0;
SELECT quote(k), v FROM k WHERE k = 2.0;
SELECT quote(k), v FROM n_k WHERE k = 2.0;
SELECT quote(k), v FROM k WHERE k = '10';
SELECT quote(k), v FROM n_k WHERE k = '10';
-- An untyped key applies no affinity: 10 does not find '10'.
SELECT count(*) FROM k WHERE k = 10;
SELECT count(*) FROM n_k WHERE k = 10;
INSERT INTO k VALUES (NULL, 'null key');
INSERT INTO n_k VALUES (NULL, 'null key');

-- Typed keys apply affinity before encoding: TEXT turns 5 into '5',
-- INTEGER turns '7' into 7 and 3.0 into 3, REAL turns 4 into 4.0.
CREATE VIRTUAL TABLE kt USING lsm(k TEXT PRIMARY KEY, v);
INSERT INTO kt VALUES (5, 'a'), ('05', 'b'), (5.5, 'c');
SELECT typeof(k), quote(k), v FROM kt;
INSERT INTO kt VALUES ('5', 'dup');
CREATE VIRTUAL TABLE ki USING lsm(k INT PRIMARY KEY, v);
INSERT INTO ki VALUES ('7', 'a'), (3.0, 'b'), ('x', 'c'), (2.5, 'd'), (x'01', 'e');
SELECT typeof(k), quote(k), v FROM ki;
INSERT INTO ki VALUES ('3', 'dup');
CREATE VIRTUAL TABLE kr USING lsm(k REAL PRIMARY KEY, v);
INSERT INTO kr VALUES (4, 'a'), ('4.5', 'b'), ('y', 'c');
SELECT typeof(k), quote(k), v FROM kr;
INSERT INTO kr VALUES (4.0, 'dup');
-- Composite key with mixed classes.
CREATE VIRTUAL TABLE kc USING lsm(a, b, v, PRIMARY KEY(a, b));
CREATE TABLE n_kc(a, b, v, PRIMARY KEY(a, b)) WITHOUT ROWID;
INSERT INTO kc VALUES (1, 'x', 1), (1, 2, 2), ('1', 1, 3), (1.5, x'00', 4), (x'01', 0, 5), (1, 1.0, 6), ('', '', 7);
INSERT INTO n_kc SELECT a, b, v FROM kc;
SELECT quote(a), quote(b), v FROM kc;
SELECT 'order differs' WHERE (SELECT group_concat(quote(a)||quote(b), ',') FROM kc)
                          <> (SELECT group_concat(quote(a)||quote(b), ',') FROM n_kc);
