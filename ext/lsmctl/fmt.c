/*
** fmt.c -- how lsmctl writes bytes for a person, and reads them back.
**
** Printable form of a key or value: each byte 0x20..0x7e except the
** backslash is itself; a backslash is "\\"; every other byte is "\xNN"
** (two lowercase hex digits).  So the form is plain ASCII without tabs or
** newlines, a tab can separate a key from its value, and the form maps
** back to exactly the bytes it came from.  Hex form: two lowercase hex
** digits per byte, nothing else.  ctlKeyParse() reads a key given on the
** command line: "0x" followed by hex digits, or text in the printable
** form (so a key copied from dump's output is found again).
**
** JSON strings (ctlJsonString) escape the quote, the backslash and every
** control character; other bytes pass through.  The strings lsmctl puts
** in JSON are the printable forms above (ASCII) or text that came from
** SQLite (UTF-8), so the output is valid JSON.
**
** The progress line is drawn on stderr only when stderr is a terminal,
** overwritten in place ("\r", then blanks over what is left of the
** previous line), at most every 100 ms unless forced, and erased at the
** end, so nothing of it remains in a log or a pipe.
*/
#include "lsmctl.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char ctlHexDigit[] = "0123456789abcdef";

/*
** Write the printable (or, if bHex, hex) form of p[0..n) to zOut, which
** has room for 4*n+1 bytes; return the length written (no NUL added).
*/
static size_t fmtEncode(char *zOut, const uint8_t *p, size_t n, int bHex){
  size_t i, j = 0;
  for(i=0; i<n; i++){
    uint8_t c = p[i];
    if( bHex ){
      zOut[j++] = ctlHexDigit[c>>4];
      zOut[j++] = ctlHexDigit[c&0xf];
    }else if( c=='\\' ){
      zOut[j++] = '\\';
      zOut[j++] = '\\';
    }else if( c>=0x20 && c<=0x7e ){
      zOut[j++] = (char)c;
    }else{
      zOut[j++] = '\\';
      zOut[j++] = 'x';
      zOut[j++] = ctlHexDigit[c>>4];
      zOut[j++] = ctlHexDigit[c&0xf];
    }
  }
  return j;
}

/*
** The printable (or hex) form of p[0..n) as a new NUL-terminated string
** (caller frees with free()).  If nMax>0 and n>nMax, only the first nMax
** bytes are shown, followed by "...".  NULL if out of memory.
*/
char *ctlKeyText(const void *p, size_t n, int bHex, size_t nMax){
  int bCut = nMax>0 && n>nMax;
  size_t nShow = bCut ? nMax : n;
  char *z = malloc(4*nShow + 4);
  size_t j;
  if( z==0 ) return 0;
  j = fmtEncode(z, (const uint8_t*)p, nShow, bHex);
  if( bCut ){
    memcpy(&z[j], "...", 3);
    j += 3;
  }
  z[j] = '\0';
  return z;
}

/*
** Write the printable (or hex) form of p[0..n) to pOut, cut after nMax
** bytes if nMax>0 (see ctlKeyText).
*/
void ctlPutKey(FILE *pOut, const void *p, size_t n, int bHex, size_t nMax){
  char *z = ctlKeyText(p, n, bHex, nMax);
  if( z ){
    fputs(z, pOut);
    free(z);
  }else{
    fputs("(out of memory)", pOut);
  }
}

/* The value of hex digit c, or -1. */
static int fmtHexValue(int c){
  if( c>='0' && c<='9' ) return c - '0';
  if( c>='a' && c<='f' ) return c - 'a' + 10;
  if( c>='A' && c<='F' ) return c - 'A' + 10;
  return -1;
}

/*
** Parse a key given on the command line (see the header comment) into a
** new buffer *paKey of *pnKey bytes (caller frees with free(); non-NULL
** even when empty).  Returns 0, or -1 if the text is not a key (odd or bad
** hex digits, a backslash not followed by "\" or "xNN"), or -2 if out of
** memory; *paKey is NULL then.
*/
int ctlKeyParse(const char *zText, uint8_t **paKey, size_t *pnKey){
  size_t nText = strlen(zText);
  uint8_t *a = malloc(nText + 1);
  size_t i, n = 0;
  *paKey = 0;
  *pnKey = 0;
  if( a==0 ) return -2;
  if( zText[0]=='0' && (zText[1]=='x' || zText[1]=='X') ){
    if( (nText-2)%2 ){ free(a); return -1; }
    for(i=2; i<nText; i+=2){
      int hi = fmtHexValue(zText[i]), lo = fmtHexValue(zText[i+1]);
      if( hi<0 || lo<0 ){ free(a); return -1; }
      a[n++] = (uint8_t)(hi<<4 | lo);
    }
  }else{
    for(i=0; i<nText; i++){
      if( zText[i]!='\\' ){
        a[n++] = (uint8_t)zText[i];
      }else if( zText[i+1]=='\\' ){
        a[n++] = '\\';
        i++;
      }else if( zText[i+1]=='x' && fmtHexValue(zText[i+2])>=0
             && fmtHexValue(zText[i+3])>=0 ){
        a[n++] = (uint8_t)(fmtHexValue(zText[i+2])<<4 | fmtHexValue(zText[i+3]));
        i += 3;
      }else{
        free(a);
        return -1;
      }
    }
  }
  *paKey = a;
  *pnKey = n;
  return 0;
}

