/*
** check_storepath.c -- unit tests of ext/storepath.c: where a table's
** store lives and its confinement to the database directory (TESTPLAN
** H3; the read-only half of H2).
**
** Covered: a table of cases (aCase) run against a sandbox made under /tmp
** by sandboxMake(): a database directory "root" holding the database file,
** existing subdirectories, a regular file, symbolic links to outside (as
** the last and as a middle component), a link pointing inside, a dangling
** link, a Unicode directory, a default store name that is a link and one
** that is a regular file; and a directory "outside" with a canary file.
** Each case gives the database (file, in-memory, or a name in "/"), the
** table, the path option and the opt-in flag, and expects an exact
** resolved path, LSMV_STOREPATH_TEMP, or SQLITE_ERROR with a message that
** starts "lsm: path \"", quotes the path and contains a given reason.
** Cases that the opt-in changes appear twice.  Then: every case run again
** between two snapshots of the sandbox (name, type, size, mtime, inode):
** identical, i.e. the function touches nothing.  Finally the file names
** SQLite reports for in-memory, temp and attached "" databases are the
** ones lsmvStorePath treats as in-memory.
*/
#include "storepath.h"

#include <sqlite3.h>

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The sandbox directory, made by main() before the suite runs. */
static char zSandbox[64];

/* Database kinds of a case. */
#define DB_FILE    0          /* <sandbox>/root/main.db */
#define DB_MEMORY  1          /* "" */
#define DB_NULL    2          /* NULL */
#define DB_ROOTFS  3          /* /lsmv-no-such-db (a file in "/") */
#define DB_LINKED  4          /* <sandbox>/dblink/main.db, dblink -> root */

typedef struct Case Case;
struct Case {
  int eDb;                    /* DB_* */
  const char *zTable;         /* Table name */
  const char *zPath;          /* path= option; "@" expands to the sandbox;
                              ** "#L" to a long path (see caseExpand) */
  int bAllow;                 /* bAllowOutside */
  const char *zExpect;        /* "OK:<resolved, @ = sandbox>", "TEMP" or
                              ** "ERR:<substring of the message>" */
};

