#!/usr/bin/python3
# client_python.py -- the "lsm" module from Python's sqlite3 (Debian's
# /usr/bin/python3, its SQLite 3.40): load the extension, create a table,
# bind parameters of every type (None, int, float, str, bytes), executemany,
# read everything back exactly (type and value), transactions through the
# module API (commit/rollback), and two connections of one process seeing
# each other's committed rows and not each other's uncommitted ones.
#
# Usage: client_python.py [MODULE]   MODULE is the module's path without
# ".so" (default: $LSMVTAB_MODULE, else ./lsmvtab).  Exit 0 only if every
# check holds; 1 otherwise (each failure is printed); 77 (skip) if this
# Python cannot load extensions.  make check runs it through
# test/pyrun.sh, which preloads the ASan runtime under a sanitizer build.
import os
import shutil
import sqlite3
import sys
import tempfile

failures = []


def check(cond, what):
    """Record a failed check (never stripped, unlike assert under -O)."""
    if not cond:
        failures.append(what)
        print("FAIL:", what)



def connect(path, module):
    con = sqlite3.connect(path)
    con.enable_load_extension(True)
    con.load_extension(module)
    con.enable_load_extension(False)
    return con


def typed(rows):
    """Rows as (type name, value) pairs, so 1 and 1.0 differ."""
    return [tuple((type(v).__name__, v) for v in r) for r in rows]


def main():
    module = (sys.argv[1] if len(sys.argv) > 1
              else os.environ.get("LSMVTAB_MODULE", "./lsmvtab"))
    module = os.path.abspath(module)
    if not hasattr(sqlite3.Connection, "enable_load_extension"):
        print("SKIP: this Python cannot load SQLite extensions")
        return 77
    tmp = tempfile.mkdtemp(prefix="lsmv-py-")
    try:
        run(os.path.join(tmp, "test.db"), module)
    finally:
        shutil.rmtree(tmp)
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


