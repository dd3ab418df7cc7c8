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

#endif /* LSMC_WAL_FORMAT_H */
