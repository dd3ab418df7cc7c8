/*
** wal_reader.c -- replays the records of a log file (a WAL or the
** manifest) framed as in wal_format.h, and decides what a damaged log
** means.
**
** The file is read one 32 KiB block at a time through the env.  A FULL
** fragment is delivered straight from the block buffer; the fragments of
** a longer record are gathered in a growable buffer and delivered at the
** LAST one.  Records are delivered in file order, each as soon as it is
** whole, so a caller that gets an error back must discard what it was
** given (the db does: it applies a WAL only after LSMC_OK).
**
** Recovery.  The first failure ends the log: a bad checksum, a type other
** than FULL..LAST (a zero header included), a length past its block or
** past the end of the file, a header cut by the end of the file, MIDDLE or
** LAST without FIRST, FIRST or FULL while a record is open.  Then:
**   - a sequence error is itself a valid fragment after the damage;
**   - otherwise, if the failing header's length fits its block, a valid
**     fragment right after it counts (same block), and so does a valid
**     fragment at any block start after the failure (every written block
**     begins with a fragment, so this finds any later write).
** If valid data follows: damage in the middle (LSMC_CORRUPT in strict
** mode; in point-in-time mode LSMC_OK with the prefix and bDamaged).  If
** not: a torn or zero-filled tail, dropped silently (LSMC_OK).  A record
** whose FIRST fragment is whole but whose rest is missing at the end of
** the file is a torn tail too.  WalReplayStat.bTail is set whenever bytes
** after iValidEnd were not delivered (so also together with bDamaged).
**
** Thread safety: a replay is self-contained; the file must not be written
** while it is replayed.
*/
#include "wal_reader.h"
#include "wal_format.h"
#include "coding.h"

/* Results of walNextFragment(). */
#define WAL_FRAG_OK   0    /* A whole fragment with a good checksum */
#define WAL_FRAG_EOF  1    /* The file ended at a fragment boundary */
#define WAL_FRAG_BAD  2    /* The first failure: see WalFrag */

typedef struct WalReader WalReader;
typedef struct WalFrag WalFrag;

struct WalReader {
  lsmc_env *pEnv;          /* Env of the file and of all memory */
  lsmc_file *pFile;        /* The log, read-only */
  u64 nFile;               /* Size of the file in bytes */
  u8 *aBlk;                /* Current block (LSMC_WAL_BLOCK_SIZE bytes) */
  size_t nBlk;             /* Bytes of aBlk read (< block size: last) */
  size_t iPos;             /* Next fragment header in aBlk */
  u64 iBlkOff;             /* File offset of aBlk[0] */
  LsmcBuf rec;             /* Fragments of the record being gathered */
  int bOpen;               /* True after FIRST, until LAST */
  WalRecordPos pos;        /* Where the record being gathered lies */
};

/* Where records go: one of the two callback forms. */
typedef struct WalSink WalSink;
struct WalSink {
  int (*xRecord)(void*, const u8*, size_t);                /* Plain, or */
  int (*xRecordPos)(void*, const u8*, size_t, const WalRecordPos*);
  void *pArg;                                              /* Context */
};

struct WalFrag {
  int eType;               /* LSMC_WAL_FULL..LAST (WAL_FRAG_OK only) */
  const u8 *p;             /* Payload, in aBlk (WAL_FRAG_OK only) */
  size_t n;                /* Payload length from the header */
  u64 iOff;                /* File offset of the header */
  int bPlausible;          /* The header is whole and n fits its block */
};

/*
** Load the block at file offset iOff (a block start) into aBlk.  Reading
** at or past the end gives an empty block.  A file that shrinks while it
** is read ends where the read ended.
*/
static int walLoadBlock(WalReader *p, u64 iOff){
  int rc = LSMC_OK;
  size_t nWant = 0;
  size_t nRead = 0;
  assert( iOff % LSMC_WAL_BLOCK_SIZE==0 );
  if( iOff<p->nFile ){
    nWant = (size_t)LSMC_MIN((u64)LSMC_WAL_BLOCK_SIZE, p->nFile - iOff);
    rc = LSMC_ENV(p->pEnv->xRead(p->pFile, iOff, p->aBlk, nWant, &nRead));
    if( rc==LSMC_OK && nRead<nWant ) p->nFile = iOff + nRead;
  }
  p->iBlkOff = iOff;
  p->nBlk = (rc==LSMC_OK) ? nRead : 0;
  p->iPos = 0;
  return rc;
}

