/* test/examples/hello_lsmcore.c
** README's C example: the lsmcore engine on its own,
** without SQLite.  It opens (or creates) the store in directory DIR with
** sync=full, puts one key, writes three more atomically in a batch, reads
** the first back, and walks a key range with an iterator.  README shows
** this file unchanged, and test/readme_examples.py checks that and runs it
** against the build tree; test/install.sh builds it against an installed
** liblsmcore with
**
**     cc hello_lsmcore.c $(pkg-config --cflags --libs lsmcore)
**
** Usage: hello_lsmcore DIR.  Prints what it read and exits 0; on an error
** prints the store's message on stderr and exits 1.
*/
#include <stdio.h>
#include <lsmcore.h>

int main(int argc, char **argv){
  lsmc_options *pOpts = 0;
  lsmc_db *pDb = 0;
  lsmc_batch *pBatch = 0;
  lsmc_iter *pIter = 0;
  void *pVal = 0;
  size_t nVal = 0;
  int rc, rc2;

  if( argc!=2 ){
    fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 1;
  }

  /* lsmc_open copies the options, so they are freed at once. */
  rc = lsmc_options_new(&pOpts);
  if( rc==LSMC_OK ) rc = lsmc_options_set(pOpts, LSMC_OPT_SYNC, LSMC_SYNC_FULL);
  if( rc==LSMC_OK ) rc = lsmc_open(argv[1], pOpts, &pDb);
  lsmc_options_free(pOpts);

  /* One put; then a batch, written atomically: all of it or none. */
  if( rc==LSMC_OK ) rc = lsmc_put(pDb, "hello", 5, "world", 5);
  if( rc==LSMC_OK ) rc = lsmc_batch_new(&pBatch);
  if( rc==LSMC_OK ) rc = lsmc_batch_put(pBatch, "apple", 5, "red", 3);
  if( rc==LSMC_OK ) rc = lsmc_batch_put(pBatch, "banana", 6, "yellow", 6);
  if( rc==LSMC_OK ) rc = lsmc_batch_put(pBatch, "cherry", 6, "dark red", 8);
  if( rc==LSMC_OK ) rc = lsmc_write(pDb, pBatch, LSMC_SYNC_DEFAULT);
  lsmc_batch_free(pBatch);

  /* A point lookup returns a copy, which the caller frees. */
  if( rc==LSMC_OK ) rc = lsmc_get(pDb, NULL, "hello", 5, &pVal, &nVal);
  if( rc==LSMC_OK ){
    printf("hello = %.*s\n", (int)nVal, (const char*)pVal);
    lsmc_free(pDb, pVal);
  }

  /* The keys in ["a", "c"), in order.  A key or value pointer is valid
  ** until the iterator moves. */
  if( rc==LSMC_OK ) rc = lsmc_iter_open(pDb, NULL, "a", 1, "c", 1, &pIter);
  if( rc==LSMC_OK ) rc = lsmc_iter_first(pIter);
  while( rc==LSMC_OK && lsmc_iter_valid(pIter) ){
    size_t nKey, nV;
    const char *zKey = lsmc_iter_key(pIter, &nKey);
    const char *zVal = lsmc_iter_value(pIter, &nV);
    printf("%.*s = %.*s\n", (int)nKey, zKey, (int)nV, zVal);
    rc = lsmc_iter_next(pIter);
  }
  lsmc_iter_close(pIter);                       /* NULL is a no-op */

  if( rc!=LSMC_OK ){
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
