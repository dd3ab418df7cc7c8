/*
** testutil.h -- small helpers shared by the Check suites: temporary store
** directories (created under $TMPDIR or /tmp, removed recursively), a
** seeded pseudo-random generator (so every failure names its seed), and
** key formatting.  Test code only; not part of the engine.
*/
#ifndef LSMC_TESTUTIL_H
#define LSMC_TESTUTIL_H

#include "lsmcore.h"

#include <stddef.h>
#include <stdint.h>

/* A fresh empty directory; the path is static storage in *pDir. */
typedef struct TestDir TestDir;
struct TestDir {
  char zPath[256];      /* Directory created by testDirNew */
};
void testDirNew(TestDir*, const char *zTag);
void testDirFree(TestDir*);            /* Removes it and everything in it */
/* "<dir>/<name>" into zOut (size nOut). */
void testDirPath(const TestDir*, const char *zName, char *zOut, size_t nOut);
/* Remove a directory tree (best effort). */
void testRemoveTree(const char *zPath);

/* xorshift64* generator. */
typedef struct TestRng TestRng;
struct TestRng {
  uint64_t s;           /* State, never 0 */
};
void testRngSeed(TestRng*, uint64_t seed);
uint64_t testRngNext(TestRng*);
uint32_t testRngBelow(TestRng*, uint32_t n);   /* Uniform in [0, n) */

/*
** A malloc-only env for unit tests of in-memory concepts.  nLive counts
** outstanding allocations; when nFailAt is positive, the nFailAt-th
** allocation (malloc, or realloc) from now fails.
*/
typedef struct TestMem TestMem;
struct TestMem {
  lsmc_env base;        /* Must be first */
  int nLive;            /* Allocations not yet freed */
  int nFailAt;          /* Fail the allocation that takes it to 0 */
};
void testMemInit(TestMem*);

/* memcmp order of byte strings, a shorter prefix first. */
int testKeyCmp(const unsigned char *a, int na, const unsigned char *b, int nb);

/*
** A sorted domain of distinct keys for model tests.  Key i lives at
** aKey + i*nStride with length anKey[i].  Keys [0, nHave) are given; keys
** [nHave, nWant) are drawn at random, 1..nMaxLen bytes (<= nStride) over
** the alphabet aAlpha, distinct from every other; then the whole domain is
** sorted in testKeyCmp order.  Returns nWant.
*/
int testKeyDomain(TestRng*, unsigned char *aKey, int nStride, int *anKey,
                  int nHave, int nWant, int nMaxLen,
                  const unsigned char *aAlpha, int nAlpha);

/* Count of files in zDir whose names end in zSuffix. */
int testCountFiles(const char *zDir, const char *zSuffix);

/*
** Files in zDir whose names start with zPrefix and end in zSuffix (either
** may be ""): returns how many, and writes the path "zDir/name" of the
** last one read into zOut (nOut bytes; unchanged if none).
*/
int testFindFile(const char *zDir, const char *zPrefix, const char *zSuffix,
                 char *zOut, size_t nOut);

/* Size of the file zPath in bytes, or -1 if it cannot be stat()ed. */
long long testFileSize(const char *zPath);

#endif /* LSMC_TESTUTIL_H */
