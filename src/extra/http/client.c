/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * client.c: struct evhttp_connection on the client side.  Requests queue
 * on a connection and go out one at a time over one keep-alive socket, in
 * order; the response to the first is read with the message parser in
 * response mode, and the next request goes when it is complete.
 *
 * States: DISCONNECTED (no socket), CONNECTING (the bufferevent connects,
 * after resolving the name through the evdns base or getaddrinfo),
 * RETRY_WAIT (a failed connection waits to try again, each wait twice the
 * one before), IDLE (connected, nothing asked: reading on, to see the
 * server close), ACTIVE (the first request is sent and its response is
 * being read).
 *
 * What runs when, as libevent 2.1.12 does it (api.http_client pins it):
 * a response's head runs the header callback, then its body arrives (the
 * chunked callback, if set, sees each chunk, or each read of an unchunked
 * body, and the input buffer is drained after it), then the completion
 * callback runs with the request already off the connection; a response
 * that closes the connection closes it (close callback) before the
 * completion.  A request that fails runs the close callback (if a
 * connection was up), the error callback, then the completion callback
 * with NULL; connection attempts that fail after the retries run each
 * queued request's completion callback with the request (status 0) and
 * no error callback.  A cancelled request runs only its error callback.
 */
#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/http_compat.h>
#include <event2/http_struct.h>
#include <event2/util.h>

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http-internal.h"

/* The longest wait between two connection attempts. */
#define RETRY_MAX_SECONDS 3600

static void client_connect(struct evhttp_connection *evcon);
static void client_start(struct evhttp_connection *evcon);
static void client_free(struct evhttp_connection *evcon);

/* The base to run on: a connection of http_compat.h's
 * evhttp_connection_new() has none until evhttp_connection_set_base(),
 * and runs on event_init()'s. */
static struct event_base *
client_base(const struct evhttp_connection *evcon)
{
    return evcon->base != NULL ? evcon->base : vg_extra_core()->current_base();
}

/* After a callback of the program: frees the connection if the program
 * freed it meanwhile.  Returns -1 when the connection is gone. */
static int
client_unbusy(struct evhttp_connection *evcon)
{
    if (--evcon->busy == 0 && evcon->free_asap) {
        client_free(evcon);
        return -1;
    }
    return evcon->free_asap ? -1 : 0;
}

/* Puts the bufferevent back to no socket. */
static void
client_drop_socket(struct evhttp_connection *evcon)
{
    evutil_socket_t fd = bufferevent_getfd(evcon->bev);
    struct evbuffer *in = bufferevent_get_input(evcon->bev);
    struct evbuffer *out = bufferevent_get_output(evcon->bev);

    bufferevent_disable(evcon->bev, EV_READ | EV_WRITE);
    evcon->read_eof = 0;
    bufferevent_setfd(evcon->bev, -1);
    if (fd >= 0)
        evutil_closesocket(fd);
    evbuffer_drain(in, evbuffer_get_length(in));
    /* What was not sent is for the old socket only.  A socket
     * bufferevent keeps the front of its output frozen against the
     * program (only it drains it): then the drain thaws it for the
     * moment. */
    if (evbuffer_drain(out, evbuffer_get_length(out)) != 0) {
        evbuffer_unfreeze(out, 1);
        evbuffer_drain(out, evbuffer_get_length(out));
        evbuffer_freeze(out, 1);
    }
}

/* Closes the connection: the close callback runs when a socket was up. */
static void
client_close(struct evhttp_connection *evcon)
{
    int was_up =
        evcon->cstate == VG_CLIENT_IDLE || evcon->cstate == VG_CLIENT_ACTIVE;

    client_drop_socket(evcon);
    evcon->cstate = VG_CLIENT_DISCONNECTED;
    if (was_up && evcon->closecb != NULL) {
        evcon->busy++;
        evcon->closecb(evcon, evcon->closecb_arg);
        evcon->busy--;
    }
}

/* After a callback of req's: frees req if the program cancelled or freed
 * it meanwhile (returns -1: req is gone), else 0. */
static int
request_after_cb(struct evhttp_request *req)
{
    req->flags &= ~VG_REQ_IN_CB;
    if (req->flags & EVHTTP_REQ_NEEDS_FREE) {
        req->flags &= ~EVHTTP_REQ_NEEDS_FREE;
        evhttp_request_free(req);
        return -1;
    }
    return 0;
}

/* Runs req's completion callback with arg_req (the request, or NULL for a
 * failure), the request already off the connection. */
