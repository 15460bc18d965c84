/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * conn.c: struct evhttp_connection on the server side: one accepted
 * socket, its bufferevent, the message parser, and the queue of requests
 * in arrival order.
 *
 * The life of a server connection:
 *   READING    input goes through the parser.  A complete head makes a
 *              request (checked: method, target, framing, size); a
 *              complete message goes to the program (dispatch) and the
 *              connection is WAITING.
 *   WAITING    the program has the request; input waits in the buffer.
 *              Once its reply is queued whole (reply.c calls
 *              vg_http_conn_replied()), the connection reads again, at
 *              once when the program answered from its callback (so
 *              pipelined requests are all answered from one read, in
 *              order, their replies leaving in one write), or from the
 *              loop (the resume event) when it answered later.
 *   CLOSING    the last reply is queued: once the output is written the
 *              connection shuts its sending side and LINGERS, reading and
 *              discarding what the client still sends for a while, so that
 *              the client reads the reply instead of a reset.
 * A request's reply is complete on the wire when the output drains: then
 * its on_complete callback runs and it is freed (unless the program owns
 * it).  A request head must arrive within the timeout of the moment the
 * connection became idle, however slowly its bytes trickle in (slowloris);
 * the bufferevent's own timeouts cover body reads and writes.
 *
 * Callbacks of the program may free the connection or the whole server:
 * "busy" counts the callbacks on the stack, and a free during one only
 * marks the connection, which the outermost frame then frees.
 */
#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/util.h>

#include <errno.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http-internal.h"

/* Input discarded while lingering before the connection just closes. */
#define LINGER_MAX_BYTES ((size_t)1 << 20)
/* How long a lingering close waits for the client to finish. */
#define LINGER_SECONDS 2
/* Output queued past this pauses the parsing of pipelined requests until
 * the client reads. */
#define OUTPUT_PAUSE ((size_t)4 << 20)

static void conn_free(struct evhttp_connection *evcon);
static void conn_parse(struct evhttp_connection *evcon);

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static void *
parser_realloc(void *p, size_t n)
{
    return vg_http_realloc(p, n);
}

static void
parser_free(void *p)
{
    vg_http_free(p);
}

void
vg_http_parser_setup(struct vg_http_parser *p, enum vg_http_kind kind,
                     const struct vg_http_limits *lim)
{
    vg_http_parser_init(p, kind, lim);
    vg_http_parser_set_alloc(p, parser_realloc, parser_free);
}

void
vg_http_conn_release_bev(struct evhttp_connection *evcon)
{
    if (evcon->close_fd) {
        /* The program's bufferevent may or may not close the socket it
         * was given: take it back and close it here, once. */
        evutil_socket_t fd = bufferevent_getfd(evcon->bev);

        bufferevent_setfd(evcon->bev, -1);
        if (fd >= 0)
            evutil_closesocket(fd);
    }
    bufferevent_free(evcon->bev);
}

/* Starts the wait for the next request head.  The timer is armed lazily:
 * once, and it checks at expiry how long the connection has really been
 * waiting, so that a busy connection adds and deletes no timer for each
 * request. */
static void
arm_head_deadline(struct evhttp_connection *evcon)
{
    event_base_gettimeofday_cached(evcon->base, &evcon->idle_since);
    if (!evcon->timer_armed) {
        event_add(&evcon->timer, &evcon->timeout);
        evcon->timer_armed = 1;
    }
}

static void
disarm_timer(struct evhttp_connection *evcon)
{
    event_del(&evcon->timer);
    evcon->timer_armed = 0;
}

/* Called after a callback of the program returns: frees the connection
 * if it was freed meanwhile and no other callback is on the stack. */
static int
conn_unbusy(struct evhttp_connection *evcon)
{
    if (--evcon->busy == 0 && evcon->free_asap) {
        conn_free(evcon);
        return -1;
    }
    return evcon->free_asap ? -1 : 0;
}

