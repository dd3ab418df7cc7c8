/*
** main.c -- lsmctl's entry point: the command table, option parsing, the
** help texts, exit codes, and opening a store for the commands that read
** one.
**
** Command line: lsmctl COMMAND [OPTIONS] OPERAND, options and the operand
** in any order; "--" ends the options (for an operand that starts with
** "-"); an option's value follows it ("--limit 10") or is joined with "="
** ("--limit=10").  Each command accepts only its own options (CtlCommand
** .mOpts).  A usage error prints one "lsmctl: " line and the command's
** synopsis on stderr and exits with CTL_EXIT_ERROR.
**
** Opening a store (ctlOpenStore) never creates one: the directory must
** exist and hold an IDENTITY file (lsmc_open with LSMC_OPT_CREATE=0 would
** refuse a missing directory but adopt an empty one).  The store is
** opened with the engine's default options, then, if it keeps a table
** declaration, again with the table's options (lsmvEngineOptions).  The open takes the
** store's lock, so a store in use by another process is reported as busy
** and left alone.  Like any open, it recovers the store: a WAL is replayed
** and a new manifest and WAL are started.  The reading commands (info,
** check, dump) open it with LSMC_OPT_BACKGROUND=0: the engine then starts
** no flush or compaction of its own (they would only follow writes), so
** what they show is not changed under them while they run.
*/
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif
#include "lsmctl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef PACKAGE_VERSION
# define PACKAGE_VERSION "unknown"
#endif

/*
** One command: its name, what it runs, the options it takes, its
** synopsis and the text "lsmctl help NAME" prints after the synopsis.
*/
typedef struct CtlCommand CtlCommand;
struct CtlCommand {
  const char *zName;                  /* "info", "check", ... */
  int (*xRun)(const CtlArgs*);        /* The command; returns CTL_EXIT_* */
  int mOpts;                          /* CTL_OPT_* it accepts */
  const char *zSynopsis;              /* Arguments after the name */
  const char *zHelp;                  /* What it does, its options */
};

static const CtlCommand aCtlCommand[] = {
  { "info", ctlCmdInfo, CTL_OPT_JSON, "DIR [--json]",
    "Show the store's levels (files and bytes per level), every SSTable\n"
    "(number, level, bytes, entries, tombstones, smallest and largest key),\n"
    "the totals, the memtable bytes, write and space amplification, and the\n"
    "table declaration the SQLite module keeps in the store, if any.\n"
    "Keys are shown in printable form, cut after 32 bytes.\n"
    "\n"
    "  --json   print one JSON object instead (keys in full, printable\n"
    "           and hex)\n" },
  { "check", ctlCmdCheck, 0, "DIR",
    "Run the integrity check: every checksum of every SSTable, key order,\n"
    "no overlap between files of levels 1 and deeper, every key present in\n"
    "its file's filter, sequence numbers, and the manifest against the\n"
    "directory.  Prints \"ok\" or one line per fault (orphan files are\n"
    "notes, not damage).  A progress line is drawn on stderr when it is a\n"
    "terminal.  Exit status 0: no damage; 1: damage found.\n" },
  { "dump", ctlCmdDump,
    CTL_OPT_FROM|CTL_OPT_TO|CTL_OPT_LIMIT|CTL_OPT_HEX|CTL_OPT_TABLE,
    "DIR [--from K] [--to K] [--limit N] [--hex] [--table]",
    "Print the store's keys and values in key order, one pair a line, the\n"
    "key and the value separated by a tab.  Bytes are shown in printable\n"
    "form: a byte outside 0x20..0x7e is \\xNN and a backslash is \\\\.\n"
    "\n"
    "  --from K   start at the first key >= K (inclusive)\n"
    "  --to K     stop before the first key >= K (exclusive)\n"
    "  --limit N  print at most N lines (rows with --table)\n"
    "  --hex      show keys and values as hex digits\n"
    "  --table    decode the keys and values as rows of the lsm table\n"
    "             whose declaration the store keeps, and print SQL that\n"
    "             recreates them in a native table:\n"
    "               lsmctl dump --table DIR | sqlite3 copy.db\n"
    "             (not with --from, --to or --hex)\n"
    "\n"
    "K is text in the printable form (\\xNN for a byte, \\\\ for a backslash),\n"
    "or 0x followed by hex digits.\n" },
  { "sst", ctlCmdSst, 0, "FILE",
    "Read one SSTable file on its own (no store is opened, so the file may\n"
    "belong to a store in use, or be a copy) and show its properties, its\n"
    "block-by-block layout (offset, size, entries, first and last key,\n"
    "checksum ok or damaged) and its filter (bits per key, probes, lines,\n"
    "bits set, expected false-positive rate).  Exit status 1 if a block is\n"
    "damaged.\n" },
  { "wal", ctlCmdWal, CTL_OPT_ENTRIES, "FILE [--entries]",
    "Read one write-ahead log file (NNNNNN.log) on its own and show one\n"
    "line per record: offset, type, first sequence number, entries,\n"
    "payload bytes, fragments; then the bytes of a torn tail (a write cut\n"
    "short by a crash; not damage).  Exit status 1 if the log is damaged\n"
    "before its end (damage followed by valid records).\n"
    "\n"
    "  --entries  also show every entry of every batch (sequence number,\n"
    "             put or del, key, value)\n" },
  { "compact", ctlCmdCompact, 0, "DIR",
    "Flush the memtable and compact the whole key range (what the store's\n"
    "compaction strategy does for a full range), drawing a progress line\n"
    "on stderr when it is a terminal; then show the levels before and\n"
    "after.\n" },
  { "help", 0, 0, "[COMMAND]",
    "Show the list of commands, or the help of one command.\n" },
};
#define CTL_NCOMMAND ((int)(sizeof(aCtlCommand)/sizeof(aCtlCommand[0])))