static const Case aCase[] = {
  /* Default store beside the database file. */
  { DB_FILE, "t", 0, 0,                 "OK:@/root/main.db-t.lsm" },
  { DB_FILE, "t", 0, 1,                 "OK:@/root/main.db-t.lsm" },
  { DB_ROOTFS, "t", 0, 0,               "OK:/lsmv-no-such-db-t.lsm" },
  /* Table names with odd characters. */
  { DB_FILE, "a/b", 0, 0,               "OK:@/root/main.db-a%2Fb.lsm" },
  { DB_FILE, "100%", 0, 0,              "OK:@/root/main.db-100%25.lsm" },
  { DB_FILE, "..", 0, 0,                "OK:@/root/main.db-...lsm" },
  { DB_FILE, "x\ny\x7f", 0, 0,          "OK:@/root/main.db-x%0Ay%7F.lsm" },
  { DB_FILE, "日本", 0, 0,              "OK:@/root/main.db-日本.lsm" },
  { DB_FILE, "", 0, 0,                  "OK:@/root/main.db-.lsm" },
  { DB_FILE, "#T", 0, 0,                "ERR:longer than 255 bytes" },
  /* The default store name exists as a symlink / a regular file. */
  { DB_FILE, "evil", 0, 0,              "ERR:\"main.db-evil.lsm\" is a symbolic link" },
  { DB_FILE, "evil", 0, 1,              "OK:@/root/main.db-evil.lsm" },
  { DB_FILE, "plain", 0, 0,             "ERR:is not a directory" },
  { DB_FILE, "plain", 0, 1,             "ERR:is not a directory" },
  /* Relative subdirectories, existing or not. */
  { DB_FILE, "t", "sub", 0,             "OK:@/root/sub" },
  { DB_FILE, "t", "sub/deep", 0,        "OK:@/root/sub/deep" },
  { DB_FILE, "t", "sub/new", 0,         "OK:@/root/sub/new" },
  { DB_FILE, "t", "n1/n2/n3", 0,        "OK:@/root/n1/n2/n3" },
  { DB_FILE, "t", "store", 0,           "OK:@/root/store" },
  { DB_FILE, "t", "sub/deep/new", 1,    "OK:@/root/sub/deep/new" },
  /* "..". */
  { DB_FILE, "t", "..", 0,              "ERR:leaves the database directory (set LSMVTAB_ALLOW_ANY_PATH=1" },
  { DB_FILE, "t", "..", 1,              "OK:@/root/.." },
  { DB_FILE, "t", "a/../b", 0,          "ERR:leaves the database directory" },
  { DB_FILE, "t", "a/../b", 1,          "OK:@/root/a/../b" },
  { DB_FILE, "t", "../outside", 0,      "ERR:leaves the database directory" },
  { DB_FILE, "t", "../outside", 1,      "OK:@/root/../outside" },
  { DB_FILE, "t", "sub/../file", 1,     "ERR:\"sub/../file\" exists and is not a directory" },
  /* Absolute paths, inside and outside. */
  { DB_FILE, "t", "@/root/sub", 0,      "ERR:is absolute" },
  { DB_FILE, "t", "@/root/sub", 1,      "OK:@/root/sub" },
  { DB_FILE, "t", "@/outside", 0,       "ERR:is absolute" },
  { DB_FILE, "t", "@/outside", 1,       "OK:@/outside" },
  { DB_FILE, "t", "@/root/file/x", 1,   "ERR:exists and is not a directory" },
  /* Symbolic links: last, middle, pointing inside, dangling. */
  { DB_FILE, "t", "linkout", 0,         "ERR:\"linkout\" is a symbolic link" },
  { DB_FILE, "t", "linkout", 1,         "OK:@/root/linkout" },
  { DB_FILE, "t", "linkout/x", 0,       "ERR:\"linkout\" is a symbolic link" },
  { DB_FILE, "t", "linkout/x", 1,       "OK:@/root/linkout/x" },
  { DB_FILE, "t", "sub/linkout2/x", 0,  "ERR:\"sub/linkout2\" is a symbolic link" },
  { DB_FILE, "t", "sub/linkout2/x", 1,  "OK:@/root/sub/linkout2/x" },
  { DB_FILE, "t", "linkin", 0,          "ERR:\"linkin\" is a symbolic link" },
  { DB_FILE, "t", "linkin", 1,          "OK:@/root/linkin" },
  { DB_FILE, "t", "linkin/deep", 0,     "ERR:\"linkin\" is a symbolic link" },
  { DB_FILE, "t", "linkin/deep", 1,     "OK:@/root/linkin/deep" },
  { DB_FILE, "t", "dangling", 0,        "ERR:\"dangling\" is a symbolic link" },
  { DB_FILE, "t", "dangling", 1,        "OK:@/root/dangling" },
  /* A regular file where a directory is needed. */
  { DB_FILE, "t", "file", 0,            "ERR:\"file\" exists and is not a directory" },
  { DB_FILE, "t", "file", 1,            "ERR:\"file\" exists and is not a directory" },
  { DB_FILE, "t", "file/x", 0,          "ERR:\"file\" exists and is not a directory" },
  { DB_FILE, "t", "sub/deep/f2/x", 0,   "ERR:\"sub/deep/f2\" exists and is not a directory" },
  /* In-memory and temporary databases. */
  { DB_MEMORY, "t", 0, 0,               "TEMP" },
  { DB_MEMORY, "t", 0, 1,               "TEMP" },
  { DB_NULL, "t", 0, 0,                 "TEMP" },
  { DB_MEMORY, "t", "x", 0,             "ERR:in-memory or temporary database" },
  { DB_NULL, "t", "x", 0,               "ERR:in-memory or temporary database" },
  { DB_MEMORY, "t", "lsmv-no-such-dir", 1, "OK:lsmv-no-such-dir" },
  { DB_MEMORY, "t", "@/outside", 1,     "OK:@/outside" },
  /* Long paths: 10 KB (always refused), 3 KB (opt-in only). */
  { DB_FILE, "t", "#10K", 0,            "ERR:longer than 512 bytes" },
  { DB_FILE, "t", "#10K", 1,            "ERR:longer than PATH_MAX" },
  { DB_FILE, "t", "#3K", 0,             "ERR:longer than 512 bytes" },
  { DB_FILE, "t", "#3K", 1,             "OK:@/root/#3K" },
  /* Unicode and other syntax. */
  { DB_FILE, "t", "日本語", 0,          "OK:@/root/日本語" },
  { DB_FILE, "t", "données/ünï", 0,     "OK:@/root/données/ünï" },
  { DB_FILE, "t", "bad\xff", 0,         "ERR:not valid UTF-8" },
  { DB_FILE, "t", "bad\xff", 1,         "OK:@/root/bad\xff" },
  { DB_FILE, "t", "a\tb", 0,            "ERR:control character" },
  { DB_FILE, "t", "a\tb", 1,            "OK:@/root/a\tb" },
  { DB_FILE, "t", "sub/", 0,            "ERR:empty component" },
  { DB_FILE, "t", "sub/", 1,            "OK:@/root/sub/" },
  { DB_FILE, "t", "./sub", 0,           "ERR:\".\" component" },
  { DB_FILE, "t", "./sub", 1,           "OK:@/root/./sub" },
  { DB_FILE, "t", "", 0,                "ERR:is empty" },
  { DB_FILE, "t", "", 1,                "ERR:is empty" },
  /* H3: names that only look like escapes are plain names. */
  { DB_FILE, "t", "...", 0,             "OK:@/root/..." },
  { DB_FILE, "t", ".hidden", 0,         "OK:@/root/.hidden" },
  { DB_FILE, "t", "..\\x", 0,           "OK:@/root/..\\x" },
  { DB_FILE, "t", "%2e%2e/x", 0,        "OK:@/root/%2e%2e/x" },
  { DB_FILE, "t", "~", 0,               "OK:@/root/~" },
  { DB_FILE, "t", "$HOME", 0,           "OK:@/root/$HOME" },
  { DB_FILE, "t", "\xef\xbc\x8e\xef\xbc\x8e", 0, "OK:@/root/\xef\xbc\x8e\xef\xbc\x8e" },
  { DB_FILE, "t", "\xe2\x80\xae" "dir", 0, "OK:@/root/\xe2\x80\xae" "dir" },
  { DB_FILE, "t", "a//b", 0,            "ERR:empty component" },
  { DB_FILE, "t", "//x", 0,             "ERR:is absolute" },
  { DB_FILE, "t", "sub/..", 0,          "ERR:leaves the database directory" },
  { DB_FILE, "t", "sub/.", 0,           "ERR:\".\" component" },
  /* H3: invalid UTF-8 that decodes to "." or "/" in lax decoders. */
  { DB_FILE, "t", "\xc0\xae\xc0\xae/x", 0, "ERR:not valid UTF-8" },
  { DB_FILE, "t", "a\xc0\xaf" "b", 0,     "ERR:not valid UTF-8" },
  { DB_FILE, "t", "\xed\xa0\x80", 0,    "ERR:not valid UTF-8" },
  { DB_FILE, "t", "\xf4\x90\x80\x80", 0, "ERR:not valid UTF-8" },
  /* H3: length limits: a 255-byte component is fine, 256 cannot be
  ** inspected; 512 bytes in all is fine, 513 is refused. */
  { DB_FILE, "t", "#C255", 0,           "OK:@/root/#C255" },
  { DB_FILE, "t", "#C256", 0,           "ERR:cannot be inspected" },
  { DB_FILE, "t", "#P512", 0,           "OK:@/root/#P512" },
  { DB_FILE, "t", "#P513", 0,           "ERR:longer than 512 bytes" },
  /* H3: a database directory reached through a symbolic link is the
  ** application's choice and trusted; links below it are not. */
  { DB_LINKED, "t", 0, 0,               "OK:@/dblink/main.db-t.lsm" },
  { DB_LINKED, "t", "sub/deep", 0,      "OK:@/dblink/sub/deep" },
  { DB_LINKED, "t", "linkout", 0,       "ERR:\"linkout\" is a symbolic link" },
};
#define N_CASE ((int)(sizeof(aCase)/sizeof(aCase[0])))

