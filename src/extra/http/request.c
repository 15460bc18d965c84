/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * request.c: struct evhttp_request, shared by the server (an incoming
 * request and the reply to it) and the client (an outgoing request and
 * the response to it): creation, freeing, ownership, callbacks, the
 * accessors, and the tables of methods and status phrases.
 *
 * The struct's layout is http_struct.h's, as libevent 2.1 has it, since
 * old programs read its fields; Vigil's own flags live above the public
 * EVHTTP_* bits of its flags field.
 */
#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/keyvalq_struct.h>

#include <stddef.h>
#include <string.h>

#include "http-internal.h"

/* The layout programs built against libevent 2.1 read (x86-64). */
#if defined(__x86_64__)
_Static_assert(sizeof(struct evhttp_request) == 216,
               "struct evhttp_request is libevent's size");
_Static_assert(offsetof(struct evhttp_request, evcon) == 16, "evcon offset");
_Static_assert(offsetof(struct evhttp_request, input_headers) == 32,
               "input_headers offset");
_Static_assert(offsetof(struct evhttp_request, remote_host) == 48,
               "remote_host offset");
_Static_assert(offsetof(struct evhttp_request, uri) == 96, "uri offset");
_Static_assert(offsetof(struct evhttp_request, response_code) == 116,
               "response_code offset");
_Static_assert(offsetof(struct evhttp_request, input_buffer) == 128,
               "input_buffer offset");
_Static_assert(offsetof(struct evhttp_request, on_complete_cb_arg) == 208,
               "on_complete_cb_arg offset");
#endif

/* A request and its two header lists, in one allocation. */
struct request_block {
    struct evhttp_request req;
    struct evkeyvalq input_headers;
    struct evkeyvalq output_headers;
};

struct evhttp_request *
vg_http_request_new(enum evhttp_request_kind kind)
{
    struct request_block *blk = vg_http_calloc(1, sizeof(*blk));
    struct evhttp_request *req;

    if (blk == NULL)
        return NULL;
    req = &blk->req;
    req->kind = kind;
    req->major = 1;
    req->minor = 1;
    req->ntoread = -1;
    req->input_headers = &blk->input_headers;
    req->output_headers = &blk->output_headers;
    req->input_buffer = evbuffer_new();
    req->output_buffer = evbuffer_new();
    if (req->input_buffer == NULL || req->output_buffer == NULL) {
        evhttp_request_free(req);
        return NULL;
    }
    TAILQ_INIT(req->input_headers);
    TAILQ_INIT(req->output_headers);
    return req;
}

struct evhttp_request *
evhttp_request_new(void (*cb)(struct evhttp_request *, void *), void *arg)
{
    struct evhttp_request *req = vg_http_request_new(EVHTTP_RESPONSE);

    if (req != NULL) {
        req->cb = cb;
        req->cb_arg = arg;
    }
    return req;
}

void
vg_http_request_detach(struct evhttp_request *req)
{
    struct evhttp_connection *evcon = req->evcon;

    if (evcon != NULL) {
        TAILQ_REMOVE(&evcon->requests, req, next);
        if (evcon->reading == req)
            evcon->reading = NULL;
        req->evcon = NULL;
    }
    if (req->flags & VG_REQ_SHARED_PEER) {
        /* NULL when memory runs out: the address is then unknown. */
        req->remote_host = vg_extra_strdup(req->remote_host);
        req->flags &= ~VG_REQ_SHARED_PEER;
    }
}

void
evhttp_request_free(struct evhttp_request *req)
{
    if (req == NULL)
        return;
    if (req->flags & VG_REQ_IN_CB) {
        /* One of its callbacks is on the stack: free it on the way out. */
        req->flags |= EVHTTP_REQ_NEEDS_FREE;
        return;
    }
    if (req->evcon != NULL) {
        TAILQ_REMOVE(&req->evcon->requests, req, next);
        if (req->evcon->reading == req)
            req->evcon->reading = NULL;
        req->evcon = NULL;
    }
    evhttp_clear_headers(req->input_headers);
    evhttp_clear_headers(req->output_headers);
    if (req->input_buffer != NULL)
        evbuffer_free(req->input_buffer);
    if (req->output_buffer != NULL)
        evbuffer_free(req->output_buffer);
    if (req->uri_elems != NULL)
        evhttp_uri_free(req->uri_elems);
    vg_http_free(req->uri);
    if (!(req->flags & VG_REQ_SHARED_PEER))
        vg_http_free(req->remote_host);
    vg_http_free(req->host_cache);
    if (!(req->flags & VG_REQ_STATIC_REASON))
        vg_http_free(req->response_code_line);
    vg_http_free(req); /* the block: the request comes first */
}

