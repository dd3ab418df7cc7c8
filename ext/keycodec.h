/*
** keycodec.h -- the key codec of the "lsm" virtual table: turns SQL values
** into byte strings whose memcmp() order is SQLite's comparison order
** (BINARY collation), so the LSM's sorted order is the table's key order.
** It also owns LsmvBuf (the growable byte buffer of ext/) and LsmvValue
** (a decoded SQL value), which the row codec shares.
**
** Order to reproduce (datatype3.html, "Sort Order"): NULL < numbers < TEXT
** < BLOB.  INTEGER and REAL compare by exact numeric value (1 = 1.0, -0.0 =
** 0, 9223372036854775807 < 9.223372036854776e18 = 2^63); TEXT by memcmp of
** its UTF-8 bytes, then length; BLOB likewise.  NaN never occurs (SQLite
** stores NaN as NULL; an explicit NaN given to this codec is encoded as
** NULL).
**
** Format of one column, byte by byte (tags are the first byte):
**
**   0x05                      NULL
**   0x16 B[8]                 REAL v < -2^63 (includes -Inf): B = big-endian
**                             of the bitwise NOT of v's IEEE-754 bits
**   0x17..0x28 I[k] F         a number v with -2^63 <= v < 2^63.  Let
**                             f = floor(v) (an int64).  For f >= 0, k is the
**                             fewest bytes holding f (0 for f==0), the tag
**                             is 0x20+k and I is f big-endian in k bytes.
**                             For f < 0, m = ~f = -f-1 >= 0, k is the fewest
**                             bytes holding m, the tag is 0x1F-k and I is
**                             the low k bytes of f big-endian.  F is 0x00 if
**                             v is integral, else 0x01 followed by 8 bytes:
**                             for f >= 0 the big-endian IEEE bits of the
**                             fraction v-f; for f < 0 the big-endian bitwise
**                             NOT of the IEEE bits of ceil(v)-v (both exact,
**                             both in (0,1), so both order-preserving).
**   0x29 B[8]                 REAL v >= 2^63 (includes +Inf): B = v's
**                             IEEE-754 bits big-endian
**   0x30 E 0x00 0x00          TEXT: E is the UTF-8 bytes with every 0x00
**                             written 0x00 0xFF
**   0x40 E 0x00 0x00          BLOB: as TEXT
**
** So 1, 1.0 and 1.0e0 all encode as 21 01 00; 0 and -0.0 as 20 00; -1 as
** 1F 00; 1.5 as 21 01 01 3F E0 00 00 00 00 00 00.
**
** Invariants: the encoding is canonical (equal values, and only equal
** values, give equal bytes) and prefix-free (no column encoding is a prefix
** of another), so a composite key, the concatenation of its column
** encodings, sorts column by column, and all keys whose first columns equal
** given values form one contiguous range starting at the encoding of those
** values.  No tag is 0xFF, so every encoded key has a prefix successor.
** The decoder accepts exactly the canonical encodings: anything else
** (truncated, a bad tag, a bad escape, a non-minimal integer, a fraction
** that is not one) returns SQLITE_CORRUPT; it never reads outside the
** bytes it is given.
**
** Decoding gives the canonical value of each column: INTEGER for an
** integral number in int64 range, REAL otherwise.  The original storage
** class (REAL 1.0, -0.0) is not in the key; the row codec keeps it
** (rowcodec.h, "key-class entries").
**
** Range bounds (lsmvKeyRange): with P the encoding of a prefix of columns
** and E the encoding of the next column's value v, keys are compared as
** byte strings, and succ(X) is the least string greater than every string
** that starts with X (lsmvKeyPrefixSuccessor: drop trailing 0xFF bytes, add
** one to the last byte).  Then, with lo inclusive and hi exclusive:
**   prefix = P          [P, succ(P))
**   next = v / IS v     [P.E, succ(P.E))
**   next > v            [succ(P.E), succ(P))
**   next >= v           [P.E, succ(P))
**   next < v            [succ(P.0x05), P.E)   (NULL is not < v)
**   next <= v           [succ(P.0x05), succ(P.E))
** A comparison (=, <, <=, >, >=) with a NULL v matches nothing.
**
** Thread safety: all functions are pure apart from the buffer they are
** given; no state is shared.
*/
#ifndef LSMV_KEYCODEC_H
#define LSMV_KEYCODEC_H

