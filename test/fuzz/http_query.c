/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * http_query.c: fuzz target for evhttp_parse_query_str and
 * evhttp_parse_query.
 *
 * The input, cut at its first NUL, is parsed as a query string and as a
 * URI whose query is read.  On success every key is non-empty and free of
 * '&' and '=', there are no more pairs than '&'-separated pieces, no value
 * is longer than the input, and the keys come in the order they appear;
 * on failure the list is empty.  Every list is cleared.
 */
#include <sys/queue.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-check.h"

static void
check_list(const char *text, size_t len, int rc, struct evkeyvalq *h)
{
    const struct evkeyval *kv;
    size_t pieces = 1, pairs = 0;
    const char *pos = text;

    if (rc != 0) {
        CHECK(rc == -1);
        CHECK(TAILQ_FIRST(h) == NULL);
        return;
    }
    for (size_t i = 0; i < len; i++)
        pieces += text[i] == '&';
    TAILQ_FOREACH(kv, h, next)
    {
        const char *at;

        CHECK(kv->key != NULL && kv->value != NULL);
        CHECK(kv->key[0] != '\0');
        CHECK(strchr(kv->key, '&') == NULL && strchr(kv->key, '=') == NULL);
        CHECK(strlen(kv->value) <= len);
        /* Keys are kept verbatim, in order of appearance. */
        at = strstr(pos, kv->key);
        CHECK(at != NULL);
        pos = at + strlen(kv->key);
        pairs++;
    }
    CHECK(pairs <= pieces);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t len = nul != NULL ? (size_t)(nul - data) : size;
    char *text = malloc(len + 1);
    struct evkeyvalq h;
    struct evhttp_uri *u;
    int rc;

    CHECK(text != NULL);
    memcpy(text, data, len);
    text[len] = '\0';

    rc = evhttp_parse_query_str(text, &h);
    check_list(text, len, rc, &h);
    evhttp_clear_headers(&h);
    CHECK(TAILQ_FIRST(&h) == NULL);

    /* evhttp_parse_query reads the query of a URI reference: it fails
     * exactly when the URI does not parse or its query fails. */
    rc = evhttp_parse_query(text, &h);
    u = evhttp_uri_parse(text);
    if (u == NULL) {
        CHECK(rc == -1);
    } else {
        const char *q = evhttp_uri_get_query(u);
        struct evkeyvalq h2;

        if (q == NULL) {
            CHECK(rc == 0 && TAILQ_FIRST(&h) == NULL);
        } else {
            CHECK(rc == evhttp_parse_query_str(q, &h2));
            check_list(q, strlen(q), rc, &h);
            evhttp_clear_headers(&h2);
        }
        evhttp_uri_free(u);
    }
    evhttp_clear_headers(&h);
    free(text);
    return 0;
}