/* Closes at once, or lingers first when the socket is a plain one. */
static void
conn_finish(struct evhttp_connection *evcon)
{
    struct evbuffer *in = bufferevent_get_input(evcon->bev);
    evutil_socket_t fd = bufferevent_getfd(evcon->bev);
    struct timeval tv = {LINGER_SECONDS, 0};

    int unread = 0;

    /* Nothing more coming: close now.  Closing with unread input would
     * make the kernel answer with a reset, which can destroy the reply
     * before the client reads it, so then the connection lingers. */
    if (fd >= 0 && evbuffer_get_length(in) == 0 &&
        vg_http_parser_idle(&evcon->parser) &&
        ioctl(fd, FIONREAD, &unread) == 0 && unread == 0) {
        conn_free(evcon);
        return;
    }
    if (fd < 0 || bufferevent_get_underlying(evcon->bev) != NULL ||
        shutdown(fd, SHUT_WR) != 0) {
        conn_free(evcon);
        return;
    }
    evcon->state = VG_CONN_LINGERING;
    evbuffer_drain(in, evbuffer_get_length(in));
    bufferevent_enable(evcon->bev, EV_READ);
    if (evcon->http_server != NULL &&
        (evcon->http_server->flags & EVHTTP_SERVER_LINGERING_CLOSE)) {
        /* The program asked to read whatever the client still sends
         * (the body of a refused request), for as long as it keeps
         * sending: the read timeout ends it. */
        bufferevent_set_timeouts(evcon->bev, &evcon->timeout, NULL);
    } else {
        bufferevent_set_timeouts(evcon->bev, NULL, NULL);
        event_add(&evcon->timer, &tv);
        evcon->timer_armed = 1;
    }
}

/* The output is written: completes every request whose reply was queued
 * whole, and closes when the last reply was the last. */
static void
conn_written(struct evhttp_connection *evcon)
{
    struct evhttp_request *req;

    evcon->busy++;
    while ((req = TAILQ_FIRST(&evcon->requests)) != NULL &&
           (req->flags & VG_REQ_REPLIED)) {
        /* The callback still sees the request on its connection. */
        if (req->on_complete_cb != NULL) {
            req->flags |= VG_REQ_IN_CB;
            req->on_complete_cb(req, req->on_complete_cb_arg);
            req->flags &= ~VG_REQ_IN_CB;
        }
        /* Off the queue; remote_host stays the connection's while the
         * connection is sure to live, so that the usual request that is
         * freed here never copies it.  Owned or not, as in libevent, a
         * server's request ends with its reply. */
        if (req->evcon == evcon) {
            TAILQ_REMOVE(&evcon->requests, req, next);
            req->evcon = NULL;
        }
        evhttp_request_free(req);
        if (evcon->free_asap)
            break;
    }
    if (!evcon->free_asap && evcon->chunk_done_cb != NULL) {
        void (*cb)(struct evhttp_connection *, void *) = evcon->chunk_done_cb;

        evcon->chunk_done_cb = NULL;
        cb(evcon, evcon->chunk_done_arg);
    }
    if (conn_unbusy(evcon) != 0)
        return;
    if (evcon->state == VG_CONN_CLOSING && TAILQ_EMPTY(&evcon->requests))
        conn_finish(evcon);
    else if (evcon->state == VG_CONN_READING && evcon->output_paused) {
        /* Parsing paused while output was queued: on again. */
        evcon->output_paused = 0;
        bufferevent_enable(evcon->bev, EV_READ);
        conn_parse(evcon);
    }
}

/* ------------------------------------------------------------------ */
/* Requests                                                            */
/* ------------------------------------------------------------------ */

/* A request for the connection, queued last.  NULL when memory runs
 * out. */
static struct evhttp_request *
conn_new_request(struct evhttp_connection *evcon)
{
    struct evhttp_request *req = vg_http_request_new(EVHTTP_REQUEST);

    if (req == NULL)
        return NULL;
    req->evcon = evcon;
    req->remote_host = evcon->address;
    req->flags |= VG_REQ_SHARED_PEER;
    req->remote_port = evcon->port;
    TAILQ_INSERT_TAIL(&evcon->requests, req, next);
    return req;
}

