/*
** fuzzutil.h -- helpers shared by the libFuzzer targets of test/fuzz/
** (TESTPLAN F1-F4): an in-memory env, checksum fix-ups, a byte reader for
** splitting an input, and the container format of the store target.
**
** In-memory env (FuzzMem).  A flat table of named files held in memory:
** enough of lsmc_env for the decoders under test to open, read, append,
** size, rename, remove and list files without touching the disk, so a
** target runs at libFuzzer speed.  Allocation goes to malloc/free, so ASan
** and LSan see every block the engine allocates.  One FuzzMem per input;
** fuzzMemFree releases every file.
**
** Checksum fix-ups.  Every on-disk structure carries a checksum, which a
** fuzzer cannot forge by mutation.  A target therefore lets one bit of its
** input ask for the checksums to be recomputed in place before decoding
** (fuzzFixWal, fuzzFixSst, fuzzFixIdentity): then the mutated bytes reach
** the decoders behind the checksum, which is the threat model of a hostile
** file whose author computed the checksums.  With the bit clear the raw
** bytes are decoded, which exercises the checksum rejection itself.
**
** Store container (fuzz_store.c and its seed generator):
**     u8 flags              bit 0: fix WAL/manifest checksums
**                           bit 1: fix SST checksums
**                           bit 2: fix the IDENTITY checksum
**     then up to FUZZ_STORE_MAX_FILES entries, each
**        u8  kind           FUZZ_KIND_* (mod FUZZ_KIND_COUNT)
**        u8  number         file number (MANIFEST, SST, WAL), 1..255
**        u16 length         little-endian, clamped to the bytes left
**        length bytes       the file
** Trailing bytes too short for an entry header are ignored.
*/
#ifndef LSMV_FUZZUTIL_H
#define LSMV_FUZZUTIL_H

#include "lsmcore.h"

#include <stddef.h>
#include <stdint.h>

/* The libFuzzer entry point every target defines. */
int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData);

/* ------------------------------------------------------ in-memory env */
typedef struct FuzzMem FuzzMem;
typedef struct FuzzMemFile FuzzMemFile;

#define FUZZ_MEM_MAX_FILES 32     /* Files one FuzzMem can hold */

/* One file: its name and bytes. */
struct FuzzMemFile {
  char *zName;                    /* Full path, NULL: slot unused */
  uint8_t *a;                     /* Contents (malloc'd) */
  size_t n;                       /* Bytes used */
  size_t nAlloc;                  /* Bytes allocated at a */
};

/* The env.  base must be first: an lsmc_env* is a FuzzMem*. */
struct FuzzMem {
  lsmc_env base;                  /* Method table */
  FuzzMemFile aFile[FUZZ_MEM_MAX_FILES];  /* The files */
};

void fuzzMemInit(FuzzMem*);
void fuzzMemFree(FuzzMem*);       /* Frees every file */
/* Create or replace file zPath with a[0..n).  0, or -1 on OOM/full. */
int fuzzMemPut(FuzzMem*, const char *zPath, const void *a, size_t n);
/* The bytes of zPath (NULL if absent); *pn gets the size. */
const uint8_t *fuzzMemGet(FuzzMem*, const char *zPath, size_t *pn);

/* Build a real SSTable zPath in pMem: nEntry entries with keys
** "key<i>" (every 7th a tombstone), values of i%50 bytes.  0 on success. */
int fuzzSstBuild(FuzzMem *pMem, const char *zPath, int nEntry,
                 unsigned nBloomBits, unsigned nBlockSize, unsigned nRestart);

/*
** Do with SSTable zPath what the engine does: open it (lsmcSstOpen), scan
** it forward and backward, look up keys of the scan and of the input, and
** run lsmcSstVerify.  Aborts if the reader breaks its contract: any code
** other than OK/CORRUPT/NOTFOUND, or, for a table that lsmcSstVerify
** passes, a scan that fails or a lookup that disagrees with the scan.
** Returns the open's code.
*/
int fuzzSstExercise(lsmc_env *pEnv, const char *zPath,
                    const uint8_t *aProbe, size_t nProbe);

/* ------------------------------------------------------ checksum fixes */
/* Recompute the checksum of every fragment header that is whole and whose
** length fits its block (WAL and manifest framing, wal_format.h). */
void fuzzFixWal(uint8_t *a, size_t n);
/* Recompute the footer checksum, then the trailer of every block named by
** the footer, then of every data block named by the index (sst_format.h).
** Handles out of range are left alone. */
void fuzzFixSst(uint8_t *a, size_t n);
/* Recompute the IDENTITY checksum (a 24-byte file; others untouched). */
void fuzzFixIdentity(uint8_t *a, size_t n);

/* ------------------------------------------------------ input reader */
typedef struct FuzzIn FuzzIn;
struct FuzzIn {
  const uint8_t *a;               /* Input */
  size_t n;                       /* Bytes in a */
  size_t i;                       /* Next byte */
};
/* Next byte / u16 (LE), or 0 once the input is exhausted. */
uint8_t fuzzInByte(FuzzIn*);
uint16_t fuzzInU16(FuzzIn*);
/* Up to n bytes: returns a pointer into the input, *pn gets the count. */
const uint8_t *fuzzInBytes(FuzzIn*, size_t n, size_t *pn);
size_t fuzzInLeft(const FuzzIn*);

/* ------------------------------------------------------ store container */
#define FUZZ_KIND_MANIFEST  0
#define FUZZ_KIND_CURRENT   1
#define FUZZ_KIND_IDENTITY  2
#define FUZZ_KIND_SST       3
#define FUZZ_KIND_WAL       4
#define FUZZ_KIND_COUNT     5
#define FUZZ_STORE_MAX_FILES 8

#define FUZZ_FIX_WAL        0x01
#define FUZZ_FIX_SST        0x02
#define FUZZ_FIX_IDENTITY   0x04

/* The file name (no directory) of an entry, into z[nz]. */
void fuzzStoreName(int eKind, unsigned iNum, char *z, size_t nz);

/* Seed generators (replay --make-seed DIR): write a[0..n) to zDir/zName.
** 0 on success; prints the reason and returns 1 on failure. */
int fuzzSeedWrite(const char *zDir, const char *zName, const void *a,
                  size_t n);

/* Print a note to stderr when LSMV_FUZZ_TRACE is set (for looking into a
** reproducer: what each stage of a target returned). */
void fuzzTrace(const char *zFmt, ...) __attribute__((format(printf, 1, 2)));

/* A failed invariant of a target: print and abort (libFuzzer saves the
** input as a crash artifact). */
void fuzzFail(const char *zFile, int iLine, const char *zCond);
#define FUZZ_ASSERT(x) \
  do{ if( !(x) ) fuzzFail(__FILE__, __LINE__, #x); }while(0)

#endif /* LSMV_FUZZUTIL_H */