/*
** Expand the markers of a case string into an sqlite3_malloc'd string:
** "@" is the sandbox; "#10K" a 10 KB path of 2-byte components;
** "#3K" a 3 KB one ("a/a/.../a"); "#T" 300 bytes of "T"; "#Cn" one
** component of n bytes; "#Pn" an n-byte path ("b/b/.../b", or
** "bb/b/.../b" for an even n).
*/
static char *caseExpand(const char *z){
  sqlite3_str *pStr = sqlite3_str_new(0);
  char *zOut;
  while( *z ){
    if( *z=='@' ){
      sqlite3_str_appendall(pStr, zSandbox);
      z++;
    }else if( strncmp(z, "#10K", 4)==0 || strncmp(z, "#3K", 3)==0 ){
      int n = z[1]=='1' ? 10240 : 3072, i;
      for(i=0; i<n/2; i++) sqlite3_str_appendall(pStr, i ? "/a" : "aa");
      z += z[1]=='1' ? 4 : 3;
    }else if( strncmp(z, "#C", 2)==0 || strncmp(z, "#P", 2)==0 ){
      /* #Cn: one n-byte component; #Pn: an n-byte path "b/b/.../b" */
      int n = atoi(&z[2]), i;
      if( z[1]=='C' ){
        sqlite3_str_appendchar(pStr, n, 'c');
      }else{
        int iOff = (n & 1) ? 0 : 1;        /* even n: start with "bb" */
        for(i=0; i<n; i++){
          sqlite3_str_appendchar(pStr, 1, i>=iOff && ((i-iOff)&1) ? '/' : 'b');
        }
      }
      z += 2 + strspn(&z[2], "0123456789");
    }else if( strncmp(z, "#T", 2)==0 ){
      sqlite3_str_appendchar(pStr, 300, 'T');
      z += 2;
    }else{
      sqlite3_str_appendchar(pStr, 1, *z);
      z++;
    }
  }
  zOut = sqlite3_str_finish(pStr);
  return zOut ? zOut : sqlite3_mprintf("");   /* finish gives NULL for "" */
}

