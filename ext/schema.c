/*
** schema.c -- parses and validates the arguments of CREATE VIRTUAL TABLE
** ... USING lsm(...) into an LsmvSchema (schema.h), and writes the
** declaration handed to sqlite3_declare_vtab().  SQLite splits the CREATE
** text at top-level commas (parentheses nest, quotes hide commas) and
** hands each piece over raw, so one argument is re-tokenized (by the SQL
** tokenizer of sqltoken.c, which follows SQLite's tokenize.c) and read
** here by a recursive-descent parser following SQLite's grammar (parse.y:
** columnname, typetoken, ccons, tcons, onconf).  Invariants: the first
** error wins (SchemaParse.rc/zErr) and every later step is a no-op; a
** schema is handed out only when every argument parsed and the key, the
** options and the columns were checked against each other (schemaFinish).
** The only input is the argv strings: no file is touched.  Thread safety:
** reentrant, all state is on the stack or in the schema being built.
*/
#include "schema.h"
#include "sqltoken.h"
SQLITE_EXTENSION_INIT3

#include <stdarg.h>
#include <string.h>

/* Option indexes: bit (1<<OPT_x) of SchemaParse.mOptSeen. */
#define OPT_PATH        0
#define OPT_SYNC        1
#define OPT_COMPACTION  2
#define OPT_MEMTABLE    3
#define OPT_BLOCK       4
#define OPT_BLOOM       5
#define OPT_CACHE       6
#define OPT_FIFO_MAX    7
#define OPT_COUNT       8

/* Numbers saturate above this while being parsed (always out of range). */
#define SCHEMA_NUM_CAP  ((int64_t)1 << 62)

typedef struct SchemaParse SchemaParse;
typedef struct SchemaOptDef SchemaOptDef;

struct SchemaParse {
  LsmvSchema *pSchema;      /* Schema being built */
  int rc;                   /* First error; SQLITE_OK while there is none */
  char *zErr;               /* Message of the first error */
  const char *zArg;         /* Argument being parsed */
  int iPos;                 /* Offset in zArg of the next unread byte */
  int nColAlloc;            /* Slots allocated in pSchema->aCol */
  int iInlineKey;           /* Column with an inline PRIMARY KEY, or -1 */
  int nTableKey;            /* Names in azTableKey; -1: no PRIMARY KEY(...) */
  char **azTableKey;        /* Column names of PRIMARY KEY(...), dequoted */
  int bAutoinc;             /* AUTOINCREMENT seen (inline or table key) */
  unsigned mOptSeen;        /* Bit (1<<OPT_x) set once option x was given */
};

struct SchemaOptDef {
  const char *zName;        /* Option name, matched case-insensitively */
  int bSize;                /* Takes a K, M or G suffix (quoted) */
  int64_t iMin, iMax;       /* Bounds of a numeric option */
  const char *zRange;       /* The bounds as shown in messages */
};

/* Option table, indexed by OPT_*; bounds as in lsmcore.h. */
static const SchemaOptDef aOptDef[OPT_COUNT] = {
  { "path",          0, 0, 0, 0 },
  { "sync",          0, 0, 0, 0 },
  { "compaction",    0, 0, 0, 0 },
  { "memtable_size", 1, (int64_t)4 << 10, (int64_t)1 << 30, "[4K, 1G]" },
  { "block_size",    1, 256, (int64_t)1 << 20, "[256, 1M]" },
  { "bloom_bits",    0, 0, 32, "[0, 32]" },
  { "cache_size",    1, 0, (int64_t)64 << 30, "[0, 64G]" },
  { "fifo_max_size", 1, (int64_t)64 << 10, (int64_t)1 << 50, "[64K, 2^50]" },
};