static void
request_complete(struct evhttp_connection *evcon, struct evhttp_request *req,
                 struct evhttp_request *arg_req)
{
    vg_http_request_detach(req);
    if (req->cb != NULL) {
        evcon->busy++;
        req->flags |= VG_REQ_IN_CB;
        req->cb(arg_req, req->cb_arg);
        req->flags &= ~VG_REQ_IN_CB;
        evcon->busy--;
    }
    if (req->flags & EVHTTP_REQ_NEEDS_FREE) {
        req->flags &= ~EVHTTP_REQ_NEEDS_FREE;
        evhttp_request_free(req);
    } else if (!(req->flags & EVHTTP_USER_OWNED)) {
        evhttp_request_free(req);
    }
}

/* The queue goes on: the next request is sent, over the connection if it
 * is up, else over a new one. */
static void
client_next(struct evhttp_connection *evcon)
{
    if (evcon->free_asap)
        return;
    if (TAILQ_EMPTY(&evcon->requests)) {
        if (evcon->free_on_completion)
            client_free(evcon);
        return;
    }
    if (evcon->cstate == VG_CLIENT_IDLE)
        client_start(evcon);
    else if (evcon->cstate == VG_CLIENT_DISCONNECTED)
        client_connect(evcon);
}

/* The first request failed with error: the connection closes, then the
 * error and completion callbacks run, and the queue goes on. */
static void
client_fail(struct evhttp_connection *evcon, enum evhttp_request_error error)
{
    struct evhttp_request *req = TAILQ_FIRST(&evcon->requests);

    evcon->busy++;
    client_close(evcon);
    if (req != NULL) {
        vg_http_request_detach(req);
        if (req->error_cb != NULL)
            req->error_cb(error, req->cb_arg);
        request_complete(evcon, req, NULL);
    }
    if (client_unbusy(evcon) == 0)
        client_next(evcon);
}

/* ------------------------------------------------------------------ */
/* Sending                                                             */
/* ------------------------------------------------------------------ */

/* Whether a request of this method carries a Content-Length even when
 * its body is empty, as libevent's do. */
static int
method_always_has_length(enum evhttp_cmd_type type)
{
    return type == EVHTTP_REQ_POST || type == EVHTTP_REQ_PUT;
}

/* Writes the first request into the output and starts reading its
 * response. */
static void
client_start(struct evhttp_connection *evcon)
{
    struct evhttp_request *req = TAILQ_FIRST(&evcon->requests);
    struct evbuffer *out = bufferevent_get_output(evcon->bev);
    const char *method = vg_http_method_name(req->type);
    size_t body = evbuffer_get_length(req->output_buffer);
    const struct evkeyval *kv;

    evcon->cstate = VG_CLIENT_ACTIVE;
    vg_http_parser_reset(&evcon->parser);
    evbuffer_add_printf(out, "%s %s HTTP/%d.%d\r\n",
                        method != NULL ? method : "GET", req->uri, req->major,
                        req->minor);
    TAILQ_FOREACH(kv, req->output_headers, next)
    {
        evbuffer_add(out, kv->key, strlen(kv->key));
        evbuffer_add(out, ": ", 2);
        evbuffer_add(out, kv->value, strlen(kv->value));
        evbuffer_add(out, "\r\n", 2);
    }
    /* A body is framed whatever the method (libevent 2.1.12 sends the
     * body of a GET unframed, as the start of the next request). */
    if ((body > 0 || method_always_has_length(req->type)) &&
        !(req->major == 1 && req->minor == 0 && body == 0) &&
        evhttp_find_header(req->output_headers, "Content-Length") == NULL &&
        evhttp_find_header(req->output_headers, "Transfer-Encoding") == NULL)
        evbuffer_add_printf(out, "Content-Length: %zu\r\n", body);
    evbuffer_add(out, "\r\n", 2);
    evbuffer_add_buffer(out, req->output_buffer);
    bufferevent_enable(evcon->bev, EV_READ | EV_WRITE);
}

/* ------------------------------------------------------------------ */
/* Receiving                                                           */
/* ------------------------------------------------------------------ */

