/*
** manifest.c -- encodes and decodes version edits, reads the manifest log
** and reads and replaces CURRENT.  The formats are in manifest.h.  The
** manifest's records use the WAL framing (wal_writer.c, wal_reader.c).
*/
#include "manifest.h"
#include "coding.h"
#include "env.h"
#include "filename.h"
#include "wal_reader.h"

#include <stdio.h>

#define TAG_LOG        1
#define TAG_NEXT_FILE  2
#define TAG_LAST_SEQ   3
#define TAG_ADD_FILE   4
#define TAG_DEL_FILE   5
#define TAG_FORMAT     6
#define TAG_FOREIGN    7
#define TAG_CLEAN_WAL  8
#define TAG_META       9

void lsmcEditInit(VersionEdit *p, lsmc_env *pEnv){
  memset(p, 0, sizeof(*p));
  p->pEnv = pEnv;
}

void lsmcEditClear(VersionEdit *p){
  lsmc_env *pEnv = p->pEnv;
  lsmcFree(pEnv, p->aAdd);
  lsmcFree(pEnv, p->aDel);
  lsmcFree(pEnv, p->aForeign);
  lsmcFree(pEnv, p->aMeta);
  lsmcEditInit(p, pEnv);
}

/*
** Grow an edit array by one slot; return the slot or NULL on OOM.
*/
static void *editGrow(lsmc_env *pEnv, void **pa, int n, size_t sz){
  if( (n & (n-1))==0 ){                     /* n is 0 or a power of two */
    void *aNew = lsmcRealloc(pEnv, *pa, sz * (size_t)(n ? n*2 : 4));
    if( aNew==0 ) return 0;
    *pa = aNew;
  }
  return (u8*)*pa + sz*(size_t)n;
}

int lsmcEditAddFile(VersionEdit *p, const EditFile *pFile){
  EditFile *pNew;
  if( p->nAdd>=LSMC_EDIT_MAX_FILES ) return LSMC_MISUSE_BKPT;
  pNew = editGrow(p->pEnv, (void**)&p->aAdd, p->nAdd, sizeof(EditFile));
  if( pNew==0 ) return LSMC_NOMEM;
  *pNew = *pFile;
  p->nAdd++;
  return LSMC_OK;
}

int lsmcEditDelFile(VersionEdit *p, int iLevel, u64 iNumber){
  EditDel *pNew;
  if( p->nDel>=LSMC_EDIT_MAX_FILES ) return LSMC_MISUSE_BKPT;
  pNew = editGrow(p->pEnv, (void**)&p->aDel, p->nDel, sizeof(EditDel));
  if( pNew==0 ) return LSMC_NOMEM;
  pNew->iLevel = iLevel;
  pNew->iNumber = iNumber;
  p->nDel++;
  return LSMC_OK;
}

int lsmcEditAddForeign(VersionEdit *p, u64 iNumber){
  u64 *pNew;
  if( p->nForeign>=LSMC_EDIT_MAX_FILES ) return LSMC_MISUSE_BKPT;
  pNew = editGrow(p->pEnv, (void**)&p->aForeign, p->nForeign, sizeof(u64));
  if( pNew==0 ) return LSMC_NOMEM;
  *pNew = iNumber;
  p->nForeign++;
  return LSMC_OK;
}

int lsmcMetaNameValid(const u8 *zName, size_t nName){
  size_t i;
  if( nName<1 || nName>LSMC_META_MAX_NAME ) return 0;
  for(i=0; i<nName; i++){
    if( zName[i]<0x20 || zName[i]>0x7e ) return 0;
  }
  return 1;
}

int lsmcEditAddMeta(VersionEdit *p, const u8 *zName, size_t nName,
                    const u8 *pVal, size_t nVal){
  EditMeta *pNew;
  if( p->nMeta>=LSMC_META_MAX_COUNT || !lsmcMetaNameValid(zName, nName)
   || nVal>LSMC_META_MAX_VALUE ){
    return LSMC_MISUSE_BKPT;
  }
  pNew = editGrow(p->pEnv, (void**)&p->aMeta, p->nMeta, sizeof(EditMeta));
  if( pNew==0 ) return LSMC_NOMEM;
  pNew->zName = zName;
  pNew->nName = nName;
  pNew->pVal = pVal ? pVal : (const u8*)"";
  pNew->nVal = nVal;
  p->nMeta++;
  return LSMC_OK;
}

