/*
** lsmctl.h -- the declarations shared by the files of lsmctl, the
** command-line tool that inspects a store (a directory of lsmcore files)
** and its single files, in the style of RocksDB's ldb and sst_dump:
**   main.c         dispatch, option parsing, help, exit codes, opening a
**                  store (never creating one)
**   fmt.c          keys and values as printable text or hex, sizes, JSON
**                  strings, the progress line on a terminal
**   cmd_info.c     info: levels, files, amplification, the schema
**   cmd_check.c    check: the integrity check, with progress
**   cmd_dump.c     dump: keys and values in order (--table: rows.c)
**   rows.c         dump --table: an lsm table's keys and records decoded
**                  with the schema the store keeps, printed as SQL
**   cmd_sst.c      sst: one SSTable's properties, blocks and filter
**   cmd_wal.c      wal: one WAL's records (and entries)
**   cmd_compact.c  compact: a full compaction with a progress line
**
** The tool uses only the engine's public API (lsmcore.h).  Every command
** returns one of the exit codes below, and every error is one line on
** stderr that starts with "lsmctl: ".  Data goes to stdout, progress to
** stderr (drawn only when stderr is a terminal), so output piped into a
** file or a test is the same whatever the terminal.
**
** Thread safety: the tool is single-threaded except for compact, whose
** worker thread only calls lsmc_compact_range (the engine handle is
** thread-safe).
*/
#ifndef LSMCTL_H
#define LSMCTL_H

#include "lsmcore.h"

#include <stdint.h>
#include <stdio.h>

/* Exit codes. */
#define CTL_EXIT_OK       0   /* Success; check: no damage */
#define CTL_EXIT_DAMAGED  1   /* The store or the file is damaged */
#define CTL_EXIT_ERROR    2   /* Usage error, or the command could not run */

/* Options (CtlArgs flags; CtlCommand.mOpts says which a command takes). */
#define CTL_OPT_JSON      0x01  /* --json */
#define CTL_OPT_FROM      0x02  /* --from K */
#define CTL_OPT_TO        0x04  /* --to K */
#define CTL_OPT_LIMIT     0x08  /* --limit N */
#define CTL_OPT_HEX       0x10  /* --hex */
#define CTL_OPT_TABLE     0x20  /* --table */
#define CTL_OPT_ENTRIES   0x40  /* --entries */

/* Keys and values longer than this are cut in tables (info, sst). */
#define CTL_KEY_SHOWN     32

typedef struct CtlArgs CtlArgs;
typedef struct CtlProgress CtlProgress;

/*
** A parsed command line.  Strings point into argv.
*/
struct CtlArgs {
  const char *zCmd;           /* Command name */
  const char *zPath;          /* The one operand: DIR or FILE */
  int mOpts;                  /* CTL_OPT_* given */
  const char *zFrom;          /* --from, as typed */
  const char *zTo;            /* --to, as typed */
  int64_t nLimit;             /* --limit, or -1 */
};

/*
** The progress line: drawn on stderr, overwritten in place with "\r",
** only if stderr is a terminal (bTty); otherwise every call is a no-op.
** ctlProgressDraw redraws at most every 100 ms; ctlProgressEnd erases the
** line.
*/
struct CtlProgress {
  int bTty;                   /* stderr is a terminal */
  int nShown;                 /* Characters of the line on screen */
  uint64_t iLastMs;           /* When the line was last drawn */
};

/* main.c */
void ctlError(const char *zFmt, ...);
int ctlOpenStore(const char *zDir, int bBackground, lsmc_db **ppDb);
int ctlEngineError(lsmc_db *pDb, int rc, const char *zWhat);
int ctlFileCheck(const char *zPath);
int ctlFileError(const char *zPath, int rc, const char *zErr);

/* fmt.c */
void ctlPutKey(FILE *pOut, const void *p, size_t n, int bHex, size_t nMax);
char *ctlKeyText(const void *p, size_t n, int bHex, size_t nMax);
int ctlKeyParse(const char *zText, uint8_t **paKey, size_t *pnKey);
const char *ctlSize(uint64_t nByte, char *zBuf, size_t nBuf);
void ctlJsonString(FILE *pOut, const char *z);
void ctlJsonKey(FILE *pOut, const char *zName, const void *p, size_t n);
void ctlProgressInit(CtlProgress *p);
void ctlProgressDraw(CtlProgress *p, int bForce, const char *zFmt, ...);
void ctlProgressEnd(CtlProgress *p);

/* cmd_*.c: one function per command */
int ctlCmdInfo(const CtlArgs *pArgs);
int ctlCmdCheck(const CtlArgs *pArgs);
int ctlCmdDump(const CtlArgs *pArgs);
int ctlCmdSst(const CtlArgs *pArgs);
int ctlCmdWal(const CtlArgs *pArgs);
int ctlCmdCompact(const CtlArgs *pArgs);

/* cmd_info.c, also used by compact */
void ctlPrintLevels(FILE *pOut, const lsmc_stats *pStats);

/* rows.c */
#define CTL_SCHEMA_KEY "lsmvtab.schema"
int ctlRowsDump(lsmc_db *pDb, const char *zDir, int64_t nLimit);
int ctlTableOptions(lsmc_db *pDb, lsmc_options **ppOpts);
char *ctlSchemaText(const void *pVal, size_t nVal);

#endif /* LSMCTL_H */