/* The error a parser failure is reported with. */
static enum evhttp_request_error
parse_error(int rc)
{
    switch (rc) {
    case VG_HTTP_ERR_BODY_TOO_LARGE:
    /* libevent reports every fault of a chunked body so. */
    case VG_HTTP_ERR_CHUNK_SIZE:
    case VG_HTTP_ERR_CHUNK_EXT:
    case VG_HTTP_ERR_CHUNK_LINE_TOO_LONG:
    case VG_HTTP_ERR_CHUNK_CRLF:
    case VG_HTTP_ERR_TRAILERS_TOO_LARGE:
        return EVREQ_HTTP_DATA_TOO_LONG;
    case VG_HTTP_ERR_EOF:
        return EVREQ_HTTP_EOF;
    case VG_HTTP_ERR_NOMEM:
        return EVREQ_HTTP_BUFFER_ERROR;
    default:
        return EVREQ_HTTP_INVALID_HEADER;
    }
}

/* A response head for the first request: 1 to go on, 0 for an interim
 * response (skipped), -1 when the request failed. */
static int
client_on_head(struct evhttp_connection *evcon, struct evhttp_request *req)
{
    const struct vg_http_head *h = &evcon->parser.head;
    char *line;
    int rc;

    /* libevent counts a head against the limit without its line
     * endings. */
    if (evcon->max_headers_size != (size_t)-1 &&
        evcon->parser.head_bare > evcon->max_headers_size) {
        client_fail(evcon, EVREQ_HTTP_INVALID_HEADER);
        return -1;
    }
    evhttp_clear_headers(req->input_headers);
    for (size_t i = 0; i < h->nfields; i++) {
        const struct vg_http_field *f = &h->fields[i];

        if (vg_http_header_append(req->input_headers, h->buf + f->name,
                                  f->name_len, h->buf + f->value,
                                  f->value_len) == NULL) {
            client_fail(evcon, EVREQ_HTTP_BUFFER_ERROR);
            return -1;
        }
    }
    line = vg_http_strndup(h->buf + h->reason, h->reason_len);
    if (line == NULL) {
        client_fail(evcon, EVREQ_HTTP_BUFFER_ERROR);
        return -1;
    }
    if (!(req->flags & VG_REQ_STATIC_REASON))
        vg_http_free(req->response_code_line);
    req->flags &= ~VG_REQ_STATIC_REASON;
    req->response_code_line = line;
    req->response_code = h->status;
    req->major = (char)h->major;
    req->minor = (char)h->minor;
    req->headers_size = evcon->parser.head_bytes;
    req->chunked = h->framing == VG_HTTP_BODY_CHUNKED;
    req->ntoread =
        h->framing == VG_HTTP_BODY_LENGTH ? (ev_int64_t)h->content_length : -1;
    if (req->header_cb != NULL) {
        evcon->busy++;
        req->flags |= VG_REQ_IN_CB;
        rc = req->header_cb(req, req->cb_arg);
        if (request_after_cb(req) != 0) {
            client_unbusy(evcon);
            return -1; /* cancelled from the callback */
        }
        if (client_unbusy(evcon) != 0 || req->evcon != evcon)
            return -1;
        if (rc < 0) {
            /* The program wants no more of it. */
            client_fail(evcon, EVREQ_HTTP_EOF);
            return -1;
        }
    }
    /* An interim response (RFC 9110 section 15.2), but 101, which ends
     * HTTP on the connection and is final. */
    if (h->status >= 100 && h->status < 200 && h->status != 101)
        return 0;
    if (req->type == EVHTTP_REQ_HEAD ||
        (req->type == EVHTTP_REQ_CONNECT && h->status / 100 == 2))
        vg_http_parser_set_no_body(&evcon->parser);
    return 1;
}

/* Whether the connection stays up after this response. */
static int
client_keeps_alive(const struct evhttp_request *req)
{
    const char *in = evhttp_find_header(req->input_headers, "Connection");
    const char *out = evhttp_find_header(req->output_headers, "Connection");

    if (out != NULL && vg_http_list_has(out, "close"))
        return 0;
    if (req->major == 1 && req->minor == 0)
        return in != NULL && vg_http_list_has(in, "keep-alive");
    return in == NULL || !vg_http_list_has(in, "close");
}

/* The response to the first request is complete. */
static void
client_on_done(struct evhttp_connection *evcon, struct evhttp_request *req,
               int at_eof)
{
    /* Bytes after the response are no answer to anything: the
     * connection is not to be trusted with the next request. */
    int keep = !at_eof && client_keeps_alive(req) &&
               vg_http_parser_idle(&evcon->parser) &&
               evbuffer_get_length(bufferevent_get_input(evcon->bev)) == 0;

    evcon->busy++;
    vg_http_request_detach(req);
    evcon->retry_cnt = 0;
    if (!keep && !at_eof) {
        /* Closed before the completion, as libevent does. */
        client_close(evcon);
    } else if (keep) {
        evcon->cstate = VG_CLIENT_IDLE;
    }
    request_complete(evcon, req, req);
    if (at_eof && !evcon->free_asap)
        client_close(evcon); /* a body read to the end: closed after */
    if (client_unbusy(evcon) == 0)
        client_next(evcon);
}