#include <sqlite3ext.h>
#include <stdint.h>

/* Column tags, the first byte of each column encoding. */
#define LSMV_KEY_TAG_NULL     0x05  /* NULL */
#define LSMV_KEY_TAG_NEGBIG   0x16  /* REAL below -2^63 */
#define LSMV_KEY_TAG_INT0     0x20  /* number with floor 0; 0x17..0x28 */
#define LSMV_KEY_TAG_POSBIG   0x29  /* REAL at or above 2^63 */
#define LSMV_KEY_TAG_TEXT     0x30  /* TEXT */
#define LSMV_KEY_TAG_BLOB     0x40  /* BLOB */

/* Longest encoding of one number: tag, 8 integer bytes, 0x01, 8 bytes. */
#define LSMV_KEY_MAX_NUMBER   18

/*
** A growable byte buffer.  Zero-initialise it; free with lsmvBufFree().
** Builder helpers take int *pRc and do nothing once *pRc is not SQLITE_OK;
** on allocation failure they set *pRc to SQLITE_NOMEM, and if the buffer
** would exceed 2^31-1 bytes to SQLITE_TOOBIG.
*/
typedef struct LsmvBuf LsmvBuf;
struct LsmvBuf {
  uint8_t *a;                     /* Bytes; a[0..n-1] are valid */
  int n;                          /* Bytes in use */
  int nAlloc;                     /* Bytes allocated at a */
};

void lsmvBufReserve(int *pRc, LsmvBuf *p, int nExtra);
void lsmvBufAppend(int *pRc, LsmvBuf *p, const void *pData, int nData);
void lsmvBufFree(LsmvBuf *p);

/*
** A decoded SQL value.  eType is SQLITE_NULL, SQLITE_INTEGER, SQLITE_FLOAT,
** SQLITE_TEXT or SQLITE_BLOB.  For TEXT and BLOB, z/n are the bytes (not
** NUL-terminated; z may be 0 when n==0); who owns them and how long they
** stay valid is said by the function that filled the value.
*/
typedef struct LsmvValue LsmvValue;
struct LsmvValue {
  int eType;                      /* SQLITE_NULL, _INTEGER, _FLOAT, ... */
  sqlite3_int64 i;                /* Value if SQLITE_INTEGER */
  double r;                       /* Value if SQLITE_FLOAT */
  const uint8_t *z;               /* Bytes if SQLITE_TEXT or SQLITE_BLOB */
  int n;                          /* Byte count if SQLITE_TEXT or _BLOB */
};

/*
** Copy an sqlite3_value into *pOut.  TEXT and BLOB bytes point into pVal's
** own buffer: valid until pVal changes or is freed.  Returns SQLITE_OK or
** SQLITE_NOMEM (if SQLite fails to produce the text).
*/
int lsmvValueFromSqlite(sqlite3_value *pVal, LsmvValue *pOut);

/*
** Set the result of pCtx to *pVal.  If bStatic, TEXT and BLOB results
** point at pVal->z (SQLITE_STATIC): REQUIRES those bytes stay valid as long
** as SQLite may read the result.  Otherwise they are copied
** (SQLITE_TRANSIENT).
*/
void lsmvValueResult(const LsmvValue *pVal, sqlite3_context *pCtx,
                     int bStatic);

/*
** Append the key encoding of one value to p (builder: see LsmvBuf).
** lsmvKeyEncode reads an sqlite3_value; the others take explicit payloads.
** lsmvKeyEncodeReal of a NaN appends the NULL encoding.
*/
void lsmvKeyEncode(int *pRc, LsmvBuf *p, sqlite3_value *pVal);
void lsmvKeyEncodeValue(int *pRc, LsmvBuf *p, const LsmvValue *pVal);
void lsmvKeyEncodeNull(int *pRc, LsmvBuf *p);
void lsmvKeyEncodeInt(int *pRc, LsmvBuf *p, sqlite3_int64 iVal);
void lsmvKeyEncodeReal(int *pRc, LsmvBuf *p, double rVal);
void lsmvKeyEncodeText(int *pRc, LsmvBuf *p, const void *z, int n);
void lsmvKeyEncodeBlob(int *pRc, LsmvBuf *p, const void *z, int n);