/* Whether the request asks for the connection to close after it. */
static int
request_wants_close(const struct evhttp_request *req)
{
    const char *conn = evhttp_find_header(req->input_headers, "Connection");

    if (req->major == 1 && req->minor == 0)
        return conn == NULL || !vg_http_list_has(conn, "keep-alive");
    return conn != NULL && vg_http_list_has(conn, "close");
}

void
vg_http_conn_fail(struct evhttp_connection *evcon, int status)
{
    struct evhttp_request *req = evcon->reading;
    char allow[80];

    evcon->reading = NULL;
    disarm_timer(evcon);
    if (req == NULL) {
        req = conn_new_request(evcon);
        if (req == NULL) {
            conn_free(evcon);
            return;
        }
    }
    req->flags |= VG_REQ_DISPATCHED | VG_REQ_CLOSE;
    /* Like a request the program has, so that the reply closes. */
    evcon->state = VG_CONN_WAITING;
    if (status == HTTP_BADMETHOD && evcon->http_server != NULL) {
        /* RFC 9110 section 15.5.6: a 405 lists what is allowed. */
        vg_http_method_list(evcon->http_server->allowed_methods, allow,
                            sizeof(allow));
        vg_http_reply_error(req, status, "Allow", allow);
        return;
    }
    vg_http_reply_error(req, status, NULL, NULL);
}

/* Parses the request-target: a CONNECT's is an authority (RFC 9112
 * section 3.2.3), the others an origin or absolute form. */
static int
conn_parse_target(struct evhttp_request *req)
{
    if (req->type == EVHTTP_REQ_CONNECT) {
        size_t n = strlen(req->uri);
        char *auth = vg_http_malloc(n + 3);

        if (auth == NULL)
            return -1;
        memcpy(auth, "//", 2);
        memcpy(auth + 2, req->uri, n + 1);
        req->uri_elems =
            evhttp_uri_parse_with_flags(auth, EVHTTP_URI_NONCONFORMANT);
        vg_http_free(auth);
    } else {
        req->uri_elems =
            evhttp_uri_parse_with_flags(req->uri, EVHTTP_URI_NONCONFORMANT);
    }
    return req->uri_elems != NULL ? 0 : -1;
}

/* The parser reported a head: makes and checks the request.  Returns 0,
 * or -1 when the connection failed. */
static int
conn_on_head(struct evhttp_connection *evcon)
{
    const struct vg_http_head *h = &evcon->parser.head;
    struct evhttp *http = evcon->http_server;
    struct evhttp_request *req;
    const char *expect;

    req = conn_new_request(evcon);
    if (req == NULL) {
        vg_http_conn_fail(evcon, HTTP_INTERNAL);
        return -1;
    }
    evcon->reading = req;
    req->major = (char)h->major;
    req->minor = (char)h->minor;
    req->type = vg_http_method_parse(h->buf + h->method, h->method_len);
    if (req->type == 0)
        req->type = (enum evhttp_cmd_type)VG_HTTP_REQ_UNKNOWN;
    req->uri = vg_http_strndup(h->buf + h->target, h->target_len);
    req->headers_size = evcon->parser.head_bytes;
    if (req->uri == NULL) {
        vg_http_conn_fail(evcon, HTTP_INTERNAL);
        return -1;
    }
    for (size_t i = 0; i < h->nfields; i++) {
        const struct vg_http_field *f = &h->fields[i];

        if (vg_http_header_append(req->input_headers, h->buf + f->name,
                                  f->name_len, h->buf + f->value,
                                  f->value_len) == NULL) {
            vg_http_conn_fail(evcon, HTTP_INTERNAL);
            return -1;
        }
    }
    if (http != NULL && !(http->allowed_methods & req->type)) {
        /* A method the server knows but refuses is 405 (RFC 9110 section
         * 15.5.6; libevent answers 501); one it does not know, 501. */
        vg_http_conn_fail(evcon, req->type == VG_HTTP_REQ_UNKNOWN
                                     ? HTTP_NOTIMPLEMENTED
                                     : HTTP_BADMETHOD);
        return -1;
    }
    if (conn_parse_target(req) != 0) {
        vg_http_conn_fail(evcon, HTTP_BADREQUEST);
        return -1;
    }
    if (h->flags & VG_HTTP_HEAD_TE_OTHER) {
        vg_http_conn_fail(evcon, HTTP_NOTIMPLEMENTED);
        return -1;
    }
    if (h->framing == VG_HTTP_BODY_LENGTH &&
        h->content_length > evcon->max_body_size) {
        vg_http_conn_fail(evcon, HTTP_ENTITYTOOLARGE);
        return -1;
    }
    req->chunked = h->framing == VG_HTTP_BODY_CHUNKED;
    req->ntoread =
        h->framing == VG_HTTP_BODY_LENGTH ? (ev_int64_t)h->content_length : -1;
    expect = evhttp_find_header(req->input_headers, "Expect");
    if (expect != NULL && req->minor >= 1) {
        if (!vg_http_equal_nocase(expect, strlen(expect), "100-continue")) {
            vg_http_conn_fail(evcon, HTTP_EXPECTATIONFAILED);
            return -1;
        }
        /* Ask for the body unless it is already on its way. */
        if (h->framing != VG_HTTP_BODY_NONE &&
            evbuffer_get_length(bufferevent_get_input(evcon->bev)) == 0)
            bufferevent_write(evcon->bev, "HTTP/1.1 100 Continue\r\n\r\n", 25);
    }
    return 0;
}

