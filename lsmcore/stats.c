/*
** stats.c -- the engine's statistics: lsmc_stats_get() fills the public
** struct from the engine's atomic counters and the current version, and
** lsmc_stats_json() prints the same as one JSON object; lsmc_files()
** lists the live SSTables of the current version.
**
** Amplification, as reported:
**   write = (WAL + flush + compaction bytes written) / user bytes written
**   read  = SSTables consulted per point lookup
**   space = bytes of live SSTables / estimated live data, where the
**           estimate is the largest level (leveled), the largest run
**           (tiered) or every file (fifo), computed from the file list
**           alone.  It is a rough guess (at 2M keys after an overwrite:
**           1.79 against an exact 1.16 for leveled, 1.00 against 2.32
**           for fifo, which keeps overwritten data it cannot drop); the
**           exact figure needs a full scan, which db_bench's strategies
**           mode does.
*/
#include "db.h"
#include "coding.h"

#include <stdio.h>

/* The public per-level arrays have one entry per level of the tree. */
_Static_assert(LSMC_STATS_LEVELS==LSMC_NUM_LEVELS,
               "lsmc_stats arrays must cover every level");

#define STAT(x) atomic_load_explicit(&e->stats.x, memory_order_relaxed)

int lsmc_stats_get(lsmc_db *pDb, lsmc_stats *p){
  LsmEngine *e;
  Version *v;
  u64 nLargest = 0;
  u64 nWritten;
  int i;

  if( pDb==0 || pDb->pEng==0 || p==0 ) return LSMC_MISUSE_BKPT;
  e = pDb->pEng;
  memset(p, 0, sizeof(*p));
  p->iVersion = 1;
  p->eCompaction = (int)e->opts.aVal[LSMC_OPT_COMPACTION];

  pthread_mutex_lock(&e->mu);
  v = e->pVs->pCurrent;
  lsmcVersionRef(v);
  p->nMemtableBytes = lsmcMemtableBytes(e->pMem)
                    + (e->pImm ? lsmcMemtableBytes(e->pImm) : 0);
  p->nMemtableMemory = lsmcMemtableMemory(e->pMem)
                     + (e->pImm ? lsmcMemtableMemory(e->pImm) : 0);
  p->nLastSeq = e->iLastSeq;
  pthread_mutex_unlock(&e->mu);

  for(i=0; i<LSMC_NUM_LEVELS; i++){
    int j;
    p->anFile[i] = (u64)v->anFile[i];
    p->anByte[i] = lsmcVersionLevelBytes(v, i);
    p->nSstBytes += p->anByte[i];
    if( p->eCompaction==LSMC_COMPACTION_TIERED ){
      for(j=0; j<v->anFile[i]; j++){
        if( v->apFile[i][j]->nSize>nLargest ) nLargest = v->apFile[i][j]->nSize;
      }
    }else if( p->anByte[i]>nLargest ){
      nLargest = p->anByte[i];
    }
  }
  lsmcVersionUnref(v);
  if( p->eCompaction==LSMC_COMPACTION_FIFO ) nLargest = p->nSstBytes;

  p->nPut = STAT(nPut);
  p->nDelete = STAT(nDelete);
  p->nUserBytes = STAT(nUserBytes);
  p->nWalBytes = STAT(nWalBytes);
  p->nWalSync = STAT(nWalSync);
  p->nWriteGroup = STAT(nWriteGroup);
  p->nFlush = STAT(nFlush);
  p->nFlushBytes = STAT(nFlushBytes);
  p->nCompaction = STAT(nCompaction);
  p->nCompactReadBytes = STAT(nCompactReadBytes);
  p->nCompactWriteBytes = STAT(nCompactWriteBytes);
  p->nFifoDeletedBytes = STAT(nFifoDeletedBytes);
  p->nGet = STAT(nGet);
  p->nGetMemtable = STAT(nGetMem);
  for(i=0; i<LSMC_NUM_LEVELS; i++){
    p->anGetLevel[i] = STAT(anGetLevel[i]);
  }
  p->nGetMiss = STAT(nGetMiss);
  p->nSstConsulted = STAT(nSstConsulted);
  p->nBloomCheck = STAT(nBloomCheck);
  p->nBloomNegative = STAT(nBloomNegative);
  p->nBlockRead = STAT(nBlockRead);
  p->nCacheHit = STAT(nCacheHit);
  p->nCacheMiss = STAT(nCacheMiss);
  p->nStallSlow = STAT(nStallSlow);
  p->nStallStop = STAT(nStallStop);
  p->nStallMicros = STAT(nStallMicros);

  nWritten = p->nWalBytes + p->nFlushBytes + p->nCompactWriteBytes;
  p->fWriteAmp = p->nUserBytes ? (double)nWritten/(double)p->nUserBytes : 0.0;
  p->fReadAmp = p->nGet ? (double)p->nSstConsulted/(double)p->nGet : 0.0;
  p->fSpaceAmp = nLargest ? (double)p->nSstBytes/(double)nLargest : 0.0;
  return LSMC_OK;
}

