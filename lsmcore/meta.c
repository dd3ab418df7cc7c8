/*
** meta.c -- application metadata (meta.h): the in-memory MetaSet that
** mirrors the manifest's META items, and the public lsmc_meta_put() and
** lsmc_meta_get().
**
** A put is one version edit holding one META item, appended and synced
** through lsmcVersionSetApply under the db mutex, exactly as a flush or a
** compaction installs its edit; only after the sync does the new value
** replace the old one in memory.  The value's copy is made before the
** edit is written, so nothing can fail after it.  A manifest write that
** fails leaves the old value and sets the store's sticky error (as a
** failed flush does): the manifest may now end in a torn record, and no
** later edit may follow it.  The value a crash leaves is the old or the
** new one, never a mix: an edit is one log record, whole or dropped.
*/
#include "db.h"
#include "meta.h"

void lsmcMetaSetInit(MetaSet *p, lsmc_env *pEnv){
  memset(p, 0, sizeof(*p));
  p->pEnv = pEnv;
}

void lsmcMetaSetClear(MetaSet *p){
  int i;
  for(i=0; i<p->n; i++) lsmcFree(p->pEnv, p->a[i].pVal);
  lsmcMetaSetInit(p, p->pEnv);
}

int lsmcMetaSetFind(const MetaSet *p, const u8 *zName, size_t nName){
  int i;
  for(i=0; i<p->n; i++){
    if( strlen(p->a[i].zName)==nName && memcmp(p->a[i].zName, zName, nName)==0 ){
      return i;
    }
  }
  return -1;
}

void lsmcMetaSetPut(MetaSet *p, const u8 *zName, size_t nName,
                    u8 *pVal, size_t nVal){
  int i = lsmcMetaSetFind(p, zName, nName);
  assert( nName<=LSMC_META_MAX_NAME && pVal!=0 );
  if( i<0 ){
    assert( p->n<LSMC_META_MAX_COUNT );
    i = p->n++;
    memcpy(p->a[i].zName, zName, nName);
    p->a[i].zName[nName] = '\0';
  }else{
    lsmcFree(p->pEnv, p->a[i].pVal);
  }
  p->a[i].pVal = pVal;
  p->a[i].nVal = nVal;
}

/* A copy of p[0..n) from pEnv, never NULL for n==0 (NULL: no memory). */
static u8 *metaCopy(lsmc_env *pEnv, const void *p, size_t n){
  u8 *pCopy = lsmcMalloc(pEnv, n ? n : 1);
  if( pCopy && n ) memcpy(pCopy, p, n);
  return pCopy;
}

int lsmcMetaSetApply(MetaSet *p, const VersionEdit *pEdit){
  int i;
  for(i=0; i<pEdit->nMeta; i++){
    const EditMeta *m = &pEdit->aMeta[i];
    u8 *pCopy;
    if( lsmcMetaSetFind(p, m->zName, m->nName)<0 && p->n>=LSMC_META_MAX_COUNT ){
      return LSMC_CORRUPT_BKPT;          /* more names than a store holds */
    }
    pCopy = metaCopy(p->pEnv, m->pVal, m->nVal);
    if( pCopy==0 ) return LSMC_NOMEM;
    lsmcMetaSetPut(p, m->zName, m->nName, pCopy, m->nVal);
  }
  return LSMC_OK;
}

int lsmcMetaSetToEdit(const MetaSet *p, VersionEdit *pEdit){
  int rc = LSMC_OK;
  int i;
  for(i=0; rc==LSMC_OK && i<p->n; i++){
    const MetaEntry *m = &p->a[i];
    rc = lsmcEditAddMeta(pEdit, (const u8*)m->zName, strlen(m->zName),
                         m->pVal, m->nVal);
  }
  return rc;
}