/*
** True if the header and payload at a[0..7+n) carry a good checksum and a
** fragment type.  REQUIRES: the 7+n bytes are readable.
*/
static int walFragmentOk(const u8 *a, size_t n){
  int eType = a[6];
  if( eType<LSMC_WAL_FULL || eType>LSMC_WAL_LAST ) return 0;
  return lsmcGet32(a)==lsmcChecksum32(&a[4], 3 + n, LSMC_WAL_SEED);
}

/*
** Parse the next fragment into *pF and set *peRes to a WAL_FRAG_* code.
** Block padding is skipped.  On WAL_FRAG_OK the position moves past the
** fragment; otherwise it stays.  Returns an I/O error or LSMC_OK.
*/
static int walNextFragment(WalReader *p, WalFrag *pF, int *peRes){
  int rc = LSMC_OK;
  memset(pF, 0, sizeof(*pF));
  while( rc==LSMC_OK ){
    size_t nLeft = p->nBlk - p->iPos;
    const u8 *aHdr = &p->aBlk[p->iPos];
    pF->iOff = p->iBlkOff + p->iPos;
    if( nLeft<LSMC_WAL_HEADER_SIZE ){
      if( p->nBlk==LSMC_WAL_BLOCK_SIZE ){
        rc = walLoadBlock(p, p->iBlkOff + LSMC_WAL_BLOCK_SIZE);  /* Pad */
        continue;
      }
      *peRes = (nLeft==0) ? WAL_FRAG_EOF : WAL_FRAG_BAD;  /* Cut header */
      return LSMC_OK;
    }
    pF->n = lsmcGet16(&aHdr[4]);
    pF->eType = aHdr[6];
    pF->bPlausible = (p->iPos + LSMC_WAL_HEADER_SIZE + pF->n
                      <= LSMC_WAL_BLOCK_SIZE);
    if( pF->n > nLeft - LSMC_WAL_HEADER_SIZE
     || !walFragmentOk(aHdr, pF->n)
    ){
      *peRes = WAL_FRAG_BAD;
      return LSMC_OK;
    }
    pF->p = &aHdr[LSMC_WAL_HEADER_SIZE];
    p->iPos += LSMC_WAL_HEADER_SIZE + pF->n;
    *peRes = WAL_FRAG_OK;
    return LSMC_OK;
  }
  return rc;
}

/*
** True if a fragment of type eType starts a record (FULL or FIRST).  Only
** such a fragment after damage proves that a later record exists: the
** MIDDLE and LAST fragments that follow a damaged fragment may be the
** rest of the very record whose write was torn (the tail).
*/
static int walStartsRecord(int eType){
  return eType==LSMC_WAL_FULL || eType==LSMC_WAL_FIRST;
}

/*
** Set *pbValid if a record starts at file offset iOff, or after valid
** MIDDLE/LAST fragments that follow it in the same block: a whole FULL or
** FIRST fragment with a good checksum (fragments never cross a block or
** the end of the file).  Uses aBlk as scratch space.
*/
static int walProbe(WalReader *p, u64 iOff, int *pbValid){
  int rc = LSMC_OK;
  size_t iIn = (size_t)(iOff % LSMC_WAL_BLOCK_SIZE);
  size_t nWant = LSMC_WAL_BLOCK_SIZE - iIn;   /* to the end of the block */
  size_t nRead = 0;
  size_t i = 0;
  *pbValid = 0;
  if( iOff>=p->nFile ) return LSMC_OK;
  if( nWant>p->nFile - iOff ) nWant = (size_t)(p->nFile - iOff);
  rc = LSMC_ENV(p->pEnv->xRead(p->pFile, iOff, p->aBlk, nWant, &nRead));
  while( rc==LSMC_OK && *pbValid==0 && i + LSMC_WAL_HEADER_SIZE<=nRead ){
    const u8 *a = &p->aBlk[i];
    size_t n = lsmcGet16(&a[4]);
    if( i + LSMC_WAL_HEADER_SIZE + n>nRead
     || a[6]<LSMC_WAL_FULL || a[6]>LSMC_WAL_LAST || !walFragmentOk(a, n) ){
      break;
    }
    if( walStartsRecord(a[6]) ) *pbValid = 1;
    i += LSMC_WAL_HEADER_SIZE + n;     /* the rest of a record: look on */
  }
  return rc;
}

