/*
** rowcodec.h -- the row codec of the "lsm" virtual table: the record that
** holds a row's non-key column values (the LSM value of a key), written in
** a fixed, portable byte order, and read lazily: opening a record parses
** only its header, and column offsets are found and validated on demand up
** to the column asked for, then remembered, so columns can be read in any
** order without re-parsing or copying.
**
** Record format, version 1 (varint = LEB128: 7 bits a byte, low group
** first, high bit set on every byte but the last, at most 10 bytes):
**
**   byte      LSMV_ROW_VERSION (0x01)
**   varint    nCol, the column values that follow
**   varint    nFix, the key-class entries that follow
**   nFix x    key-class entry: varint iKeyCol (strictly increasing), then
**             8 bytes little-endian: the IEEE-754 bits of that key column's
**             REAL value
**   nCol x    type byte, then payload:
**               0x00 NULL     nothing
**               0x01 INTEGER  zigzag varint ((v<<1) ^ (v>>63))
**               0x02 REAL     8 bytes little-endian of the IEEE-754 bits
**                             (every bit kept, -0.0 included; never NaN)
**               0x03 TEXT     varint byte count, then the UTF-8 bytes
**                             (kept as given: NULs, invalid UTF-8)
**               0x04 BLOB     varint byte count, then the bytes
**
** Key-class entries.  The key codec (keycodec.h) decodes a key column to
** its canonical value, INTEGER for an integral number in int64 range, so
** a key column that was stored as REAL with an integral value (1.0, -0.0,
** 2^62 as a real) would read back as INTEGER.  For each such column the
** record carries one entry holding the exact REAL; lsmvRowKeyFix() turns
** the decoded key value back into it.  Only these columns get an entry
** (lsmvRowKeyNeedsFix), so records of ordinary keys carry only nFix=0.
**
** A record with fewer columns than the table (a column added by a later
** schema) reads NULL for the missing columns.  Readers never read outside
** the record: a bad version, a count larger than the record, an unknown
** type byte, a length past the end, a bad varint or a NaN returns
** SQLITE_CORRUPT.  lsmvRowCheck() also rejects trailing bytes.
**
** Allowed call order on an LsmvRow:
**   lsmvRowInit (lsmvRowOpen (lsmvRowValue|lsmvRowColumn|lsmvRowKeyFix|
**   lsmvRowCheck)*)* lsmvRowClose
** Thread safety: an LsmvRow belongs to one thread (a cursor); encoders are
** pure apart from the buffer they append to.
*/
#ifndef LSMV_ROWCODEC_H
#define LSMV_ROWCODEC_H

#include "keycodec.h"

#define LSMV_ROW_VERSION 0x01     /* First byte of every record */

/* Type bytes. */
#define LSMV_ROW_NULL    0x00
#define LSMV_ROW_INTEGER 0x01
#define LSMV_ROW_REAL    0x02
#define LSMV_ROW_TEXT    0x03
#define LSMV_ROW_BLOB    0x04

/* Column offsets kept inside LsmvRow before it allocates. */
#define LSMV_ROW_NSMALL  16

/*
** An open record.  The record's bytes are not copied: REQUIRES they stay
** valid and unchanged until the next lsmvRowOpen or lsmvRowClose.
*/
typedef struct LsmvRow LsmvRow;
struct LsmvRow {
  const uint8_t *a;               /* The record */
  int n;                          /* Bytes in a */
  int nCol;                       /* Column values in the record */
  int nFix;                       /* Key-class entries */
  int iFix;                       /* Offset of the first key-class entry */
  int nKnown;                     /* Columns 0..nKnown-1 are validated */
  int *aOffHeap;                  /* Offsets when more than NSMALL needed */
  int nOffHeap;                   /* Entries allocated at aOffHeap */
  int aOffSmall[LSMV_ROW_NSMALL]; /* Offsets for small records */
};

/*
** Prepare an LsmvRow for use (no allocation).
*/
void lsmvRowInit(LsmvRow *p);

/*
** Open the record a[0..n-1]: check its header and key-class entries.  May
** be called again on the same LsmvRow for another record (the offset table
** is reused).  Returns SQLITE_OK, SQLITE_CORRUPT or SQLITE_NOMEM; after an
** error the row reads as having no columns.
*/
int lsmvRowOpen(LsmvRow *p, const uint8_t *a, int n);

/*
** Number of column values in the open record.
*/
int lsmvRowColumnCount(const LsmvRow *p);

/*
** Read column iCol (>= 0) into *pOut; a column beyond the record's count
** reads as NULL.  TEXT and BLOB bytes point into the record.  Returns
** SQLITE_OK or SQLITE_CORRUPT (if this or an earlier column is bad).
*/
int lsmvRowValue(LsmvRow *p, int iCol, LsmvValue *pOut);

/*
** Set the result of pCtx to column iCol.  If bStatic, TEXT and BLOB point
** into the record (SQLITE_STATIC): REQUIRES the record outlives every use
** SQLite makes of the result; otherwise they are copied.  Returns as
** lsmvRowValue (the result is left unset on error).
*/
int lsmvRowColumn(LsmvRow *p, int iCol, sqlite3_context *pCtx, int bStatic);

/*
** Validate every column and that the record ends after the last one.
** Returns SQLITE_OK or SQLITE_CORRUPT.
*/
int lsmvRowCheck(LsmvRow *p);

/*
** *pKey is the canonical value of key column iKeyCol (from lsmvKeyDecode).
** If the record has a key-class entry for that column, replace *pKey by
** the REAL it holds.  Returns SQLITE_OK, or SQLITE_CORRUPT if the entry
** does not hold the same number as *pKey.
*/
int lsmvRowKeyFix(LsmvRow *p, int iKeyCol, LsmvValue *pKey);

/*
** Release the memory of p (the record itself is the caller's).
*/
void lsmvRowClose(LsmvRow *p);

/*
** True if a key column holding *pVal needs a key-class entry: a REAL
** whose value is integral and in int64 range (so the key decodes it as
** INTEGER).
*/
int lsmvRowKeyNeedsFix(const LsmvValue *pVal);

/*
** Record writer (builders: nothing happens once *pRc is set).  Append the
** header for nCol columns and nFix key-class entries, then exactly nFix
** calls to lsmvRowAppendFix in increasing iKeyCol order, then exactly nCol
** column values.
*/
void lsmvRowBegin(int *pRc, LsmvBuf *p, int nCol, int nFix);
void lsmvRowAppendFix(int *pRc, LsmvBuf *p, int iKeyCol, double rVal);
void lsmvRowAppendValue(int *pRc, LsmvBuf *p, const LsmvValue *pVal);
void lsmvRowAppend(int *pRc, LsmvBuf *p, sqlite3_value *pVal);

/*
** Append a whole record: the nCol values apCol, plus a key-class entry for
** each of the nKey key values apKey (in key-column order) that needs one.
** apKey may be 0 when nKey is 0.  Returns SQLITE_OK, SQLITE_NOMEM or
** SQLITE_TOOBIG.
*/
int lsmvRowEncode(LsmvBuf *p, int nCol, sqlite3_value **apCol,
                  int nKey, sqlite3_value **apKey);

#endif /* LSMV_ROWCODEC_H */
