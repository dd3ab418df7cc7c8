/*
** cmd_info.c -- "lsmctl info DIR [--json]": what a store holds, in the
** manner of sqlite3_analyzer: the levels (files and bytes, from
** lsmc_stats), every live SSTable (from lsmc_files: number, level, bytes,
** entries, tombstones, sequence range, key range), the totals, the
** memtable, write and space amplification, and the table declaration the
** SQLite module keeps in the store ("lsmvtab.schema", see rows.c).
**
** Text output: "name  value" lines, then the level table and the file
** table with fixed columns, keys in printable form cut after
** CTL_KEY_SHOWN bytes.  --json: one object with the same facts, keys in
** full (printable and hex); amplification figures that cannot be computed
** (nothing written since the open) are null, "-" in the text form.  The write amplification
** counts only what this open of the store wrote, since the engine's
** counters start at the open; it is shown for completeness.
*/
#include "lsmctl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One SSTable, copied out of lsmc_files' callback. */
typedef struct InfoFile InfoFile;
struct InfoFile {
  lsmc_file_info info;        /* Keys point into aKeys */
  uint8_t *aKeys;             /* Smallest then largest key (owned) */
};

/* The files of the store, collected by infoCollect. */
typedef struct InfoFiles InfoFiles;
struct InfoFiles {
  InfoFile *a;                /* Files in lsmc_files order */
  int n;                      /* Files in a */
  int nAlloc;                 /* Allocated entries of a */
};

/*
** lsmc_files callback: append a copy of *pInfo (and its keys) to the
** InfoFiles at pArg.  Returns non-zero (stopping the listing) on NOMEM.
*/
static int infoCollect(void *pArg, const lsmc_file_info *pInfo){
  InfoFiles *p = (InfoFiles*)pArg;
  InfoFile *pF;
  if( p->n==p->nAlloc ){
    int nNew = p->nAlloc ? p->nAlloc*2 : 16;
    InfoFile *aNew = realloc(p->a, sizeof(InfoFile)*(size_t)nNew);
    if( aNew==0 ) return LSMC_NOMEM;
    p->a = aNew;
    p->nAlloc = nNew;
  }
  pF = &p->a[p->n];
  pF->info = *pInfo;
  pF->aKeys = malloc(pInfo->nSmallest + pInfo->nLargest + 1);
  if( pF->aKeys==0 ) return LSMC_NOMEM;
  if( pInfo->nSmallest ) memcpy(pF->aKeys, pInfo->pSmallest, pInfo->nSmallest);
  if( pInfo->nLargest ){
    memcpy(&pF->aKeys[pInfo->nSmallest], pInfo->pLargest, pInfo->nLargest);
  }
  pF->info.pSmallest = pF->aKeys;
  pF->info.pLargest = &pF->aKeys[pInfo->nSmallest];
  p->n++;
  return 0;
}

/* Free the files collected by infoCollect. */
static void infoFilesFree(InfoFiles *p){
  int i;
  for(i=0; i<p->n; i++) free(p->a[i].aKeys);
  free(p->a);
}

/* The name of compaction strategy eCompaction. */
static const char *infoCompactionName(int eCompaction){
  switch( eCompaction ){
    case LSMC_COMPACTION_LEVELED: return "leveled";
    case LSMC_COMPACTION_TIERED:  return "tiered";
    case LSMC_COMPACTION_FIFO:    return "fifo";
    default:                      return "unknown";
  }
}

/* The deepest level holding a file, or 0. */
static int infoDeepest(const lsmc_stats *pStats){
  int i, iDeep = 0;
  for(i=0; i<LSMC_STATS_LEVELS; i++){
    if( pStats->anFile[i] ) iDeep = i;
  }
  return iDeep;
}