/* Calls the chunked callback on what the input buffer holds, then drains
 * it.  Returns -1 when the request or connection went meanwhile. */
static int
client_chunk(struct evhttp_connection *evcon, struct evhttp_request *req)
{
    if (req->chunk_cb == NULL || evbuffer_get_length(req->input_buffer) == 0)
        return 0;
    evcon->busy++;
    req->flags |= VG_REQ_IN_CB;
    req->chunk_cb(req, req->cb_arg);
    if (request_after_cb(req) != 0) {
        client_unbusy(evcon);
        return -1; /* cancelled from the callback */
    }
    if (client_unbusy(evcon) != 0 || req->evcon != evcon)
        return -1;
    evbuffer_drain(req->input_buffer, evbuffer_get_length(req->input_buffer));
    return 0;
}

static void
client_parse(struct evhttp_connection *evcon)
{
    struct evbuffer *in = bufferevent_get_input(evcon->bev);

    while (evcon->cstate == VG_CLIENT_ACTIVE && !evcon->free_asap) {
        struct evhttp_request *req = TAILQ_FIRST(&evcon->requests);
        struct evbuffer_iovec v;
        struct vg_http_span span;
        const char *data = NULL;
        size_t len = 0, consumed = 0;
        int rc;

        if (req == NULL)
            return;
        if (evbuffer_peek(in, -1, NULL, &v, 1) > 0) {
            data = v.iov_base;
            len = v.iov_len;
        }
        rc = vg_http_parse(&evcon->parser, data, len, &consumed, &span);
        if (rc == VG_HTTP_EV_BODY) {
            req->body_size += span.len;
            if (evbuffer_add(req->input_buffer, span.data, span.len) != 0) {
                client_fail(evcon, EVREQ_HTTP_BUFFER_ERROR);
                return;
            }
        }
        evbuffer_drain(in, consumed);
        if (rc < 0) {
            client_fail(evcon, parse_error(rc));
            return;
        }
        switch (rc) {
        case VG_HTTP_EV_HEAD:
            if (client_on_head(evcon, req) < 0)
                return;
            break;
        case VG_HTTP_EV_BODY:
            /* The chunked callback sees each chunk whole. */
            if (req->chunked && vg_http_parser_chunk_done(&evcon->parser) &&
                client_chunk(evcon, req) != 0)
                return;
            break;
        case VG_HTTP_EV_DONE:
            if (req->response_code >= 100 && req->response_code < 200 &&
                req->response_code != 101)
                break; /* an interim response: the final one follows */
            if (!req->chunked && client_chunk(evcon, req) != 0)
                return;
            client_on_done(evcon, req, 0);
            return;
        default:
            if (len == 0) {
                /* Every byte is in: an unchunked body's callback sees what
                 * this read brought. */
                if (!req->chunked)
                    client_chunk(evcon, req);
                return;
            }
            break;
        }
    }
}

static void
client_readcb(struct bufferevent *bev, void *arg)
{
    struct evhttp_connection *evcon = arg;
    struct evbuffer *in = bufferevent_get_input(bev);

    if (evcon->cstate == VG_CLIENT_ACTIVE) {
        evcon->busy++;
        client_parse(evcon);
        client_unbusy(evcon);
        return;
    }
    /* Bytes nobody asked for: the server is confused; start afresh. */
    evbuffer_drain(in, evbuffer_get_length(in));
    evcon->busy++;
    client_close(evcon);
    if (client_unbusy(evcon) == 0)
        client_next(evcon);
}

static void
client_writecb(struct bufferevent *bev, void *arg)
{
    struct evhttp_connection *evcon = arg;

    (void)bev;
    /* The server had closed its side before the request went out: now
     * that it has, the request fails as it would have then. */
    if (evcon->read_eof && evcon->cstate == VG_CLIENT_ACTIVE)
        client_fail(evcon, EVREQ_HTTP_EOF);
}

/* A connection attempt failed: another after a wait, or, past the
 * retries, every queued request completes with status 0. */
