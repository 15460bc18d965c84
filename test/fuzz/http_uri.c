/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * http_uri.c: fuzz target for evhttp_uri_parse_with_flags and
 * evhttp_uri_join.
 *
 * The input, cut at its first NUL, is parsed without and with
 * EVHTTP_URI_NONCONFORMANT.  What parses strictly must parse leniently
 * too, with the same components.  Every parsed URI is joined (into a heap
 * block of exactly the size it needs, and refused by one a byte smaller),
 * the text parses again with the same flags to the same components, and
 * joins to the same text.  Every component the parser returns is accepted
 * by its setter, and a URI rebuilt from them through the setters joins to
 * the same text.  A strictly parsed URI holds no space or control byte.
 */
#include <event2/http.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-check.h"

static int
same_str(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp(a, b) == 0;
}

static int
same_uri(const struct evhttp_uri *a, const struct evhttp_uri *b)
{
    return same_str(evhttp_uri_get_scheme(a), evhttp_uri_get_scheme(b)) &&
           same_str(evhttp_uri_get_userinfo(a), evhttp_uri_get_userinfo(b)) &&
           same_str(evhttp_uri_get_host(a), evhttp_uri_get_host(b)) &&
           evhttp_uri_get_port(a) == evhttp_uri_get_port(b) &&
           same_str(evhttp_uri_get_path(a), evhttp_uri_get_path(b)) &&
           same_str(evhttp_uri_get_query(a), evhttp_uri_get_query(b)) &&
           same_str(evhttp_uri_get_fragment(a), evhttp_uri_get_fragment(b));
}

/* Joins u into a new exact-size heap string (the caller frees it). */
static char *
join_exact(struct evhttp_uri *u, size_t hint)
{
    size_t cap = hint + 32;
    char *big = malloc(cap);
    char *exact, *small;
    size_t len;

    CHECK(big != NULL);
    CHECK(evhttp_uri_join(u, big, cap) == big);
    len = strlen(big);
    exact = malloc(len + 1);
    CHECK(exact != NULL);
    CHECK(evhttp_uri_join(u, exact, len + 1) == exact);
    CHECK(strcmp(exact, big) == 0);
    if (len > 0) {
        small = malloc(len);
        CHECK(small != NULL);
        CHECK(evhttp_uri_join(u, small, len) == NULL);
        free(small);
    }
    free(big);
    return exact;
}

static void
check_one(const char *text, size_t len, unsigned flags)
{
    struct evhttp_uri *u = evhttp_uri_parse_with_flags(text, flags);
    struct evhttp_uri *v, *w;
    char *joined, *again, *rebuilt;

    if (u == NULL)
        return;
    CHECK(evhttp_uri_get_path(u) != NULL);
    CHECK(evhttp_uri_get_port(u) >= -1 && evhttp_uri_get_port(u) <= 65535);
    if (flags == 0) {
        for (size_t i = 0; i < len; i++)
            CHECK((unsigned char)text[i] > 0x20 &&
                  (unsigned char)text[i] < 0x7f);
        /* Strict success implies lenient success. */
        v = evhttp_uri_parse_with_flags(text, EVHTTP_URI_NONCONFORMANT);
        CHECK(v != NULL);
        CHECK(same_uri(u, v));
        evhttp_uri_free(v);
    }

    joined = join_exact(u, len);
    CHECK(strlen(joined) <= len);
    v = evhttp_uri_parse_with_flags(joined, flags);
    CHECK(v != NULL);
    CHECK(same_uri(u, v));
    again = join_exact(v, len);
    CHECK(strcmp(again, joined) == 0);

    /* Rebuild through the setters. */
    w = evhttp_uri_new();
    CHECK(w != NULL);
    evhttp_uri_set_flags(w, flags);
    CHECK(evhttp_uri_set_scheme(w, evhttp_uri_get_scheme(u)) == 0);
    CHECK(evhttp_uri_set_userinfo(w, evhttp_uri_get_userinfo(u)) == 0);
    CHECK(evhttp_uri_set_host(w, evhttp_uri_get_host(u)) == 0);
    CHECK(evhttp_uri_set_port(w, evhttp_uri_get_port(u)) == 0);
    CHECK(evhttp_uri_set_path(w, evhttp_uri_get_path(u)) == 0);
    CHECK(evhttp_uri_set_query(w, evhttp_uri_get_query(u)) == 0);
    CHECK(evhttp_uri_set_fragment(w, evhttp_uri_get_fragment(u)) == 0);
    CHECK(same_uri(u, w));
    rebuilt = join_exact(w, len);
    CHECK(strcmp(rebuilt, joined) == 0);

    free(rebuilt);
    free(again);
    free(joined);
    evhttp_uri_free(w);
    evhttp_uri_free(v);
    evhttp_uri_free(u);
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
    check_one(text, len, 0);
    check_one(text, len, EVHTTP_URI_NONCONFORMANT);
    free(text);
    return 0;
}
