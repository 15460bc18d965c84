/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * escape.c: percent-encoding and decoding (evhttp_encode_uri,
 * evhttp_uriencode, evhttp_decode_uri, evhttp_uridecode), query strings
 * (evhttp_parse_query, evhttp_parse_query_str) and evhttp_htmlescape,
 * plus the RFC 3986 character classes the URI parser shares.
 *
 * Every output length is computed, overflow-checked, and allocated before
 * a byte is written; the decoders never read past the terminating NUL of
 * their input, however a "%" sequence is cut short.
 */
#include <sys/queue.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "http-internal.h"

/* Short names for the table below. */
#define C_ VG_URI_CTL
#define SD VG_URI_SUBDELIM
#define SS (VG_URI_SUBDELIM | VG_URI_SCHEME_PUNCT)
#define UP VG_URI_UNRESERVED_PUNCT
#define US (VG_URI_UNRESERVED_PUNCT | VG_URI_SCHEME_PUNCT)
#define PC VG_URI_PCHAR_PUNCT
#define DH (VG_URI_DIGIT | VG_URI_HEX)
#define AH (VG_URI_ALPHA | VG_URI_HEX)
#define AL VG_URI_ALPHA

const unsigned char vg_http_uri_class[256] = {
    /* 0x00-0x1f: control characters. */
    C_, C_, C_, C_, C_, C_, C_, C_, C_, C_, C_, C_, C_, C_, C_, C_, /**/
    C_, C_, C_, C_, C_, C_, C_, C_, C_, C_, C_, C_, C_, C_, C_, C_,
    /* SP ! " # $ % & ' ( ) * + , - . / */
    0, SD, 0, 0, SD, 0, SD, SD, SD, SD, SD, SS, SD, US, US, 0,
    /* 0-9 : ; < = > ? */
    DH, DH, DH, DH, DH, DH, DH, DH, DH, DH, PC, SD, 0, SD, 0, 0,
    /* @ A-O */
    PC, AH, AH, AH, AH, AH, AH, AL, AL, AL, AL, AL, AL, AL, AL, AL,
    /* P-Z [ \ ] ^ _ */
    AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, 0, 0, 0, 0, UP,
    /* ` a-o */
    0, AH, AH, AH, AH, AH, AH, AL, AL, AL, AL, AL, AL, AL, AL, AL,
    /* p-z { | } ~ DEL */
    AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, 0, 0, 0, UP, C_,
    /* 0x80-0xff: no class (the rest of the array is zero). */
};

#undef C_
#undef SD
#undef SS
#undef UP
#undef US
#undef PC
#undef DH
#undef AH
#undef AL

char *
vg_http_strndup(const char *s, size_t len)
{
    char *p;

    if (len == SIZE_MAX)
        return NULL;
    p = vg_http_malloc(len + 1);
    if (p == NULL)
        return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

size_t
vg_http_decode(const char *in, size_t len, char *out, int plus)
{
    int plus_is_space = plus == VG_HTTP_PLUS_SPACE;
    size_t i = 0;
    size_t o = 0;

    /* out may be in itself: o never passes i, and in[i + 1] and in[i + 2]
     * are read before out[o] is written. */
    while (i < len) {
        unsigned char c = (unsigned char)in[i];

        if (c == '%' && len - i >= 3 &&
            vg_http_uri_is((unsigned char)in[i + 1], VG_URI_HEX) &&
            vg_http_uri_is((unsigned char)in[i + 2], VG_URI_HEX)) {
            out[o++] = (char)(vg_http_hexval((unsigned char)in[i + 1]) << 4 |
                              vg_http_hexval((unsigned char)in[i + 2]));
            i += 3;
            continue;
        }
        if (c == '?' && plus == VG_HTTP_PLUS_AFTER_QMARK)
            plus_is_space = 1;
        else if (c == '+' && plus_is_space)
            c = ' ';
        out[o++] = (char)c;
        i++;
    }
    out[o] = '\0';
    return o;
}

/* Decodes the NUL-terminated string s into new memory; the decoded
 * length goes to *size_out when that is not NULL. */
static char *
decode_alloc(const char *s, int plus, size_t *size_out)
{
    size_t len, n;
    char *out = NULL;

    if (s == NULL) {
        errno = EINVAL;
        goto done;
    }
    len = strlen(s);
    if (len == SIZE_MAX)
        goto done;
    out = vg_http_malloc(len + 1);
    if (out == NULL)
        goto done;
    n = vg_http_decode(s, len, out, plus);
    if (size_out != NULL)
        *size_out = n;
done:
    return out;
}

char *
evhttp_decode_uri(const char *uri)
{
    return decode_alloc(uri, VG_HTTP_PLUS_AFTER_QMARK, NULL);
}

char *
evhttp_uridecode(const char *uri, int decode_plus, size_t *size_out)
{
    /* libevent takes any nonzero decode_plus as "decode". */
    return decode_alloc(
        uri, decode_plus ? VG_HTTP_PLUS_SPACE : VG_HTTP_PLUS_KEEP, size_out);
}

char *
evhttp_uriencode(const char *str, ev_ssize_t size, int space_to_plus)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t len, n, i, o;
    char *out = NULL;

    if (str == NULL) {
        errno = EINVAL;
        goto done;
    }
    len = size < 0 ? strlen(str) : (size_t)size;
    /* Each byte takes at most three, plus the NUL. */
    if (len > (SIZE_MAX - 1) / 3) {
        errno = ENOMEM;
        goto done;
    }
    n = 0;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)str[i];

        if (vg_http_uri_is(c, VG_URI_UNRESERVED) || (c == ' ' && space_to_plus))
            n += 1;
        else
            n += 3;
    }
    out = vg_http_malloc(n + 1);
    if (out == NULL)
        goto done;
    o = 0;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)str[i];

        if (vg_http_uri_is(c, VG_URI_UNRESERVED)) {
            out[o++] = (char)c;
        } else if (c == ' ' && space_to_plus) {
            out[o++] = '+';
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
done:
    return out;
}

