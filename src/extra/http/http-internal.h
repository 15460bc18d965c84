/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * http-internal.h: what the files of evhttp share.  For now that is the
 * foundation the server and the client will stand on: the layout of
 * struct evhttp_uri (uri.c), the percent-decoder and the character
 * classes of RFC 3986 (escape.c), the header list helpers (headers.c),
 * and the allocation functions every evhttp file uses.
 *
 * Who may include it: the files of src/extra/http/ (and white-box tests).
 *
 * Locking and ownership: nothing here holds state; a URI or a header list
 * belongs to whoever made it, and is not locked.  Every allocation goes
 * through vg_http_malloc() and back through vg_http_free(): memory from
 * this module is never handed to free() inside the library.
 */
#ifndef VIGIL_HTTP_INTERNAL_H
#define VIGIL_HTTP_INTERNAL_H

#include <stddef.h>

/* The real tail queue macros, before keyvalq_struct.h supplies its own. */
#include <sys/queue.h>

#include <event2/keyvalq_struct.h>

/* libevent_extra's allocation (the core's memory functions, so
 * event_set_mem_functions() applies), shared by every part of it. */
#include "extra/extra-internal.h"

#define vg_http_malloc(n) vg_extra_malloc(n)
#define vg_http_calloc(n, size) vg_extra_calloc((n), (size))
#define vg_http_realloc(p, n) vg_extra_realloc((p), (n))
#define vg_http_free(p) vg_extra_free(p)

/* A copy of the first len bytes of s, NUL-terminated (NULL when memory
 * runs out). */
char *vg_http_strndup(const char *s, size_t len);

/* ------------------------------------------------------------------ */
/* URIs (uri.c)                                                        */
/* ------------------------------------------------------------------ */

/* A parsed or assembled URI reference.  Components are NUL-terminated
 * strings or NULL (absent); port is -1 when absent.  A parsed URI keeps
 * its components in one block allocated with the struct itself (text
 * points into it); a component replaced by a setter is allocated on its
 * own, and uri.c tells the two apart by address when freeing. */
struct evhttp_uri {
    unsigned flags; /* EVHTTP_URI_* */
    char *scheme;
    char *userinfo;
    char *host;
    int port;
    char *path;
    char *query;
    char *fragment;
    /* The parsed text block (NULL for evhttp_uri_new()) and its size. */
    char *text;
    size_t text_len;
};

/* ------------------------------------------------------------------ */
/* RFC 3986 character classes and escapes (escape.c)                   */
/* ------------------------------------------------------------------ */

/* Bits of vg_http_uri_class[]. */
#define VG_URI_ALPHA 0x01
#define VG_URI_DIGIT 0x02
#define VG_URI_UNRESERVED_PUNCT 0x04 /* - . _ ~ */
#define VG_URI_SUBDELIM 0x08         /* ! $ & ' ( ) * + , ; = */
#define VG_URI_HEX 0x10              /* 0-9 A-F a-f */
#define VG_URI_SCHEME_PUNCT 0x20     /* + - . */
#define VG_URI_PCHAR_PUNCT 0x40      /* : @ */
#define VG_URI_CTL 0x80              /* 0x00-0x1f, 0x7f */

#define VG_URI_UNRESERVED \
    (VG_URI_ALPHA | VG_URI_DIGIT | VG_URI_UNRESERVED_PUNCT)

/* The class bits of every byte. */
extern const unsigned char vg_http_uri_class[256];

/* Nonzero when byte c has one of the class bits in mask. */
static inline int
vg_http_uri_is(unsigned char c, unsigned mask)
{
    return (vg_http_uri_class[c] & mask) != 0;
}

/* The value of hex digit c (which must be one). */
static inline int
vg_http_hexval(unsigned char c)
{
    if (c <= '9')
        return c - '0';
    return (c | 0x20) - 'a' + 10;
}

/* How the decoder treats '+'. */
#define VG_HTTP_PLUS_KEEP 0        /* leave it */
#define VG_HTTP_PLUS_SPACE 1       /* a space everywhere */
#define VG_HTTP_PLUS_AFTER_QMARK 2 /* a space after the first '?' */

/* Decodes the len bytes at in into out, which has room for len + 1 bytes
 * (a decoded string is never longer), and NUL-terminates it.  "%XX" with
 * two hex digits becomes one byte (possibly NUL); a '%' without two hex
 * digits after it is copied as it is.  Returns the decoded length. */
size_t vg_http_decode(const char *in, size_t len, char *out, int plus);

/* ------------------------------------------------------------------ */
/* Header lists (headers.c)                                            */
/* ------------------------------------------------------------------ */

/* Appends copies of the key_len bytes at key and the value_len bytes at
 * value (each NUL-terminated) to headers without checking them, for
 * callers that checked them already or store query parameters.  Returns
 * the new entry, or NULL when memory runs out.  The key, the value and the
 * entry are three allocations, as in libevent, so that a program that
 * frees an entry's parts itself keeps working. */
struct evkeyval *vg_http_header_append(struct evkeyvalq *headers,
                                       const char *key, size_t key_len,
                                       const char *value, size_t value_len);

#endif