/*
** nByte for a person: "512 B", "4.0 KiB", "12.3 MiB", "1.5 GiB", in
** zBuf (nBuf bytes, 16 is enough).  Returns zBuf.
*/
const char *ctlSize(uint64_t nByte, char *zBuf, size_t nBuf){
  static const char *const azUnit[] = { "KiB", "MiB", "GiB", "TiB" };
  uint64_t nUnit = 1024;
  int i = 0;
  if( nByte<1024 ){
    snprintf(zBuf, nBuf, "%llu B", (unsigned long long)nByte);
    return zBuf;
  }
  while( i<3 && nByte/1024>=nUnit ){
    nUnit *= 1024;
    i++;
  }
  snprintf(zBuf, nBuf, "%.1f %s", (double)nByte/(double)nUnit, azUnit[i]);
  return zBuf;
}

/*
** Write the NUL-terminated z to pOut as a JSON string, quotes included.
*/
void ctlJsonString(FILE *pOut, const char *z){
  size_t i;
  fputc('"', pOut);
  for(i=0; z[i]; i++){
    unsigned char c = (unsigned char)z[i];
    switch( c ){
      case '"':  fputs("\\\"", pOut); break;
      case '\\': fputs("\\\\", pOut); break;
      case '\n': fputs("\\n", pOut); break;
      case '\t': fputs("\\t", pOut); break;
      case '\r': fputs("\\r", pOut); break;
      default:
        if( c<0x20 || c==0x7f ){
          fprintf(pOut, "\\u%04x", c);
        }else{
          fputc(c, pOut);
        }
        break;
    }
  }
  fputc('"', pOut);
}

/*
** Write two JSON members for a key: "zName": its printable form and
** "zName_hex": its hex form (no comma before or after).
*/
void ctlJsonKey(FILE *pOut, const char *zName, const void *p, size_t n){
  char *zText = ctlKeyText(p, n, 0, 0);
  char *zHex = ctlKeyText(p, n, 1, 0);
  fprintf(pOut, "\"%s\":", zName);
  ctlJsonString(pOut, zText ? zText : "");
  fprintf(pOut, ",\"%s_hex\":", zName);
  ctlJsonString(pOut, zHex ? zHex : "");
  free(zText);
  free(zHex);
}

/* Milliseconds of a monotonic clock. */
static uint64_t fmtNowMs(void){
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec*1000 + (uint64_t)ts.tv_nsec/1000000;
}

/* Start a progress line: it is drawn only if stderr is a terminal. */
void ctlProgressInit(CtlProgress *p){
  memset(p, 0, sizeof(*p));
  p->bTty = isatty(STDERR_FILENO);
}

/*
** Draw the progress line (printf format), replacing the previous one,
** unless less than 100 ms passed since the last draw and !bForce.
*/
void ctlProgressDraw(CtlProgress *p, int bForce, const char *zFmt, ...){
  char zLine[160];
  uint64_t iNow;
  va_list ap;
  int n;
  if( !p->bTty ) return;
  iNow = fmtNowMs();
  if( !bForce && p->nShown>0 && iNow - p->iLastMs < 100 ) return;
  va_start(ap, zFmt);
  n = vsnprintf(zLine, sizeof(zLine), zFmt, ap);
  va_end(ap);
  if( n<0 ) return;
  if( n>=(int)sizeof(zLine) ) n = (int)sizeof(zLine) - 1;
  fprintf(stderr, "\r%s", zLine);
  if( p->nShown>n ) fprintf(stderr, "%*s", p->nShown - n, "");
  fflush(stderr);
  p->nShown = n;
  p->iLastMs = iNow;
}

/* Erase the progress line, if one was drawn. */
void ctlProgressEnd(CtlProgress *p){
  if( !p->bTty || p->nShown==0 ) return;
  fprintf(stderr, "\r%*s\r", p->nShown, "");
  fflush(stderr);
  p->nShown = 0;
}