void
evhttp_request_own(struct evhttp_request *req)
{
    req->flags |= EVHTTP_USER_OWNED;
}

int
evhttp_request_is_owned(struct evhttp_request *req)
{
    return (req->flags & EVHTTP_USER_OWNED) != 0;
}

void
evhttp_request_set_chunked_cb(struct evhttp_request *req,
                              void (*cb)(struct evhttp_request *, void *))
{
    req->chunk_cb = cb;
}

void
evhttp_request_set_header_cb(struct evhttp_request *req,
                             int (*cb)(struct evhttp_request *, void *))
{
    req->header_cb = cb;
}

void
evhttp_request_set_error_cb(struct evhttp_request *req,
                            void (*cb)(enum evhttp_request_error, void *))
{
    req->error_cb = cb;
}

void
evhttp_request_set_on_complete_cb(struct evhttp_request *req,
                                  void (*cb)(struct evhttp_request *, void *),
                                  void *cb_arg)
{
    req->on_complete_cb = cb;
    req->on_complete_cb_arg = cb_arg;
}

struct evhttp_connection *
evhttp_request_get_connection(struct evhttp_request *req)
{
    return req->evcon;
}

const char *
evhttp_request_get_uri(const struct evhttp_request *req)
{
    return req->uri;
}

const struct evhttp_uri *
evhttp_request_get_evhttp_uri(const struct evhttp_request *req)
{
    return req->uri_elems;
}

enum evhttp_cmd_type
evhttp_request_get_command(const struct evhttp_request *req)
{
    return req->type;
}

int
evhttp_request_get_response_code(const struct evhttp_request *req)
{
    return req->response_code;
}

const char *
evhttp_request_get_response_code_line(const struct evhttp_request *req)
{
    return req->response_code_line;
}

struct evkeyvalq *
evhttp_request_get_input_headers(struct evhttp_request *req)
{
    return req->input_headers;
}

struct evkeyvalq *
evhttp_request_get_output_headers(struct evhttp_request *req)
{
    return req->output_headers;
}

struct evbuffer *
evhttp_request_get_input_buffer(struct evhttp_request *req)
{
    return req->input_buffer;
}

struct evbuffer *
evhttp_request_get_output_buffer(struct evhttp_request *req)
{
    return req->output_buffer;
}

/* The host part of a Host field value: an IP literal keeps its brackets,
 * and a final ":port" goes.  Returns the length to keep. */
static size_t
host_field_host(const char *v)
{
    size_t n = strlen(v);
    const char *colon;

    if (v[0] == '[') {
        const char *end = strchr(v, ']');

        return end != NULL ? (size_t)(end - v) + 1 : n;
    }
    colon = strrchr(v, ':');
    if (colon == NULL)
        return n;
    for (const char *d = colon + 1; *d != '\0'; d++)
        if (*d < '0' || *d > '9')
            return n;
    return (size_t)(colon - v);
}

const char *
evhttp_request_get_host(struct evhttp_request *req)
{
    const char *host = NULL;

    if (req->host_cache != NULL)
        return req->host_cache;
    if (req->uri_elems != NULL)
        host = evhttp_uri_get_host(req->uri_elems);
    if (host != NULL)
        return host;
    host = evhttp_find_header(req->input_headers, "Host");
    if (host == NULL)
        return NULL;
    req->host_cache = vg_http_strndup(host, host_field_host(host));
    return req->host_cache;
}

/* ------------------------------------------------------------------ */
/* Methods and status phrases                                          */
/* ------------------------------------------------------------------ */