/*
** Set *pbFound if a whole record-starting fragment with a good checksum
** starts at any offset after the failing header *pF within the block still loaded in
** aBlk (the failing one).  A damaged length field hides where the next
** fragment starts, so every offset is tried; this runs only after a
** failure, over at most one block, and only plausible headers (a fragment
** type, a length that fits) are checksummed.
*/
static void walScanBlock(const WalReader *p, const WalFrag *pF, int *pbFound){
  size_t i;
  if( pF->iOff<p->iBlkOff || pF->iOff>=p->iBlkOff + p->nBlk ) return;
  for(i=(size_t)(pF->iOff - p->iBlkOff) + 1;
      *pbFound==0 && i + LSMC_WAL_HEADER_SIZE<=p->nBlk; i++){
    const u8 *a = &p->aBlk[i];
    size_t n = lsmcGet16(&a[4]);
    if( walStartsRecord(a[6]) && i + LSMC_WAL_HEADER_SIZE + n<=p->nBlk ){
      *pbFound = walFragmentOk(a, n);
    }
  }
}

/*
** After the failure described by *pF, set *pbFound if a later record
** follows it (a valid FULL or FIRST fragment): anywhere later in its block (walScanBlock), right after the
** failing fragment (if its length is plausible), or at any later block
** start.
*/
static int walValidAfter(WalReader *p, const WalFrag *pF, int *pbFound){
  int rc = LSMC_OK;
  u64 iBlk;
  *pbFound = 0;
  walScanBlock(p, pF, pbFound);
  if( *pbFound==0 && pF->bPlausible ){
    u64 iNext = pF->iOff + LSMC_WAL_HEADER_SIZE + pF->n;
    if( iNext % LSMC_WAL_BLOCK_SIZE ) rc = walProbe(p, iNext, pbFound);
  }
  iBlk = (pF->iOff/LSMC_WAL_BLOCK_SIZE + 1) * LSMC_WAL_BLOCK_SIZE;
  for(; rc==LSMC_OK && *pbFound==0 && iBlk<p->nFile;
        iBlk+=LSMC_WAL_BLOCK_SIZE){
    rc = walProbe(p, iBlk, pbFound);
  }
  return rc;
}

/*
** Deliver one whole record and account for it.
*/
static int walDeliver(
  WalReplayStat *pStat,                              /* Filled in */
  const WalSink *pSink,                              /* Consumer */
  const u8 *pRec, size_t nRec,                       /* The record */
  const WalRecordPos *pPos,                          /* Where it lies */
  u64 iEnd                                           /* Offset past it */
){
  pStat->nRecord++;
  pStat->iValidEnd = iEnd;
  if( pSink->xRecordPos ){
    return pSink->xRecordPos(pSink->pArg, pRec, nRec, pPos);
  }
  return pSink->xRecord ? pSink->xRecord(pSink->pArg, pRec, nRec) : LSMC_OK;
}

/*
** Read fragments and deliver records until the end of the log, the first
** failure, an error or a non-zero xRecord.  On return *pF describes where
** the log stopped and *peRes is WAL_FRAG_EOF, or WAL_FRAG_BAD for a
** failure (*pbSeq set if the failing fragment itself is valid).
*/
static int walReadAll(
  WalReader *p,
  const WalSink *pSink,
  WalReplayStat *pStat,
  WalFrag *pF, int *peRes, int *pbSeq
){
  int rc = LSMC_OK;
  *pbSeq = 0;
  while( rc==LSMC_OK ){
    u64 iEnd;
    int bCont;
    rc = walNextFragment(p, pF, peRes);
    if( rc!=LSMC_OK || *peRes!=WAL_FRAG_OK ) break;
    iEnd = pF->iOff + LSMC_WAL_HEADER_SIZE + pF->n;
    /* MIDDLE and LAST need an open record; FULL and FIRST forbid one. */
    bCont = (pF->eType==LSMC_WAL_MIDDLE || pF->eType==LSMC_WAL_LAST);
    if( bCont!=p->bOpen ){
      *peRes = WAL_FRAG_BAD;
      *pbSeq = 1;
      break;
    }
    switch( pF->eType ){
      case LSMC_WAL_FULL:
#if defined(LSMV_FUZZ_CANARY) && LSMV_FUZZ_CANARY==1
        /* TEST CANARY (TESTPLAN F4), compiled only by build-aux/fuzz.sh's
        ** canary build of fuzz_wal: a planted out-of-bounds read that the
        ** fuzzer must reach, proving the target gets here.  Never active
        ** otherwise. */
        if( memchr(pF->p, 0xCA, pF->n) ){
          static const u8 aCanary[4] = {0};
          const volatile u8 *pCanary = aCanary;
          volatile int iCanary = 4;
          (void)pCanary[iCanary];
        }
#endif
        p->pos.iOff = pF->iOff;
        p->pos.nFragment = 1;
        rc = walDeliver(pStat, pSink, pF->p, pF->n, &p->pos, iEnd);
        break;
      case LSMC_WAL_FIRST:
        p->bOpen = 1;
        p->rec.n = 0;
        p->pos.iOff = pF->iOff;
        p->pos.nFragment = 1;
        lsmcBufAppend(&rc, &p->rec, pF->p, pF->n);
        break;
      case LSMC_WAL_MIDDLE:
        p->pos.nFragment++;
        lsmcBufAppend(&rc, &p->rec, pF->p, pF->n);
        break;
      default:
        assert( pF->eType==LSMC_WAL_LAST );
        p->bOpen = 0;
        p->pos.nFragment++;
        lsmcBufAppend(&rc, &p->rec, pF->p, pF->n);
        if( rc==LSMC_OK ){
          /* An empty FIRST..LAST record leaves rec.a NULL: deliver a
          ** valid pointer, as for every other record (decoders do
          ** pointer arithmetic on it). */
          const u8 *pRec = p->rec.a ? p->rec.a : (const u8*)"";
          rc = walDeliver(pStat, pSink, pRec, p->rec.n, &p->pos, iEnd);
        }
        break;
    }
  }
  return rc;
}