/* Print "lsmctl: <message>" and a newline on stderr. */
void ctlError(const char *zFmt, ...){
  va_list ap;
  fflush(stdout);
  fputs("lsmctl: ", stderr);
  va_start(ap, zFmt);
  vfprintf(stderr, zFmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

/* The command named zName, or NULL. */
static const CtlCommand *ctlFindCommand(const char *zName){
  int i;
  for(i=0; i<CTL_NCOMMAND; i++){
    if( strcmp(aCtlCommand[i].zName, zName)==0 ) return &aCtlCommand[i];
  }
  return 0;
}

/* The general usage text, on pOut. */
static void ctlUsage(FILE *pOut){
  int i;
  fputs("usage: lsmctl COMMAND [OPTIONS] ARG\n"
        "Inspect an lsmvtab store (a directory) or one of its files.\n"
        "\n"
        "Commands:\n", pOut);
  for(i=0; i<CTL_NCOMMAND; i++){
    fprintf(pOut, "  lsmctl %s %s\n", aCtlCommand[i].zName,
            aCtlCommand[i].zSynopsis);
  }
  fputs("\n"
        "Exit status: 0 success; 1 the store or file is damaged; 2 usage\n"
        "error, or the command could not run (no such directory, not a store,\n"
        "store in use, I/O error).\n"
        "\n"
        "lsmctl help COMMAND shows a command's options; man lsmctl has it all.\n"
        "lsmctl --version prints the version.\n", pOut);
}

/* The help of one command, on pOut. */
static void ctlCommandHelp(FILE *pOut, const CtlCommand *pCmd){
  fprintf(pOut, "usage: lsmctl %s %s\n\n%s", pCmd->zName, pCmd->zSynopsis,
          pCmd->zHelp);
}

/* A usage error: the message, then the synopsis (of pCmd if known). */
static int ctlUsageError(const CtlCommand *pCmd, const char *zFmt,
                         const char *zArg){
  fflush(stdout);
  fputs("lsmctl: ", stderr);
  fprintf(stderr, zFmt, zArg);
  fputc('\n', stderr);
  if( pCmd ){
    fprintf(stderr, "usage: lsmctl %s %s\n", pCmd->zName, pCmd->zSynopsis);
    fprintf(stderr, "(lsmctl help %s for details)\n", pCmd->zName);
  }else{
    ctlUsage(stderr);
  }
  return CTL_EXIT_ERROR;
}

/* lsmctl help [COMMAND] */
static int ctlHelp(int nArg, char **azArg){
  const CtlCommand *pCmd;
  if( nArg==0 ){
    ctlUsage(stdout);
    return CTL_EXIT_OK;
  }
  if( nArg>1 ){
    return ctlUsageError(ctlFindCommand("help"), "help takes one command "
                         "name, not %s", azArg[1]);
  }
  pCmd = ctlFindCommand(azArg[0]);
  if( pCmd==0 ){
    return ctlUsageError(0, "no such command: %s", azArg[0]);
  }
  ctlCommandHelp(stdout, pCmd);
  return CTL_EXIT_OK;
}

/*
** Parse the non-negative integer zText into *pn.  Returns 0 or -1.
*/
static int ctlParseCount(const char *zText, int64_t *pn){
  char *zEnd = 0;
  long long n;
  if( zText[0]<'0' || zText[0]>'9' ) return -1;
  errno = 0;
  n = strtoll(zText, &zEnd, 10);
  if( errno || *zEnd ) return -1;
  *pn = n;
  return 0;
}

/*
** Parse the arguments after the command name into *pArgs.  Returns 0,
** CTL_EXIT_ERROR after printing the usage error, or CTL_PARSE_HELP after
** printing the command's help (--help or -h among the options).
*/
#define CTL_PARSE_HELP (-1)
static int ctlParseArgs(const CtlCommand *pCmd, int nArg, char **azArg,
                        CtlArgs *pArgs){
  static const struct { const char *zName; int eOpt; int bValue; } aOpt[] = {
    { "--json",    CTL_OPT_JSON,    0 },
    { "--from",    CTL_OPT_FROM,    1 },
    { "--to",      CTL_OPT_TO,      1 },
    { "--limit",   CTL_OPT_LIMIT,   1 },
    { "--hex",     CTL_OPT_HEX,     0 },
    { "--table",   CTL_OPT_TABLE,   0 },
    { "--entries", CTL_OPT_ENTRIES, 0 },
  };
  int bOptsDone = 0;
  int i, j;
  memset(pArgs, 0, sizeof(*pArgs));
  pArgs->zCmd = pCmd->zName;
  pArgs->nLimit = -1;
  for(i=0; i<nArg; i++){
    const char *z = azArg[i];
    const char *zValue = 0;
    size_t nName;
    if( bOptsDone || z[0]!='-' || z[1]=='\0' ){
      if( pArgs->zPath ){
        return ctlUsageError(pCmd, "unexpected argument: %s", z);
      }
      pArgs->zPath = z;
      continue;
    }
    if( strcmp(z, "--")==0 ){ bOptsDone = 1; continue; }
    if( strcmp(z, "--help")==0 || strcmp(z, "-h")==0 ){
      ctlCommandHelp(stdout, pCmd);
      return CTL_PARSE_HELP;
    }
    nName = strcspn(z, "=");
    for(j=0; j<(int)(sizeof(aOpt)/sizeof(aOpt[0])); j++){
      if( strlen(aOpt[j].zName)==nName
       && memcmp(aOpt[j].zName, z, nName)==0 ) break;
    }
    if( j==(int)(sizeof(aOpt)/sizeof(aOpt[0]))
     || (pCmd->mOpts & aOpt[j].eOpt)==0 ){
      return ctlUsageError(pCmd, "unknown option: %s", z);
    }
    if( aOpt[j].bValue ){
      if( z[nName]=='=' ){
        zValue = &z[nName+1];
      }else if( i+1<nArg ){
        zValue = azArg[++i];
      }else{
        return ctlUsageError(pCmd, "option %s needs a value", z);
      }
    }else if( z[nName]=='=' ){
      return ctlUsageError(pCmd, "option %s takes no value", z);
    }
    if( pArgs->mOpts & aOpt[j].eOpt ){
      return ctlUsageError(pCmd, "option %s given twice", aOpt[j].zName);
    }
    pArgs->mOpts |= aOpt[j].eOpt;
    switch( aOpt[j].eOpt ){
      case CTL_OPT_FROM: pArgs->zFrom = zValue; break;
      case CTL_OPT_TO:   pArgs->zTo = zValue;   break;
      case CTL_OPT_LIMIT:
        if( ctlParseCount(zValue, &pArgs->nLimit) ){
          return ctlUsageError(pCmd, "--limit needs a number >= 0, not %s",
                               zValue);
        }
        break;
      default: break;
    }
  }
  if( pArgs->zPath==0 ){
    return ctlUsageError(pCmd, "%s needs an argument", pCmd->zName);
  }
  if( (pArgs->mOpts & CTL_OPT_TABLE)
   && (pArgs->mOpts & (CTL_OPT_FROM|CTL_OPT_TO|CTL_OPT_HEX)) ){
    return ctlUsageError(pCmd, "%s", "--table cannot be combined with "
                         "--from, --to or --hex");
  }
  return 0;
}

/*
** Report a failed engine call: "lsmctl: " and the engine's message (it
** names the store), or zWhat and the code's text when the engine has none.
** Returns the exit code: CTL_EXIT_DAMAGED for LSMC_CORRUPT, else
** CTL_EXIT_ERROR.
*/
int ctlEngineError(lsmc_db *pDb, int rc, const char *zWhat){
  const char *zMsg = pDb ? lsmc_errmsg(pDb) : 0;
  if( zMsg && zMsg[0] && strcmp(zMsg, "not an error")!=0 ){
    ctlError("%s", zMsg);
  }else{
    ctlError("%s: %s", zWhat, lsmc_errstr(rc));
  }
  return (rc & 0xff)==LSMC_CORRUPT ? CTL_EXIT_DAMAGED : CTL_EXIT_ERROR;
}

/*
** Open the store in directory zDir for a command (see the header
** comment); bBackground: with the engine's background thread.  Returns
** CTL_EXIT_OK with *ppDb set, or CTL_EXIT_ERROR (or CTL_EXIT_DAMAGED for
** a damaged store) after printing why.
*/
int ctlOpenStore(const char *zDir, int bBackground, lsmc_db **ppDb){
  lsmc_options *pOpts = 0;
  lsmc_db *pDb = 0;
  struct stat st;
  char *zIdentity;
  size_t nIdentity;
  int bIdentity;
  int rc;

  *ppDb = 0;
  if( stat(zDir, &st)!=0 ){
    if( errno==ENOENT ){
      ctlError("%s: no such directory", zDir);
    }else{
      ctlError("%s: %s", zDir, strerror(errno));
    }
    return CTL_EXIT_ERROR;
  }
  if( !S_ISDIR(st.st_mode) ){
    ctlError("%s: not a directory (a store is a directory)", zDir);
    return CTL_EXIT_ERROR;
  }
  nIdentity = strlen(zDir) + sizeof("/IDENTITY");
  zIdentity = malloc(nIdentity);
  if( zIdentity==0 ){
    ctlError("out of memory");
    return CTL_EXIT_ERROR;
  }
  snprintf(zIdentity, nIdentity, "%s/IDENTITY", zDir);
  bIdentity = stat(zIdentity, &st)==0;
  free(zIdentity);
  if( !bIdentity ){
    ctlError("%s: not an lsmvtab store (no IDENTITY file)", zDir);
    return CTL_EXIT_ERROR;
  }

  rc = lsmc_options_new(&pOpts);
  if( rc==LSMC_OK ) rc = lsmc_options_set(pOpts, LSMC_OPT_CREATE, 0);
  if( rc==LSMC_OK && !bBackground ){
    rc = lsmc_options_set(pOpts, LSMC_OPT_BACKGROUND, 0);
  }
  if( rc==LSMC_OK ) rc = lsmc_open(zDir, pOpts, &pDb);
  lsmc_options_free(pOpts);
  pOpts = 0;

  /* A table's store is reopened with the table's own options, as the
  ** module opens it: a tiered or fifo store keeps its strategy (compact),
  ** and its WAL recovers by the table's rule.  The first open, with the
  ** defaults and no background work, only reads the declaration; its
  ** recovery is strict, so it never drops what the table's would keep. */
  if( rc==LSMC_OK ) rc = ctlTableOptions(pDb, &pOpts);
  if( rc==LSMC_OK && pOpts ){
    if( !bBackground ) rc = lsmc_options_set(pOpts, LSMC_OPT_BACKGROUND, 0);
    if( rc==LSMC_OK ){
      rc = lsmc_close(pDb);
      pDb = 0;
    }
    if( rc==LSMC_OK ) rc = lsmc_open(zDir, pOpts, &pDb);
    lsmc_options_free(pOpts);
  }
  if( rc!=LSMC_OK ){
    int eExit;
    if( (rc & 0xff)==LSMC_BUSY ){
      ctlError("%s: store is in use by another process", zDir);
      eExit = CTL_EXIT_ERROR;
    }else{
      eExit = ctlEngineError(pDb, rc, zDir);
    }
    lsmc_close(pDb);
    return eExit;
  }
  *ppDb = pDb;
  return CTL_EXIT_OK;
}

/*
** Check that zPath names a regular file, for sst and wal.  Returns
** CTL_EXIT_OK, or CTL_EXIT_ERROR after printing why not.
*/
int ctlFileCheck(const char *zPath){
  struct stat st;
  if( stat(zPath, &st)!=0 ){
    if( errno==ENOENT ){
      ctlError("%s: no such file", zPath);
    }else{
      ctlError("%s: %s", zPath, strerror(errno));
    }
    return CTL_EXIT_ERROR;
  }
  if( !S_ISREG(st.st_mode) ){
    ctlError("%s: not a regular file", zPath);
    return CTL_EXIT_ERROR;
  }
  return CTL_EXIT_OK;
}

/*
** Report a failed lsmc_sst_inspect or lsmc_wal_inspect of zPath: rc and
** the engine's *pzErr text zErr (may be NULL; it says what and where, not
** the path).  Returns the exit code: CTL_EXIT_DAMAGED for LSMC_CORRUPT,
** else CTL_EXIT_ERROR.
*/
int ctlFileError(const char *zPath, int rc, const char *zErr){
  if( (rc & 0xff)==LSMC_CORRUPT ){
    ctlError("%s: damaged: %s", zPath, zErr ? zErr : lsmc_errstr(rc));
    return CTL_EXIT_DAMAGED;
  }
  ctlError("%s: %s", zPath, zErr ? zErr : lsmc_errstr(rc));
  return CTL_EXIT_ERROR;
}

/*
** lsmctl --help | --version | help [COMMAND] | COMMAND [OPTIONS] ARG.
** Returns the command's exit code (CTL_EXIT_*).
*/
int main(int argc, char **argv){
  const CtlCommand *pCmd;
  CtlArgs args;
  int rc;

  if( argc<2 ){
    return ctlUsageError(0, "%s", "no command given");
  }
  if( strcmp(argv[1], "--help")==0 || strcmp(argv[1], "-h")==0 ){
    return ctlHelp(argc-2, &argv[2]);
  }
  if( strcmp(argv[1], "--version")==0 ){
    printf("lsmctl %s\n", PACKAGE_VERSION);
    return CTL_EXIT_OK;
  }
  pCmd = ctlFindCommand(argv[1]);
  if( pCmd==0 ){
    return ctlUsageError(0, argv[1][0]=='-' ? "unknown option: %s"
                                            : "unknown command: %s", argv[1]);
  }
  if( pCmd->xRun==0 ){
    if( argc>2 && (strcmp(argv[2], "--help")==0 || strcmp(argv[2], "-h")==0) ){
      ctlCommandHelp(stdout, pCmd);
      return CTL_EXIT_OK;
    }
    return ctlHelp(argc-2, &argv[2]);
  }
  rc = ctlParseArgs(pCmd, argc-2, &argv[2], &args);
  if( rc==CTL_PARSE_HELP ) return CTL_EXIT_OK;
  if( rc ) return rc;
  rc = pCmd->xRun(&args);
  if( fflush(stdout)!=0 || ferror(stdout) ){
    ctlError("cannot write the output: %s", strerror(errno));
    if( rc==CTL_EXIT_OK ) rc = CTL_EXIT_ERROR;
  }
  return rc;
}
