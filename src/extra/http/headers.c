/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * headers.c: header lists (struct evkeyvalq): evhttp_find_header,
 * evhttp_add_header, evhttp_remove_header and evhttp_clear_headers.  A
 * list keeps the order headers were added in; names are matched without
 * regard to ASCII case.
 */
#include <sys/queue.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>

#include <errno.h>
#include <string.h>

#include "http-internal.h"

/* Frees one entry and its strings. */
static void
entry_free(struct evkeyval *kv)
{
    vg_http_free(kv->key);
    vg_http_free(kv->value);
    vg_http_free(kv);
}

struct evkeyval *
vg_http_header_append(struct evkeyvalq *headers, const char *key,
                      size_t key_len, const char *value, size_t value_len)
{
    struct evkeyval *kv = vg_http_calloc(1, sizeof(*kv));

    if (kv == NULL)
        goto fail;
    kv->key = vg_http_strndup(key, key_len);
    if (kv->key == NULL)
        goto fail;
    kv->value = vg_http_strndup(value, value_len);
    if (kv->value == NULL)
        goto fail;
    TAILQ_INSERT_TAIL(headers, kv, next);
    return kv;
fail:
    if (kv != NULL)
        entry_free(kv);
    return NULL;
}

const char *
evhttp_find_header(const struct evkeyvalq *headers, const char *key)
{
    const struct evkeyval *kv;

    if (headers == NULL || key == NULL)
        return NULL;
    TAILQ_FOREACH(kv, headers, next)
    {
        if (evutil_ascii_strcasecmp(kv->key, key) == 0)
            return kv->value;
    }
    return NULL;
}

int
evhttp_remove_header(struct evkeyvalq *headers, const char *key)
{
    struct evkeyval *kv;

    if (headers == NULL || key == NULL)
        return -1;
    TAILQ_FOREACH(kv, headers, next)
    {
        if (evutil_ascii_strcasecmp(kv->key, key) == 0) {
            TAILQ_REMOVE(headers, kv, next);
            entry_free(kv);
            return 0;
        }
    }
    return -1;
}

int
evhttp_add_header(struct evkeyvalq *headers, const char *key, const char *value)
{
    size_t key_len, value_len;

    if (headers == NULL || key == NULL || value == NULL) {
        errno = EINVAL;
        return -1;
    }
    /* A CR or LF would end the header line early and let the rest pass
     * for another header or the body (response splitting).  libevent 2.1
     * refuses them anywhere, folded continuation lines included, and so
     * does RFC 9112 for a sender. */
    key_len = strcspn(key, "\r\n");
    value_len = strcspn(value, "\r\n");
    if (key[key_len] != '\0' || value[value_len] != '\0') {
        errno = EINVAL;
        return -1;
    }
    return vg_http_header_append(headers, key, key_len, value, value_len) !=
                   NULL
               ? 0
               : -1;
}

void
evhttp_clear_headers(struct evkeyvalq *headers)
{
    struct evkeyval *kv;

    if (headers == NULL)
        return;
    while ((kv = TAILQ_FIRST(headers)) != NULL) {
        TAILQ_REMOVE(headers, kv, next);
        entry_free(kv);
    }
}