def run(db, module):
    con = connect(db, module)
    check(con.execute("SELECT lsm_version()").fetchone()[0] != "",
          "lsm_version() returns the version")
    con.execute("CREATE VIRTUAL TABLE t USING lsm(id INTEGER PRIMARY KEY, a, b TEXT, c REAL)")

    # Parameters of every type into an untyped column, one row each.
    values = [None, 0, 1, -1, 2**62, 2**63 - 1, -2**63, 1.0, -0.5, 1e300,
              float("inf"), "", "text", "unicode \u00e9\u4e2d\U0001f600",
              "nul\x00inside", b"", b"\x00", b"\xff\x00\xfe", bytes(range(256)),
              "x" * 100000, b"y" * 100000]
    with con:                                  # one transaction, committed
        for i, v in enumerate(values):
            con.execute("INSERT INTO t(id, a) VALUES (?, ?)", (i + 1, v))
    got = con.execute("SELECT a FROM t ORDER BY id").fetchall()
    check(typed(got) == typed([(v,) for v in values]),
          "every parameter type round-trips exactly")
    got = con.execute("SELECT typeof(a) FROM t ORDER BY id").fetchall()
    want = ["null", "integer", "integer", "integer", "integer", "integer",
            "integer", "real", "real", "real", "real", "text", "text", "text",
            "text", "blob", "blob", "blob", "blob", "text", "blob"]
    check([r[0] for r in got] == want, "storage classes: %r" % got)
    check(con.execute("SELECT length(a) FROM t WHERE id = 15").fetchone()[0] == 3,
          "a NUL inside TEXT: length() stops at it, as SQLite's does")
    check(con.execute("SELECT length(CAST(a AS BLOB)) FROM t WHERE id = 15").fetchone()[0] == 10,
          "a NUL inside TEXT: all 10 bytes kept")

    # Affinity on parameters, and a point lookup by parameter.
    with con:
        con.execute("INSERT INTO t VALUES (?, ?, ?, ?)", (1000, "p", 5, "2.5"))
    row = con.execute("SELECT a, b, c FROM t WHERE id = ?", (1000,)).fetchone()
    check(typed([row]) == typed([("p", "5", 2.5)]), "TEXT/REAL affinity: %r" % (row,))
    row = con.execute("SELECT id FROM t WHERE id = ?", ("1000",)).fetchone()
    check(row == (1000,), "a TEXT parameter finds the INTEGER key")

    # executemany, auto rowids and lastrowid.
    con.execute("CREATE VIRTUAL TABLE kv USING lsm")
    rows = [("k%03d" % i, i * 1.5 if i % 2 else "v%d" % i) for i in range(200)]
    with con:
        cur = con.executemany("INSERT INTO kv VALUES (?, ?)", rows)
        check(cur.rowcount == 200, "executemany rowcount %r" % cur.rowcount)
    check(typed(con.execute("SELECT key, value FROM kv").fetchall()) == typed(rows),
          "executemany rows read back in key order")
    check(con.execute("SELECT count(*) FROM kv WHERE key BETWEEN ? AND ?",
                      ("k010", "k019")).fetchone()[0] == 10, "range by parameters")
    con.execute("CREATE VIRTUAL TABLE log USING lsm(line TEXT)")
    with con:
        cur = con.execute("INSERT INTO log VALUES (?)", ("first",))
        check(cur.lastrowid == 1, "lastrowid of the first auto rowid")
        cur = con.execute("INSERT INTO log VALUES (?)", ("second",))
        check(cur.lastrowid == 2, "lastrowid of the second auto rowid")

    # Constraint errors surface as sqlite3.IntegrityError.
    try:
        with con:
            con.execute("INSERT INTO kv VALUES ('k000', 'dup')")
        check(False, "a duplicate key must fail")
    except sqlite3.IntegrityError as e:
        check("UNIQUE constraint failed: kv.key" in str(e), "message: %s" % e)

    # Transactions through the module's API.
    con.execute("INSERT INTO t(id, a) VALUES (2000, 'rolled back')")
    check(con.in_transaction, "an INSERT opens a transaction")
    check(con.execute("SELECT a FROM t WHERE id = 2000").fetchone() == ("rolled back",),
          "the transaction reads its own write")
    con.rollback()
    check(con.execute("SELECT count(*) FROM t WHERE id = 2000").fetchone()[0] == 0,
          "rollback() discards the write")
    con.execute("INSERT INTO t(id, a) VALUES (2001, 'committed')")
    con.execute("UPDATE t SET a = 'changed' WHERE id = 1")
    con.commit()
    check(con.execute("SELECT a FROM t WHERE id IN (1, 2001) ORDER BY id").fetchall()
          == [("changed",), ("committed",)], "commit() keeps the writes")

    # Two connections of one process.
    con2 = connect(db, module)
    check(con2.execute("SELECT a FROM t WHERE id = 2001").fetchone() == ("committed",),
          "a second connection sees committed rows")
    con.execute("INSERT INTO t(id, a) VALUES (3000, 'pending')")
    check(con2.execute("SELECT count(*) FROM t WHERE id = 3000").fetchone()[0] == 0,
          "a second connection does not see uncommitted rows")
    con.commit()
    check(con2.execute("SELECT a FROM t WHERE id = 3000").fetchone() == ("pending",),
          "... and sees them once committed")
    con2.execute("DELETE FROM t WHERE id = 3000")
    con2.execute("INSERT INTO kv VALUES ('from con2', x'01')")
    con2.commit()
    check(con.execute("SELECT count(*) FROM t WHERE id = 3000").fetchone()[0] == 0,
          "the first connection sees the second one's DELETE")
    check(con.execute("SELECT value FROM kv WHERE key = 'from con2'").fetchone() == (b"\x01",),
          "the first connection sees the second one's INSERT")
    con2.close()
    con.close()

    # Reopen: everything committed is there.
    con = connect(db, module)
    got = con.execute("SELECT a FROM t WHERE id <= ? ORDER BY id", (len(values),)).fetchall()
    want = [("changed",)] + [(v,) for v in values[1:]]
    check(typed(got) == typed(want), "rows after reopening")
    check(con.execute("SELECT count(*) FROM kv").fetchone()[0] == 201, "kv after reopening")
    check(con.execute("SELECT lsm_check('t')").fetchone()[0] == "ok", "lsm_check after reopening")
    con.close()


if __name__ == "__main__":
    sys.exit(main())
