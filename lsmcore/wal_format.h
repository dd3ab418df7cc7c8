/*
** wal_format.h -- the byte layout of a write-ahead log file (NNNNNN.log)
** and of the manifest (MANIFEST-NNNNNN), which uses the same record
** framing.
**
** A log is a sequence of 32 KiB blocks.  A record (one write batch, or one
** manifest edit) is stored as one or more fragments; a fragment never
** crosses a block boundary:
**
**     offset  size  field
**     0       4     checksum: low 32 bits of XXH3-64 (seed LSMC_WAL_SEED)
**                   over bytes 4..6 of this header and the payload
**     4       2     payload length (little-endian)
**     6       1     type: FULL=1, FIRST=2, MIDDLE=3, LAST=4
**     7       len   payload
**
** A record that fits in the rest of the block is one FULL fragment;
** otherwise FIRST, MIDDLE..., LAST.  When fewer than 7 bytes remain in a
** block, they are zero-filled and the next fragment starts the next block.
** Type 0 with length 0 is padding or a zero-filled tail, never a fragment.
** When exactly 7 bytes remain, a record that does not fit starts there
** with an empty FIRST fragment.  An empty record is one FULL fragment of
** length 0.  Every block that holds data begins with a fragment header
** (a record never leaves a gap), which recovery relies on.
**
** Recovery (wal_reader.c): a record is accepted only if all its fragments
** are whole and their checksums match.  The first failure ends the log.
** If nothing valid follows the failure, it is a torn or zero-filled tail
** and is dropped silently (the last write was interrupted).  If a valid
** fragment follows it, the log is damaged in the middle: LSMC_CORRUPT in
** strict mode, or, in point-in-time mode, the prefix before the damage and
** nothing after it.  A record is never skipped with later ones applied.
**
** Payloads of a WAL file (db.c).  A record is either a write batch, in
** the encoding of batch.h (its first 8 bytes are the sequence number of
** its first entry, at most LSMC_MAX_SEQ, so their last byte is 0), or an
** abort marker of exactly LSMC_WAL_ABORT_SIZE bytes:
**
**     offset  size  field
**     0       8     LSMC_WAL_ABORT_TAG (little-endian; its last byte is
**                   0xff, so it is never a batch's sequence number)
**     8       8     sequence number of the aborted batch's first entry
**     16      4     entry count of the aborted batch
**
** A marker is written by lsmc_commit_abort() right after the batch record
** it names (the store's write lock is held in between, so nothing comes
** between them, not even a WAL switch).  Recovery drops a batch record
** that is immediately followed by a marker naming it; a marker that does
** not name the record just before it is LSMC_CORRUPT.  The sequence
** numbers of an aborted batch are reused by the next write.
*/
#ifndef LSMC_WAL_FORMAT_H
#define LSMC_WAL_FORMAT_H

#define LSMC_WAL_BLOCK_SIZE   32768
#define LSMC_WAL_HEADER_SIZE  7
#define LSMC_WAL_SEED         0x6c736d632d77616cULL   /* "lsmc-wal" */

#define LSMC_WAL_ZERO    0
#define LSMC_WAL_FULL    1
#define LSMC_WAL_FIRST   2
#define LSMC_WAL_MIDDLE  3
#define LSMC_WAL_LAST    4

#define LSMC_WAL_ABORT_TAG   0xff74726f62616373ULL  /* "scabort\xff" */
#define LSMC_WAL_ABORT_SIZE  20

#endif /* LSMC_WAL_FORMAT_H */