void lsmcEditEncode(int *pRc, const VersionEdit *p, LsmcBuf *pBuf){
  int i;
  if( p->bFormat ){
    lsmcBufAppendVarint(pRc, pBuf, TAG_FORMAT);
    lsmcBufAppendVarint(pRc, pBuf, p->iFormat);
  }
  if( p->bLog ){
    lsmcBufAppendVarint(pRc, pBuf, TAG_LOG);
    lsmcBufAppendVarint(pRc, pBuf, p->iLog);
  }
  if( p->bNextFile ){
    lsmcBufAppendVarint(pRc, pBuf, TAG_NEXT_FILE);
    lsmcBufAppendVarint(pRc, pBuf, p->iNextFile);
  }
  if( p->bLastSeq ){
    lsmcBufAppendVarint(pRc, pBuf, TAG_LAST_SEQ);
    lsmcBufAppendVarint(pRc, pBuf, p->iLastSeq);
  }
  if( p->bCleanWal ){
    lsmcBufAppendVarint(pRc, pBuf, TAG_CLEAN_WAL);
    lsmcBufAppendVarint(pRc, pBuf, p->iCleanWal);
  }
  for(i=0; i<p->nMeta; i++){
    lsmcBufAppendVarint(pRc, pBuf, TAG_META);
    lsmcBufAppendBlob(pRc, pBuf, p->aMeta[i].zName, p->aMeta[i].nName);
    lsmcBufAppendBlob(pRc, pBuf, p->aMeta[i].pVal, p->aMeta[i].nVal);
  }
  for(i=0; i<p->nForeign; i++){
    lsmcBufAppendVarint(pRc, pBuf, TAG_FOREIGN);
    lsmcBufAppendVarint(pRc, pBuf, p->aForeign[i]);
  }
  for(i=0; i<p->nDel; i++){
    lsmcBufAppendVarint(pRc, pBuf, TAG_DEL_FILE);
    lsmcBufAppendVarint(pRc, pBuf, (u64)p->aDel[i].iLevel);
    lsmcBufAppendVarint(pRc, pBuf, p->aDel[i].iNumber);
  }
  for(i=0; i<p->nAdd; i++){
    const EditFile *f = &p->aAdd[i];
    lsmcBufAppendVarint(pRc, pBuf, TAG_ADD_FILE);
    lsmcBufAppendVarint(pRc, pBuf, (u64)f->iLevel);
    lsmcBufAppendVarint(pRc, pBuf, f->iNumber);
    lsmcBufAppendVarint(pRc, pBuf, f->nSize);
    lsmcBufAppendVarint(pRc, pBuf, f->iMinSeq);
    lsmcBufAppendVarint(pRc, pBuf, f->iMaxSeq);
    lsmcBufAppendVarint(pRc, pBuf, f->nEntries);
    lsmcBufAppendVarint(pRc, pBuf, f->nDeletes);
    lsmcBufAppendVarint(pRc, pBuf, f->iCreated);
    lsmcBufAppendBlob(pRc, pBuf, f->pSmallest, f->nSmallest);
    lsmcBufAppendBlob(pRc, pBuf, f->pLargest, f->nLargest);
  }
}

/*
** A cursor over an encoded edit, for decoding.  Any short or malformed
** field sets rc to LSMC_CORRUPT; later reads then return 0.
*/
typedef struct EditReader EditReader;
struct EditReader {
  const u8 *p;          /* Next byte */
  const u8 *pEnd;       /* One past the last byte */
  int rc;               /* LSMC_OK or LSMC_CORRUPT */
};

static u64 editGetVarint(EditReader *r){
  u64 v = 0;
  int n;
  if( r->rc ) return 0;
  n = lsmcGetVarint64(r->p, r->pEnd, &v);
  if( n==0 ){ r->rc = LSMC_CORRUPT_BKPT; return 0; }
  r->p += n;
  return v;
}

/* A length-prefixed internal key: it must hold at least a trailer. */
static const u8 *editGetKey(EditReader *r, size_t *pn){
  u64 n = editGetVarint(r);
  const u8 *pKey = r->p;
  if( r->rc ) return 0;
  if( n<LSMC_TRAILER_SIZE || n>(u64)(r->pEnd - r->p)
   || n>LSMC_MAX_KEY+LSMC_TRAILER_SIZE ){
    r->rc = LSMC_CORRUPT_BKPT;
    return 0;
  }
  r->p += n;
  *pn = (size_t)n;
  return pKey;
}

/* A length-prefixed byte string of at most nMax bytes. */
static const u8 *editGetBlob(EditReader *r, size_t nMax, size_t *pn){
  u64 n = editGetVarint(r);
  const u8 *p = r->p;
  if( r->rc ) return 0;
  if( n>nMax || n>(u64)(r->pEnd - r->p) ){
    r->rc = LSMC_CORRUPT_BKPT;
    return 0;
  }
  r->p += n;
  *pn = (size_t)n;
  return p;
}

