-- demo.sql: a short tour of lsmvtab, run by quick-start command (1) in the
-- sqlite3 shell after ".load ./lsmvtab" (on an in-memory database, so the
-- stores live in private temporary directories removed at exit).
.headers on
.mode box
SELECT lsm_version() AS version;

-- 1. A keyed table: behaves like CREATE TABLE users(...) would.
CREATE VIRTUAL TABLE users USING lsm(id INTEGER PRIMARY KEY, name TEXT NOT NULL,
                                     email TEXT);
INSERT INTO users(name, email) VALUES ('ada', 'ada@example.org'),
                                      ('brian', NULL), ('chen', 'chen@example.org');
SELECT last_insert_rowid() AS last_id;
SELECT * FROM users WHERE id = 2;
-- A duplicate key fails as on a native table; OR REPLACE replaces it.
INSERT OR REPLACE INTO users VALUES (2, 'brian', 'brian@example.org');
SELECT * FROM users ORDER BY id;

-- 2. A time series with a composite key: host, then time.  A prefix of the
--    key is a contiguous range of the LSM, so per-host range scans are
--    seeks, in key order, with no sort.
CREATE VIRTUAL TABLE metrics USING lsm(host TEXT, ts INTEGER, cpu REAL,
                                       PRIMARY KEY(host, ts), compaction=tiered);
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 999)
INSERT INTO metrics SELECT 'web' || (i % 3), 1700000000 + i * 60, (i * 7) % 100 FROM n;
SELECT host, count(*) AS points, round(avg(cpu), 1) AS avg_cpu
  FROM metrics GROUP BY host;
SELECT * FROM metrics WHERE host = 'web1' AND ts BETWEEN 1700000000 AND 1700001000;
EXPLAIN QUERY PLAN
SELECT * FROM metrics WHERE host = 'web1' AND ts >= 1700000000 ORDER BY ts DESC;

-- 3. A delete (a tombstone, dropped later by compaction).
DELETE FROM metrics WHERE host = 'web2' AND ts < 1700030000;
SELECT count(*) AS remaining FROM metrics;

-- 4. A transaction: its reads see its own writes; ROLLBACK discards them.
BEGIN;
INSERT INTO users(name) VALUES ('dana');
SELECT count(*) AS users_inside_transaction FROM users;
ROLLBACK;
SELECT count(*) AS users_after_rollback FROM users;

-- 5. Force a flush and a compaction, then look at the engine's numbers.
SELECT lsm_flush('metrics') AS flush, lsm_compact('metrics') AS compact,
       lsm_check('metrics') AS integrity;
SELECT json_extract(lsm_stats('metrics'), '$.sst_bytes') > 0 AS has_sstables,
       json_extract(lsm_stats('metrics'), '$.puts') AS puts,
       json_extract(lsm_stats('metrics'), '$.deletes') AS deletes;
