-- test_create.sql: every CREATE VIRTUAL TABLE form of DESIGN.md section 3,
-- options (with K/M/G suffixes), every rejection with its message, and
-- PRAGMA table_info of each table.  A file database, so that default
-- store directories ("<db>-<table>.lsm") can be listed.
.open test.db
.load ./lsmvtab

-- The default (key PRIMARY KEY, value): like "CREATE TABLE kv(key PRIMARY
-- KEY, value) WITHOUT ROWID" (the key is NOT NULL there too).
CREATE VIRTUAL TABLE kv USING lsm;
PRAGMA table_info(kv);

-- INTEGER PRIMARY KEY: the rowid.  table_info is compared without its pk
-- column: the vtab declares id as a plain INTEGER column (schema.h), so
-- pk reads 0 where a native table shows 1.
CREATE VIRTUAL TABLE users USING lsm(id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT);
SELECT cid, name, type, "notnull", dflt_value FROM pragma_table_info('users');
-- INT is not INTEGER: a WITHOUT ROWID key, as in a native table.
CREATE VIRTUAL TABLE w6 USING lsm(k INT PRIMARY KEY, v);
PRAGMA table_info(w6);

-- A composite key with options: declared through the hidden column _key
-- (the declared single-column key), so table_xinfo shows it.
CREATE VIRTUAL TABLE metrics USING lsm(host TEXT, ts INTEGER, v REAL, PRIMARY KEY(host, ts),
                                       compaction=tiered, sync=full);
SELECT cid, name, type, hidden FROM pragma_table_xinfo('metrics');
-- CONSTRAINT name, key order differing from column order.
CREATE VIRTUAL TABLE w3 USING lsm(a, b, c, CONSTRAINT pk PRIMARY KEY(b, a));
SELECT cid, name, type, hidden FROM pragma_table_xinfo('w3');
-- A user column named _key: the hidden column becomes _key_1.
CREATE VIRTUAL TABLE w4 USING lsm(_key, b, PRIMARY KEY(_key, b));
SELECT cid, name, type, hidden FROM pragma_table_xinfo('w4');

-- No key: an auto rowid.
CREATE VIRTUAL TABLE log USING lsm(ts INTEGER, line TEXT);
PRAGMA table_info(log);

-- Declared types are kept verbatim; quoted names; NOT NULL shown.
-- (SQLite's sqlite3_declare_vtab drops DEFAULT, so dflt_value is empty.)
CREATE VIRTUAL TABLE d USING lsm(a INTEGER PRIMARY KEY, b TEXT DEFAULT 'x', c DEFAULT (1+1),
                                 "odd name" NUMERIC, [br] VARCHAR(10) NOT NULL DEFAULT -5);
SELECT cid, name, type, "notnull" FROM pragma_table_info('d');

-- Every option, with suffixes ('64K' = 65536) and quoting.
CREATE VIRTUAL TABLE o1 USING lsm(k, v, memtable_size='64K', block_size='1K', cache_size='1M',
                                  bloom_bits=0, compaction=fifo, fifo_max_size='1G', sync=off);
CREATE VIRTUAL TABLE o2 USING lsm(k, v, memtable_size=65536, path='sub/dir/o2store');
CREATE VIRTUAL TABLE o3 USING lsm(k, v, memtable_size='2M', path="o3.lsm", compaction=leveled, sync=normal);
CREATE VIRTUAL TABLE o4 USING lsm(k, v, cache_size=0, bloom_bits=32, block_size=256);
INSERT INTO o1 VALUES(1, 'one');
INSERT INTO o2 VALUES(2, 'two');
INSERT INTO o3 VALUES(3, 'three');
INSERT INTO o4 VALUES(4, 'four');
SELECT * FROM o1 UNION ALL SELECT * FROM o2 UNION ALL SELECT * FROM o3 UNION ALL SELECT * FROM o4;

-- Rejections: each names what it rejects, and creates nothing.
CREATE VIRTUAL TABLE e1 USING lsm(k, v, foo=1);
CREATE VIRTUAL TABLE e2 USING lsm(k, v, sync=sometimes);
CREATE VIRTUAL TABLE e3 USING lsm(k, v, compaction=universal);
CREATE VIRTUAL TABLE e4 USING lsm(k, v, memtable_size='12Q');
CREATE VIRTUAL TABLE e5 USING lsm(k, v, memtable_size=1);
CREATE VIRTUAL TABLE e6 USING lsm(k, v, memtable_size='2G');
CREATE VIRTUAL TABLE e7 USING lsm(k, v, block_size=0);
CREATE VIRTUAL TABLE e8 USING lsm(k, v, bloom_bits=33);
CREATE VIRTUAL TABLE e9 USING lsm(k, v, sync=off, sync=full);
CREATE VIRTUAL TABLE e10 USING lsm(k, v, memtable_size=);
CREATE VIRTUAL TABLE e11 USING lsm(k, v, path='');
CREATE VIRTUAL TABLE e12 USING lsm(k PRIMARY KEY, v UNIQUE);
CREATE VIRTUAL TABLE e13 USING lsm(k PRIMARY KEY, v, UNIQUE(v));
CREATE VIRTUAL TABLE e14 USING lsm(k PRIMARY KEY, v CHECK(v>0));
CREATE VIRTUAL TABLE e15 USING lsm(k PRIMARY KEY, v, CHECK(v>0));
CREATE VIRTUAL TABLE e16 USING lsm(k PRIMARY KEY, v REFERENCES p(x));
CREATE VIRTUAL TABLE e17 USING lsm(k PRIMARY KEY, v, FOREIGN KEY(v) REFERENCES p(x));
CREATE VIRTUAL TABLE e18 USING lsm(k TEXT PRIMARY KEY COLLATE NOCASE, v);
CREATE VIRTUAL TABLE e19 USING lsm(k PRIMARY KEY, v COLLATE NOCASE);
CREATE VIRTUAL TABLE e20 USING lsm(k PRIMARY KEY, v PRIMARY KEY);
CREATE VIRTUAL TABLE e21 USING lsm(k PRIMARY KEY, v, PRIMARY KEY(v));
CREATE VIRTUAL TABLE e22 USING lsm(k INTEGER PRIMARY KEY AUTOINCREMENT, v);
CREATE VIRTUAL TABLE e23 USING lsm(k PRIMARY KEY ON CONFLICT REPLACE, v);
CREATE VIRTUAL TABLE e24 USING lsm(k PRIMARY KEY, v NOT NULL ON CONFLICT REPLACE);
CREATE VIRTUAL TABLE e25 USING lsm(k PRIMARY KEY DESC, v);
CREATE VIRTUAL TABLE e26 USING lsm(k, v, PRIMARY KEY(k, zz));
CREATE VIRTUAL TABLE e27 USING lsm(k, k);
CREATE VIRTUAL TABLE e28 USING lsm(k, v GENERATED ALWAYS AS (k+1));
CREATE VIRTUAL TABLE e29 USING lsm(k, v, path='/tmp/abs');
CREATE VIRTUAL TABLE e30 USING lsm(k, v, path='../up');
CREATE VIRTUAL TABLE e31 USING lsm(k, v, path='a/../b');
-- SQLite's tokenizer itself rejects a bare 64K (DESIGN: quote it).
CREATE VIRTUAL TABLE e32 USING lsm(k, v, memtable_size=64K);
CREATE VIRTUAL TABLE kv USING lsm;

SELECT name FROM sqlite_schema ORDER BY name;
.system ls
.system ls sub/dir