/* The whole request is in: hands it to the program. */
static void
conn_on_done(struct evhttp_connection *evcon)
{
    struct evhttp_request *req = evcon->reading;

    evcon->reading = NULL;
    if (req == NULL)
        return;
    req->flags |= VG_REQ_DISPATCHED;
    if (request_wants_close(req))
        req->flags |= VG_REQ_CLOSE;
    if (req->type == EVHTTP_REQ_HEAD)
        req->flags |= VG_REQ_HEAD_ONLY;
    evcon->state = VG_CONN_WAITING;
    if (evcon->http_server == NULL) {
        /* The server went away; nobody can answer. */
        conn_free(evcon);
        return;
    }
    evcon->busy++;
    req->flags |= VG_REQ_IN_CB;
    vg_http_server_dispatch(evcon->http_server, req);
    req->flags &= ~VG_REQ_IN_CB;
    /* libevent does not read while the program has a request: a client
     * that leaves is seen when the reply is written.  (A reply from the
     * callback leaves reading on: no system call for the common case.) */
    if (evcon->state == VG_CONN_WAITING && !evcon->free_asap)
        bufferevent_disable(evcon->bev, EV_READ);
    /* The program freed the connection from its callback without
     * answering: the request goes with it, as in libevent. */
    if (evcon->free_asap && !(req->flags & VG_REQ_REPLIED))
        req->flags |= EVHTTP_REQ_NEEDS_FREE;
    if (req->flags & EVHTTP_REQ_NEEDS_FREE)
        evhttp_request_free(req);
    conn_unbusy(evcon);
}

/* ------------------------------------------------------------------ */
/* Input                                                               */
/* ------------------------------------------------------------------ */

/* Runs the parser over the input while the connection is reading. */
static void
conn_parse(struct evhttp_connection *evcon)
{
    struct evbuffer *in = bufferevent_get_input(evcon->bev);
    struct evbuffer *out = bufferevent_get_output(evcon->bev);

    evcon->busy++;
    while (evcon->state == VG_CONN_READING && !evcon->free_asap) {
        struct evbuffer_iovec v;
        struct vg_http_span span;
        const char *data = NULL;
        size_t len = 0, consumed = 0;
        int rc;

        if (vg_http_parser_idle(&evcon->parser) &&
            evbuffer_get_length(out) > OUTPUT_PAUSE) {
            /* The client reads slower than it asks: stop reading too,
             * so that its requests wait in its socket, not in memory,
             * until the output drains (conn_written). */
            evcon->output_paused = 1;
            bufferevent_disable(evcon->bev, EV_READ);
            break;
        }
        if (evbuffer_peek(in, -1, NULL, &v, 1) > 0) {
            data = v.iov_base;
            len = v.iov_len;
        }
        rc = vg_http_parse(&evcon->parser, data, len, &consumed, &span);
        if (rc == VG_HTTP_EV_BODY && evcon->reading != NULL) {
            evcon->reading->body_size += span.len;
            if (evbuffer_add(evcon->reading->input_buffer, span.data,
                             span.len) != 0) {
                evbuffer_drain(in, consumed);
                vg_http_conn_fail(evcon, HTTP_INTERNAL);
                break;
            }
        }
        evbuffer_drain(in, consumed);
        if (rc < 0) {
            int status = vg_http_error_status(rc);

            if (status == 0)
                conn_free(evcon);
            else
                vg_http_conn_fail(evcon, status);
            break;
        }
        if (rc == VG_HTTP_EV_HEAD) {
            if (conn_on_head(evcon) != 0)
                break;
        } else if (rc == VG_HTTP_EV_DONE) {
            conn_on_done(evcon);
        } else if (rc == VG_HTTP_NEED_MORE && len == 0) {
            break;
        }
    }
    conn_unbusy(evcon);
}

