/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * reply.c: the server's replies: evhttp_send_reply, evhttp_send_error,
 * and the streamed replies of evhttp_send_reply_start, _chunk and _end.
 *
 * A reply's head is the program's output headers, in their order, then
 * the defaults they lack: Date (HTTP/1.1), Content-Length (a whole reply
 * with a body), Content-Type (the server's default, when there is a
 * body) and Connection (close when the connection ends after this reply;
 * keep-alive for an HTTP/1.0 client that asked for it).  The defaults are
 * written to the wire, not added to the program's list.  The head is
 * written into the connection's output in one piece; the body follows by
 * moving the program's buffer, without a copy.
 */
#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "http-internal.h"

/* The Date value for now, cached for the second (per thread: servers on
 * several threads each have their own). */
static const char *
date_now(struct event_base *base, size_t *len)
{
    static _Thread_local time_t cached_sec = -1;
    static _Thread_local char cached[40];
    static _Thread_local size_t cached_len;
    struct timeval tv;
    struct tm tm;

    if (event_base_gettimeofday_cached(base, &tv) != 0)
        evutil_gettimeofday(&tv, NULL);
    if (tv.tv_sec != cached_sec) {
        time_t t = tv.tv_sec;

        gmtime_r(&t, &tm);
        cached_len =
            strftime(cached, sizeof(cached), "%a, %d %b %Y %H:%M:%S GMT", &tm);
        cached_sec = tv.tv_sec;
    }
    *len = cached_len;
    return cached;
}

/* Whether a reply with this status may carry a body (RFC 9110 section
 * 6.4.1). */
static int
status_has_body(int code)
{
    return !(code >= 100 && code < 200) && code != 204 && code != 304;
}

/* Sets the status and its phrase. */
static int
set_status(struct evhttp_request *req, int code, const char *reason)
{
    const char *standard = vg_http_reason_phrase(code);
    int is_static = reason == NULL || strcmp(reason, standard) == 0;
    char *line;

    if (is_static) {
        /* The usual case costs no copy: the field points at the table. */
        line = (char *)(uintptr_t)standard;
    } else {
        line = vg_extra_strdup(reason);
        if (line == NULL)
            return -1;
    }
    if (!(req->flags & VG_REQ_STATIC_REASON))
        vg_http_free(req->response_code_line);
    req->response_code_line = line;
    req->flags = is_static ? req->flags | VG_REQ_STATIC_REASON
                           : req->flags & ~VG_REQ_STATIC_REASON;
    req->response_code = code;
    return 0;
}

/* A growing byte string on the stack, spilling to the heap. */
struct head_buf {
    char *p;
    size_t len, cap;
    int failed;
    char stack[1024];
};