/* Append "name":value for a u64 counter. */
static void jsonU64(int *pRc, LsmcBuf *pBuf, const char *zName, u64 v){
  char z[96];
  int n = snprintf(z, sizeof(z), "\"%s\":%llu,", zName, (unsigned long long)v);
  lsmcBufAppend(pRc, pBuf, z, (size_t)n);
}

/* Append "name":[a0,a1,...], for an array of u64. */
static void jsonArray(int *pRc, LsmcBuf *pBuf, const char *zName,
                      const u64 *a, int n){
  char z[64];
  int i, nz;
  nz = snprintf(z, sizeof(z), "\"%s\":[", zName);
  lsmcBufAppend(pRc, pBuf, z, (size_t)nz);
  for(i=0; i<n; i++){
    nz = snprintf(z, sizeof(z), "%s%llu", i ? "," : "", (unsigned long long)a[i]);
    lsmcBufAppend(pRc, pBuf, z, (size_t)nz);
  }
  lsmcBufAppend(pRc, pBuf, "],", 2);
}

int lsmc_stats_json(lsmc_db *pDb, char **pzJson){
  static const char *azStrategy[] = { "leveled", "tiered", "fifo" };
  lsmc_stats st;
  LsmcBuf buf;
  char z[256];
  int rc = lsmc_stats_get(pDb, &st);
  int n;

  *pzJson = 0;
  if( rc ) return rc;
  lsmcBufInit(&buf, pDb->pEnv);
  n = snprintf(z, sizeof(z), "{\"compaction\":\"%s\",",
               azStrategy[st.eCompaction<3 ? st.eCompaction : 0]);
  lsmcBufAppend(&rc, &buf, z, (size_t)n);
  jsonArray(&rc, &buf, "level_files", st.anFile, LSMC_STATS_LEVELS);
  jsonArray(&rc, &buf, "level_bytes", st.anByte, LSMC_STATS_LEVELS);
  jsonU64(&rc, &buf, "sst_bytes", st.nSstBytes);
  jsonU64(&rc, &buf, "memtable_bytes", st.nMemtableBytes);
  jsonU64(&rc, &buf, "memtable_memory", st.nMemtableMemory);
  jsonU64(&rc, &buf, "last_sequence", st.nLastSeq);
  jsonU64(&rc, &buf, "puts", st.nPut);
  jsonU64(&rc, &buf, "deletes", st.nDelete);
  jsonU64(&rc, &buf, "user_bytes", st.nUserBytes);
  jsonU64(&rc, &buf, "wal_bytes", st.nWalBytes);
  jsonU64(&rc, &buf, "wal_syncs", st.nWalSync);
  jsonU64(&rc, &buf, "write_groups", st.nWriteGroup);
  jsonU64(&rc, &buf, "flushes", st.nFlush);
  jsonU64(&rc, &buf, "flush_bytes", st.nFlushBytes);
  jsonU64(&rc, &buf, "compactions", st.nCompaction);
  jsonU64(&rc, &buf, "compaction_read_bytes", st.nCompactReadBytes);
  jsonU64(&rc, &buf, "compaction_write_bytes", st.nCompactWriteBytes);
  jsonU64(&rc, &buf, "fifo_deleted_bytes", st.nFifoDeletedBytes);
  jsonU64(&rc, &buf, "gets", st.nGet);
  jsonU64(&rc, &buf, "gets_memtable", st.nGetMemtable);
  jsonArray(&rc, &buf, "gets_level", st.anGetLevel, LSMC_STATS_LEVELS);
  jsonU64(&rc, &buf, "gets_missing", st.nGetMiss);
  jsonU64(&rc, &buf, "sst_consulted", st.nSstConsulted);
  jsonU64(&rc, &buf, "bloom_checks", st.nBloomCheck);
  jsonU64(&rc, &buf, "bloom_negatives", st.nBloomNegative);
  jsonU64(&rc, &buf, "blocks_read", st.nBlockRead);
  jsonU64(&rc, &buf, "cache_hits", st.nCacheHit);
  jsonU64(&rc, &buf, "cache_misses", st.nCacheMiss);
  jsonU64(&rc, &buf, "stalls_slowdown", st.nStallSlow);
  jsonU64(&rc, &buf, "stalls_stop", st.nStallStop);
  jsonU64(&rc, &buf, "stall_micros", st.nStallMicros);
  n = snprintf(z, sizeof(z), "\"write_amp\":%.3f,\"read_amp\":%.3f,"
               "\"space_amp\":%.3f}", st.fWriteAmp, st.fReadAmp, st.fSpaceAmp);
  lsmcBufAppend(&rc, &buf, z, (size_t)n + 1);      /* with the NUL */
  if( rc ){
    lsmcBufFree(&buf);
    return lsmcDbError(pDb, rc, 0);
  }
  *pzJson = (char*)buf.a;
  return LSMC_OK;
}