/*
** The level table: one line per level from L0 to the deepest non-empty
** one (files, bytes, bytes for a person), then the totals.
*/
void ctlPrintLevels(FILE *pOut, const lsmc_stats *pStats){
  uint64_t nFile = 0, nByte = 0;
  char zSize[32];
  int i, iDeep = infoDeepest(pStats);
  fprintf(pOut, "level  files        bytes  size\n");
  for(i=0; i<=iDeep; i++){
    fprintf(pOut, "L%-4d %6llu %12llu  %s\n", i,
            (unsigned long long)pStats->anFile[i],
            (unsigned long long)pStats->anByte[i],
            ctlSize(pStats->anByte[i], zSize, sizeof(zSize)));
    nFile += pStats->anFile[i];
    nByte += pStats->anByte[i];
  }
  fprintf(pOut, "total %6llu %12llu  %s\n", (unsigned long long)nFile,
          (unsigned long long)nByte, ctlSize(nByte, zSize, sizeof(zSize)));
}

/* Write a double as a JSON number, or null if it is not finite. */
static void infoJsonReal(FILE *pOut, const char *zName, double r){
  if( isfinite(r) ){
    fprintf(pOut, "\"%s\":%.4f", zName, r);
  }else{
    fprintf(pOut, "\"%s\":null", zName);
  }
}

/* The --json form. */
static void infoJson(FILE *pOut, const char *zDir, const lsmc_stats *pS,
                     const InfoFiles *pFiles, const char *zSchema){
  uint64_t nFile = 0, nByte = 0;
  int i;
  fputs("{\"store\":", pOut);
  ctlJsonString(pOut, zDir);
  fprintf(pOut, ",\n \"compaction\":\"%s\",\n \"schema\":",
          infoCompactionName(pS->eCompaction));
  if( zSchema ){
    ctlJsonString(pOut, zSchema);
  }else{
    fputs("null", pOut);
  }
  fputs(",\n \"levels\":[", pOut);
  for(i=0; i<=infoDeepest(pS); i++){
    fprintf(pOut, "%s\n  {\"level\":%d,\"files\":%llu,\"bytes\":%llu}",
            i ? "," : "", i, (unsigned long long)pS->anFile[i],
            (unsigned long long)pS->anByte[i]);
    nFile += pS->anFile[i];
    nByte += pS->anByte[i];
  }
  fputs("],\n \"files\":[", pOut);
  for(i=0; i<pFiles->n; i++){
    const lsmc_file_info *pF = &pFiles->a[i].info;
    fprintf(pOut, "%s\n  {\"number\":%llu,\"level\":%d,\"bytes\":%llu,"
            "\"entries\":%llu,\"tombstones\":%llu,\"min_seq\":%llu,"
            "\"max_seq\":%llu,", i ? "," : "",
            (unsigned long long)pF->iNumber, pF->iLevel,
            (unsigned long long)pF->nSize, (unsigned long long)pF->nEntries,
            (unsigned long long)pF->nDeletes, (unsigned long long)pF->iMinSeq,
            (unsigned long long)pF->iMaxSeq);
    ctlJsonKey(pOut, "smallest", pF->pSmallest, pF->nSmallest);
    fputc(',', pOut);
    ctlJsonKey(pOut, "largest", pF->pLargest, pF->nLargest);
    fputc('}', pOut);
  }
  fprintf(pOut, "],\n \"total_files\":%llu,\n \"total_bytes\":%llu,\n"
          " \"memtable_bytes\":%llu,\n \"last_seq\":%llu,\n ",
          (unsigned long long)nFile, (unsigned long long)nByte,
          (unsigned long long)pS->nMemtableBytes,
          (unsigned long long)pS->nLastSeq);
  infoJsonReal(pOut, "write_amp", pS->nUserBytes ? pS->fWriteAmp : NAN);
  fputs(",\n ", pOut);
  infoJsonReal(pOut, "space_amp", pS->fSpaceAmp);
  fputs("\n}\n", pOut);
}

