/*
** cmd_sst.c -- "lsmctl sst FILE": one SSTable read on its own
** (lsmc_sst_inspect: no store is opened and no lock taken), in the manner
** of RocksDB's sst_dump --show_properties plus a block map:
**
**   the properties ("name  value" lines: size, format, entries,
**   tombstones, blocks, raw key and value bytes, sequence and key range,
**   bytes of data, index, filter and properties);
**   the block map, one line per block in file order: offset, size
**   (trailer included), type, entries, restarts, first and last key
**   (data blocks; printable, cut after CTL_KEY_SHOWN bytes) and "ok" or
**   "DAMAGED: <what>";
**   the filter: bits per key, probes (k), 512-bit lines, the share of bits
**   set, and the false-positive rate expected at that fill.
**
** Exit status: CTL_EXIT_DAMAGED if a block is damaged or the file is too
** damaged to walk (the engine's message says where), CTL_EXIT_ERROR if
** it cannot be read.
*/
#include "lsmctl.h"

#include <stdlib.h>
#include <string.h>

/* The walk's state, for the block callback. */
typedef struct SstWalk SstWalk;
struct SstWalk {
  FILE *pOut;                 /* The block map, kept until the properties
                              ** are printed (open_memstream) */
  uint64_t nBlock;            /* Blocks shown */
  uint64_t nDamaged;          /* Blocks not ok */
  int bHeader;                /* The block table's header was printed */
};

/* The name of block type eType. */
static const char *sstBlockName(int eType){
  switch( eType ){
    case LSMC_BLOCK_DATA:       return "data";
    case LSMC_BLOCK_FILTER:     return "filter";
    case LSMC_BLOCK_PROPERTIES: return "properties";
    case LSMC_BLOCK_INDEX:      return "index";
    case LSMC_BLOCK_FOOTER:     return "footer";
    default:                    return "unknown";
  }
}

/* lsmc_sst_inspect callback: one line of the block map. */
static int sstBlock(void *pArg, const lsmc_sst_block *pB){
  SstWalk *p = (SstWalk*)pArg;
  FILE *pOut = p->pOut;
  if( !p->bHeader ){
    fprintf(pOut, "blocks\n      offset      size  type        entries  "
            "restarts  keys / status\n");
    p->bHeader = 1;
  }
  fprintf(pOut, "%12llu %9llu  %-10s %8u %9u  ", (unsigned long long)pB->iOffset,
         (unsigned long long)pB->nSize, sstBlockName(pB->eType),
         (unsigned)pB->nEntries, (unsigned)pB->nRestarts);
  if( pB->eType==LSMC_BLOCK_DATA && pB->bOk ){
    ctlPutKey(pOut, pB->pFirstKey, pB->nFirstKey, 0, CTL_KEY_SHOWN);
    fputs(" .. ", pOut);
    ctlPutKey(pOut, pB->pLastKey, pB->nLastKey, 0, CTL_KEY_SHOWN);
    fputs("  ", pOut);
  }
  if( pB->bOk ){
    fputs("ok\n", pOut);
  }else{
    fprintf(pOut, "DAMAGED: %s\n", pB->zError ? pB->zError : "bad block");
    p->nDamaged++;
  }
  p->nBlock++;
  return 0;
}

/* The properties part, from *pI. */
static void sstProperties(const char *zPath, const lsmc_sst_info *pI){
  char zSize[32];
  printf("file                 %s\n", zPath);
  printf("size                 %llu (%s)\n", (unsigned long long)pI->nFileSize,
         ctlSize(pI->nFileSize, zSize, sizeof(zSize)));
  printf("format               %u\n", (unsigned)pI->iFormat);
  printf("entries              %llu\n", (unsigned long long)pI->nEntries);
  printf("tombstones           %llu\n", (unsigned long long)pI->nDeletes);
  printf("data blocks          %llu\n", (unsigned long long)pI->nDataBlocks);
  printf("raw key bytes        %llu\n", (unsigned long long)pI->nRawKey);
  printf("raw value bytes      %llu\n", (unsigned long long)pI->nRawValue);
  printf("sequence range       %llu .. %llu\n",
         (unsigned long long)pI->iMinSeq, (unsigned long long)pI->iMaxSeq);
  fputs("key range            ", stdout);
  ctlPutKey(stdout, pI->pSmallest, pI->nSmallest, 0, CTL_KEY_SHOWN);
  fputs(" .. ", stdout);
  ctlPutKey(stdout, pI->pLargest, pI->nLargest, 0, CTL_KEY_SHOWN);
  fputc('\n', stdout);
  printf("data bytes           %llu\n", (unsigned long long)pI->nDataBytes);
  printf("index bytes          %llu\n", (unsigned long long)pI->nIndexBytes);
  printf("filter bytes         %llu\n", (unsigned long long)pI->nFilterBytes);
  printf("properties bytes     %llu\n", (unsigned long long)pI->nPropsBytes);
}

/* The filter part, from *pI. */
static void sstFilter(const lsmc_sst_info *pI){
  uint64_t nBits = (uint64_t)pI->nFilterLines * 512;
  if( pI->nBloomBits==0 || pI->nFilterLines==0 ){
    printf("filter               none\n");
    return;
  }
  printf("filter               %u bits/key, k=%u, %u lines, %.1f%% bits set, "
         "expected FPR %.3f%%\n", (unsigned)pI->nBloomBits,
         (unsigned)pI->nFilterProbes, (unsigned)pI->nFilterLines,
         100.0*(double)pI->nFilterBitsSet/(double)nBits,
         100.0*pI->fFilterFpr);
}

/*
** lsmctl sst FILE: walk the file, keeping the block map in memory, then
** print the properties, the filter and the map.  Returns the exit code.
*/
int ctlCmdSst(const CtlArgs *pArgs){
  lsmc_sst_info info;
  SstWalk walk;
  char *zMap = 0;
  size_t nMap = 0;
  char *zErr = 0;
  int eExit = ctlFileCheck(pArgs->zPath);
  int rc;
  if( eExit ) return eExit;
  memset(&info, 0, sizeof(info));
  memset(&walk, 0, sizeof(walk));
  walk.pOut = open_memstream(&zMap, &nMap);
  if( walk.pOut==0 ){
    ctlError("out of memory");
    return CTL_EXIT_ERROR;
  }
  rc = lsmc_sst_inspect(pArgs->zPath, 0, sstBlock, &walk, &info, &zErr);
  fclose(walk.pOut);
  if( rc==LSMC_OK || (walk.nBlock>0 && (rc & 0xff)==LSMC_CORRUPT) ){
    sstProperties(pArgs->zPath, &info);
    sstFilter(&info);
    fputc('\n', stdout);
  }
  if( zMap ) fwrite(zMap, 1, nMap, stdout);
  free(zMap);
  eExit = rc==LSMC_OK ? CTL_EXIT_OK : ctlFileError(pArgs->zPath, rc, zErr);
  lsmc_free(0, zErr);
  lsmc_sst_info_clear(&info);
  return eExit;
}