char *
evhttp_encode_uri(const char *str)
{
    return evhttp_uriencode(str, -1, 0);
}

/* The entity of an HTML-special character, or NULL. */
static const char *
html_entity(unsigned char c)
{
    switch (c) {
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#039;";
    case '&':
        return "&amp;";
    default:
        return NULL;
    }
}

char *
evhttp_htmlescape(const char *html)
{
    size_t len, n, i, o;
    char *out = NULL;

    if (html == NULL) {
        errno = EINVAL;
        goto done;
    }
    len = strlen(html);
    /* The longest entity is six bytes. */
    if (len > (SIZE_MAX - 1) / 6) {
        errno = ENOMEM;
        goto done;
    }
    n = 0;
    for (i = 0; i < len; i++) {
        const char *e = html_entity((unsigned char)html[i]);

        n += e != NULL ? strlen(e) : 1;
    }
    out = vg_http_malloc(n + 1);
    if (out == NULL)
        goto done;
    o = 0;
    for (i = 0; i < len; i++) {
        const char *e = html_entity((unsigned char)html[i]);

        if (e != NULL) {
            size_t el = strlen(e);

            memcpy(out + o, e, el);
            o += el;
        } else {
            out[o++] = html[i];
        }
    }
    out[o] = '\0';
done:
    return out;
}

int
evhttp_parse_query_str(const char *uri, struct evkeyvalq *headers)
{
    const char *p = uri;
    int rc = -1;

    if (headers == NULL)
        return -1;
    TAILQ_INIT(headers);
    if (uri == NULL)
        goto done;
    /* Pairs "key=value" separated by '&'.  As in libevent 2.1, a piece
     * without '=' or with an empty key fails the whole string (so does an
     * empty piece between two '&'), a single trailing '&' is allowed, the
     * value is decoded with '+' as a space, and the key is kept as it
     * is. */
    while (*p != '\0') {
        const char *end = strchr(p, '&');
        const char *eq;
        struct evkeyval *kv;

        if (end == NULL)
            end = p + strlen(p);
        eq = memchr(p, '=', (size_t)(end - p));
        if (eq == NULL || eq == p)
            goto done;
        kv = vg_http_header_append(headers, p, (size_t)(eq - p), eq + 1,
                                   (size_t)(end - eq - 1));
        if (kv == NULL)
            goto done;
        vg_http_decode(kv->value, strlen(kv->value), kv->value,
                       VG_HTTP_PLUS_SPACE);
        p = *end == '&' ? end + 1 : end;
    }
    rc = 0;
done:
    if (rc != 0)
        evhttp_clear_headers(headers);
    return rc;
}

int
evhttp_parse_query(const char *uri, struct evkeyvalq *headers)
{
    struct evhttp_uri *u = NULL;
    const char *query;
    int rc = -1;

    if (headers == NULL)
        return -1;
    TAILQ_INIT(headers);
    if (uri == NULL)
        goto done;
    /* The whole text must be a URI reference, as in libevent 2.1. */
    u = evhttp_uri_parse(uri);
    if (u == NULL)
        goto done;
    query = evhttp_uri_get_query(u);
    rc = query != NULL ? evhttp_parse_query_str(query, headers) : 0;
done:
    evhttp_uri_free(u);
    return rc;
}