/* The text form. */
static void infoText(FILE *pOut, const char *zDir, const lsmc_stats *pS,
                     const InfoFiles *pFiles, const char *zSchema){
  int i;
  fprintf(pOut, "store                %s\n", zDir);
  fprintf(pOut, "compaction           %s\n", infoCompactionName(pS->eCompaction));
  fprintf(pOut, "schema               %s\n", zSchema ? zSchema : "(none)");
  fputc('\n', pOut);
  ctlPrintLevels(pOut, pS);
  fputc('\n', pOut);
  fprintf(pOut, "file        level        bytes   entries  tombstones  "
          "key range\n");
  for(i=0; i<pFiles->n; i++){
    const lsmc_file_info *pF = &pFiles->a[i].info;
    fprintf(pOut, "%06llu.sst  L%-4d %12llu %9llu %11llu  ",
            (unsigned long long)pF->iNumber, pF->iLevel,
            (unsigned long long)pF->nSize, (unsigned long long)pF->nEntries,
            (unsigned long long)pF->nDeletes);
    ctlPutKey(pOut, pF->pSmallest, pF->nSmallest, 0, CTL_KEY_SHOWN);
    fputs(" .. ", pOut);
    ctlPutKey(pOut, pF->pLargest, pF->nLargest, 0, CTL_KEY_SHOWN);
    fputc('\n', pOut);
  }
  if( pFiles->n==0 ) fprintf(pOut, "(no files)\n");
  fputc('\n', pOut);
  fprintf(pOut, "memtable bytes       %llu\n",
          (unsigned long long)pS->nMemtableBytes);
  fprintf(pOut, "last sequence        %llu\n", (unsigned long long)pS->nLastSeq);
  if( pS->nUserBytes>0 && isfinite(pS->fWriteAmp) ){
    fprintf(pOut, "write amplification  %.2f (since this open)\n",
            pS->fWriteAmp);
  }else{
    fprintf(pOut, "write amplification  - (nothing written since this open)\n");
  }
  if( isfinite(pS->fSpaceAmp) ){
    fprintf(pOut, "space amplification  %.2f\n", pS->fSpaceAmp);
  }else{
    fprintf(pOut, "space amplification  -\n");
  }
}

/*
** The schema the store keeps, as a CREATE VIRTUAL TABLE statement in
** *pzSchema (caller frees with free(); NULL if the store keeps none).
** Returns LSMC_OK or the engine's error.
*/
static int infoSchema(lsmc_db *pDb, char **pzSchema){
  void *pVal = 0;
  size_t nVal = 0;
  int rc = lsmc_meta_get(pDb, CTL_SCHEMA_KEY, &pVal, &nVal);
  *pzSchema = 0;
  if( rc==LSMC_NOTFOUND ) return LSMC_OK;
  if( rc==LSMC_OK ){
    *pzSchema = ctlSchemaText(pVal, nVal);
    if( *pzSchema==0 ) *pzSchema = strdup("(damaged: not a table declaration)");
  }
  lsmc_free(pDb, pVal);
  return rc;
}

/*
** lsmctl info DIR: open the store, gather the statistics, the files and
** the kept declaration, and print them as text or JSON.  Returns the exit
** code.
*/
int ctlCmdInfo(const CtlArgs *pArgs){
  lsmc_db *pDb = 0;
  lsmc_stats stats;
  InfoFiles files;
  char *zSchema = 0;
  int rc;
  int eExit = ctlOpenStore(pArgs->zPath, 0, &pDb);
  if( eExit ) return eExit;
  memset(&files, 0, sizeof(files));
  memset(&stats, 0, sizeof(stats));
  rc = lsmc_stats_get(pDb, &stats);
  if( rc==LSMC_OK ) rc = lsmc_files(pDb, infoCollect, &files);
  if( rc==LSMC_OK ) rc = infoSchema(pDb, &zSchema);
  if( rc==LSMC_OK ){
    if( pArgs->mOpts & CTL_OPT_JSON ){
      infoJson(stdout, pArgs->zPath, &stats, &files, zSchema);
    }else{
      infoText(stdout, pArgs->zPath, &stats, &files, zSchema);
    }
  }else{
    eExit = ctlEngineError(pDb, rc, pArgs->zPath);
  }
  free(zSchema);
  infoFilesFree(&files);
  lsmc_close(pDb);
  return eExit;
}