/*
** lsmc_files: one call of xFile per live SSTable of the current version
** (pinned by a reference while the listing runs, so a compaction that
** replaces files meanwhile does not change what is listed).  L0 is kept
** newest first and deeper levels in key order by the Version itself.
*/
int lsmc_files(lsmc_db *pDb, int (*xFile)(void *pArg, const lsmc_file_info*),
               void *pArg){
  LsmEngine *e;
  Version *v;
  int rc = LSMC_OK;
  int i, j;

  if( pDb==0 || pDb->pEng==0 || xFile==0 ) return LSMC_MISUSE_BKPT;
  e = pDb->pEng;
  pthread_mutex_lock(&e->mu);
  v = e->pVs->pCurrent;
  lsmcVersionRef(v);
  pthread_mutex_unlock(&e->mu);

  for(i=0; rc==LSMC_OK && i<LSMC_NUM_LEVELS; i++){
    for(j=0; rc==LSMC_OK && j<v->anFile[i]; j++){
      const FileMeta *f = v->apFile[i][j];
      lsmc_file_info info;
      info.iLevel = i;
      info.iNumber = f->iNumber;
      info.nSize = f->nSize;
      info.nEntries = f->nEntries;
      info.nDeletes = f->nDeletes;
      info.iMinSeq = f->iMinSeq;
      info.iMaxSeq = f->iMaxSeq;
      info.iCreated = f->iCreated;
      info.pSmallest = f->smallest.a;
      info.nSmallest = f->smallest.n - LSMC_TRAILER_SIZE;
      info.pLargest = f->largest.a;
      info.nLargest = f->largest.n - LSMC_TRAILER_SIZE;
      rc = xFile(pArg, &info);
    }
  }
  lsmcVersionUnref(v);
  return rc;
}