/* Run case iCase and check its answer; ck_assert on any mismatch. */
static void caseRun(int iCase){
  const Case *p = &aCase[iCase];
  char *zDb = 0, *zPath = 0, *zTable = caseExpand(p->zTable);
  char *zExpect = caseExpand(p->zExpect);
  char *zRes = 0, *zErr = 0;
  int rc;
  switch( p->eDb ){
    case DB_FILE:   zDb = sqlite3_mprintf("%s/root/main.db", zSandbox); break;
    case DB_MEMORY: zDb = sqlite3_mprintf(""); break;
    case DB_ROOTFS: zDb = sqlite3_mprintf("/lsmv-no-such-db"); break;
    case DB_LINKED: zDb = sqlite3_mprintf("%s/dblink/main.db", zSandbox); break;
    default:        break;
  }
  if( p->zPath ) zPath = caseExpand(p->zPath);
  rc = lsmvStorePath(zDb, zTable, zPath, p->bAllow, &zRes, &zErr);
  if( strncmp(zExpect, "OK:", 3)==0 ){
    ck_assert_msg(rc==SQLITE_OK, "case %d: rc=%d err=%s", iCase, rc, zErr);
    ck_assert_str_eq(zRes, zExpect+3);
    ck_assert_ptr_null(zErr);
  }else if( strcmp(zExpect, "TEMP")==0 ){
    ck_assert_int_eq(rc, LSMV_STOREPATH_TEMP);
    ck_assert_ptr_null(zRes);
    ck_assert_ptr_null(zErr);
  }else{
    char *zQuote = sqlite3_mprintf("lsm: path \"%.20s", zPath ? zPath : zDb);
    ck_assert_msg(rc==SQLITE_ERROR, "case %d: rc=%d res=%s", iCase, rc, zRes);
    ck_assert_ptr_null(zRes);
    ck_assert_ptr_nonnull(zErr);
    ck_assert_msg(strstr(zErr, zExpect+4)!=0, "case %d: message [%s] lacks "
                  "[%s]", iCase, zErr, zExpect+4);
    ck_assert_msg(strncmp(zErr, zQuote, strlen(zQuote))==0,
                  "case %d: message [%s] does not name the path", iCase, zErr);
    sqlite3_free(zQuote);
  }
  sqlite3_free(zDb);
  sqlite3_free(zPath);
  sqlite3_free(zTable);
  sqlite3_free(zExpect);
  sqlite3_free(zRes);
  sqlite3_free(zErr);
}

