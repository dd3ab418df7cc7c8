/*
** sqltoken.c -- the SQL tokenizer of the argument parser (sqltoken.h): it
** owns the character classes and the rules that cut the text of one
** CREATE VIRTUAL TABLE argument into tokens, following SQLite's
** sqlite3GetToken() (tokenize.c) for every token a column definition can
** hold.  Invariants: a token is never empty and never runs past the
** argument's NUL, so reading token after token always reaches LSMV_TK_END;
** quoted tokens end at their matching quote (a doubled quote is part of
** the text) and nothing is dequoted or copied here.  It allocates nothing
** and reports no errors: malformed text becomes an LSMV_TK_ILLEGAL token
** for the parser (schema.c) to reject.  Thread safety: pure functions of
** their arguments, reentrant.
*/
#include "sqltoken.h"
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT3

#include <string.h>

/* Character classes, ASCII only, independent of the locale. */
static int isDigit(int c){ return c>='0' && c<='9'; }
static int isHex(int c){
  return isDigit(c) || (c>='a' && c<='f') || (c>='A' && c<='F');
}
static int isIdStart(int c){
  return (c>='a' && c<='z') || (c>='A' && c<='Z') || c=='_' || c>=0x80;
}
static int isIdChar(int c){ return isIdStart(c) || isDigit(c) || c=='$'; }
static int isSpace(int c){
  return c==' ' || c=='\t' || c=='\n' || c=='\f' || c=='\r';
}

/*
** Length of the number at z and its kind in *peType, as SQLite reads it:
** decimal with optional fraction and exponent, or 0x hex.  A number run
** into identifier characters (64K) is LSMV_TK_ILLEGAL, as in SQLite.
*/
static int tokenNumberLen(const unsigned char *z, int *peType){
  int i = 0;
  *peType = LSMV_TK_INTEGER;
  if( z[0]=='0' && (z[1]=='x' || z[1]=='X') && isHex(z[2]) ){
    for(i=3; isHex(z[i]); i++){}
  }else{
    while( isDigit(z[i]) ) i++;
    if( z[i]=='.' ){
      for(i++; isDigit(z[i]); i++){}
      *peType = LSMV_TK_FLOAT;
    }
    if( (z[i]=='e' || z[i]=='E') && (isDigit(z[i+1])
         || ((z[i+1]=='+' || z[i+1]=='-') && isDigit(z[i+2]))) ){
      for(i+=2; isDigit(z[i]); i++){}
      *peType = LSMV_TK_FLOAT;
    }
  }
  if( isIdChar(z[i]) ){
    *peType = LSMV_TK_ILLEGAL;
    while( isIdChar(z[i]) ) i++;
  }
  return i;
}

/*
** Length of the token at z (z[0]!=0), kind in *peType.  Quoted tokens
** end at the matching quote (a doubled quote is part of the text); an
** unterminated one runs to the end and is LSMV_TK_ILLEGAL.
*/
static int tokenLen(const unsigned char *z, int *peType){
  int i;
  *peType = LSMV_TK_OTHER;
  switch( z[0] ){
    case ' ': case '\t': case '\n': case '\f': case '\r':
      for(i=1; isSpace(z[i]); i++){}
      *peType = LSMV_TK_SPACE;
      return i;
    case '-':
      if( z[1]!='-' ){ *peType = LSMV_TK_MINUS; return 1; }
      for(i=2; z[i] && z[i]!='\n'; i++){}
      *peType = LSMV_TK_SPACE;
      return i;
    case '/':
      if( z[1]!='*' ) return 1;
      for(i=2; z[i] && (z[i]!='*' || z[i+1]!='/'); i++){}
      *peType = LSMV_TK_SPACE;
      return z[i] ? i+2 : i;
    case '(': *peType = LSMV_TK_LP; return 1;
    case ')': *peType = LSMV_TK_RP; return 1;
    case ',': *peType = LSMV_TK_COMMA; return 1;
    case '+': *peType = LSMV_TK_PLUS; return 1;
    case '=':
      if( z[1]=='=' ) return 2;
      *peType = LSMV_TK_EQ;
      return 1;
    case '\'': case '"': case '`': case '[': {
      int q = z[0]=='[' ? ']' : z[0];
      for(i=1; z[i]; i++){
        if( z[i]!=q ) continue;
        if( q!=']' && z[i+1]==q ){ i++; continue; }
        *peType = z[0]=='\'' ? LSMV_TK_STRING : LSMV_TK_QID;
        return i+1;
      }
      *peType = LSMV_TK_ILLEGAL;
      return i;
    }
    case 'x': case 'X':
      if( z[1]!='\'' ) break;
      for(i=2; isHex(z[i]); i++){}
      *peType = LSMV_TK_BLOB;
      if( z[i]!='\'' || (i%2)!=0 ){
        *peType = LSMV_TK_ILLEGAL;
        while( z[i] && z[i]!='\'' ) i++;
      }
      return z[i] ? i+1 : i;
  }
  if( isDigit(z[0]) || (z[0]=='.' && isDigit(z[1])) ){
    return tokenNumberLen(z, peType);
  }
  if( isIdStart(z[0]) ){
    for(i=1; isIdChar(z[i]); i++){}
    *peType = LSMV_TK_ID;
    return i;
  }
  return 1;
}

/*
** Read the next token of zArg at or after *piPos that is not white space
** or a comment (see sqltoken.h).
*/
int lsmvTokenNext(const char *zArg, int *piPos, LsmvToken *pTok){
  const unsigned char *z = (const unsigned char*)zArg;
  int eType = LSMV_TK_END;
  int n = 0;
  while( z[*piPos] ){
    n = tokenLen(&z[*piPos], &eType);
    if( eType!=LSMV_TK_SPACE ) break;
    *piPos += n;
  }
  if( z[*piPos]==0 ){ eType = LSMV_TK_END; n = 0; }
  pTok->eType = eType;
  pTok->z = &zArg[*piPos];
  pTok->n = n;
  *piPos += n;
  return eType;
}

/* True if pTok is the bare keyword zKw (any case). */
int lsmvTokenIsKw(const LsmvToken *pTok, const char *zKw){
  return pTok->eType==LSMV_TK_ID && (int)strlen(zKw)==pTok->n
      && sqlite3_strnicmp(pTok->z, zKw, pTok->n)==0;
}

/* True if pTok can be a name (SQLite's nm: identifier or string). */
int lsmvTokenIsName(const LsmvToken *pTok){
  return pTok->eType==LSMV_TK_ID || pTok->eType==LSMV_TK_QID
      || pTok->eType==LSMV_TK_STRING;
}

/* True if c is an ASCII decimal digit. */
int lsmvIsDigit(int c){
  return isDigit(c);
}