static const struct {
    enum evhttp_cmd_type type;
    const char *name;
    size_t len;
} methods[] = {
    {EVHTTP_REQ_GET, "GET", 3},       {EVHTTP_REQ_POST, "POST", 4},
    {EVHTTP_REQ_HEAD, "HEAD", 4},     {EVHTTP_REQ_PUT, "PUT", 3},
    {EVHTTP_REQ_DELETE, "DELETE", 6}, {EVHTTP_REQ_OPTIONS, "OPTIONS", 7},
    {EVHTTP_REQ_TRACE, "TRACE", 5},   {EVHTTP_REQ_CONNECT, "CONNECT", 7},
    {EVHTTP_REQ_PATCH, "PATCH", 5},
};

const char *
vg_http_method_name(enum evhttp_cmd_type type)
{
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (methods[i].type == type)
            return methods[i].name;
    return NULL;
}

enum evhttp_cmd_type
vg_http_method_parse(const char *s, size_t len)
{
    /* Methods are case-sensitive (RFC 9110 section 9.1). */
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (methods[i].len == len && memcmp(methods[i].name, s, len) == 0)
            return methods[i].type;
    return (enum evhttp_cmd_type)0;
}

void
vg_http_method_list(unsigned mask, char *buf, size_t cap)
{
    size_t o = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        size_t need = methods[i].len + (o > 0 ? 2 : 0);

        if (!(mask & (unsigned)methods[i].type))
            continue;
        if (o + need + 1 > cap)
            break;
        if (o > 0) {
            memcpy(buf + o, ", ", 2);
            o += 2;
        }
        memcpy(buf + o, methods[i].name, methods[i].len);
        o += methods[i].len;
        buf[o] = '\0';
    }
}

static const struct {
    int code;
    const char *phrase;
} phrases[] = {
    {100, "Continue"},
    {101, "Switching Protocols"},
    {200, "OK"},
    {201, "Created"},
    {202, "Accepted"},
    {203, "Non-Authoritative Information"},
    {204, "No Content"},
    {205, "Reset Content"},
    {206, "Partial Content"},
    {300, "Multiple Choices"},
    {301, "Moved Permanently"},
    {302, "Found"},
    {303, "See Other"},
    {304, "Not Modified"},
    {305, "Use Proxy"},
    {307, "Temporary Redirect"},
    {308, "Permanent Redirect"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {402, "Payment Required"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {406, "Not Acceptable"},
    {407, "Proxy Authentication Required"},
    {408, "Request Time-out"},
    {409, "Conflict"},
    {410, "Gone"},
    {411, "Length Required"},
    {412, "Precondition Failed"},
    {413, "Request Entity Too Large"},
    {414, "Request-URI Too Large"},
    {415, "Unsupported Media Type"},
    {416, "Requested range not satisfiable"},
    {417, "Expectation Failed"},
    {431, "Request Header Fields Too Large"},
    {500, "Internal Server Error"},
    {501, "Not Implemented"},
    {502, "Bad Gateway"},
    {503, "Service Unavailable"},
    {504, "Gateway Time-out"},
    {505, "HTTP Version not supported"},
};

const char *
vg_http_reason_phrase(int code)
{
    for (size_t i = 0; i < sizeof(phrases) / sizeof(phrases[0]); i++)
        if (phrases[i].code == code)
            return phrases[i].phrase;
    /* An unknown code in a known class reads as its class. */
    switch (code / 100) {
    case 1:
        return "Informational";
    case 2:
        return "Success";
    case 3:
        return "Redirection";
    case 4:
        return "Client Error";
    case 5:
        return "Server Error";
    default:
        return "Unknown Status Class";
    }
}

int
vg_http_list_has(const char *value, const char *token)
{
    size_t tlen = strlen(token);
    const char *p = value;

    while (*p != '\0') {
        const char *start, *end;

        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        start = p;
        while (*p != '\0' && *p != ',')
            p++;
        end = p;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if ((size_t)(end - start) == tlen &&
            vg_http_equal_nocase(start, tlen, token))
            return 1;
    }
    return 0;
}