/*
** Replay the log zPath into pSink.  See wal_reader.h and the recovery
** notes above.
*/
static int walReplay(lsmc_env *pEnv, const char *zPath, int eRecovery,
                     const WalSink *pSink, WalReplayStat *pStat){
  int rc;
  WalReader r;
  WalReplayStat st;
  WalFrag f;
  int eRes = WAL_FRAG_EOF;
  int bSeq = 0;

  memset(&r, 0, sizeof(r));
  memset(&st, 0, sizeof(st));
  r.pEnv = pEnv;
  lsmcBufInit(&r.rec, pEnv);
  rc = LSMC_ENV(pEnv->xOpen(pEnv, zPath, LSMC_OPEN_READONLY, &r.pFile));
  if( rc==LSMC_OK ) rc = LSMC_ENV(pEnv->xSize(r.pFile, &r.nFile));
  if( rc==LSMC_OK ){
    st.nFileSize = r.nFile;
    r.aBlk = lsmcMalloc(pEnv, LSMC_WAL_BLOCK_SIZE);
    if( r.aBlk==0 ) rc = LSMC_NOMEM;
  }
  if( rc==LSMC_OK ) rc = walLoadBlock(&r, 0);
  if( rc==LSMC_OK ){
    rc = walReadAll(&r, pSink, &st, &f, &eRes, &bSeq);
  }
  if( rc==LSMC_OK ){
    st.iStop = (eRes==WAL_FRAG_BAD) ? f.iOff
             : r.bOpen ? r.pos.iOff : r.nFile;
  }
  if( rc==LSMC_OK && eRes==WAL_FRAG_BAD ){
    int bFound = bSeq;
    if( bFound==0 ) rc = walValidAfter(&r, &f, &bFound);
    if( rc==LSMC_OK && bFound ){
      st.bDamaged = 1;
      if( eRecovery!=LSMC_RECOVER_POINT_IN_TIME ) rc = LSMC_CORRUPT_BKPT;
    }
  }
  st.bTail = (st.iValidEnd < r.nFile);
  if( pStat ) *pStat = st;

  lsmcBufFree(&r.rec);
  lsmcFree(pEnv, r.aBlk);
  if( r.pFile ) LSMC_ENV(pEnv->xClose(r.pFile));
  return rc;
}

int lsmcWalReplay(lsmc_env *pEnv, const char *zPath, int eRecovery,
                  int (*xRecord)(void *pArg, const u8 *p, size_t n),
                  void *pArg, WalReplayStat *pStat){
  WalSink sink;
  sink.xRecord = xRecord;
  sink.xRecordPos = 0;
  sink.pArg = pArg;
  return walReplay(pEnv, zPath, eRecovery, &sink, pStat);
}

int lsmcWalReplayPos(lsmc_env *pEnv, const char *zPath, int eRecovery,
                     int (*xRecord)(void *pArg, const u8 *p, size_t n,
                                    const WalRecordPos *pPos),
                     void *pArg, WalReplayStat *pStat){
  WalSink sink;
  sink.xRecord = 0;
  sink.xRecordPos = xRecord;
  sink.pArg = pArg;
  return walReplay(pEnv, zPath, eRecovery, &sink, pStat);
}