static void
conn_readcb(struct bufferevent *bev, void *arg)
{
    struct evhttp_connection *evcon = arg;
    struct evbuffer *in = bufferevent_get_input(bev);

    switch (evcon->state) {
    case VG_CONN_READING:
        conn_parse(evcon);
        break;
    case VG_CONN_LINGERING:
        evcon->lingered += evbuffer_get_length(in);
        evbuffer_drain(in, evbuffer_get_length(in));
        if (evcon->lingered > LINGER_MAX_BYTES &&
            !(evcon->http_server != NULL &&
              (evcon->http_server->flags & EVHTTP_SERVER_LINGERING_CLOSE)))
            conn_free(evcon);
        break;
    default:
        /* Closing: what the client sends now is not read. */
        evbuffer_drain(in, evbuffer_get_length(in));
        break;
    }
}

static void
conn_writecb(struct bufferevent *bev, void *arg)
{
    (void)bev;
    conn_written(arg);
}

static void
conn_eventcb(struct bufferevent *bev, short what, void *arg)
{
    struct evhttp_connection *evcon = arg;

    if ((what & BEV_EVENT_TIMEOUT) && (what & BEV_EVENT_READING) &&
        evcon->state == VG_CONN_WAITING) {
        /* Nothing to read is expected while the program answers. */
        bufferevent_enable(bev, EV_READ);
        return;
    }
    if ((what & BEV_EVENT_EOF) && (what & BEV_EVENT_READING) &&
        evcon->state == VG_CONN_CLOSING)
        return; /* the last reply is still being written: it goes first */
    if ((what & BEV_EVENT_EOF) && (what & BEV_EVENT_READING) &&
        evcon->state == VG_CONN_READING &&
        vg_http_parser_idle(&evcon->parser) && !TAILQ_EMPTY(&evcon->requests)) {
        /* The client sent its last request and shut its side: the
         * replies still queued are written, then the connection closes.
         * (A message cut short completes nothing: a request is never
         * delimited by the close.) */
        evcon->state = VG_CONN_CLOSING;
        return;
    }
    conn_free(evcon);
}

static void
conn_timercb(evutil_socket_t fd, short what, void *arg)
{
    struct evhttp_connection *evcon = arg;

    (void)fd;
    (void)what;
    evcon->timer_armed = 0;
    /* A request the program has, or a body (the bufferevent's timeouts
     * watch it): the next wait for a head arms the timer again. */
    if (evcon->state == VG_CONN_WAITING ||
        (evcon->state == VG_CONN_READING && evcon->reading != NULL))
        return;
    if (evcon->state == VG_CONN_READING) {
        struct timeval now, waited, left;

        /* Waiting for a head since idle_since: is that long enough? */
        event_base_gettimeofday_cached(evcon->base, &now);
        evutil_timersub(&now, &evcon->idle_since, &waited);
        if (evutil_timercmp(&waited, &evcon->timeout_real, <)) {
            evutil_timersub(&evcon->timeout_real, &waited, &left);
            event_add(&evcon->timer, &left);
            evcon->timer_armed = 1;
            return;
        }
    }
    /* An idle connection, or a head that takes too long however slowly
     * its bytes trickle in (slowloris), or the end of a lingering close:
     * the connection just closes, as libevent's do. */
    conn_free(evcon);
}