START_TEST(test_case){
  caseRun(_i);
}
END_TEST

/* ---- sandbox and snapshot ---- */

/* Create the sandbox tree (layout in the header comment); 0 on success. */
static int sandboxMake(void){
  static const char *azDir[] = {
    "root", "root/sub", "root/sub/deep", "root/日本語", "outside",
  };
  static const char *azFile[] = {
    "root/main.db", "root/file", "root/main.db-plain.lsm",
    "root/sub/deep/f2", "outside/canary",
  };
  static const char *azLink[][2] = {
    { "root/linkout", "@/outside" },
    { "root/sub/linkout2", "@/outside" },
    { "root/linkin", "sub" },
    { "root/dangling", "@/nowhere" },
    { "root/main.db-evil.lsm", "@/outside" },
    { "dblink", "@/root" },
  };
  size_t i;
  int rc = 0;
  strcpy(zSandbox, "/tmp/check_storepath_XXXXXX");
  if( mkdtemp(zSandbox)==0 ) return 1;
  for(i=0; rc==0 && i<sizeof(azDir)/sizeof(azDir[0]); i++){
    char *z = sqlite3_mprintf("%s/%s", zSandbox, azDir[i]);
    rc = mkdir(z, 0700);
    sqlite3_free(z);
  }
  for(i=0; rc==0 && i<sizeof(azFile)/sizeof(azFile[0]); i++){
    char *z = sqlite3_mprintf("%s/%s", zSandbox, azFile[i]);
    FILE *f = fopen(z, "w");
    if( f==0 || fputs("canary\n", f)<0 ) rc = 1;
    if( f && fclose(f) ) rc = 1;
    sqlite3_free(z);
  }
  for(i=0; rc==0 && i<sizeof(azLink)/sizeof(azLink[0]); i++){
    char *z = sqlite3_mprintf("%s/%s", zSandbox, azLink[i][0]);
    char *zTo = caseExpand(azLink[i][1]);
    rc = symlink(zTo, z);
    sqlite3_free(z);
    sqlite3_free(zTo);
  }
  return rc;
}

/* nftw callback state: no user pointer, hence a file-static accumulator
** used only by sandboxSnapshot() in the single test process. */
static sqlite3_str *pSnap;

static int snapOne(const char *zPath, const struct stat *pSt, int eFlag,
                   struct FTW *pFtw){
  (void)eFlag; (void)pFtw;
  sqlite3_str_appendf(pSnap, "%s %o %lld %lld.%09ld %llu\n", zPath,
      (unsigned)pSt->st_mode, (long long)pSt->st_size,
      (long long)pSt->st_mtim.tv_sec, pSt->st_mtim.tv_nsec,
      (unsigned long long)pSt->st_ino);
  return 0;
}

/* The sandbox's names, types, sizes, mtimes and inodes, one per line. */
static char *sandboxSnapshot(void){
  pSnap = sqlite3_str_new(0);
  ck_assert_int_eq(nftw(zSandbox, snapOne, 16, FTW_PHYS), 0);
  return sqlite3_str_finish(pSnap);
}

static int rmOne(const char *zPath, const struct stat *pSt, int eFlag,
                 struct FTW *pFtw){
  (void)pSt; (void)eFlag; (void)pFtw;
  return remove(zPath);
}