/*
** Record an error (the first one wins).  The message gets the "lsm: "
** prefix; a failed allocation of it becomes SQLITE_NOMEM.
*/
static void schemaError(SchemaParse *p, const char *zFmt, ...){
  if( p->rc==SQLITE_OK ){
    va_list ap;
    char *z;
    va_start(ap, zFmt);
    z = sqlite3_vmprintf(zFmt, ap);
    va_end(ap);
    p->zErr = z ? sqlite3_mprintf("lsm: %z", z) : 0;
    p->rc = p->zErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
}

/* Record SQLITE_NOMEM unless an error is already recorded. */
static void schemaNomem(SchemaParse *p){
  if( p->rc==SQLITE_OK ) p->rc = SQLITE_NOMEM;
}

/*
** Read the next token that is not white space or a comment into *pTok
** and return its kind (LSMV_TK_END, with n==0, at the end of the argument).
*/
static int schemaNext(SchemaParse *p, LsmvToken *pTok){
  return lsmvTokenNext(p->zArg, &p->iPos, pTok);
}

/* Like schemaNext() but leave the token unread. */
static int schemaPeek(SchemaParse *p, LsmvToken *pTok){
  int iSave = p->iPos;
  schemaNext(p, pTok);
  p->iPos = iSave;
  return pTok->eType;
}

/* Consume the next token if it is keyword zKw; return true if it was. */
static int schemaAcceptKw(SchemaParse *p, const char *zKw){
  LsmvToken tok;
  schemaPeek(p, &tok);
  if( !lsmvTokenIsKw(&tok, zKw) ) return 0;
  schemaNext(p, &tok);
  return 1;
}

/* Consume keyword zKw, which must follow zAfter; error if it is not next. */
static void schemaExpectKw(SchemaParse *p, const char *zKw,
                           const char *zAfter){
  LsmvToken tok;
  if( p->rc!=SQLITE_OK || schemaAcceptKw(p, zKw) ) return;
  schemaPeek(p, &tok);
  schemaError(p, "expected %s after %s in \"%s\", found \"%.*s\"",
              zKw, zAfter, p->zArg, tok.n, tok.z);
}

/*
** A copy of z[0..n) dequoted as sqlite3Dequote() does it: text starting
** with ' " ` or [ becomes the text up to the matching close, doubled
** quotes undoubled; any other text is copied unchanged.
*/
static char *schemaDequote(SchemaParse *p, const char *z, int n){
  char *zOut = sqlite3_malloc64((sqlite3_uint64)n + 1);
  char q = (char)(n>0 ? z[0] : 0);
  int i, j = 0;
  if( zOut==0 ){ schemaNomem(p); return 0; }
  if( q=='\'' || q=='"' || q=='`' || q=='[' ){
    if( q=='[' ) q = ']';
    for(i=1; i<n; i++){
      if( z[i]==q ){
        if( i+1<n && z[i+1]==q ){ zOut[j++] = q; i++; }
        else break;
      }else{
        zOut[j++] = z[i];
      }
    }
  }else{
    memcpy(zOut, z, (size_t)n);
    j = n;
  }
  zOut[j] = 0;
  return zOut;
}

/* Case-insensitive: does z contain zSub? */
static int hasSubstring(const char *z, const char *zSub){
  int n = (int)strlen(zSub);
  for(; *z; z++){
    if( sqlite3_strnicmp(z, zSub, n)==0 ) return 1;
  }
  return 0;
}

/*
** The affinity of a declared type (datatype3.html, 3.1), computed on the
** dequoted type as sqlite3AffinityType() does: INT wins; then CHAR, CLOB
** or TEXT; then BLOB (or no type); then REAL, FLOA or DOUB; else NUMERIC.
*/
static char schemaAffinity(const char *zType){
  if( zType==0 ) return LSMV_AFF_BLOB;
  if( hasSubstring(zType, "INT") ) return LSMV_AFF_INTEGER;
  if( hasSubstring(zType, "CHAR") || hasSubstring(zType, "CLOB")
   || hasSubstring(zType, "TEXT") ) return LSMV_AFF_TEXT;
  if( hasSubstring(zType, "BLOB") ) return LSMV_AFF_BLOB;
  if( hasSubstring(zType, "REAL") || hasSubstring(zType, "FLOA")
   || hasSubstring(zType, "DOUB") ) return LSMV_AFF_REAL;
  return LSMV_AFF_NUMERIC;
}

/*
** Append a column named zName[0..nName) (dequoted here); return its index,
** or -1 after an error (duplicate name, too many columns, NOMEM).
*/
static int schemaAddColumn(SchemaParse *p, const char *zName, int nName){
  LsmvSchema *pS = p->pSchema;
  char *z = schemaDequote(p, zName, nName);
  int i;
  if( z==0 ) return -1;
  for(i=0; i<pS->nCol; i++){
    if( sqlite3_stricmp(pS->aCol[i].zName, z)==0 ){
      schemaError(p, "duplicate column name: %s", z);
    }
  }
  if( pS->nCol>=LSMV_MAX_COLUMN ){
    schemaError(p, "too many columns (at most %d)", LSMV_MAX_COLUMN);
  }
  if( p->rc==SQLITE_OK && pS->nCol>=p->nColAlloc ){
    int nNew = p->nColAlloc ? p->nColAlloc*2 : 8;
    LsmvColumn *aNew = sqlite3_realloc64(pS->aCol,
                                         sizeof(LsmvColumn)*(size_t)nNew);
    if( aNew==0 ){
      schemaNomem(p);
    }else{
      pS->aCol = aNew;
      p->nColAlloc = nNew;
    }
  }
  if( p->rc!=SQLITE_OK ){
    sqlite3_free(z);
    return -1;
  }
  memset(&pS->aCol[pS->nCol], 0, sizeof(LsmvColumn));
  pS->aCol[pS->nCol].zName = z;
  pS->aCol[pS->nCol].eAffinity = LSMV_AFF_BLOB;
  return pS->nCol++;
}

/*
** SQLite 3.40's reserved words: the keywords that are not accepted as a
** plain identifier (parse.y's %fallback ID list leaves them out), found
** by trying each of sqlite3_keyword_name() as a column name and as a
** type (test/check_schema.c re-checks this list against the SQLite it
** runs with).  The join keywords and INDEXED are still allowed as column
** names.
*/
static const char *const azReserved[] = {
  "ADD", "ALL", "ALTER", "AND", "AS", "AUTOINCREMENT", "BETWEEN", "CASE",
  "CHECK", "COLLATE", "COMMIT", "CONSTRAINT", "CREATE", "CROSS", "DEFAULT",
  "DEFERRABLE", "DELETE", "DISTINCT", "DROP", "ELSE", "ESCAPE", "EXCEPT",
  "EXISTS", "FOREIGN", "FROM", "FULL", "GROUP", "HAVING", "IN", "INDEX",
  "INDEXED", "INNER", "INSERT", "INTERSECT", "INTO", "IS", "ISNULL", "JOIN",
  "LEFT", "LIMIT", "NATURAL", "NOT", "NOTHING", "NOTNULL", "NULL", "ON",
  "OR", "ORDER", "OUTER", "PRIMARY", "REFERENCES", "RETURNING", "RIGHT",
  "SELECT", "SET", "TABLE", "THEN", "TO", "TRANSACTION", "UNION", "UNIQUE",
  "UPDATE", "USING", "VALUES", "WHEN", "WHERE"
};

/*
** True if pTok is a reserved word where a column name (bName) or a word
** of a type name (!bName) is expected.
*/
static int tokIsReserved(const LsmvToken *pTok, int bName){
  static const char *const azNameOk[] = {
    "CROSS", "FULL", "INDEXED", "INNER", "LEFT", "NATURAL", "OUTER", "RIGHT"
  };
  size_t i;
  for(i=0; i<sizeof(azReserved)/sizeof(azReserved[0]); i++){
    if( lsmvTokenIsKw(pTok, azReserved[i]) ) break;
  }
  if( i==sizeof(azReserved)/sizeof(azReserved[0]) ) return 0;
  if( !bName ) return 1;
  for(i=0; i<sizeof(azNameOk)/sizeof(azNameOk[0]); i++){
    if( lsmvTokenIsKw(pTok, azNameOk[i]) ) return 0;
  }
  return 1;
}

/* True for the keywords that end a type name and start a constraint. */
static int tokIsConstraintKw(const LsmvToken *pTok){
  static const char *const azKw[] = {
    "CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE", "CHECK", "DEFAULT",
    "COLLATE", "REFERENCES", "GENERATED", "AS"
  };
  size_t i;
  for(i=0; i<sizeof(azKw)/sizeof(azKw[0]); i++){
    if( lsmvTokenIsKw(pTok, azKw[i]) ) return 1;
  }
  return 0;
}

/* Consume a type's size argument: [+|-] number. */
static void schemaSigned(SchemaParse *p, const char *zCol){
  LsmvToken tok;
  int eType = schemaNext(p, &tok);
  if( eType==LSMV_TK_PLUS || eType==LSMV_TK_MINUS ) eType = schemaNext(p, &tok);
  if( eType!=LSMV_TK_INTEGER && eType!=LSMV_TK_FLOAT ){
    schemaError(p, "bad type size \"%.*s\" (column %s)", tok.n, tok.z, zCol);
  }
}

/*
** Parse the optional type of column iCol: names (identifiers or strings)
** up to a constraint keyword or another reserved word, then optionally
** "(n)" or "(n, m)".  The type is kept as written; HIDDEN is rejected
** (SQLite would hide the column).
*/
static void schemaType(SchemaParse *p, int iCol){
  LsmvColumn *pCol = &p->pSchema->aCol[iCol];
  LsmvToken tok;
  const char *zStart = 0;
  const char *zEnd = 0;
  char *zDeq;
  while( schemaPeek(p, &tok)!=LSMV_TK_END && lsmvTokenIsName(&tok)
      && !tokIsConstraintKw(&tok) && !tokIsReserved(&tok, 0) ){
    schemaNext(p, &tok);
    if( zStart==0 ) zStart = tok.z;
    zEnd = tok.z + tok.n;
  }
  if( zStart && schemaPeek(p, &tok)==LSMV_TK_LP ){
    schemaNext(p, &tok);
    schemaSigned(p, pCol->zName);
    if( schemaPeek(p, &tok)==LSMV_TK_COMMA ){
      schemaNext(p, &tok);
      schemaSigned(p, pCol->zName);
    }
    if( p->rc==SQLITE_OK && schemaNext(p, &tok)!=LSMV_TK_RP ){
      schemaError(p, "expected ) in the type of column %s", pCol->zName);
    }
    zEnd = tok.z + tok.n;
  }
  if( zStart==0 || p->rc!=SQLITE_OK ) return;
  pCol->zType = sqlite3_mprintf("%.*s", (int)(zEnd-zStart), zStart);
  zDeq = pCol->zType ? schemaDequote(p, zStart, (int)(zEnd-zStart)) : 0;
  if( zDeq==0 ){
    schemaNomem(p);
  }else if( hasSubstring(pCol->zType, "HIDDEN") ){
    schemaError(p, "HIDDEN columns are not supported (column %s)",
                pCol->zName);
  }
  pCol->eAffinity = schemaAffinity(zDeq);
  sqlite3_free(zDeq);
}

/*
** Parse an optional "ON CONFLICT x"; return x as SQLITE_ROLLBACK, _ABORT,
** _FAIL, _IGNORE or _REPLACE, or 0 if there is no clause.
*/
static int schemaConflict(SchemaParse *p){
  static const struct { const char *z; int e; } aRes[] = {
    { "ROLLBACK", SQLITE_ROLLBACK }, { "ABORT", SQLITE_ABORT },
    { "FAIL", SQLITE_FAIL }, { "IGNORE", SQLITE_IGNORE },
    { "REPLACE", SQLITE_REPLACE }
  };
  LsmvToken tok;
  size_t i;
  if( p->rc!=SQLITE_OK || !schemaAcceptKw(p, "ON") ) return 0;
  schemaExpectKw(p, "CONFLICT", "ON");
  schemaNext(p, &tok);
  for(i=0; i<sizeof(aRes)/sizeof(aRes[0]); i++){
    if( !lsmvTokenIsKw(&tok, aRes[i].z) ) continue;
    if( aRes[i].e!=SQLITE_ABORT ){
      /* The vtab interface shows xUpdate only the statement's mode
      ** (sqlite3_vtab_on_conflict), ABORT for a plain INSERT, so a
      ** declared mode could not be told from an explicit OR ABORT. */
      schemaError(p, "ON CONFLICT %s in \"%s\" is not supported: "
                  "use INSERT OR %s", aRes[i].z, p->zArg, aRes[i].z);
    }
    return aRes[i].e;
  }
  schemaError(p, "bad conflict resolution \"%.*s\" in \"%s\"",
              tok.n, tok.z, p->zArg);
  return 0;
}

/* Parse "COLLATE name"'s name; only BINARY is supported. */
static void schemaCollate(SchemaParse *p, const char *zCol){
  LsmvToken tok;
  char *zName;
  schemaNext(p, &tok);
  if( !lsmvTokenIsName(&tok) ){
    schemaError(p, "expected a collation name after COLLATE (column %s)",
                zCol);
    return;
  }
  zName = schemaDequote(p, tok.z, tok.n);
  if( zName && sqlite3_stricmp(zName, "BINARY")!=0 ){
    schemaError(p, "COLLATE %s is not supported (column %s): only BINARY",
                zName, zCol);
  }
  sqlite3_free(zName);
}

/*
** Parse the value after DEFAULT: a parenthesised expression, a signed
** number, a string, a blob, NULL, TRUE, FALSE or CURRENT_TIME/DATE/
** TIMESTAMP.  The text is kept as written.
*/
static void schemaDefault(SchemaParse *p, int iCol){
  static const char *const azWord[] = {
    "NULL", "TRUE", "FALSE", "CURRENT_TIME", "CURRENT_DATE",
    "CURRENT_TIMESTAMP"
  };
  LsmvColumn *pCol = &p->pSchema->aCol[iCol];
  LsmvToken tok;
  const char *zStart;
  int bOk = 0;
  size_t i;
  if( pCol->zDefault ){
    schemaError(p, "column %s has more than one DEFAULT", pCol->zName);
    return;
  }
  schemaNext(p, &tok);
  zStart = tok.z;
  switch( tok.eType ){
    case LSMV_TK_LP: {
      int nDepth = 1;
      bOk = schemaPeek(p, &tok)!=LSMV_TK_RP;
      while( nDepth>0 && schemaNext(p, &tok)!=LSMV_TK_END ){
        if( tok.eType==LSMV_TK_LP ) nDepth++;
        if( tok.eType==LSMV_TK_RP ) nDepth--;
        if( tok.eType==LSMV_TK_ILLEGAL ) bOk = 0;
      }
      if( nDepth>0 ) bOk = 0;
      break;
    }
    case LSMV_TK_PLUS: case LSMV_TK_MINUS:
      schemaNext(p, &tok);
      bOk = tok.eType==LSMV_TK_INTEGER || tok.eType==LSMV_TK_FLOAT;
      break;
    case LSMV_TK_INTEGER: case LSMV_TK_FLOAT:
    case LSMV_TK_STRING: case LSMV_TK_BLOB:
      bOk = 1;
      break;
    case LSMV_TK_ID:
      for(i=0; i<sizeof(azWord)/sizeof(azWord[0]); i++){
        if( lsmvTokenIsKw(&tok, azWord[i]) ) bOk = 1;
      }
      break;
  }
  if( !bOk ){
    schemaError(p, "DEFAULT of column %s must be a literal or a "
                "parenthesised expression: \"%s\"", pCol->zName, p->zArg);
    return;
  }
  pCol->zDefault = sqlite3_mprintf("%.*s", (int)(tok.z+tok.n-zStart), zStart);
  if( pCol->zDefault==0 ) schemaNomem(p);
}

/* Parse inline "PRIMARY KEY [ASC] [conflict] [AUTOINCREMENT]". */
static void schemaInlineKey(SchemaParse *p, int iCol){
  const char *zCol = p->pSchema->aCol[iCol].zName;
  schemaExpectKw(p, "KEY", "PRIMARY");
  if( p->iInlineKey>=0 || p->nTableKey>=0 ){
    schemaError(p, "table %s has more than one PRIMARY KEY (column %s)",
                p->pSchema->zTable, zCol);
  }
  p->iInlineKey = iCol;
  if( !schemaAcceptKw(p, "ASC") && schemaAcceptKw(p, "DESC") ){
    schemaError(p, "PRIMARY KEY DESC is not supported (column %s)", zCol);
  }
  p->pSchema->eKeyConflict = schemaConflict(p);
  if( schemaAcceptKw(p, "AUTOINCREMENT") ) p->bAutoinc = 1;
}

/*
** Parse one column constraint of column iCol (the keyword is next).
*/
static void schemaColumnConstraint(SchemaParse *p, int iCol){
  LsmvColumn *pCol = &p->pSchema->aCol[iCol];
  LsmvToken tok;
  schemaNext(p, &tok);
  if( lsmvTokenIsKw(&tok, "CONSTRAINT") ){
    /* A name; SQLite accepts "CONSTRAINT n" with no constraint after it */
    schemaNext(p, &tok);
    if( !lsmvTokenIsName(&tok) ){
      schemaError(p, "expected a name after CONSTRAINT (column %s)",
                  pCol->zName);
    }
  }else if( lsmvTokenIsKw(&tok, "PRIMARY") ){
    schemaInlineKey(p, iCol);
  }else if( lsmvTokenIsKw(&tok, "NOT") ){
    schemaExpectKw(p, "NULL", "NOT");
    pCol->bNotNull = 1;
    pCol->eNotNullConflict = schemaConflict(p);
  }else if( lsmvTokenIsKw(&tok, "NULL") ){
    schemaConflict(p);           /* "NULL": allows NULL, the default */
  }else if( lsmvTokenIsKw(&tok, "UNIQUE") ){
    pCol->bUnique = 1;
    if( schemaConflict(p) ){
      schemaError(p, "ON CONFLICT on UNIQUE is not supported (column %s)",
                  pCol->zName);
    }
  }else if( lsmvTokenIsKw(&tok, "DEFAULT") ){
    schemaDefault(p, iCol);
  }else if( lsmvTokenIsKw(&tok, "COLLATE") ){
    schemaCollate(p, pCol->zName);
  }else if( lsmvTokenIsKw(&tok, "CHECK") ){
    schemaError(p, "CHECK constraints are not supported (column %s)",
                pCol->zName);
  }else if( lsmvTokenIsKw(&tok, "REFERENCES") ){
    schemaError(p, "REFERENCES (foreign keys) are not supported (column %s)",
                pCol->zName);
  }else if( lsmvTokenIsKw(&tok, "DEFERRABLE") ){
    schemaError(p, "DEFERRABLE (of foreign keys) is not supported (column %s)",
                pCol->zName);
  }else if( lsmvTokenIsKw(&tok, "GENERATED") || lsmvTokenIsKw(&tok, "AS") ){
    schemaError(p, "generated columns are not supported (column %s)",
                pCol->zName);
  }else{
    schemaError(p, "unexpected \"%.*s\" in the definition of column %s",
                tok.n, tok.z, pCol->zName);
  }
}

/* Parse a column definition: name [type] [constraint ...]. */
static void schemaColumn(SchemaParse *p){
  LsmvToken tok;
  int iCol;
  schemaNext(p, &tok);
  if( !lsmvTokenIsName(&tok) ){
    schemaError(p, "expected a column name, found \"%.*s\" in \"%s\"",
                tok.n, tok.z, p->zArg);
    return;
  }
  if( tokIsReserved(&tok, 1) ){
    schemaError(p, "\"%.*s\" is a reserved word: quote it to use it as a "
                "column name", tok.n, tok.z);
    return;
  }
  iCol = schemaAddColumn(p, tok.z, tok.n);
  if( iCol<0 ) return;
  schemaType(p, iCol);
  while( p->rc==SQLITE_OK && schemaPeek(p, &tok)!=LSMV_TK_END ){
    schemaColumnConstraint(p, iCol);
  }
}

/*
** Parse "(name [COLLATE BINARY] [ASC], ... [AUTOINCREMENT]) [conflict]"
** after a table constraint's PRIMARY KEY.  The names are resolved against
** the columns in schemaFinish(), once every argument has been read.
*/
static void schemaTableKey(SchemaParse *p){
  LsmvToken tok;
  schemaExpectKw(p, "KEY", "PRIMARY");
  if( p->rc==SQLITE_OK && (p->iInlineKey>=0 || p->nTableKey>=0) ){
    schemaError(p, "table %s has more than one PRIMARY KEY",
                p->pSchema->zTable);
  }
  if( p->rc==SQLITE_OK && schemaNext(p, &tok)!=LSMV_TK_LP ){
    schemaError(p, "expected ( after PRIMARY KEY in \"%s\"", p->zArg);
  }
  if( p->rc==SQLITE_OK ) p->nTableKey = 0;
  while( p->rc==SQLITE_OK ){
    char **azNew;
    char *zName;
    if( schemaNext(p, &tok)==LSMV_TK_END ){
      schemaError(p, "unterminated PRIMARY KEY(...) in \"%s\"", p->zArg);
      break;
    }
    if( !lsmvTokenIsName(&tok) ){
      schemaError(p, "expected a column name in PRIMARY KEY(...), found "
                  "\"%.*s\"", tok.n, tok.z);
      break;
    }
    azNew = sqlite3_realloc64(p->azTableKey,
                              sizeof(char*)*(size_t)(p->nTableKey+1));
    zName = schemaDequote(p, tok.z, tok.n);
    if( azNew ) p->azTableKey = azNew;
    if( azNew==0 || zName==0 ){ schemaNomem(p); sqlite3_free(zName); break; }
    p->azTableKey[p->nTableKey++] = zName;
    if( schemaAcceptKw(p, "COLLATE") ) schemaCollate(p, zName);
    if( !schemaAcceptKw(p, "ASC") && schemaAcceptKw(p, "DESC") ){
      schemaError(p, "PRIMARY KEY DESC is not supported (column %s)", zName);
    }
    if( schemaAcceptKw(p, "AUTOINCREMENT") ) p->bAutoinc = 1;
    schemaNext(p, &tok);
    if( tok.eType==LSMV_TK_RP ) break;
    if( tok.eType==LSMV_TK_END ){
      schemaError(p, "unterminated PRIMARY KEY(...) in \"%s\"", p->zArg);
    }else if( tok.eType!=LSMV_TK_COMMA || p->bAutoinc ){
      schemaError(p, "unexpected \"%.*s\" in PRIMARY KEY(...)", tok.n, tok.z);
    }
  }
  p->pSchema->eKeyConflict = schemaConflict(p);
}

/*
** Parse an argument of table constraints (SQLite allows several in a row
** without commas): [CONSTRAINT name] PRIMARY KEY(...); UNIQUE(...),
** CHECK(...) and FOREIGN KEY(...) are rejected.
*/
static void schemaTableConstraint(SchemaParse *p){
  LsmvToken tok;
  while( p->rc==SQLITE_OK && schemaNext(p, &tok)!=LSMV_TK_END ){
    if( lsmvTokenIsKw(&tok, "CONSTRAINT") ){
      schemaNext(p, &tok);
      if( !lsmvTokenIsName(&tok) ){
        schemaError(p, "expected a name after CONSTRAINT in \"%s\"", p->zArg);
      }
    }else if( lsmvTokenIsKw(&tok, "PRIMARY") ){
      schemaTableKey(p);
    }else if( lsmvTokenIsKw(&tok, "UNIQUE") ){
      schemaError(p, "UNIQUE table constraints are not supported: \"%s\"",
                  p->zArg);
    }else if( lsmvTokenIsKw(&tok, "CHECK") ){
      schemaError(p, "CHECK constraints are not supported: \"%s\"", p->zArg);
    }else if( lsmvTokenIsKw(&tok, "FOREIGN") ){
      schemaError(p, "FOREIGN KEY constraints are not supported: \"%s\"",
                  p->zArg);
    }else{
      schemaError(p, "unexpected \"%.*s\" in table constraint \"%s\"",
                  tok.n, tok.z, p->zArg);
    }
  }
}

/*
** Parse a non-negative decimal integer with, if bSize, one optional K, M
** or G suffix (powers of 1024).  Values above SCHEMA_NUM_CAP saturate.
** Return 0 if z is not such a number.
*/
static int schemaParseInt(const char *z, int bSize, int64_t *piOut){
  int64_t v = 0;
  int i;
  if( !lsmvIsDigit(z[0]) ) return 0;
  for(i=0; lsmvIsDigit(z[i]); i++){
    v = v>SCHEMA_NUM_CAP/10 ? SCHEMA_NUM_CAP+1 : v*10 + (z[i]-'0');
  }
  if( bSize && z[i] ){
    int nShift = 0;
    switch( z[i] ){
      case 'k': case 'K': nShift = 10; break;
      case 'm': case 'M': nShift = 20; break;
      case 'g': case 'G': nShift = 30; break;
      default: return 0;
    }
    v = v>(SCHEMA_NUM_CAP>>nShift) ? SCHEMA_NUM_CAP+1 : v<<nShift;
    i++;
  }
  if( z[i] ) return 0;
  *piOut = v;
  return 1;
}

/* Set option iOpt (not path) from its non-empty value zVal. */
static void schemaSetOption(SchemaParse *p, int iOpt, const char *zVal){
  static const char *const azSync[] = { "off", "normal", "full" };
  static const char *const azCompact[] = { "leveled", "tiered", "fifo" };
  LsmvOptions *pOpt = &p->pSchema->opt;
  const SchemaOptDef *pDef = &aOptDef[iOpt];
  int64_t v = 0;
  int i;
  if( iOpt==OPT_SYNC || iOpt==OPT_COMPACTION ){
    const char *const *az = iOpt==OPT_SYNC ? azSync : azCompact;
    for(i=0; i<3 && sqlite3_stricmp(zVal, az[i])!=0; i++){}
    if( i==3 ){
      schemaError(p, "bad value for option %s: \"%s\" (expected %s, %s "
                  "or %s)", pDef->zName, zVal, az[0], az[1], az[2]);
    }else if( iOpt==OPT_SYNC ){
      pOpt->eSync = i==0 ? LSMC_SYNC_OFF : i==1 ? LSMC_SYNC_NORMAL
                                                : LSMC_SYNC_FULL;
    }else{
      pOpt->eCompaction = i==0 ? LSMC_COMPACTION_LEVELED
                        : i==1 ? LSMC_COMPACTION_TIERED : LSMC_COMPACTION_FIFO;
    }
    return;
  }
  if( !schemaParseInt(zVal, pDef->bSize, &v) ){
    schemaError(p, "bad value for option %s: \"%s\" (expected %s)",
                pDef->zName, zVal, pDef->bSize ?
                "a byte count, with an optional K, M or G suffix in quotes"
                : "an integer");
  }else if( v<pDef->iMin || v>pDef->iMax ){
    schemaError(p, "option %s=%s is out of range %s",
                pDef->zName, zVal, pDef->zRange);
  }else switch( iOpt ){
    case OPT_MEMTABLE: pOpt->nMemtable = v;  break;
    case OPT_BLOCK:    pOpt->nBlock = v;     break;
    case OPT_BLOOM:    pOpt->nBloomBits = v; break;
    case OPT_CACHE:    pOpt->nCache = v;     break;
    default:           pOpt->nFifoMax = v;   break;
  }
}

/*
** Parse "name=value" (the argument starts with a bare identifier and =).
** The value is one token: a number, a bare word or a quoted string.
*/
static void schemaOption(SchemaParse *p){
  LsmvToken tName, tVal, tok;
  const char *zRest;
  char *zVal;
  int iOpt;
  schemaNext(p, &tName);
  schemaNext(p, &tok);                       /* The = */
  for(iOpt=0; iOpt<OPT_COUNT; iOpt++){
    const char *zName = aOptDef[iOpt].zName;
    if( (int)strlen(zName)==tName.n
     && sqlite3_strnicmp(zName, tName.z, tName.n)==0 ) break;
  }
  if( iOpt==OPT_COUNT ){
    schemaError(p, "unknown option \"%.*s\"", tName.n, tName.z);
    return;
  }
  if( p->mOptSeen & (1u<<iOpt) ){
    schemaError(p, "option \"%s\" given twice", aOptDef[iOpt].zName);
    return;
  }
  p->mOptSeen |= 1u<<iOpt;
  schemaNext(p, &tVal);
  zRest = tVal.z;
  if( tVal.eType==LSMV_TK_END ){
    schemaError(p, "empty value for option \"%s\"", aOptDef[iOpt].zName);
    return;
  }
  if( (!lsmvTokenIsName(&tVal) && tVal.eType!=LSMV_TK_INTEGER
        && tVal.eType!=LSMV_TK_FLOAT)
   || schemaNext(p, &tok)!=LSMV_TK_END ){
    schemaError(p, "bad value for option %s: \"%s\" (expected a number, "
                "a word or a quoted string)", aOptDef[iOpt].zName, zRest);
    return;
  }
  zVal = schemaDequote(p, tVal.z, tVal.n);
  if( zVal==0 ) return;
  if( iOpt==OPT_PATH ){
    char *zErr = 0;
    if( zVal[0]==0 ){
      schemaError(p, "empty path");
    }else if( lsmvPathCheck(zVal, &zErr)!=SQLITE_OK ){
      if( zErr==0 ) schemaNomem(p);
      if( p->rc==SQLITE_OK ){ p->zErr = zErr; p->rc = SQLITE_ERROR; }
      else sqlite3_free(zErr);
    }else{
      p->pSchema->opt.zPath = zVal;
      zVal = 0;
    }
  }else if( zVal[0]==0 ){
    schemaError(p, "empty value for option \"%s\"", aOptDef[iOpt].zName);
  }else{
    schemaSetOption(p, iOpt, zVal);
  }
  sqlite3_free(zVal);
}

/* Parse one argument: an option, table constraints or a column. */
static void schemaArgument(SchemaParse *p, const char *zArg){
  LsmvToken t1, t2;
  p->zArg = zArg;
  p->iPos = 0;
  if( schemaPeek(p, &t1)==LSMV_TK_END ) return;    /* SQLite never passes one */
  if( t1.eType==LSMV_TK_ID ){
    schemaNext(p, &t1);
    schemaNext(p, &t2);
    p->iPos = 0;
    if( t2.eType==LSMV_TK_EQ ){
      schemaOption(p);
      return;
    }
  }
  if( lsmvTokenIsKw(&t1, "CONSTRAINT") || lsmvTokenIsKw(&t1, "PRIMARY")
   || lsmvTokenIsKw(&t1, "UNIQUE") || lsmvTokenIsKw(&t1, "CHECK")
   || lsmvTokenIsKw(&t1, "FOREIGN") ){
    schemaTableConstraint(p);
  }else{
    schemaColumn(p);
  }
}

/* True if the column's dequoted type is exactly "INTEGER" (any case). */
static int schemaIsIntegerType(SchemaParse *p, const LsmvColumn *pCol){
  char *z;
  int bRet;
  if( pCol->zType==0 ) return 0;
  z = schemaDequote(p, pCol->zType, (int)strlen(pCol->zType));
  bRet = z && sqlite3_stricmp(z, "INTEGER")==0;
  sqlite3_free(z);
  return bRet;
}

/*
** Resolve the key (names of PRIMARY KEY(...) to columns) and choose its
** kind; name the hidden key column of a composite key.
*/
static void schemaResolveKey(SchemaParse *p){
  LsmvSchema *pS = p->pSchema;
  int i, j;
  if( p->iInlineKey>=0 ) pS->nKey = 1;
  if( p->nTableKey>0 ) pS->nKey = p->nTableKey;
  if( pS->nKey==0 ) return;
  pS->aiKey = sqlite3_malloc64(sizeof(int)*(size_t)pS->nKey);
  if( pS->aiKey==0 ){ schemaNomem(p); return; }
  pS->aiKey[0] = p->iInlineKey;
  for(i=0; i<p->nTableKey && p->rc==SQLITE_OK; i++){
    for(j=0; j<pS->nCol; j++){
      if( sqlite3_stricmp(pS->aCol[j].zName, p->azTableKey[i])==0 ) break;
    }
    if( j==pS->nCol ){
      schemaError(p, "PRIMARY KEY names unknown column \"%s\"",
                  p->azTableKey[i]);
    }else if( pS->aCol[j].bKey ){
      schemaError(p, "column \"%s\" appears twice in the PRIMARY KEY",
                  pS->aCol[j].zName);
    }
    pS->aiKey[i] = j;
    if( j<pS->nCol ) pS->aCol[j].bKey = 1;
  }
  if( p->rc!=SQLITE_OK ) return;
  pS->aCol[pS->aiKey[0]].bKey = 1;
  if( pS->nKey==1 && schemaIsIntegerType(p, &pS->aCol[pS->aiKey[0]]) ){
    pS->eKey = LSMV_KEY_ROWID_ALIAS;
  }else{
    pS->eKey = LSMV_KEY_WITHOUT_ROWID;
  }
  if( pS->nKey>1 ){
    /* "_key", or "_key_N" for the first N that no column uses. */
    for(i=0; p->rc==SQLITE_OK; i++){
      char *z = i ? sqlite3_mprintf("_key_%d", i) : sqlite3_mprintf("_key");
      if( z==0 ){ schemaNomem(p); break; }
      for(j=0; j<pS->nCol && sqlite3_stricmp(z, pS->aCol[j].zName); j++){}
      if( j==pS->nCol ){ pS->zKeyCol = z; break; }
      sqlite3_free(z);
    }
  }
}

/*
** After the last argument: default columns, the key, and the checks that
** relate arguments to each other (AUTOINCREMENT, UNIQUE, fifo_max_size).
*/
static void schemaFinish(SchemaParse *p){
  LsmvSchema *pS = p->pSchema;
  int i;
  if( pS->nCol==0 && p->nTableKey<0 ){
    /* DESIGN.md: "USING lsm" alone is (key PRIMARY KEY, value). */
    p->iInlineKey = schemaAddColumn(p, "key", 3);
    schemaAddColumn(p, "value", 5);
  }
  if( p->rc==SQLITE_OK ) schemaResolveKey(p);
  pS->bAutoincrement = p->bAutoinc;
  if( p->rc==SQLITE_OK && p->bAutoinc && pS->eKey!=LSMV_KEY_ROWID_ALIAS ){
    schemaError(p, "AUTOINCREMENT is only allowed on an INTEGER PRIMARY KEY");
  }else if( p->rc==SQLITE_OK && p->bAutoinc ){
    schemaError(p, "AUTOINCREMENT is not supported (table %s): new rowids "
                "are the largest rowid + 1", pS->zTable);
  }
  for(i=0; i<pS->nCol && p->rc==SQLITE_OK; i++){
    if( pS->aCol[i].bUnique && !(pS->nKey==1 && pS->aiKey[0]==i) ){
      schemaError(p, "UNIQUE constraint on column %s is not supported",
                  pS->aCol[i].zName);
    }
  }
  if( p->rc==SQLITE_OK && (p->mOptSeen & (1u<<OPT_FIFO_MAX))
   && pS->opt.eCompaction!=LSMC_COMPACTION_FIFO ){
    schemaError(p, "option fifo_max_size requires compaction=fifo");
  }
}

/*
** Parse xCreate/xConnect's argv into a new schema (see schema.h).
*/
int lsmvSchemaParse(int argc, const char *const *argv, LsmvSchema **ppSchema,
                    char **pzErr){
  SchemaParse sParse;
  LsmvSchema *pS;
  int i;
  memset(&sParse, 0, sizeof(sParse));
  sParse.iInlineKey = -1;
  sParse.nTableKey = -1;
  *ppSchema = 0;
  *pzErr = 0;
  if( argc<3 ){
    *pzErr = sqlite3_mprintf("lsm: expected at least 3 arguments, got %d",
                             argc);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  pS = sqlite3_malloc64(sizeof(LsmvSchema));
  if( pS==0 ) return SQLITE_NOMEM;
  memset(pS, 0, sizeof(LsmvSchema));
  sParse.pSchema = pS;
  pS->zDb = sqlite3_mprintf("%s", argv[1]);
  pS->zTable = sqlite3_mprintf("%s", argv[2]);
  if( pS->zDb==0 || pS->zTable==0 ) schemaNomem(&sParse);
  pS->opt.eSync = LSMC_SYNC_NORMAL;
  pS->opt.eCompaction = LSMC_COMPACTION_LEVELED;
  pS->opt.nMemtable = (int64_t)32 << 20;
  pS->opt.nBlock = (int64_t)4 << 10;
  pS->opt.nBloomBits = 10;
  pS->opt.nCache = (int64_t)32 << 20;
  pS->opt.nFifoMax = (int64_t)1 << 30;
  for(i=3; i<argc && sParse.rc==SQLITE_OK; i++){
    schemaArgument(&sParse, argv[i]);
  }
  if( sParse.rc==SQLITE_OK ) schemaFinish(&sParse);
  for(i=0; i<sParse.nTableKey; i++) sqlite3_free(sParse.azTableKey[i]);
  sqlite3_free(sParse.azTableKey);
  if( sParse.rc!=SQLITE_OK ){
    lsmvSchemaFree(pS);
    *pzErr = sParse.zErr;
    return sParse.rc;
  }
  *ppSchema = pS;
  return SQLITE_OK;
}

/*
** Free a schema and everything it owns.
*/
/*
** Where each column's value lives (schema.h).  Returns the record's length.
*/
int lsmvSchemaColumnMap(const LsmvSchema *pS, int *aiKeyPos, int *aiRec){
  int i, nRec = 0;
  for(i=0; i<=pS->nCol; i++){ aiKeyPos[i] = -1; aiRec[i] = -1; }
  for(i=0; i<pS->nKey; i++) aiKeyPos[pS->aiKey[i]] = i;
  for(i=0; i<pS->nCol; i++){
    if( aiKeyPos[i]<0 ) aiRec[i] = nRec++;
  }
  return nRec;
}

void lsmvSchemaFree(LsmvSchema *pSchema){
  int i;
  if( pSchema==0 ) return;
  for(i=0; i<pSchema->nCol; i++){
    sqlite3_free(pSchema->aCol[i].zName);
    sqlite3_free(pSchema->aCol[i].zType);
    sqlite3_free(pSchema->aCol[i].zDefault);
  }
  sqlite3_free(pSchema->aCol);
  sqlite3_free(pSchema->aiKey);
  sqlite3_free(pSchema->zKeyCol);
  sqlite3_free(pSchema->zDb);
  sqlite3_free(pSchema->zTable);
  sqlite3_free(pSchema->opt.zPath);
  sqlite3_free(pSchema);
}

/*
** The declaration for sqlite3_declare_vtab() (mapping in schema.h).
** Types and DEFAULTs are re-emitted verbatim: the parser accepted only
** tokens that cannot end the column definition early.
*/
char *lsmvSchemaDeclare(const LsmvSchema *pS){
  sqlite3_str *pStr = sqlite3_str_new(0);
  int i;
  sqlite3_str_appendall(pStr, "CREATE TABLE x(");
  for(i=0; i<pS->nCol; i++){
    const LsmvColumn *pCol = &pS->aCol[i];
    sqlite3_str_appendf(pStr, "%s\"%w\"", i ? ", " : "", pCol->zName);
    if( pCol->zType ) sqlite3_str_appendf(pStr, " %s", pCol->zType);
    if( pCol->bNotNull ) sqlite3_str_appendall(pStr, " NOT NULL");
    if( pCol->zDefault ){
      sqlite3_str_appendf(pStr, " DEFAULT %s", pCol->zDefault);
    }
  }
  if( pS->zKeyCol ){
    sqlite3_str_appendf(pStr, ", \"%w\" HIDDEN", pS->zKeyCol);
  }
  if( pS->eKey==LSMV_KEY_WITHOUT_ROWID ){
    const char *zPk = pS->zKeyCol ? pS->zKeyCol : pS->aCol[pS->aiKey[0]].zName;
    sqlite3_str_appendf(pStr, ", PRIMARY KEY(\"%w\")) WITHOUT ROWID", zPk);
  }else{
    sqlite3_str_appendall(pStr, ")");
  }
  return sqlite3_str_finish(pStr);
}

/*
** Length of the valid UTF-8 sequence at z (1 to 4), or 0 if it is not
** one (overlong forms, surrogates and code points above U+10FFFF too).
*/
static int pathUtf8Len(const unsigned char *z){
  unsigned c = z[0];
  unsigned cp;
  int n, i;
  if( c<0x80 ) return 1;
  if( c>=0xC2 && c<=0xDF ){ n = 2; cp = c & 0x1F; }
  else if( c>=0xE0 && c<=0xEF ){ n = 3; cp = c & 0x0F; }
  else if( c>=0xF0 && c<=0xF4 ){ n = 4; cp = c & 0x07; }
  else return 0;
  for(i=1; i<n; i++){
    if( (z[i] & 0xC0)!=0x80 ) return 0;
    cp = (cp<<6) | (z[i] & 0x3F);
  }
  if( (n==3 && cp<0x800) || (n==4 && (cp<0x10000 || cp>0x10FFFF))
   || (cp>=0xD800 && cp<=0xDFFF) ) return 0;
  return n;
}

/*
** Validate a path= value (rules in schema.h).
*/
int lsmvPathCheck(const char *zPath, char **pzErr){
  const unsigned char *z = (const unsigned char*)zPath;
  size_t n = strlen(zPath);
  const char *zWhy = 0;
  size_t i, iComp = 0;
  if( n==0 ) zWhy = "it is empty";
  else if( n>LSMV_MAX_PATH ) zWhy = "it is longer than 512 bytes";
  else if( z[0]=='/' ) zWhy = "it is absolute";
  for(i=0; zWhy==0 && i<=n; i++){
    if( i==n || z[i]=='/' ){
      size_t nComp = i - iComp;
      if( nComp==0 ) zWhy = "it has an empty component";
      else if( nComp==1 && z[iComp]=='.' ) zWhy = "it has a \".\" component";
      else if( nComp==2 && z[iComp]=='.' && z[iComp+1]=='.' ){
        zWhy = "it has a \"..\" component";
      }
      iComp = i+1;
    }else if( z[i]<0x20 || z[i]==0x7F ){
      zWhy = "it contains a control character";
    }else{
      int nChar = pathUtf8Len(&z[i]);
      if( nChar==0 ) zWhy = "it is not valid UTF-8";
      else i += (size_t)nChar - 1;
    }
  }
  if( zWhy==0 ) return SQLITE_OK;
  *pzErr = sqlite3_mprintf("lsm: path \"%.64s%s\" is not allowed: %s",
                           zPath, n>64 ? "..." : "", zWhy);
  return SQLITE_ERROR;
}