static void
hb_add(struct head_buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (n > b->cap - b->len) {
        size_t cap = b->cap * 2 + n;
        char *p;

        if (b->p == b->stack) {
            p = vg_http_malloc(cap);
            if (p != NULL)
                memcpy(p, b->p, b->len);
        } else {
            p = vg_http_realloc(b->p, cap);
        }
        if (p == NULL) {
            b->failed = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void
hb_str(struct head_buf *b, const char *s)
{
    hb_add(b, s, strlen(s));
}

static void
hb_field(struct head_buf *b, const char *name, const char *value)
{
    hb_str(b, name);
    hb_add(b, ": ", 2);
    hb_str(b, value);
    hb_add(b, "\r\n", 2);
}

/* Whether the n-byte name k is name (len bytes), ASCII case ignored; the
 * length decides most comparisons. */
static inline int
name_is(const char *k, size_t n, const char *name, size_t len)
{
    return n == len && vg_http_equal_nocase(k, n, name);
}

/* How the body of a reply is framed. */
enum body_framing {
    FRAME_LENGTH,  /* Content-Length (added when missing) */
    FRAME_CHUNKED, /* a stream to an HTTP/1.1 client */
    FRAME_CLOSE,   /* a stream ended by closing */
    FRAME_NONE     /* no body: 1xx, 204, 304, HEAD, CONNECT */
};

/* Whether the client asked for the connection to close (libevent names
 * that in the reply's last header line). */
static int
client_says_close(const struct evhttp_request *req)
{
    const char *v = evhttp_find_header(req->input_headers, "Connection");

    return v != NULL && vg_http_list_has(v, "close");
}

/* An HTTP/1.0 client that asked to keep the connection, and keeps it. */
static int
keep_alive_10(const struct evhttp_request *req)
{
    return req->major == 1 && req->minor == 0 && !(req->flags & VG_REQ_CLOSE);
}

/* Writes the status line and the header section of req's reply into the
 * connection's output.  The order is libevent's: the program's headers,
 * then Connection: keep-alive (HTTP/1.0), Transfer-Encoding, Date
 * (HTTP/1.1), Content-Length, Content-Type, and Connection: close when
 * the client asked for it.  Returns 0 or -1. */
static int
write_head(struct evhttp_connection *evcon, struct evhttp_request *req,
           enum body_framing framing, size_t body_len)
{
    const struct evhttp *http = evcon->http_server;
    const struct evkeyval *kv;
    struct head_buf b;
    int have_date = 0, have_length = 0, have_type = 0, have_conn = 0;
    int client_close = client_says_close(req);
    int keep10 = keep_alive_10(req);
    char num[64];
    int rc = -1;

    b.p = b.stack;
    b.len = 0;
    b.cap = sizeof(b.stack);
    b.failed = 0;

    /* "HTTP/1.x NNN " by hand: this runs for every reply. */
    if (req->response_code >= 100 && req->response_code <= 999 &&
        req->major >= 0 && req->major <= 9 && req->minor >= 0 &&
        req->minor <= 9) {
        memcpy(num, "HTTP/1.1 000 ", 13);
        num[5] = (char)('0' + req->major);
        num[7] = (char)('0' + req->minor);
        num[9] = (char)('0' + req->response_code / 100);
        num[10] = (char)('0' + req->response_code / 10 % 10);
        num[11] = (char)('0' + req->response_code % 10);
        hb_add(&b, num, 13);
    } else {
        evutil_snprintf(num, sizeof(num), "HTTP/%d.%d %d ", req->major,
                        req->minor, req->response_code);
        hb_str(&b, num);
    }
    hb_str(&b, req->response_code_line);
    hb_add(&b, "\r\n", 2);
    TAILQ_FOREACH(kv, req->output_headers, next)
    {
        const char *k = kv->key;
        size_t n = strlen(k);

        if (name_is(k, n, "Connection", 10)) {
            /* The client's "close" is repeated last, in its place. */
            if (client_close)
                continue;
            have_conn = 1;
        } else if (name_is(k, n, "Date", 4)) {
            have_date = 1;
        } else if (name_is(k, n, "Content-Length", 14) ||
                   name_is(k, n, "Transfer-Encoding", 17)) {
            have_length = 1;
        } else if (name_is(k, n, "Content-Type", 12)) {
            have_type = 1;
        }
        hb_field(&b, k, kv->value);
    }
    if (keep10 && !have_conn)
        hb_str(&b, "Connection: keep-alive\r\n");
    if (framing == FRAME_CHUNKED)
        hb_str(&b, "Transfer-Encoding: chunked\r\n");
    if (req->major == 1 && req->minor >= 1 && !have_date) {
        size_t dlen;
        const char *d = date_now(evcon->base, &dlen);

        hb_add(&b, "Date: ", 6);
        hb_add(&b, d, dlen);
        hb_add(&b, "\r\n", 2);
    }
    /* An HTTP/1.0 reply that closes is delimited by the close. */
    if (framing == FRAME_LENGTH && !have_length &&
        ((req->major == 1 && req->minor >= 1) || keep10)) {
        size_t d = sizeof(num);

        do {
            num[--d] = (char)('0' + body_len % 10);
            body_len /= 10;
        } while (body_len > 0);
        hb_add(&b, "Content-Length: ", 16);
        hb_add(&b, num + d, sizeof(num) - d);
        hb_add(&b, "\r\n", 2);
    }
    if (framing != FRAME_NONE && !have_type && http != NULL &&
        http->default_content_type != NULL)
        hb_field(&b, "Content-Type", http->default_content_type);
    if (client_close)
        hb_str(&b, "Connection: close\r\n");
    hb_add(&b, "\r\n", 2);
    if (!b.failed &&
        evbuffer_add(bufferevent_get_output(evcon->bev), b.p, b.len) == 0)
        rc = 0;
    if (b.p != b.stack)
        vg_http_free(b.p);
    return rc;
}

/* Whether the program set the Connection: close header itself. */
static int
output_says_close(const struct evhttp_request *req)
{
    const char *v = evhttp_find_header(req->output_headers, "Connection");

    return v != NULL && vg_http_list_has(v, "close");
}

/* Whether the reply to req may carry a body: never to HEAD or CONNECT, or
 * with a 1xx, 204 or 304 (RFC 9110 sections 6.4.1 and 9.3.6). */
static int
reply_has_body(const struct evhttp_request *req, int code)
{
    return status_has_body(code) && !(req->flags & VG_REQ_HEAD_ONLY) &&
           req->type != EVHTTP_REQ_CONNECT;
}

/* A reply to a request whose connection is gone, or that was answered
 * already.  Returns 1 when the call is to do nothing more; a request
 * without a connection goes (a server's request is freed once answered,
 * owned or not, as in libevent). */
static int
reply_orphan(struct evhttp_request *req)
{
    if (req->evcon != NULL && !(req->flags & VG_REQ_REPLIED) &&
        (req->flags & VG_REQ_DISPATCHED))
        return 0;
    if (req->evcon == NULL)
        evhttp_request_free(req);
    return 1;
}

/* The reply is queued whole. */
static void
reply_queued(struct evhttp_request *req)
{
    req->flags |= VG_REQ_REPLIED;
    req->flags &= ~VG_REQ_STREAMING;
    req->userdone = 1;
    vg_http_conn_replied(req->evcon, req);
}

void
evhttp_send_reply(struct evhttp_request *req, int code, const char *reason,
                  struct evbuffer *databuf)
{
    struct evhttp_connection *evcon;
    struct evbuffer *out;
    int body;

    if (reply_orphan(req))
        return;
    if (req->flags & VG_REQ_STREAMING)
        return; /* send_reply_end() ends a stream */
    evcon = req->evcon;
    if (set_status(req, code, reason) != 0)
        goto fail;
    if (databuf != NULL)
        evbuffer_add_buffer(req->output_buffer, databuf);
    if (output_says_close(req))
        req->flags |= VG_REQ_CLOSE;
    body = reply_has_body(req, code);
    if (write_head(evcon, req, body ? FRAME_LENGTH : FRAME_NONE,
                   evbuffer_get_length(req->output_buffer)) != 0)
        goto fail;
    out = bufferevent_get_output(evcon->bev);
    if (!body)
        evbuffer_drain(req->output_buffer,
                       evbuffer_get_length(req->output_buffer));
    else if (evbuffer_add_buffer(out, req->output_buffer) != 0)
        goto fail;
    reply_queued(req);
    return;

fail:
    /* Out of memory: the client cannot get a coherent reply. */
    req->flags |= VG_REQ_CLOSE | VG_REQ_REPLIED;
    vg_http_conn_replied(evcon, req);
}

/* An error reply: libevent's headers (Content-Type: text/html and
 * Connection: close, before the defaults), an HTTP/1.1 status line
 * whatever the request's version, then the connection closes. */
static void
send_error_page(struct evhttp_request *req, int code, const char *reason,
                struct evbuffer *body)
{
    struct evkeyvalq *out = req->output_headers;

    evhttp_remove_header(out, "Content-Type");
    evhttp_remove_header(out, "Connection");
    evhttp_add_header(out, "Content-Type", "text/html");
    evhttp_add_header(out, "Connection", "close");
    req->flags |= VG_REQ_CLOSE;
    req->major = 1;
    req->minor = 1;
    evhttp_send_reply(req, code, reason, body);
}

void
evhttp_send_error(struct evhttp_request *req, int error, const char *reason)
{
    struct evbuffer *body;

    if (reply_orphan(req))
        return;
    if (reason == NULL)
        reason = vg_http_reason_phrase(error);
    body = evbuffer_new();
    if (body != NULL)
        evbuffer_add_printf(body,
                            "<HTML><HEAD>\n<TITLE>%d %s</TITLE>\n</HEAD>"
                            "<BODY>\n<H1>%s</H1>\n</BODY></HTML>\n",
                            error, reason, reason);
    send_error_page(req, error, reason, body);
    if (body != NULL)
        evbuffer_free(body);
}

void
vg_http_reply_not_found(struct evhttp_request *req)
{
    struct evbuffer *body;
    char *escaped;

    if (reply_orphan(req))
        return;
    body = evbuffer_new();
    escaped = evhttp_htmlescape(req->uri != NULL ? req->uri : "");
    if (body != NULL && escaped != NULL)
        evbuffer_add_printf(body,
                            "<html><head><title>404 Not Found</title></head>"
                            "<body><h1>Not Found</h1><p>The requested URL %s "
                            "was not found on this server.</p></body></html>"
                            "\n",
                            escaped);
    vg_http_free(escaped);
    send_error_page(req, HTTP_NOTFOUND, NULL, body);
    if (body != NULL)
        evbuffer_free(body);
}

void
vg_http_reply_error(struct evhttp_request *req, int status,
                    const char *extra_header, const char *extra_value)
{
    if (extra_header != NULL)
        evhttp_add_header(req->output_headers, extra_header, extra_value);
    evhttp_send_error(req, status, NULL);
}

void
evhttp_send_reply_start(struct evhttp_request *req, int code,
                        const char *reason)
{
    enum body_framing framing;

    /* A request whose connection is gone is freed by send_reply_end(),
     * as in libevent: the chunks between must still find it. */
    if (req->evcon == NULL || !(req->flags & VG_REQ_DISPATCHED) ||
        (req->flags & (VG_REQ_REPLIED | VG_REQ_STREAMING)))
        return;
    if (set_status(req, code, reason) != 0)
        return;
    if (output_says_close(req))
        req->flags |= VG_REQ_CLOSE;
    if (!reply_has_body(req, code)) {
        framing = FRAME_NONE;
    } else if (evhttp_find_header(req->output_headers, "Content-Length") !=
               NULL) {
        framing = FRAME_LENGTH;
    } else if (req->major == 1 && req->minor >= 1) {
        framing = FRAME_CHUNKED;
    } else {
        /* An HTTP/1.0 client learns where the body ends by the close. */
        framing = FRAME_CLOSE;
        req->flags |= VG_REQ_CLOSE;
    }
    req->chunked = framing == FRAME_CHUNKED;
    req->flags |= VG_REQ_STREAMING;
    if (framing == FRAME_NONE)
        req->flags |= VG_REQ_NO_BODY;
    if (write_head(req->evcon, req, framing, 0) != 0) {
        req->flags |= VG_REQ_CLOSE;
        reply_queued(req);
    }
}

void
evhttp_send_reply_chunk_with_cb(struct evhttp_request *req,
                                struct evbuffer *databuf,
                                void (*cb)(struct evhttp_connection *, void *),
                                void *arg)
{
    struct evhttp_connection *evcon = req->evcon;
    struct evbuffer *out;
    size_t len;

    if (evcon == NULL || !(req->flags & VG_REQ_STREAMING))
        return;
    len = evbuffer_get_length(databuf);
    out = bufferevent_get_output(evcon->bev);
    if (req->flags & VG_REQ_NO_BODY) {
        evbuffer_drain(databuf, len);
    } else if (len > 0) {
        if (req->chunked)
            evbuffer_add_printf(out, "%zx\r\n", len);
        evbuffer_add_buffer(out, databuf);
        if (req->chunked)
            evbuffer_add(out, "\r\n", 2);
    }
    if (cb != NULL) {
        evcon->chunk_done_cb = cb;
        evcon->chunk_done_arg = arg;
    }
}

void
evhttp_send_reply_chunk(struct evhttp_request *req, struct evbuffer *databuf)
{
    evhttp_send_reply_chunk_with_cb(req, databuf, NULL, NULL);
}

void
evhttp_send_reply_end(struct evhttp_request *req)
{
    struct evhttp_connection *evcon = req->evcon;

    if (evcon == NULL) {
        evhttp_request_free(req);
        return;
    }
    if (!(req->flags & VG_REQ_STREAMING))
        return;
    if (req->chunked)
        evbuffer_add(bufferevent_get_output(evcon->bev), "0\r\n\r\n", 5);
    reply_queued(req);
}