static int editGetLevel(EditReader *r){
  u64 iLevel = editGetVarint(r);
  if( r->rc==LSMC_OK && iLevel>=LSMC_NUM_LEVELS ) r->rc = LSMC_CORRUPT_BKPT;
  return (int)iLevel;
}

int lsmcEditDecode(VersionEdit *pEdit, const u8 *p, size_t n){
  EditReader r;
  r.p = p;
  r.pEnd = p + n;
  r.rc = LSMC_OK;
  while( r.rc==LSMC_OK && r.p<r.pEnd ){
    u64 eTag = editGetVarint(&r);
    switch( eTag ){
      case TAG_FORMAT:
        pEdit->bFormat = 1;
        pEdit->iFormat = editGetVarint(&r);
        break;
      case TAG_LOG:
        pEdit->bLog = 1;
        pEdit->iLog = editGetVarint(&r);
        break;
      case TAG_NEXT_FILE:
        pEdit->bNextFile = 1;
        pEdit->iNextFile = editGetVarint(&r);
        break;
      case TAG_LAST_SEQ:
        pEdit->bLastSeq = 1;
        pEdit->iLastSeq = editGetVarint(&r);
        if( pEdit->iLastSeq>LSMC_MAX_SEQ ) r.rc = LSMC_CORRUPT_BKPT;
        break;
      case TAG_CLEAN_WAL:
        pEdit->bCleanWal = 1;
        pEdit->iCleanWal = editGetVarint(&r);
        break;
      case TAG_FOREIGN: {
        u64 iNumber = editGetVarint(&r);
        if( r.rc==LSMC_OK ){
          r.rc = lsmcEditAddForeign(pEdit, iNumber);
          if( r.rc==LSMC_MISUSE ) r.rc = LSMC_CORRUPT_BKPT;
        }
        break;
      }
      case TAG_META: {
        size_t nName = 0, nVal = 0;
        const u8 *zName = editGetBlob(&r, LSMC_META_MAX_NAME, &nName);
        const u8 *pVal = editGetBlob(&r, LSMC_META_MAX_VALUE, &nVal);
        if( r.rc==LSMC_OK ){
          r.rc = lsmcEditAddMeta(pEdit, zName, nName, pVal, nVal);
          if( r.rc==LSMC_MISUSE ) r.rc = LSMC_CORRUPT_BKPT;
        }
        break;
      }
      case TAG_DEL_FILE: {
        int iLevel = editGetLevel(&r);
        u64 iNumber = editGetVarint(&r);
        if( r.rc==LSMC_OK ){
          r.rc = lsmcEditDelFile(pEdit, iLevel, iNumber);
          if( r.rc==LSMC_MISUSE ) r.rc = LSMC_CORRUPT_BKPT;
        }
        break;
      }
      case TAG_ADD_FILE: {
        EditFile f;
        f.iLevel = editGetLevel(&r);
        f.iNumber = editGetVarint(&r);
        f.nSize = editGetVarint(&r);
        f.iMinSeq = editGetVarint(&r);
        f.iMaxSeq = editGetVarint(&r);
        f.nEntries = editGetVarint(&r);
        f.nDeletes = editGetVarint(&r);
        f.iCreated = editGetVarint(&r);
        f.pSmallest = editGetKey(&r, &f.nSmallest);
        f.pLargest = editGetKey(&r, &f.nLargest);
#if defined(LSMV_FUZZ_CANARY) && LSMV_FUZZ_CANARY==6
        /* TEST CANARY (TESTPLAN F4), compiled only by build-aux/fuzz.sh's
        ** canary build of fuzz_manifest: a planted out-of-bounds read that the
        ** fuzzer must reach, proving the target gets here.  Never active
        ** otherwise. */
        if( r.rc==LSMC_OK && memchr(f.pSmallest, 0xCA, f.nSmallest) ){
          static const u8 aCanary[4] = {0};
          const volatile u8 *pCanary = aCanary;
          volatile int iCanary = 4;
          (void)pCanary[iCanary];
        }
#endif
        if( r.rc==LSMC_OK && (f.iMinSeq>f.iMaxSeq || f.iMaxSeq>LSMC_MAX_SEQ
         || lsmcIKeyCompare(f.pSmallest, f.nSmallest,
                            f.pLargest, f.nLargest)>0) ){
          r.rc = LSMC_CORRUPT_BKPT;
        }
        if( r.rc==LSMC_OK ){
          r.rc = lsmcEditAddFile(pEdit, &f);
          if( r.rc==LSMC_MISUSE ) r.rc = LSMC_CORRUPT_BKPT;
        }
        break;
      }
      default:
        r.rc = LSMC_CORRUPT_BKPT;
        break;
    }
  }
  return r.rc;
}