/*
** Decode the column that starts at aKey[*piOff] (aKey has nKey bytes) and
** advance *piOff past it.  Writes the canonical value to *pOut.  TEXT and
** BLOB bytes point into aKey when the encoding holds no escaped 0x00 byte;
** otherwise the unescaped bytes are appended to pScratch, and pOut->z is
** left 0 (with pOut->n>0) and pOut->i is the offset of the bytes in
** pScratch: the caller adds pScratch->a once it has finished appending
** (lsmvKeyDecode does that).  Returns SQLITE_OK, SQLITE_CORRUPT if the
** bytes are not a canonical encoding, or SQLITE_NOMEM.
*/
int lsmvKeyDecodeOne(const uint8_t *aKey, int nKey, int *piOff,
                     LsmvValue *pOut, LsmvBuf *pScratch);

/*
** Decode a key of exactly nCol columns into aVal[0..nCol-1]; the key must
** end after the last column (else SQLITE_CORRUPT).  pScratch (zeroed or
** reused by the caller, who frees it) receives unescaped TEXT/BLOB bytes;
** it is reset first.  Pointers in aVal stay valid until aKey or pScratch
** changes.  Returns SQLITE_OK, SQLITE_CORRUPT or SQLITE_NOMEM.
*/
int lsmvKeyDecode(const uint8_t *aKey, int nKey, int nCol,
                  LsmvValue *aVal, LsmvBuf *pScratch);

/*
** Skip the column starting at aKey[*piOff], validating it exactly as the
** decoder does.  Returns SQLITE_OK or SQLITE_CORRUPT.
*/
int lsmvKeySkip(const uint8_t *aKey, int nKey, int *piOff);

/*
** Set the result of pCtx to the canonical value of column iCol of the key
** (a copy: SQLITE_TRANSIENT).  Returns SQLITE_OK, SQLITE_CORRUPT (also if
** the key has no column iCol) or SQLITE_NOMEM.
*/
int lsmvKeyColumn(const uint8_t *aKey, int nKey, int iCol,
                  sqlite3_context *pCtx);

/*
** Replace p by its prefix successor: the least byte string greater than
** every string that starts with p.  Returns 1 on success, or 0 (leaving
** p->n==0) if p is empty or all 0xFF, which have no successor: the caller
** reads that as "no upper bound".
*/
int lsmvKeyPrefixSuccessor(LsmvBuf *p);

/* Operators of lsmvKeyRange. */
#define LSMV_KEY_PREFIX  0        /* prefix only; pVal unused */
#define LSMV_KEY_EQ      1        /* next column = v (empty if v is NULL) */
#define LSMV_KEY_IS      2        /* next column IS v (NULL allowed) */
#define LSMV_KEY_GT      3        /* next column > v */
#define LSMV_KEY_GE      4        /* next column >= v */
#define LSMV_KEY_LT      5        /* next column < v */
#define LSMV_KEY_LE      6        /* next column <= v */

/*
** Build the half-open range [pLo, pHi) of keys whose first columns encode
** to aPrefix[0..nPrefix-1] (a concatenation of whole column encodings,
** possibly empty) and whose next column satisfies "col eOp v" (see the
** table at the top of this file).  pLo and pHi are reset first.  On
** return pHi->n==0 means "no upper bound"; *pbEmpty is set to 1 if no key
** can match (a comparison with NULL).  Returns SQLITE_OK or SQLITE_NOMEM.
*/
int lsmvKeyRange(const uint8_t *aPrefix, int nPrefix, int eOp,
                 const LsmvValue *pVal, LsmvBuf *pLo, LsmvBuf *pHi,
                 int *pbEmpty);

#endif /* LSMV_KEYCODEC_H */
