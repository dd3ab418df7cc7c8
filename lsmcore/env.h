/*
** env.h -- helpers built on the lsmc_env method table (env.c), and the
** constructors of the envs the engine ships.
**
** env_posix.c is the only file of the engine that makes system calls; the
** rest reaches the file system through an lsmc_env.  The helpers here read
** a small file whole, write a small file atomically (temporary name, sync,
** rename, directory sync), and join paths.
*/
#ifndef LSMC_ENV_H
#define LSMC_ENV_H

#include "lsmcInt.h"

/* The POSIX env (env_posix.c): a const, stateless object. */
lsmc_env *lsmcPosixEnv(void);

/*
** Read the whole of file zPath, at most nMax bytes, into pBuf (replacing
** its contents).  LSMC_IOERR_NOENT if the file does not exist; LSMC_CORRUPT
** if it is larger than nMax.
*/
int lsmcEnvReadFile(lsmc_env*, const char *zPath, size_t nMax, LsmcBuf *pBuf);

/*
** Replace file zPath atomically with p[0..n): write zTmp, sync it, rename
** it over zPath, sync directory zDir.  On failure zTmp is removed.
*/
int lsmcEnvWriteFileAtomic(lsmc_env*, const char *zDir, const char *zPath,
                           const char *zTmp, const void *p, size_t n);

/* Read exactly n bytes at iOff (LSMC_IOERR_SHORT if the file is shorter). */
int lsmcEnvReadExact(lsmc_env*, lsmc_file*, u64 iOff, void *pBuf, size_t n);

#endif /* LSMC_ENV_H */