int lsmcCurrentRead(lsmc_env *pEnv, const char *zDir, u64 *piManifest){
  char *zPath = lsmcFileName(pEnv, zDir, LSMC_FILE_CURRENT, 0);
  LsmcBuf buf;
  int rc;
  if( zPath==0 ) return LSMC_NOMEM;
  lsmcBufInit(&buf, pEnv);
  rc = lsmcEnvReadFile(pEnv, zPath, 256, &buf);
  if( rc==LSMC_OK ){
    char zName[257];
    int eType = 0;
    if( buf.n<2 || buf.a[buf.n-1]!='\n' ){
      rc = LSMC_CORRUPT_BKPT;
    }else{
      memcpy(zName, buf.a, buf.n-1);
      zName[buf.n-1] = '\0';
      if( strlen(zName)!=buf.n-1
       || !lsmcParseFileName(zName, &eType, piManifest)
       || eType!=LSMC_FILE_MANIFEST ){
        rc = LSMC_CORRUPT_BKPT;
      }
    }
  }
  lsmcBufFree(&buf);
  lsmcFree(pEnv, zPath);
  return rc;
}

int lsmcCurrentWrite(lsmc_env *pEnv, const char *zDir, u64 iManifest,
                     u64 iTmp){
  char *zPath = lsmcFileName(pEnv, zDir, LSMC_FILE_CURRENT, 0);
  char *zTmp = lsmcFileName(pEnv, zDir, LSMC_FILE_TEMP, iTmp);
  char zText[64];
  int rc = LSMC_NOMEM;
  int n = snprintf(zText, sizeof(zText), "MANIFEST-%06llu\n",
                   (unsigned long long)iManifest);
  if( zPath && zTmp ){
    rc = lsmcEnvWriteFileAtomic(pEnv, zDir, zPath, zTmp, zText, (size_t)n);
  }
  lsmcFree(pEnv, zPath);
  lsmcFree(pEnv, zTmp);
  return rc;
}

/* Context of lsmcManifestReplay's record callback. */
typedef struct ManifestReplay ManifestReplay;
struct ManifestReplay {
  lsmc_env *pEnv;                                 /* Allocator */
  int (*xEdit)(void *pArg, VersionEdit *pEdit);   /* Edit consumer */
  void *pArg;                                     /* Its context */
  u64 nRecord;                                    /* Records seen */
};

static int manifestRecord(void *pArg, const u8 *p, size_t n){
  ManifestReplay *pCtx = (ManifestReplay*)pArg;
  VersionEdit edit;
  int rc;
  lsmcEditInit(&edit, pCtx->pEnv);
  rc = lsmcEditDecode(&edit, p, n);
  if( rc==LSMC_OK ){
    /* FORMAT must open the first record, and appear nowhere else. */
    int bFirst = (pCtx->nRecord==0);
    if( edit.bFormat!=bFirst
     || (bFirst && edit.iFormat!=LSMC_MANIFEST_FORMAT
                && edit.iFormat!=LSMC_MANIFEST_FORMAT_V1) ){
      rc = LSMC_CORRUPT_BKPT;
    }
  }
  if( rc==LSMC_OK ) rc = pCtx->xEdit(pCtx->pArg, &edit);
  pCtx->nRecord++;
  lsmcEditClear(&edit);
  return rc;
}

int lsmcManifestReplay(lsmc_env *pEnv, const char *zDir, u64 iManifest,
                       int (*xEdit)(void *pArg, VersionEdit *pEdit),
                       void *pArg){
  char *zPath = lsmcFileName(pEnv, zDir, LSMC_FILE_MANIFEST, iManifest);
  ManifestReplay ctx;
  int rc;
  if( zPath==0 ) return LSMC_NOMEM;
  ctx.pEnv = pEnv;
  ctx.xEdit = xEdit;
  ctx.pArg = pArg;
  ctx.nRecord = 0;
  rc = lsmcWalReplay(pEnv, zPath, LSMC_RECOVER_STRICT, manifestRecord,
                     &ctx, 0);
  if( rc==LSMC_IOERR_NOENT ) rc = LSMC_CORRUPT_BKPT;  /* CURRENT names it */
  if( rc==LSMC_OK && ctx.nRecord==0 ) rc = LSMC_CORRUPT_BKPT;
  lsmcFree(pEnv, zPath);
  return rc;
}