static void
client_connect_failed(struct evhttp_connection *evcon)
{
    struct vg_http_request_list failed;
    struct evhttp_request *req;

    client_drop_socket(evcon);
    evcon->cstate = VG_CLIENT_DISCONNECTED;
    if (evcon->retry_max < 0 || evcon->retry_cnt < evcon->retry_max) {
        struct timeval tv = evcon->initial_retry_tv;

        for (int i = 0; i < evcon->retry_cnt; i++) {
            tv.tv_sec *= 2;
            tv.tv_usec *= 2;
            if (tv.tv_usec >= 1000000) {
                tv.tv_sec += tv.tv_usec / 1000000;
                tv.tv_usec %= 1000000;
            }
            if (tv.tv_sec >= RETRY_MAX_SECONDS) {
                tv.tv_sec = RETRY_MAX_SECONDS;
                tv.tv_usec = 0;
                break;
            }
        }
        evcon->retry_cnt++;
        evcon->cstate = VG_CLIENT_RETRY_WAIT;
        event_add(&evcon->timer, &tv);
        return;
    }
    evcon->retry_cnt = 0;
    /* Every request queued now fails; one its callback makes meanwhile
     * is tried afresh (as in libevent), not failed in this loop. */
    TAILQ_INIT(&failed);
    TAILQ_CONCAT(&failed, &evcon->requests, next);
    evcon->busy++;
    while ((req = TAILQ_FIRST(&failed)) != NULL) {
        TAILQ_REMOVE(&failed, req, next);
        req->evcon = NULL;
        if (evcon->free_asap)
            evhttp_request_free(req); /* the program freed the connection */
        else
            request_complete(evcon, req, req);
    }
    if (client_unbusy(evcon) == 0)
        client_next(evcon);
}

static void
client_eventcb(struct bufferevent *bev, short what, void *arg)
{
    struct evhttp_connection *evcon = arg;
    struct evhttp_request *req = TAILQ_FIRST(&evcon->requests);

    if (evcon->cstate == VG_CLIENT_CONNECTING) {
        if (what & BEV_EVENT_CONNECTED) {
            socklen_t len = sizeof(evcon->addr);
            evutil_socket_t fd = bufferevent_getfd(bev);
            int on = 1;

            if (getpeername(fd, (struct sockaddr *)&evcon->addr, &len) == 0) {
                evcon->addrlen = len;
                evcon->known_addr = evcon->addr;
                evcon->known_addrlen = len;
            }
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
            evcon->cstate = VG_CLIENT_IDLE;
            bufferevent_set_timeouts(bev, &evcon->timeout, &evcon->timeout);
            if (req != NULL)
                client_start(evcon);
            else
                bufferevent_enable(bev, EV_READ);
            return;
        }
        if (bufferevent_socket_get_dns_error(bev) != 0) {
            /* The name did not resolve: the request fails. */
            client_drop_socket(evcon);
            evcon->cstate = VG_CLIENT_DISCONNECTED;
            client_fail(evcon, EVREQ_HTTP_EOF);
            return;
        }
        if (what & BEV_EVENT_TIMEOUT) {
            client_drop_socket(evcon);
            evcon->cstate = VG_CLIENT_DISCONNECTED;
            client_fail(evcon, EVREQ_HTTP_TIMEOUT);
            return;
        }
        client_connect_failed(evcon);
        return;
    }
    if (evcon->cstate == VG_CLIENT_IDLE) {
        /* The server closed a connection nobody uses. */
        evcon->busy++;
        client_close(evcon);
        client_unbusy(evcon);
        return;
    }
    if (evcon->cstate != VG_CLIENT_ACTIVE || req == NULL)
        return;
    if (what & BEV_EVENT_TIMEOUT) {
        client_fail(evcon, EVREQ_HTTP_TIMEOUT);
        return;
    }
    if ((what & BEV_EVENT_EOF) && (what & BEV_EVENT_READING) &&
        vg_http_parser_idle(&evcon->parser) &&
        evbuffer_get_length(bufferevent_get_output(bev)) > 0) {
        /* The server closed its side (after the last response, say)
         * while this request waits to go out: it is written first, as
         * libevent, which sees the close a turn later, does; then it
         * fails (client_writecb). */
        evcon->read_eof = 1;
        return;
    }
    if ((what & BEV_EVENT_EOF) && evcon->parser.head.status != 0 &&
        vg_http_parser_finish(&evcon->parser) == VG_HTTP_EV_DONE) {
        /* A body delimited by the close. */
        evcon->busy++;
        if (client_chunk(evcon, req) == 0)
            client_on_done(evcon, req, 1);
        client_unbusy(evcon);
        return;
    }
    client_fail(evcon, EVREQ_HTTP_EOF);
}