static void
conn_resumecb(evutil_socket_t fd, short what, void *arg)
{
    struct evhttp_connection *evcon = arg;

    (void)fd;
    (void)what;
    if (evcon->state == VG_CONN_READING)
        conn_parse(evcon);
}

void
vg_http_conn_replied(struct evhttp_connection *evcon,
                     struct evhttp_request *req)
{
    if (evcon->state != VG_CONN_WAITING)
        return; /* an error reply: the connection is closing already */
    if (req->flags & VG_REQ_CLOSE) {
        evcon->state = VG_CONN_CLOSING;
        return;
    }
    evcon->state = VG_CONN_READING;
    arm_head_deadline(evcon);
    /* From the program's callback, reading is still on and conn_parse()
     * goes on by itself. */
    if (!(req->flags & VG_REQ_IN_CB)) {
        bufferevent_enable(evcon->bev, EV_READ);
        if (evbuffer_get_length(bufferevent_get_input(evcon->bev)) > 0)
            event_active(&evcon->resume, EV_TIMEOUT, 1);
    }
}

/* ------------------------------------------------------------------ */
/* Creation and freeing                                                */
/* ------------------------------------------------------------------ */

int
vg_http_conn_accept(struct evhttp *http, evutil_socket_t fd,
                    const struct sockaddr *sa, int salen)
{
    struct evhttp_connection *evcon = vg_http_calloc(1, sizeof(*evcon));
    struct vg_http_limits lim;
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    struct timeval tv;

    if (evcon == NULL)
        goto fail;
    evcon->http_server = http;
    evcon->base = http->base;
    TAILQ_INIT(&evcon->requests);
    if (salen > 0 && (size_t)salen <= sizeof(evcon->addr)) {
        memcpy(&evcon->addr, sa, (size_t)salen);
        evcon->addrlen = (socklen_t)salen;
    }
    if (getnameinfo(sa, (socklen_t)salen, host, sizeof(host), serv,
                    sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        host[0] = '\0';
        serv[0] = '0';
        serv[1] = '\0';
    }
    evcon->address = vg_extra_strdup(host);
    evcon->port = (uint16_t)strtoul(serv, NULL, 10);
    if (evcon->address == NULL)
        goto fail;

    if (http->bevcb != NULL) {
        evcon->bev = http->bevcb(http->base, http->bevcb_arg);
        evcon->close_fd = 1;
        if (evcon->bev != NULL && bufferevent_setfd(evcon->bev, fd) != 0) {
            bufferevent_free(evcon->bev);
            evcon->bev = NULL;
        }
    } else {
        int on = 1;

        /* Replies leave whole: Nagle would only hold back the second of
         * two small ones until the client's delayed ACK (40 ms). */
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
        evcon->bev =
            bufferevent_socket_new(http->base, fd, BEV_OPT_CLOSE_ON_FREE);
    }
    if (evcon->bev == NULL)
        goto fail;
    fd = -1; /* the bufferevent closes it */

    vg_http_limits_default(&lim);
    if (http->max_headers_size != (size_t)-1)
        lim.max_head = http->max_headers_size;
    lim.max_body = http->max_body_size;
    evcon->max_headers_size = http->max_headers_size;
    evcon->max_body_size = http->max_body_size;
    vg_http_parser_setup(&evcon->parser, VG_HTTP_REQUEST, &lim);

    vg_http_server_timeout(http, &tv);
    evcon->timeout = tv;
    evcon->timeout_real = evutil_timerisset(&http->timeout)
                              ? http->timeout
                              : (struct timeval){VG_HTTP_DEFAULT_TIMEOUT, 0};
    bufferevent_set_timeouts(evcon->bev, &tv, &tv);
    event_assign(&evcon->timer, http->base, -1, 0, conn_timercb, evcon);
    event_assign(&evcon->resume, http->base, -1, 0, conn_resumecb, evcon);
    bufferevent_setcb(evcon->bev, conn_readcb, conn_writecb, conn_eventcb,
                      evcon);
    bufferevent_enable(evcon->bev, EV_READ | EV_WRITE);
    TAILQ_INSERT_TAIL(&http->conns, evcon, next);
    arm_head_deadline(evcon);
    return 0;

fail:
    if (evcon != NULL) {
        vg_http_free(evcon->address);
        vg_http_free(evcon);
    }
    if (fd >= 0)
        evutil_closesocket(fd);
    return -1;
}

/* Frees the connection, or marks it when a callback is on the stack. */
static void
conn_free(struct evhttp_connection *evcon)
{
    struct evhttp_request *req;

    if (evcon->state != VG_CONN_DEAD) {
        evcon->state = VG_CONN_DEAD;
        bufferevent_disable(evcon->bev, EV_READ | EV_WRITE);
        disarm_timer(evcon);
        event_del(&evcon->resume);
        if (evcon->closecb != NULL) {
            evcon->busy++;
            evcon->closecb(evcon, evcon->closecb_arg);
            evcon->busy--;
        }
    }
    if (evcon->busy > 0) {
        evcon->free_asap = 1;
        return;
    }
    while ((req = TAILQ_FIRST(&evcon->requests)) != NULL) {
        vg_http_request_detach(req);
        /* A request the program still has is its to answer (the reply
         * then just frees it); the others go now. */
        if ((req->flags & VG_REQ_DISPATCHED) &&
            !(req->flags & VG_REQ_REPLIED)) {
            /* Freed as its callback returns, as libevent frees it with
             * the connection. */
            if (req->flags & VG_REQ_IN_CB)
                req->flags |= EVHTTP_REQ_NEEDS_FREE;
            continue;
        }
        evhttp_request_free(req);
    }
    if (evcon->http_server != NULL)
        TAILQ_REMOVE(&evcon->http_server->conns, evcon, next);
    vg_http_conn_release_bev(evcon);
    vg_http_parser_cleanup(&evcon->parser);
    vg_http_free(evcon->address);
    vg_http_free(evcon);
}

void
vg_http_conn_close(struct evhttp_connection *evcon)
{
    /* The server goes: the connection outlives it only while busy. */
    TAILQ_REMOVE(&evcon->http_server->conns, evcon, next);
    evcon->http_server = NULL;
    conn_free(evcon);
}

/* ------------------------------------------------------------------ */
/* The public connection functions (server side)                      */
/* ------------------------------------------------------------------ */

void
evhttp_connection_free(struct evhttp_connection *evcon)
{
    if (evcon == NULL)
        return;
    if (evcon->client)
        vg_http_client_free(evcon);
    else
        conn_free(evcon);
}

void
evhttp_connection_free_on_completion(struct evhttp_connection *evcon)
{
    /* A client's connection goes after its last request; a server's
     * lives as its client wants (libevent ignores the call there too). */
    evcon->free_on_completion = 1;
}

struct evhttp *
evhttp_connection_get_server(struct evhttp_connection *evcon)
{
    return evcon->http_server;
}

struct bufferevent *
evhttp_connection_get_bufferevent(struct evhttp_connection *evcon)
{
    return evcon->bev;
}

struct event_base *
evhttp_connection_get_base(struct evhttp_connection *evcon)
{
    return evcon->base;
}

void
evhttp_connection_get_peer(struct evhttp_connection *evcon, char **address,
                           ev_uint16_t *port)
{
    *address = evcon->address;
    *port = evcon->port;
}

const struct sockaddr *
evhttp_connection_get_addr(struct evhttp_connection *evcon)
{
    /* A client's is there before it connects, AF_UNSPEC (as in
     * libevent). */
    if (evcon->addrlen == 0 && !evcon->client)
        return NULL;
    return (const struct sockaddr *)&evcon->addr;
}

void
evhttp_connection_set_closecb(struct evhttp_connection *evcon,
                              void (*cb)(struct evhttp_connection *, void *),
                              void *cbarg)
{
    evcon->closecb = cb;
    evcon->closecb_arg = cbarg;
}
