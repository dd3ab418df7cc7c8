/*
** storepath.h -- where a table's LSM store lives.  lsmvStorePath() turns
** the database file name, the table name and the table's path= option
** into the store directory's absolute path, and refuses any answer that
** leaves the database file's directory (DESIGN.md section 3, TESTPLAN R10,
** H2, H3) unless the application opted in.
**
** Rules, confined mode (bAllowOutside==0, the default):
**   - No path= option: the store is "<zDbFile>-<escaped table>.lsm" beside
**     the database file.  The table name is escaped so that it is one file
**     name component: '/', '%', bytes below 0x20 and 0x7F become "%XX"
**     (upper-case hex); every other byte, UTF-8 included, is kept.  The
**     mapping is injective, so two tables never share a store.  A table
**     name is NUL-free by construction (it is a C string from SQLite).
**     A resulting file name longer than NAME_MAX (255) bytes is an error.
**   - A path= option must pass lsmvPathCheck() (relative, no "." or ".."
**     component, valid UTF-8, no control character, at most LSMV_MAX_PATH
**     bytes) and is resolved against the database file's directory.
**   - Every component of the result below that directory that exists
**     already is inspected without following symbolic links: a symbolic
**     link anywhere (even one pointing back inside the directory) is an
**     error naming the component, as is a component that exists but is
**     not a directory.  Components that do not exist yet are fine: the
**     store creates them when it is first used.  The database directory
**     itself, chosen by the application, is trusted and may be reached
**     through symbolic links.
**   - An in-memory or temporary database (zDbFile NULL or "") with no
**     path= option gives LSMV_STOREPATH_TEMP (see below); with a path=
**     option it is an error: there is no directory to confine it to.
**
** Opt-in mode (bAllowOutside!=0): absolute paths, "..", and any other
** syntax lsmvPathCheck() rejects are allowed, symbolic links are followed,
** and a relative path of an in-memory database resolves against the
** process's working directory (the result is returned as given).  An
** existing component that is not a directory (after following links) is
** still an error, as are an empty path and a result of PATH_MAX bytes or
** more.  CONTRACT: bAllowOutside is the application's explicit decision,
** never something a database file or SQL can set.  The extension reads it
** once, at load time (sqlite3_lsmvtab_init), from the environment
** variable LSMVTAB_ALLOW_ANY_PATH: exactly "1" enables it, anything else
** or unset leaves it off.  It is stored with the module, not per table;
** no CREATE option or SQL function changes it.
**
** In-memory contract (LSMV_STOREPATH_TEMP): *pzResolved is NULL; the
** caller must create a private temporary directory for the store itself
** (mkdtemp() under $TMPDIR or /tmp, mode 0700), lazily on first use and
** not in xConnect, and remove it when the last connection using it
** closes.
**
** Read-only: the function only calls open(O_PATH), openat(O_PATH) and
** fstatat(); it never creates, writes, locks or deletes anything, so it is
** safe to call from xConnect on an untrusted database file (H2).  The
** check is a snapshot: a directory that changes afterwards is the store's
** opener's concern (it opens with O_NOFOLLOW as well).  Directory search
** permission is needed on every existing component.
**
** Thread safety: reentrant; no shared state.
*/
#ifndef LSMV_STOREPATH_H
#define LSMV_STOREPATH_H

/*
** Returned by lsmvStorePath() (with *pzResolved NULL) for an in-memory or
** temporary database without a path= option.  Negative, so it is never
** confused with an SQLite result code, and != SQLITE_OK, so a caller that
** forgets the case fails instead of using a NULL path.
*/
#define LSMV_STOREPATH_TEMP  (-1)

/* The environment variable of the opt-in (see the header comment). */
#define LSMV_STOREPATH_ENV   "LSMVTAB_ALLOW_ANY_PATH"

/*
** Compute the store directory of table zTable.
**   zDbFile       sqlite3_db_filename(db, zDb): an absolute path, or NULL
**                 or "" for an in-memory or temporary database.
**   zTable        the table's name (not NULL).
**   zPath         the table's path= option, or NULL for the default.
**   bAllowOutside the application's opt-in (see the header comment).
**   pzResolved    out: the store directory, an absolute path (except for
**                 a relative path of an in-memory database in opt-in
**                 mode); caller frees with sqlite3_free().  NULL unless
**                 SQLITE_OK is returned.
**   pzErr         out: on SQLITE_ERROR, a message naming the path and the
**                 reason, caller frees with sqlite3_free(); NULL otherwise.
** Returns SQLITE_OK, LSMV_STOREPATH_TEMP, SQLITE_ERROR (rejected) or
** SQLITE_NOMEM (*pzErr NULL).
*/
int lsmvStorePath(const char *zDbFile, const char *zTable, const char *zPath,
                  int bAllowOutside, char **pzResolved, char **pzErr);

#endif /* LSMV_STOREPATH_H */