/* Opens the connection for the first queued request. */
static void
client_connect(struct evhttp_connection *evcon)
{
    struct bufferevent *bev = evcon->bev;
    int rc;

    client_drop_socket(evcon);
    evcon->cstate = VG_CLIENT_CONNECTING;
    evcon->addrlen = 0;
    bufferevent_setcb(bev, client_readcb, client_writecb, client_eventcb,
                      evcon);
    bufferevent_set_timeouts(bev, &evcon->timeout, &evcon->timeout);
    if (evcon->bind_address != NULL || evcon->bind_port != 0) {
        /* A socket of our own, bound first; the bufferevent connects it. */
        struct evutil_addrinfo hints, *ai = NULL;
        char port[8];
        evutil_socket_t fd = -1;

        memset(&hints, 0, sizeof(hints));
        hints.ai_family = evcon->family != AF_UNSPEC ? evcon->family : AF_INET;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = EVUTIL_AI_PASSIVE | EVUTIL_AI_NUMERICHOST;
        evutil_snprintf(port, sizeof(port), "%u", (unsigned)evcon->bind_port);
        if (evutil_getaddrinfo(evcon->bind_address, port, &hints, &ai) == 0) {
            fd = socket(ai->ai_family,
                        SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            if (fd >= 0 &&
                (evutil_make_listen_socket_reuseable(fd) != 0 ||
                 bind(fd, ai->ai_addr, (socklen_t)ai->ai_addrlen) != 0)) {
                evutil_closesocket(fd);
                fd = -1;
            }
            evutil_freeaddrinfo(ai);
        }
        if (fd < 0 || bufferevent_setfd(bev, fd) != 0) {
            if (fd >= 0)
                evutil_closesocket(fd);
            event_active(&evcon->resume, EV_TIMEOUT, 1);
            return;
        }
    }
    if ((evcon->flags & EVHTTP_CON_REUSE_CONNECTED_ADDR) &&
        evcon->known_addrlen > 0)
        rc = bufferevent_socket_connect(bev,
                                        (struct sockaddr *)&evcon->known_addr,
                                        (int)evcon->known_addrlen);
    else
        rc = bufferevent_socket_connect_hostname(
            bev, evcon->dns_base, evcon->family, evcon->address, evcon->port);
    if (rc != 0 && evcon->cstate == VG_CLIENT_CONNECTING)
        /* Reported from the loop, never from inside the program's call. */
        event_active(&evcon->resume, EV_TIMEOUT, 1);
}

/* The retry timer, and failures reported from the loop. */
static void
client_timercb(evutil_socket_t fd, short what, void *arg)
{
    struct evhttp_connection *evcon = arg;

    (void)fd;
    (void)what;
    if (evcon->cstate == VG_CLIENT_RETRY_WAIT) {
        evcon->cstate = VG_CLIENT_DISCONNECTED;
        if (!TAILQ_EMPTY(&evcon->requests))
            client_connect(evcon);
    }
}

static void
client_resumecb(evutil_socket_t fd, short what, void *arg)
{
    struct evhttp_connection *evcon = arg;

    (void)fd;
    (void)what;
    if (evcon->cstate == VG_CLIENT_CONNECTING)
        client_connect_failed(evcon);
}

/* ------------------------------------------------------------------ */
/* The public functions                                                */
/* ------------------------------------------------------------------ */

struct evhttp_connection *
evhttp_connection_base_bufferevent_new(struct event_base *base,
                                       struct evdns_base *dnsbase,
                                       struct bufferevent *bev,
                                       const char *address, ev_uint16_t port)
{
    struct evhttp_connection *evcon = vg_http_calloc(1, sizeof(*evcon));
    struct event_base *evbase;

    if (evcon == NULL || address == NULL)
        goto fail;
    evcon->client = 1;
    evcon->base = base;
    evcon->dns_base = dnsbase;
    evcon->port = port;
    evcon->family = AF_UNSPEC;
    evcon->initial_retry_tv.tv_sec = 2;
    evcon->timeout.tv_sec = VG_HTTP_DEFAULT_TIMEOUT;
    evcon->max_headers_size = (size_t)-1;
    evcon->max_body_size = UINT64_MAX;
    TAILQ_INIT(&evcon->requests);
    evcon->address = vg_extra_strdup(address);
    if (evcon->address == NULL)
        goto fail;
    if (bev == NULL) {
        bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
        if (bev == NULL)
            goto fail;
    } else {
        evcon->close_fd = 1; /* the program's: its socket is closed here */
    }
    evcon->bev = bev;
    evbase = client_base(evcon);
    vg_http_parser_setup(&evcon->parser, VG_HTTP_RESPONSE, NULL);
    event_assign(&evcon->timer, evbase, -1, 0, client_timercb, evcon);
    event_assign(&evcon->resume, evbase, -1, 0, client_resumecb, evcon);
    bufferevent_setcb(bev, client_readcb, client_writecb, client_eventcb,
                      evcon);
    return evcon;

fail:
    if (evcon != NULL) {
        vg_http_free(evcon->address);
        vg_http_free(evcon);
    }
    return NULL;
}

struct evhttp_connection *
evhttp_connection_base_new(struct event_base *base, struct evdns_base *dnsbase,
                           const char *address, ev_uint16_t port)
{
    return evhttp_connection_base_bufferevent_new(base, dnsbase, NULL, address,
                                                  port);
}

struct evhttp_connection *
evhttp_connection_new(const char *address, ev_uint16_t port)
{
    return evhttp_connection_base_new(NULL, NULL, address, port);
}

void
evhttp_connection_set_base(struct evhttp_connection *evcon,
                           struct event_base *base)
{
    evcon->base = base;
    bufferevent_base_set(base, evcon->bev);
    event_base_set(base, &evcon->timer);
    event_base_set(base, &evcon->resume);
}

void
evhttp_connection_set_family(struct evhttp_connection *evcon, int family)
{
    evcon->family = family;
}

int
evhttp_connection_set_flags(struct evhttp_connection *evcon, int flags)
{
    int known = EVHTTP_CON_REUSE_CONNECTED_ADDR |
                EVHTTP_CON_READ_ON_WRITE_ERROR | EVHTTP_CON_LINGERING_CLOSE;

    if (flags & ~known)
        return -1;
    evcon->flags = flags;
    return 0;
}

static void
client_limits(struct evhttp_connection *evcon)
{
    struct vg_http_limits lim;

    vg_http_limits_default(&lim);
    /* The limit applies to the head without line endings (client_on_head
     * checks it): the parser allows room for them. */
    if (evcon->max_headers_size != (size_t)-1)
        lim.max_head = evcon->max_headers_size + 2 * (lim.max_fields + 2);
    lim.max_body = evcon->max_body_size;
    evcon->parser.lim = lim;
    if (lim.max_head > ((size_t)1 << 30))
        evcon->parser.lim.max_head = (size_t)1 << 30;
}

void
evhttp_connection_set_max_headers_size(struct evhttp_connection *evcon,
                                       ev_ssize_t new_max_headers_size)
{
    evcon->max_headers_size =
        new_max_headers_size < 0 ? (size_t)-1 : (size_t)new_max_headers_size;
    if (evcon->client)
        client_limits(evcon);
}

void
evhttp_connection_set_max_body_size(struct evhttp_connection *evcon,
                                    ev_ssize_t new_max_body_size)
{
    evcon->max_body_size =
        new_max_body_size < 0 ? UINT64_MAX : (uint64_t)new_max_body_size;
    if (evcon->client)
        client_limits(evcon);
}

void
evhttp_connection_set_local_address(struct evhttp_connection *evcon,
                                    const char *address)
{
    char *copy = address != NULL ? vg_extra_strdup(address) : NULL;

    if (address != NULL && copy == NULL)
        return;
    vg_http_free(evcon->bind_address);
    evcon->bind_address = copy;
}

void
evhttp_connection_set_local_port(struct evhttp_connection *evcon,
                                 ev_uint16_t port)
{
    evcon->bind_port = port;
}

void
evhttp_connection_set_timeout_tv(struct evhttp_connection *evcon,
                                 const struct timeval *tv)
{
    evcon->timeout_custom = tv != NULL && evutil_timerisset(tv);
    if (tv != NULL && evutil_timerisset(tv)) {
        evcon->timeout = *tv;
    } else {
        evcon->timeout.tv_sec = VG_HTTP_DEFAULT_TIMEOUT;
        evcon->timeout.tv_usec = 0;
    }
    evcon->timeout_real = evcon->timeout;
    if (evcon->client && bufferevent_getfd(evcon->bev) >= 0)
        bufferevent_set_timeouts(evcon->bev, &evcon->timeout, &evcon->timeout);
}

void
evhttp_connection_set_timeout(struct evhttp_connection *evcon,
                              int timeout_in_secs)
{
    struct timeval tv = {timeout_in_secs, 0};

    evhttp_connection_set_timeout_tv(evcon, timeout_in_secs > 0 ? &tv : NULL);
}

void
evhttp_connection_set_initial_retry_tv(struct evhttp_connection *evcon,
                                       const struct timeval *tv)
{
    if (tv != NULL)
        evcon->initial_retry_tv = *tv;
}

void
evhttp_connection_set_retries(struct evhttp_connection *evcon, int retry_max)
{
    evcon->retry_max = retry_max;
}

int
evhttp_make_request(struct evhttp_connection *evcon, struct evhttp_request *req,
                    enum evhttp_cmd_type type, const char *uri)
{
    char *copy;

    if (evcon == NULL || req == NULL || uri == NULL || !evcon->client ||
        req->evcon != NULL || vg_http_method_name(type) == NULL)
        return -1;
    copy = vg_extra_strdup(uri);
    if (copy == NULL)
        return -1;
    vg_http_free(req->uri);
    req->uri = copy;
    req->type = type;
    req->kind = EVHTTP_RESPONSE;
    req->evcon = evcon;
    req->flags |= VG_REQ_DISPATCHED;
    TAILQ_INSERT_TAIL(&evcon->requests, req, next);
    if (TAILQ_FIRST(&evcon->requests) == req) {
        if (evcon->cstate == VG_CLIENT_IDLE)
            client_start(evcon);
        else if (evcon->cstate == VG_CLIENT_DISCONNECTED)
            client_connect(evcon);
    }
    return 0;
}

void
evhttp_cancel_request(struct evhttp_request *req)
{
    struct evhttp_connection *evcon = req->evcon;

    if (evcon == NULL || !evcon->client) {
        evhttp_request_free(req);
        return;
    }
    if (TAILQ_FIRST(&evcon->requests) != req ||
        evcon->cstate == VG_CLIENT_DISCONNECTED ||
        evcon->cstate == VG_CLIENT_RETRY_WAIT) {
        /* Not on the wire yet: it just goes. */
        int first = TAILQ_FIRST(&evcon->requests) == req;

        vg_http_request_detach(req);
        evhttp_request_free(req);
        if (first && evcon->cstate == VG_CLIENT_RETRY_WAIT &&
            TAILQ_EMPTY(&evcon->requests)) {
            event_del(&evcon->timer);
            evcon->cstate = VG_CLIENT_DISCONNECTED;
        }
        return;
    }
    /* Connecting, sent or being answered: the connection is reset. */
    evcon->busy++;
    if (evcon->cstate == VG_CLIENT_CONNECTING) {
        client_drop_socket(evcon);
        evcon->cstate = VG_CLIENT_DISCONNECTED;
    } else {
        client_close(evcon);
    }
    vg_http_request_detach(req);
    if (req->error_cb != NULL)
        req->error_cb(EVREQ_HTTP_REQUEST_CANCEL, req->cb_arg);
    evhttp_request_free(req);
    if (client_unbusy(evcon) == 0)
        client_next(evcon);
}

/* Frees a client connection, or marks it when a callback is running. */
static void
client_free(struct evhttp_connection *evcon)
{
    struct evhttp_request *req;

    if (evcon->cstate != VG_CLIENT_DEAD) {
        if (evcon->cstate == VG_CLIENT_IDLE ||
            evcon->cstate == VG_CLIENT_ACTIVE)
            client_close(evcon);
        else
            client_drop_socket(evcon);
        evcon->cstate = VG_CLIENT_DEAD;
        event_del(&evcon->timer);
        event_del(&evcon->resume);
    }
    if (evcon->busy > 0) {
        evcon->free_asap = 1;
        return;
    }
    /* Queued requests go without a callback, as in libevent. */
    while ((req = TAILQ_FIRST(&evcon->requests)) != NULL) {
        vg_http_request_detach(req);
        if (req->flags & VG_REQ_IN_CB)
            req->flags |= EVHTTP_REQ_NEEDS_FREE;
        else
            evhttp_request_free(req);
    }
    vg_http_conn_release_bev(evcon);
    vg_http_parser_cleanup(&evcon->parser);
    vg_http_free(evcon->address);
    vg_http_free(evcon->bind_address);
    vg_http_free(evcon);
}

void
vg_http_client_free(struct evhttp_connection *evcon)
{
    client_free(evcon);
}
