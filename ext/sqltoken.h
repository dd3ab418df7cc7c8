/*
** sqltoken.h -- the SQL tokenizer of the "lsm" virtual table's argument
** parser (schema.c): it splits the text of one CREATE VIRTUAL TABLE
** argument into tokens the way SQLite's tokenizer (tokenize.c) does, for
** every token a column definition can hold: bare identifiers and keywords,
** "quoted", [bracketed] and `backticked` names, 'strings', X'blobs',
** integers and floats (decimal or 0x hex), white space, -- and C-style
** comments, and punctuation.  A token is a kind plus a slice of the
** argument (LsmvToken): nothing is copied or dequoted here.  Malformed
** text (an unterminated quote, a bad blob, a number run into letters such
** as 64K) is one LSMV_TK_ILLEGAL token, never an error code: the parser
** decides what to report.  Character classes are ASCII only and do not
** depend on the locale; bytes >= 0x80 are identifier characters, as in
** SQLite.  Thread safety: the functions keep no state and are
** reentrant.
*/
#ifndef LSMV_SQLTOKEN_H
#define LSMV_SQLTOKEN_H

/* Token kinds (LsmvToken.eType). */
#define LSMV_TK_END      0    /* End of the argument */
#define LSMV_TK_SPACE    1    /* White space or a comment */
#define LSMV_TK_ID       2    /* Bare identifier or keyword */
#define LSMV_TK_QID      3    /* "quoted", [bracketed] or `backticked` name */
#define LSMV_TK_STRING   4    /* 'string' */
#define LSMV_TK_BLOB     5    /* X'hex' */
#define LSMV_TK_INTEGER  6    /* 123, 0x1F */
#define LSMV_TK_FLOAT    7    /* 1.5, .5, 1e3 */
#define LSMV_TK_LP       8    /* ( */
#define LSMV_TK_RP       9    /* ) */
#define LSMV_TK_COMMA    10   /* , */
#define LSMV_TK_EQ       11   /* = */
#define LSMV_TK_PLUS     12   /* + */
#define LSMV_TK_MINUS    13   /* - */
#define LSMV_TK_OTHER    14   /* Any other operator or character */
#define LSMV_TK_ILLEGAL  15   /* Unterminated quote, bad blob, 12abc */

typedef struct LsmvToken LsmvToken;

struct LsmvToken {
  int eType;                /* LSMV_TK_* */
  const char *z;            /* First byte, inside the argument */
  int n;                    /* Length in bytes */
};

/*
** Read the token of zArg that starts at or after offset *piPos, skipping
** white space and comments, into *pTok, and advance *piPos past it.
** Return its kind.  At the end of zArg (its NUL) the token is LSMV_TK_END
** with n==0, z pointing at the NUL, and *piPos is left there, so reading
** on keeps returning LSMV_TK_END.  pTok->z points into zArg and is valid
** as long as zArg is.  REQUIRES: 0 <= *piPos <= strlen(zArg).
*/
int lsmvTokenNext(const char *zArg, int *piPos, LsmvToken *pTok);

/* True if pTok is the bare keyword zKw (any case, ASCII). */
int lsmvTokenIsKw(const LsmvToken *pTok, const char *zKw);

/*
** True if pTok can be a name (SQLite's nm: an identifier, a quoted name
** or a string).
*/
int lsmvTokenIsName(const LsmvToken *pTok);

/* True if c is an ASCII decimal digit '0'..'9'. */
int lsmvIsDigit(int c);

#endif /* LSMV_SQLTOKEN_H */
