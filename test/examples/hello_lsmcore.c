/*
** hello_lsmcore.c -- the smallest program that uses the lsmcore engine on
** its own (no SQLite): open (create) the store in directory DIR, put one
** key, read it back, print it, close.  It is README's C example, and
** test/install.sh compiles it against an installed liblsmcore with
**
**     cc hello_lsmcore.c $(pkg-config --cflags --libs lsmcore)
**
** Usage: hello_lsmcore DIR     prints "hello = world", exits 0;
** on an error prints the store's message on stderr and exits 1.
*/
#include <stdio.h>
#include <string.h>
#include <lsmcore.h>

int main(int argc, char **argv){
  lsmc_db *pDb = 0;
  void *pVal = 0;
  size_t nVal = 0;
  int rc, rc2;

  if( argc!=2 ){
    fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 1;
  }
  rc = lsmc_open(argv[1], NULL, &pDb);          /* NULL: default options */
  if( rc==LSMC_OK ) rc = lsmc_put(pDb, "hello", 5, "world", 5);
  if( rc==LSMC_OK ) rc = lsmc_get(pDb, NULL, "hello", 5, &pVal, &nVal);
  if( rc==LSMC_OK ){
    printf("hello = %.*s\n", (int)nVal, (const char*)pVal);
    lsmc_free(pDb, pVal);                       /* the copy lsmc_get made */
  }else{
    fprintf(stderr, "%s: %s\n", argv[1],
            pDb ? lsmc_errmsg(pDb) : lsmc_errstr(rc));
  }
  rc2 = lsmc_close(pDb);                        /* NULL is a no-op */
  if( rc==LSMC_OK && rc2!=LSMC_OK ){
    fprintf(stderr, "%s: close: %s\n", argv[1], lsmc_errstr(rc2));
    rc = rc2;
  }
  return rc==LSMC_OK ? 0 : 1;
}
