/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * http_decode.c: fuzz target for the escaping helpers: evhttp_uridecode,
 * evhttp_decode_uri, evhttp_uriencode, evhttp_encode_uri and
 * evhttp_htmlescape.
 *
 * The whole input (NULs included) is encoded with evhttp_uriencode, with
 * and without '+' for spaces, and must decode back to itself.  The input
 * cut at its first NUL, in a heap block of exactly its size, is decoded
 * both ways: the result is never longer than the input and is
 * NUL-terminated at the length reported, and evhttp_decode_uri agrees
 * with evhttp_uridecode before the first '?'.  It is HTML-escaped: no
 * special character is left, and replacing each entity gives the input
 * back.
 */
#include <event2/http.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-check.h"

static void
check_encode(const char *data, size_t size)
{
    for (int plus = 0; plus <= 1; plus++) {
        char *enc = evhttp_uriencode(data, (ev_ssize_t)size, plus);
        char *dec;
        size_t n = 0;

        CHECK(enc != NULL);
        CHECK(strlen(enc) <= 3 * size);
        for (const char *p = enc; *p != '\0'; p++)
            CHECK(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                         "0123456789-._~%+",
                         *p) != NULL);
        dec = evhttp_uridecode(enc, plus, &n);
        CHECK(dec != NULL);
        CHECK(n == size);
        CHECK(memcmp(dec, data, size) == 0);
        CHECK(dec[n] == '\0');
        free(dec);
        free(enc);
    }
}

/* Decodes the n bytes at s (copied to an exact-size block) with
 * evhttp_uridecode; *out_len gets the length. */
static char *
decode_part(const char *s, size_t n, int plus, size_t *out_len)
{
    char *copy = malloc(n + 1);
    char *d;

    CHECK(copy != NULL);
    memcpy(copy, s, n);
    copy[n] = '\0';
    d = evhttp_uridecode(copy, plus, out_len);
    CHECK(d != NULL);
    free(copy);
    return d;
}

static void
check_decode(const char *text, size_t len)
{
    const char *q = strchr(text, '?');
    size_t before_q = q != NULL ? (size_t)(q - text) : len;
    char *a, *b, *c, *head, *tail;
    size_t na = 0, nb = 0, nh = 0, nt = 0;

    a = evhttp_uridecode(text, 0, &na);
    b = evhttp_uridecode(text, 1, &nb);
    c = evhttp_decode_uri(text);
    CHECK(a != NULL && b != NULL && c != NULL);
    CHECK(na <= len && nb <= len);
    CHECK(a[na] == '\0' && b[nb] == '\0');
    /* '+' decoding changes bytes, never the length. */
    CHECK(na == nb);
    /* evhttp_decode_uri leaves '+' alone before the first '?' and
     * decodes it after; no escape spans the '?' (it is no hex digit). */
    head = decode_part(text, before_q, 0, &nh);
    tail = decode_part(text + before_q, len - before_q, 1, &nt);
    CHECK(nh + nt == na);
    CHECK(memcmp(c, head, nh) == 0);
    CHECK(memcmp(c + nh, tail, nt) == 0);
    CHECK(c[na] == '\0');
    free(head);
    free(tail);
    free(a);
    free(b);
    free(c);
}

static void
check_html(const char *text, size_t len)
{
    static const char *const ent[] = {"&lt;", "&gt;", "&quot;", "&#039;",
                                      "&amp;"};
    static const char chr[] = "<>\"'&";
    char *e = evhttp_htmlescape(text);
    size_t o = 0;

    CHECK(e != NULL);
    CHECK(strlen(e) <= 6 * len);
    CHECK(strpbrk(e, "<>\"'") == NULL);
    /* Undo the entities: the input comes back. */
    for (const char *p = e; *p != '\0';) {
        int hit = 0;

        for (int k = 0; k < 5 && !hit; k++) {
            size_t el = strlen(ent[k]);

            if (strncmp(p, ent[k], el) == 0) {
                CHECK(o < len && text[o] == chr[k]);
                o++;
                p += el;
                hit = 1;
            }
        }
        if (!hit) {
            CHECK(*p != '&');
            CHECK(o < len && text[o] == *p);
            o++;
            p++;
        }
    }
    CHECK(o == len);
    free(e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t len = nul != NULL ? (size_t)(nul - data) : size;
    char *text = malloc(len + 1);

    CHECK(text != NULL);
    memcpy(text, data, len);
    text[len] = '\0';
    check_encode((const char *)data, size);
    check_decode(text, len);
    check_html(text, len);
    {
        char *enc = evhttp_encode_uri(text);

        CHECK(enc != NULL);
        free(enc);
    }
    free(text);
    return 0;
}