/*
** Check the arguments of lsmc_meta_put and lsmc_meta_get's name: set
** *pnName and return LSMC_OK, or record the message and return
** LSMC_MISUSE.
*/
static int metaCheckName(lsmc_db *pDb, const char *zName, size_t *pnName){
  size_t nName = zName ? strnlen(zName, LSMC_META_MAX_NAME+1) : 0;
  if( !lsmcMetaNameValid((const u8*)zName, nName) ){
    return lsmcDbError(pDb, LSMC_MISUSE_BKPT, "metadata name must be 1 to %d "
                       "printable ASCII characters", LSMC_META_MAX_NAME);
  }
  *pnName = nName;
  return LSMC_OK;
}

int lsmc_meta_put(lsmc_db *pDb, const char *zName, const void *pVal,
                  size_t nVal){
  LsmEngine *e;
  VersionSet *pVs;
  VersionEdit edit;
  size_t nName = 0;
  u8 *pCopy;
  int rc;

  if( pDb==0 || pDb->pEng==0 ) return LSMC_MISUSE_BKPT;
  e = pDb->pEng;
  rc = metaCheckName(pDb, zName, &nName);
  if( rc ) return rc;
  if( nVal>LSMC_META_MAX_VALUE || (pVal==0 && nVal>0) ){
    return lsmcDbError(pDb, LSMC_MISUSE_BKPT, "metadata value of %zu bytes "
                       "(at most %d)", nVal, LSMC_META_MAX_VALUE);
  }
  pCopy = metaCopy(e->pEnv, pVal, nVal);
  if( pCopy==0 ) return lsmcDbError(pDb, LSMC_NOMEM, 0);

  pthread_mutex_lock(&e->mu);
  pVs = e->pVs;
  lsmcEditInit(&edit, e->pEnv);
  if( e->bgError ){
    rc = e->bgError;
  }else if( lsmcMetaSetFind(&pVs->meta, (const u8*)zName, nName)<0
         && pVs->meta.n>=LSMC_META_MAX_COUNT ){
    rc = LSMC_MISUSE_BKPT;
  }else{
    rc = lsmcEditAddMeta(&edit, (const u8*)zName, nName, pCopy, nVal);
    if( rc==LSMC_OK ) rc = lsmcVersionSetApply(pVs, &edit);
    if( rc==LSMC_OK ){
      lsmcMetaSetPut(&pVs->meta, (const u8*)zName, nName, pCopy, nVal);
      pCopy = 0;
    }else if( rc!=LSMC_NOMEM ){
      lsmcSetBgError(e, rc, "manifest write failed");
    }
  }
  pthread_mutex_unlock(&e->mu);
  lsmcEditClear(&edit);
  lsmcFree(e->pEnv, pCopy);

  if( rc==LSMC_MISUSE ){
    return lsmcDbError(pDb, rc, "a store holds at most %d metadata names",
                       LSMC_META_MAX_COUNT);
  }
  if( rc ) return lsmcDbError(pDb, rc, "%s: metadata write failed", e->zDir);
  return LSMC_OK;
}

int lsmc_meta_get(lsmc_db *pDb, const char *zName, void **ppVal,
                  size_t *pnVal){
  LsmEngine *e;
  size_t nName = 0;
  u8 *pCopy = 0;
  int rc, i;

  if( ppVal ) *ppVal = 0;
  if( pnVal ) *pnVal = 0;
  if( pDb==0 || pDb->pEng==0 || ppVal==0 || pnVal==0 ) return LSMC_MISUSE_BKPT;
  e = pDb->pEng;
  rc = metaCheckName(pDb, zName, &nName);
  if( rc ) return rc;
  pthread_mutex_lock(&e->mu);
  i = lsmcMetaSetFind(&e->pVs->meta, (const u8*)zName, nName);
  if( i<0 ){
    rc = LSMC_NOTFOUND;
  }else{
    const MetaEntry *m = &e->pVs->meta.a[i];
    pCopy = metaCopy(pDb->pEnv, m->pVal, m->nVal);
    if( pCopy==0 ) rc = LSMC_NOMEM;
    *pnVal = m->nVal;
  }
  pthread_mutex_unlock(&e->mu);
  if( rc==LSMC_NOMEM ){
    *pnVal = 0;
    return lsmcDbError(pDb, rc, 0);
  }
  *ppVal = pCopy;
  return rc;
}
