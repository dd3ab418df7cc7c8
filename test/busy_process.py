#!/usr/bin/python3
# busy_process.py -- a store is used by one process at a time.  Process A
# (a child: this script with --hold) opens the database, reads the lsm
# table and keeps a read cursor open on it, so its engine holds the
# store's lock.  Process B (this process, then the sqlite3 shell) opens the
# same database file and touches the table: every use must fail with
# SQLITE_BUSY and a message saying the store is locked, and nothing may be
# changed.  Once A exits, the same connection of B succeeds.
#
# Usage: busy_process.py [MODULE [SHELL]]; defaults $LSMVTAB_MODULE (else
# ./lsmvtab) and $SQLITE3_SHELL (else sqlite3 from PATH; the shell part is
# skipped if there is none).  Exit 0 if every check holds, 1 otherwise, 77
# if this Python cannot load extensions.  Needs Python >= 3.11 for
# sqlite3.Error.sqlite_errorcode.
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

SQLITE_BUSY = 5
failures = []


def check(cond, what):
    """Record a failed check (never stripped, unlike assert under -O)."""
    if not cond:
        failures.append(what)
        print("FAIL:", what)
    else:
        print("ok:", what)



def connect(path, module):
    con = sqlite3.connect(path, isolation_level=None)   # autocommit
    con.enable_load_extension(True)
    con.load_extension(module)
    con.enable_load_extension(False)
    return con


def hold(db, module):
    """Process A: open the store, keep a cursor open until stdin closes."""
    con = connect(db, module)
    cur = con.execute("SELECT k, v FROM t ORDER BY k")
    first = cur.fetchone()
    print("ready", first[0], flush=True)
    sys.stdin.read()                     # until the parent closes the pipe
    rest = cur.fetchall()
    con.close()
    return 0 if len(rest) == 9 else 1


def expect_busy(con, sql, what):
    try:
        con.execute(sql).fetchall()
        check(False, what + ": must fail while A holds the store")
    except sqlite3.Error as e:
        code = getattr(e, "sqlite_errorcode", None)
        check(code == SQLITE_BUSY and "locked" in str(e),
              "%s: SQLITE_BUSY (%r) and a clear message (%s)" % (what, code, e))


def run(db, module, shell):
    con = connect(db, module)
    con.execute("CREATE VIRTUAL TABLE t USING lsm(k INTEGER PRIMARY KEY, v)")
    con.execute("WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM s WHERE i<10) "
                "INSERT INTO t SELECT i, 'v' || i FROM s")
    con.close()

    a = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--hold", db, module],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = a.stdout.readline()
    check(line.strip() == "ready 1", "process A holds the store (%r)" % line)

    b = connect(db, module)
    b.execute("PRAGMA busy_timeout = 100")
    check(b.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0] == 1,
          "B reads the schema while A holds the store")
    expect_busy(b, "SELECT * FROM t", "B: SELECT")
    expect_busy(b, "INSERT INTO t VALUES (100, 'b')", "B: INSERT")
    expect_busy(b, "SELECT lsm_check('t')", "B: lsm_check")
    if shell:
        r = subprocess.run([shell, "-batch", db, ".load " + module,
                            "SELECT count(*) FROM t;"],
                           capture_output=True, text=True)
        out = r.stdout + r.stderr
        check("locked" in out and "(5)" in out and "10" not in r.stdout,
              "B as the sqlite3 shell: busy (%s)" % out.strip())

    a.stdin.close()
    check(a.wait(timeout=60) == 0, "process A read its other 9 rows and exited")
    a.stdout.close()

    check(b.execute("SELECT count(*), max(v) FROM t").fetchone() == (10, "v9"),
          "B's same connection reads the table once A has exited")
    b.execute("INSERT INTO t VALUES (100, 'b')")
    check(b.execute("SELECT v FROM t WHERE k = 100").fetchone() == ("b",),
          "B writes once A has exited")
    check(b.execute("SELECT lsm_check('t')").fetchone()[0] == "ok", "B: lsm_check ok")
    b.close()


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--hold":
        return hold(sys.argv[2], sys.argv[3])
    module = (sys.argv[1] if len(sys.argv) > 1
              else os.environ.get("LSMVTAB_MODULE", "./lsmvtab"))
    module = os.path.abspath(module)
    shell = (sys.argv[2] if len(sys.argv) > 2
             else os.environ.get("SQLITE3_SHELL") or shutil.which("sqlite3"))
    if not hasattr(sqlite3.Connection, "enable_load_extension"):
        print("SKIP: this Python cannot load SQLite extensions")
        return 77
    tmp = tempfile.mkdtemp(prefix="lsmv-busy-")
    try:
        run(os.path.join(tmp, "test.db"), module, shell)
    finally:
        shutil.rmtree(tmp)
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