START_TEST(test_touches_nothing){
  char *zBefore = sandboxSnapshot();
  char *zAfter;
  int i;
  ck_assert_ptr_nonnull(strstr(zBefore, "/root/main.db-evil.lsm "));
  ck_assert_ptr_nonnull(strstr(zBefore, "/outside/canary "));
  for(i=0; i<N_CASE; i++) caseRun(i);
  zAfter = sandboxSnapshot();
  ck_assert_str_eq(zBefore, zAfter);
  sqlite3_free(zBefore);
  sqlite3_free(zAfter);
}
END_TEST

/* The escaping is injective on a few colliding-looking names. */
START_TEST(test_escape_distinct){
  static const char *azTab[] = { "a/b", "a%2Fb", "a%b", "a%25b", "a_b" };
  char *azRes[5];
  char *zDb = sqlite3_mprintf("%s/root/main.db", zSandbox);
  int i, j;
  for(i=0; i<5; i++){
    char *zErr = 0;
    ck_assert_int_eq(lsmvStorePath(zDb, azTab[i], 0, 0, &azRes[i], &zErr),
                     SQLITE_OK);
    for(j=0; j<i; j++) ck_assert_str_ne(azRes[i], azRes[j]);
  }
  for(i=0; i<5; i++) sqlite3_free(azRes[i]);
  sqlite3_free(zDb);
}
END_TEST

/*
** H3: what sqlite3_db_filename() gives for in-memory and temporary
** databases is what lsmvStorePath treats as one (LSMV_STOREPATH_TEMP
** without path=, refused with it): ":memory:", "", a memory URI, TEMP,
** and an attached "" database.
*/
START_TEST(test_memory_kinds){
  static const char *const azOpen[] = { ":memory:", "", "file:x?mode=memory" };
  const char *azDb[] = { "main", "temp", "aux" };
  int i, j;
  for(i=0; i<3; i++){
    sqlite3 *db = 0;
    ck_assert_int_eq(sqlite3_open_v2(azOpen[i], &db, SQLITE_OPEN_READWRITE
                     |SQLITE_OPEN_CREATE|SQLITE_OPEN_URI, 0), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, "ATTACH '' AS aux", 0, 0, 0), SQLITE_OK);
    for(j=0; j<3; j++){
      const char *zFile = sqlite3_db_filename(db, azDb[j]);
      char *zRes = 0, *zErr = 0;
      ck_assert_msg(zFile==0 || zFile[0]==0, "%s %s: [%s]", azOpen[i],
                    azDb[j], zFile);
      ck_assert_int_eq(lsmvStorePath(zFile, "t", 0, 0, &zRes, &zErr),
                       LSMV_STOREPATH_TEMP);
      ck_assert_int_eq(lsmvStorePath(zFile, "t", "store", 0, &zRes, &zErr),
                       SQLITE_ERROR);
      ck_assert_ptr_nonnull(strstr(zErr, "in-memory or temporary database"));
      sqlite3_free(zErr);
    }
    sqlite3_close(db);
  }
}
END_TEST

static Suite *storepathSuite(void){
  Suite *s = suite_create("storepath");
  TCase *tc = tcase_create("cases");
  tcase_add_loop_test(tc, test_case, 0, N_CASE);
  tcase_add_test(tc, test_touches_nothing);
  tcase_add_test(tc, test_escape_distinct);
  tcase_add_test(tc, test_memory_kinds);
  suite_add_tcase(s, tc);
  return s;
}

int main(void){
  SRunner *sr;
  int nFail;
  if( sandboxMake() ){
    fprintf(stderr, "cannot build the sandbox under /tmp\n");
    return 1;
  }
  sr = srunner_create(storepathSuite());
  srunner_run_all(sr, CK_NORMAL);
  nFail = srunner_ntests_failed(sr);
  srunner_free(sr);
  nftw(zSandbox, rmOne, 16, FTW_DEPTH|FTW_PHYS);
  return nFail ? 1 : 0;
}
