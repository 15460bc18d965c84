/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * http_reply.c: how the evhttp server frames its messages, seen from a
 * plain TCP client on loopback that writes raw bytes and reads raw
 * responses.  Covered: evhttp_send_reply (status line, default headers and
 * their order, program headers, NULL body and reason, odd codes),
 * evhttp_send_error, keep-alive and Connection, HEAD, request bodies
 * (Content-Length, chunked with extensions and trailers, Expect), the
 * streaming replies and their chunk framing, flow control through the
 * chunk callback, pipelining, timeouts, size limits, lingering close and
 * the on_complete callback.
 *
 * Every test starts a server on the test's own event loop and runs a
 * scripted client in a thread: the script sends bytes, reads whole
 * responses (the Date value replaced by "X"), waits for the server to
 * close, or checks that nothing arrives.  The loop stops when the script
 * ends.
 *
 * Where libevent 2.1.12 frames a message wrongly (a body after the head
 * of a 204, 304 or HEAD response; chunk extensions refused), the check
 * sits under #ifdef VIGIL_ORACLE, accepting either behaviour, with the
 * difference named; Vigil's build asserts the correct one.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* memmem, pipe2, strptime, timegm */
#endif

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "vtest.h"

/* ------------------------------------------------------------------ */
/* Growing strings                                                     */
/* ------------------------------------------------------------------ */

struct str {
    char *p;
    size_t n, cap;
};

static void
str_add(struct str *s, const void *data, size_t n)
{
    if (s->n + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 256;

        while (cap < s->n + n + 1)
            cap *= 2;
        s->p = realloc(s->p, cap);
        if (s->p == NULL)
            abort();
        s->cap = cap;
    }
    if (n > 0)
        memcpy(s->p + s->n, data, n);
    s->n += n;
    s->p[s->n] = '\0';
}

static void
str_adds(struct str *s, const char *text)
{
    str_add(s, text, strlen(text));
}

/* The text of s, "" when nothing was added. */
static const char *
str_get(const struct str *s)
{
    return s->p ? s->p : "";
}

static void
str_free(struct str *s)
{
    free(s->p);
    memset(s, 0, sizeof(*s));
}

static long
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------ */
/* The client script                                                   */
/* ------------------------------------------------------------------ */

enum op {
    OP_END,
    OP_SEND,  /* send s (n bytes) */
    OP_FILL,  /* send n filler bytes, ignoring errors */
    OP_RESP,  /* read one response */
    OP_HEAD,  /* read one response that has no body (HEAD) */
    OP_EOF,   /* wait for the server to close */
    OP_QUIET, /* check that nothing arrives for n ms */
    OP_PAUSE, /* wait n ms */
    OP_SHUT,  /* shut down the sending side */
};

struct step {
    enum op op;
    const char *s;
    size_t n;
};

#define SEND(x)                   \
    {                             \
        OP_SEND, x, sizeof(x) - 1 \
    }
#define FILL(n)          \
    {                    \
        OP_FILL, NULL, n \
    }
#define RESP             \
    {                    \
        OP_RESP, NULL, 0 \
    }
#define HEADRESP         \
    {                    \
        OP_HEAD, NULL, 0 \
    }
#define CLOSED          \
    {                   \
        OP_EOF, NULL, 0 \
    }
#define QUIET(ms)          \
    {                      \
        OP_QUIET, NULL, ms \
    }
#define PAUSE(ms)          \
    {                      \
        OP_PAUSE, NULL, ms \
    }
#define SHUT             \
    {                    \
        OP_SHUT, NULL, 0 \
    }
#define END             \
    {                   \
        OP_END, NULL, 0 \
    }

#define MAX_RESP 8
#define WAIT_MS 5000

/* One test: the server's configuration, what its callbacks saw, and what
 * the client received. */
struct run {
    /* Set by the test. */
    const struct step *steps;
    void (*handler)(struct evhttp_request *, void *);
    int timeout;
    ev_ssize_t max_body, max_headers;
    int flags;
    int code;
    const char *reason;
    const char *body;          /* NULL: a NULL body buffer */
    const char *const *hdrs;   /* name, value, ..., NULL */
    const char *const *chunks; /* for the streaming handlers, NULL ends */
    size_t stream_total;
    const char *look; /* a request header note_request records */

    /* The server side. */
    struct event_base *base;
    struct evhttp *http;
    struct sockaddr_in addr;
    int wake[2];
    int guard_fired;
    int nreq, ncomplete, ncb;
    struct str log;     /* handler events, each ending in '|' */
    struct str in_body; /* the request bodies, each ending in '|' */
    struct str seen;    /* request headers a handler looked at */
    struct evhttp_request *held;
    size_t sent, max_out;

    /* The client side. */
    int fd;
    struct str in;
    struct str resp[MAX_RESP];
    int nresp;
    int eof;          /* 1: closed, 2: reset */
    long eof_ms;      /* how long the CLOSED step waited */
    int stalled;      /* a read timed out */
    int noisy;        /* a QUIET step received something */
    int send_err;     /* a SEND failed */
    size_t filled;    /* bytes the FILL steps sent */
    struct str extra; /* bytes read outside a response */
    char date[64];
};

/* Reads more into r->in; returns the count, 0 at end of stream, -1 on a
 * reset or when nothing arrives within ms. */
static ssize_t
cl_fill(struct run *r, int ms)
{
    struct pollfd p = {.fd = r->fd, .events = POLLIN};
    char buf[65536];
    ssize_t n;

    if (poll(&p, 1, ms) <= 0) {
        r->stalled = 1;
        return -1;
    }
    n = recv(r->fd, buf, sizeof(buf), 0);
    if (n < 0) {
        if (errno == ECONNRESET)
            r->eof = 2;
        return -1;
    }
    if (n == 0) {
        r->eof = 1;
        return 0;
    }
    str_add(&r->in, buf, (size_t)n);
    return n;
}

/* Makes sure r->in holds at least n bytes; 0 or -1. */
static int
cl_need(struct run *r, size_t n)
{
    while (r->in.n < n)
        if (cl_fill(r, WAIT_MS) <= 0)
            return -1;
    return 0;
}

/* The offset just past the next CR LF at or after from, or 0. */
static size_t
cl_line(struct run *r, size_t from)
{
    for (;;) {
        const char *p = r->in.n > from
                            ? memmem(r->in.p + from, r->in.n - from, "\r\n", 2)
                            : NULL;
        if (p != NULL)
            return (size_t)(p - r->in.p) + 2;
        if (cl_fill(r, WAIT_MS) <= 0)
            return 0;
    }
}

/* The value of header name within the head h (NUL-terminated), or NULL. */
static const char *
head_value(const char *h, const char *name, char *out, size_t cap)
{
    size_t len = strlen(name);
    const char *p = strstr(h, "\r\n");

    while (p != NULL && p[2] != '\r') {
        p += 2;
        if (strncasecmp(p, name, len) == 0 && p[len] == ':') {
            const char *v = p + len + 1;
            const char *e = strstr(v, "\r\n");
            size_t n;

            while (*v == ' ')
                v++;
            n = (size_t)(e - v);
            if (n >= cap)
                n = cap - 1;
            memcpy(out, v, n);
            out[n] = '\0';
            return out;
        }
        p = strstr(p, "\r\n");
    }
    return NULL;
}

/* Moves the first n bytes of r->in to response k, the Date value
 * replaced by "X". */
static void
cl_take(struct run *r, int k, size_t n)
{
    struct str *out = &r->resp[k];
    const char *d = memmem(r->in.p, n, "\r\nDate: ", 8);

    if (d != NULL) {
        const char *v = d + 8;
        const char *e = memmem(v, n - (size_t)(v - r->in.p), "\r\n", 2);

        if (e != NULL) {
            size_t len = (size_t)(e - v);

            if (len < sizeof(r->date)) {
                memcpy(r->date, v, len);
                r->date[len] = '\0';
            }
            str_add(out, r->in.p, (size_t)(v - r->in.p));
            str_adds(out, "X");
            str_add(out, e, n - (size_t)(e - r->in.p));
            goto done;
        }
    }
    str_add(out, r->in.p, n);
done:
    memmove(r->in.p, r->in.p + n, r->in.n - n);
    r->in.n -= n;
    r->in.p[r->in.n] = '\0';
}

/* Reads one response into r->resp[r->nresp]: the head, then the body by
 * its chunked framing, its Content-Length, or up to the end of the
 * stream.  What a failed read leaves is kept too. */
static void
cl_response(struct run *r, int head_only)
{
    int k = r->nresp < MAX_RESP - 1 ? r->nresp++ : MAX_RESP - 1;
    char val[64], *headtext;
    const char *end, *status;
    size_t hlen, at;
    int code;

    for (;;) {
        end = r->in.n ? memmem(r->in.p, r->in.n, "\r\n\r\n", 4) : NULL;
        if (end != NULL)
            break;
        if (cl_fill(r, WAIT_MS) <= 0)
            goto partial;
    }
    hlen = (size_t)(end - r->in.p) + 4;
    headtext = strndup(r->in.p, hlen);
    /* The status line may follow stray bytes of an earlier body. */
    status = strstr(headtext, "HTTP/1.");
    code = status ? (int)strtol(status + 9, NULL, 10) : 0;
    at = hlen;
    if (head_only || (code >= 100 && code < 200) || code == 204 ||
        code == 304) {
        /* No body. */
    } else if (head_value(headtext, "Transfer-Encoding", val, sizeof(val)) &&
               strcasecmp(val, "chunked") == 0) {
        for (;;) {
            size_t next = cl_line(r, at);
            size_t size;

            if (next == 0)
                break;
            size = strtoul(r->in.p + at, NULL, 16);
            at = next;
            if (size == 0) {
                /* Trailers up to an empty line. */
                for (;;) {
                    next = cl_line(r, at);
                    if (next == 0 || next == at + 2) {
                        at = next ? next : r->in.n;
                        break;
                    }
                    at = next;
                }
                break;
            }
            if (cl_need(r, at + size + 2) < 0) {
                at = r->in.n;
                break;
            }
            at += size + 2;
        }
    } else if (head_value(headtext, "Content-Length", val, sizeof(val))) {
        size_t len = strtoul(val, NULL, 10);

        if (cl_need(r, at + len) < 0)
            at = r->in.n;
        else
            at += len;
    } else {
        while (cl_fill(r, WAIT_MS) > 0)
            ;
        at = r->in.n;
    }
    free(headtext);
    if (at > r->in.n)
        at = r->in.n;
    cl_take(r, k, at);
    return;
partial:
    if (r->in.n > 0)
        cl_take(r, k, r->in.n);
}

static void
cl_send(struct run *r, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = send(r->fd, s, n, MSG_NOSIGNAL);

        if (w <= 0) {
            r->send_err = 1;
            return;
        }
        s += w;
        n -= (size_t)w;
    }
}

static void *
client_main(void *arg)
{
    struct run *r = arg;
    static const char filler[4096] = {0};
    struct timeval tv = {.tv_sec = WAIT_MS / 1000};

    r->fd = vt_tcp_connect(&r->addr);
    if (r->fd >= 0) {
        setsockopt(r->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        for (const struct step *s = r->steps; s->op != OP_END; s++) {
            switch (s->op) {
            case OP_SEND:
                cl_send(r, s->s, s->n);
                break;
            case OP_FILL:
                for (size_t left = s->n; left > 0;) {
                    size_t n = left < sizeof(filler) ? left : sizeof(filler);
                    ssize_t w = send(r->fd, filler, n, MSG_NOSIGNAL);

                    if (w <= 0)
                        break;
                    left -= (size_t)w;
                    r->filled += (size_t)w;
                }
                break;
            case OP_RESP:
            case OP_HEAD:
                cl_response(r, s->op == OP_HEAD);
                break;
            case OP_EOF: {
                long t0 = now_ms();

                if (r->in.n > 0)
                    str_add(&r->extra, r->in.p, r->in.n);
                r->in.n = 0;
                while (r->eof == 0 && cl_fill(r, WAIT_MS) > 0) {
                    str_add(&r->extra, r->in.p, r->in.n);
                    r->in.n = 0;
                }
                r->eof_ms = now_ms() - t0;
                break;
            }
            case OP_QUIET: {
                struct pollfd p = {.fd = r->fd, .events = POLLIN};

                if (poll(&p, 1, (int)s->n) != 0)
                    r->noisy = 1;
                break;
            }
            case OP_PAUSE:
                poll(NULL, 0, (int)s->n);
                break;
            case OP_SHUT:
                shutdown(r->fd, SHUT_WR);
                break;
            case OP_END:
                break;
            }
        }
        close(r->fd);
    }
    if (write(r->wake[1], "x", 1) != 1)
        abort();
    return NULL;
}

/* ------------------------------------------------------------------ */
/* The server                                                          */
/* ------------------------------------------------------------------ */

static void
on_wake(evutil_socket_t fd, short what, void *arg)
{
    struct run *r = arg;

    (void)fd;
    (void)what;
    event_base_loopbreak(r->base);
}

static void
on_guard(evutil_socket_t fd, short what, void *arg)
{
    struct run *r = arg;

    (void)fd;
    (void)what;
    r->guard_fired = 1;
    event_base_loopbreak(r->base);
}

static void
run_init(struct run *r, const struct step *steps,
         void (*handler)(struct evhttp_request *, void *))
{
    memset(r, 0, sizeof(*r));
    r->steps = steps;
    r->handler = handler;
    r->code = 200;
    r->reason = "OK";
    r->body = "hello";
    r->fd = -1;
}

/* Starts the server, runs the script against it and stops both. */
static void
run_script(struct run *r)
{
    struct evhttp_bound_socket *bound;
    struct event *wake_ev, *guard_ev;
    struct timeval guard = {.tv_sec = 30};
    socklen_t len = sizeof(r->addr);
    pthread_t th;

    r->base = event_base_new();
    ck_assert_ptr_nonnull(r->base);
    r->http = evhttp_new(r->base);
    ck_assert_ptr_nonnull(r->http);
    if (r->timeout)
        evhttp_set_timeout(r->http, r->timeout);
    if (r->max_body)
        evhttp_set_max_body_size(r->http, r->max_body);
    if (r->max_headers)
        evhttp_set_max_headers_size(r->http, r->max_headers);
    if (r->flags)
        ck_assert_int_eq(evhttp_set_flags(r->http, r->flags), 0);
    evhttp_set_gencb(r->http, r->handler, r);
    bound = evhttp_bind_socket_with_handle(r->http, "127.0.0.1", 0);
    ck_assert_ptr_nonnull(bound);
    ck_assert_int_eq(getsockname(evhttp_bound_socket_get_fd(bound),
                                 (struct sockaddr *)&r->addr, &len),
                     0);
    ck_assert_int_eq(pipe2(r->wake, O_CLOEXEC | O_NONBLOCK), 0);
    wake_ev = event_new(r->base, r->wake[0], EV_READ, on_wake, r);
    guard_ev = evtimer_new(r->base, on_guard, r);
    ck_assert_int_eq(event_add(wake_ev, NULL), 0);
    ck_assert_int_eq(evtimer_add(guard_ev, &guard), 0);
    ck_assert_int_eq(pthread_create(&th, NULL, client_main, r), 0);
    event_base_dispatch(r->base);
    pthread_join(th, NULL);
    event_free(wake_ev);
    event_free(guard_ev);
    close(r->wake[0]);
    close(r->wake[1]);
    evhttp_free(r->http);
    event_base_free(r->base);
    ck_assert_int_eq(r->guard_fired, 0);
    ck_assert_int_eq(r->send_err, 0);
}

static void
run_free(struct run *r)
{
    for (int i = 0; i < MAX_RESP; i++)
        str_free(&r->resp[i]);
    str_free(&r->in);
    str_free(&r->extra);
    str_free(&r->log);
    str_free(&r->in_body);
    str_free(&r->seen);
}

/* Compares response k with want, printing the response with escapes
 * first when they differ (CR and LF would hide the difference). */
static void
check_str(const char *got, const char *want)
{
    if (strcmp(got, want) != 0) {
        fputs("got \"", stderr);
        for (const char *p = got; *p; p++) {
            if (*p == '\r')
                fputs("\\r", stderr);
            else if (*p == '\n')
                fputs("\\n", stderr);
            else
                fputc(*p, stderr);
        }
        fputs("\"\n", stderr);
    }
    ck_assert_str_eq(got, want);
}

static void
check_resp(const struct run *r, int k, const char *want)
{
    check_str(str_get(&r->resp[k]), want);
}

/* ------------------------------------------------------------------ */
/* Handlers                                                            */
/* ------------------------------------------------------------------ */

/* Notes the request: its URI in the log, its body, and the output
 * headers the test asked for. */
static void
note_request(struct run *r, struct evhttp_request *req)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t n = evbuffer_get_length(in);
    char *copy = malloc(n + 1);

    r->nreq++;
    str_adds(&r->log, evhttp_request_get_uri(req));
    str_adds(&r->log, "|");
    ck_assert_ptr_nonnull(copy);
    evbuffer_copyout(in, copy, n);
    str_add(&r->in_body, copy, n);
    str_adds(&r->in_body, "|");
    free(copy);
    if (r->look != NULL) {
        const char *v =
            evhttp_find_header(evhttp_request_get_input_headers(req), r->look);

        str_adds(&r->seen, v ? v : "-");
        str_adds(&r->seen, "|");
    }
    for (const char *const *h = r->hdrs; h != NULL && h[0] != NULL; h += 2)
        evhttp_add_header(evhttp_request_get_output_headers(req), h[0], h[1]);
}

static struct evbuffer *
body_of(const struct run *r)
{
    struct evbuffer *b;

    if (r->body == NULL)
        return NULL;
    b = evbuffer_new();
    evbuffer_add(b, r->body, strlen(r->body));
    return b;
}

/* Replies with r->code, r->reason and r->body. */
static void
h_reply(struct evhttp_request *req, void *arg)
{
    struct run *r = arg;
    struct evbuffer *b = body_of(r);

    note_request(r, req);
    evhttp_send_reply(req, r->code, r->reason, b);
    if (b != NULL)
        evbuffer_free(b);
}

/* Replies with evhttp_send_error(r->code, r->reason). */
static void
h_error(struct evhttp_request *req, void *arg)
{
    struct run *r = arg;

    note_request(r, req);
    evhttp_send_error(req, r->code, r->reason);
}

/* Streams r->chunks with reply_start, reply_chunk and reply_end. */
static void
h_stream(struct evhttp_request *req, void *arg)
{
    struct run *r = arg;

    note_request(r, req);
    evhttp_send_reply_start(req, r->code, r->reason);
    for (const char *const *c = r->chunks; c != NULL && *c != NULL; c++) {
        struct evbuffer *b = evbuffer_new();

        evbuffer_add(b, *c, strlen(*c));
        evhttp_send_reply_chunk(req, b);
        evbuffer_free(b);
    }
    evhttp_send_reply_end(req);
}

/* Replies with the request's URI as the body. */
static void
h_echo(struct evhttp_request *req, void *arg)
{
    struct run *r = arg;
    struct evbuffer *b = evbuffer_new();

    note_request(r, req);
    evbuffer_add_printf(b, "%s", evhttp_request_get_uri(req));
    evhttp_send_reply(req, 200, "OK", b);
    evbuffer_free(b);
}

static size_t
output_length(struct evhttp_connection *evcon)
{
    return evbuffer_get_length(
        bufferevent_get_output(evhttp_connection_get_bufferevent(evcon)));
}

/* The callback of a chunk: notes how much output is still queued, sends
 * a second chunk the first time and ends the reply the second time. */
static void
chunk_done(struct evhttp_connection *evcon, void *arg)
{
    struct run *r = arg;
    char note[64];

    snprintf(note, sizeof(note), "cb out=%zu|", output_length(evcon));
    str_adds(&r->log, note);
    if (++r->ncb == 1) {
        struct evbuffer *b = evbuffer_new();

        evbuffer_add(b, "defg", 4);
        evhttp_send_reply_chunk_with_cb(r->held, b, chunk_done, r);
        evbuffer_free(b);
    } else if (r->ncb == 2) {
        evhttp_send_reply_end(r->held);
    }
}

static void
h_chunk_cb(struct evhttp_request *req, void *arg)
{
    struct run *r = arg;
    struct evbuffer *b = evbuffer_new();

    note_request(r, req);
    r->held = req;
    evhttp_send_reply_start(req, 200, "OK");
    evbuffer_add(b, "abc", 3);
    evhttp_send_reply_chunk_with_cb(req, b, chunk_done, r);
    evbuffer_free(b);
    str_adds(&r->log, "returned|");
}

#define FLOW_CHUNK 65536

/* Sends the next chunk of r->stream_total bytes, from the callback of the
 * one before. */
static void
flow_next(struct evhttp_connection *evcon, void *arg)
{
    static char data[FLOW_CHUNK];
    struct run *r = arg;
    struct evbuffer *b;
    size_t out;

    r->ncb++;
    if (r->sent >= r->stream_total) {
        if (r->ncomplete++ == 0)
            evhttp_send_reply_end(r->held);
        return;
    }
    memset(data, 'a' + (int)(r->sent / FLOW_CHUNK % 26), sizeof(data));
    b = evbuffer_new();
    evbuffer_add(b, data, sizeof(data));
    evhttp_send_reply_chunk_with_cb(r->held, b, flow_next, r);
    evbuffer_free(b);
    r->sent += FLOW_CHUNK;
    out = output_length(evcon);
    if (out > r->max_out)
        r->max_out = out;
}

static void
h_flow(struct evhttp_request *req, void *arg)
{
    struct run *r = arg;

    note_request(r, req);
    r->held = req;
    evhttp_send_reply_start(req, 200, "OK");
    flow_next(evhttp_request_get_connection(req), r);
}

/* Replies to the request held back by h_own. */
static void
reply_held(evutil_socket_t fd, short what, void *arg)
{
    struct run *r = arg;
    struct evbuffer *b = evbuffer_new();

    (void)fd;
    (void)what;
    str_adds(&r->log, "late|");
    evbuffer_add(b, "first", 5);
    evhttp_send_reply(r->held, 200, "OK", b);
    evbuffer_free(b);
}

/* Owns the first request and answers it from a timer 100 ms later; echoes
 * the others at once.  libevent 2.1.12 still frees an owned server
 * request once its reply is written (valgrind shows it), so the program
 * never frees it. */
static void
h_own(struct evhttp_request *req, void *arg)
{
    struct run *r = arg;
    struct timeval tv = {.tv_usec = 100000};

    if (r->nreq > 0) {
        h_echo(req, arg);
        return;
    }
    note_request(r, req);
    evhttp_request_own(req);
    r->held = req;
    str_adds(&r->log, "own|");
    ck_assert_int_eq(
        event_base_once(r->base, -1, EV_TIMEOUT, reply_held, r, &tv), 0);
}

static void
on_complete(struct evhttp_request *req, void *arg)
{
    struct run *r = arg;
    char note[64];

    r->ncomplete++;
    snprintf(note, sizeof(note), "done out=%zu|",
             output_length(evhttp_request_get_connection(req)));
    str_adds(&r->log, note);
}

/* Replies (or streams when r->chunks is set) with an on_complete
 * callback. */
static void
h_complete(struct evhttp_request *req, void *arg)
{
    struct run *r = arg;

    evhttp_request_set_on_complete_cb(req, on_complete, r);
    if (r->chunks != NULL)
        h_stream(req, arg);
    else
        h_reply(req, arg);
    str_adds(&r->log, "replied|");
}

/* ------------------------------------------------------------------ */
/* evhttp_send_reply                                                   */
/* ------------------------------------------------------------------ */

#define ERROR_413                                   \
    "HTTP/1.1 413 Request Entity Too Large\r\n"     \
    "Content-Type: text/html\r\n"                   \
    "Connection: close\r\n"                         \
    "Date: X\r\n"                                   \
    "Content-Length: 120\r\n"                       \
    "\r\n"                                          \
    "<HTML><HEAD>\n"                                \
    "<TITLE>413 Request Entity Too Large</TITLE>\n" \
    "</HEAD><BODY>\n"                               \
    "<H1>Request Entity Too Large</H1>\n"           \
    "</BODY></HTML>\n"
#define GET11 "GET /x HTTP/1.1\r\nHost: a\r\n\r\n"
#define GET10 "GET /x HTTP/1.0\r\n\r\n"

START_TEST(reply_11_default_headers)
{
    static const struct step steps[] = {SEND(GET11), RESP, END};
    struct run r;

    run_init(&r, steps, h_reply);
    run_script(&r);
    check_resp(&r, 0,
               "HTTP/1.1 200 OK\r\n"
               "Date: X\r\n"
               "Content-Length: 5\r\n"
               "Content-Type: text/html; charset=ISO-8859-1\r\n"
               "\r\n"
               "hello");
    ck_assert_str_eq(str_get(&r.log), "/x|");
    run_free(&r);
}
END_TEST

START_TEST(reply_10_echoes_version)
{
    static const struct step steps[] = {SEND(GET10), RESP, CLOSED, END};
    struct run r;

    run_init(&r, steps, h_reply);
    run_script(&r);
    check_resp(&r, 0,
               "HTTP/1.0 200 OK\r\n"
               "Content-Type: text/html; charset=ISO-8859-1\r\n"
               "\r\n"
               "hello");
    ck_assert_int_eq(r.eof, 1);
    run_free(&r);
}
END_TEST

START_TEST(reply_program_headers_kept)
{
    static const struct step steps[] = {SEND(GET11), RESP, END};
    static const char *const hdrs[] = {"X-First",
                                       "1",
                                       "Content-Type",
                                       "text/plain",
                                       "Content-Length",
                                       "5",
                                       "X-Last",
                                       "2",
                                       NULL};
    struct run r;

    run_init(&r, steps, h_reply);
    r.hdrs = hdrs;
    run_script(&r);
    check_resp(&r, 0,
               "HTTP/1.1 200 OK\r\n"
               "X-First: 1\r\n"
               "Content-Type: text/plain\r\n"
               "Content-Length: 5\r\n"
               "X-Last: 2\r\n"
               "Date: X\r\n"
               "\r\n"
               "hello");
    run_free(&r);
}
END_TEST

START_TEST(reply_program_date_kept)
{
    static const struct step steps[] = {SEND(GET11), RESP, END};
    static const char *const hdrs[] = {"Date", "Mon, 01 Jan 2001 00:00:00 GMT",
                                       NULL};
    struct run r;

    run_init(&r, steps, h_reply);
    r.hdrs = hdrs;
    run_script(&r);
    check_resp(&r, 0,
               "HTTP/1.1 200 OK\r\n"
               "Date: X\r\n"
               "Content-Length: 5\r\n"
               "Content-Type: text/html; charset=ISO-8859-1\r\n"
               "\r\n"
               "hello");
    ck_assert_str_eq(r.date, "Mon, 01 Jan 2001 00:00:00 GMT");
    run_free(&r);
}
END_TEST

START_TEST(reply_date_format)
{
    static const struct step steps[] = {SEND(GET11), RESP, END};
    struct run r;
    struct tm tm;
    const char *end;
    time_t t, now = time(NULL);

    run_init(&r, steps, h_reply);
    run_script(&r);
    /* RFC 9110's IMF-fixdate, within a few seconds of now. */
    memset(&tm, 0, sizeof(tm));
    ck_assert_uint_eq(strlen(r.date), 29);
    end = strptime(r.date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    ck_assert_ptr_nonnull(end);
    ck_assert_str_eq(end, "");
    t = timegm(&tm);
    ck_assert_int_le(labs((long)(t - now)), 5);
    run_free(&r);
}
END_TEST

START_TEST(reply_null_body)
{
    static const struct step steps[] = {SEND(GET11), RESP, SEND(GET11), RESP,
                                        END};
    struct run r;

    run_init(&r, steps, h_reply);
    r.body = NULL;
    run_script(&r);
    check_resp(&r, 0,
               "HTTP/1.1 200 OK\r\n"
               "Date: X\r\n"
               "Content-Length: 0\r\n"
               "Content-Type: text/html; charset=ISO-8859-1\r\n"
               "\r\n");
    check_resp(&r, 1, str_get(&r.resp[0]));
    run_free(&r);
}
END_TEST

START_TEST(reply_empty_body)
{
    static const struct step steps[] = {SEND(GET11), RESP, END};
    struct run r;

    run_init(&r, steps, h_reply);
    r.body = "";
    run_script(&r);
    check_resp(&r, 0,
               "HTTP/1.1 200 OK\r\n"
               "Date: X\r\n"
               "Content-Length: 0\r\n"
               "Content-Type: text/html; charset=ISO-8859-1\r\n"
               "\r\n");
    run_free(&r);
}
END_TEST

START_TEST(reply_null_reason)
{
    static const struct step steps[] = {SEND(GET11), RESP, END};
    struct run r;

    run_init(&r, steps, h_reply);
    r.code = 404;
    r.reason = NULL;
    run_script(&r);
    check_resp(&r, 0,
               "HTTP/1.1 404 Not Found\r\n"
               "Date: X\r\n"
               "Content-Length: 5\r\n"
               "Content-Type: text/html; charset=ISO-8859-1\r\n"
               "\r\n"
               "hello");
    run_free(&r);
}
END_TEST

START_TEST(reply_custom_reason)
{
    static const struct step steps[] = {SEND(GET11), RESP, END};
    struct run r;

    run_init(&r, steps, h_reply);
    r.code = 201;
    r.reason = "Made It";
    run_script(&r);
    check_resp(&r, 0,
               "HTTP/1.1 201 Made It\r\n"
               "Date: X\r\n"
               "Content-Length: 5\r\n"
               "Content-Type: text/html; charset=ISO-8859-1\r\n"
               "\r\n"
               "hello");
    run_free(&r);
}
END_TEST

START_TEST(reply_unusual_codes)
{
    static const struct step steps[] = {SEND(GET11), RESP, END};
    static const int codes[] = {299, 599, 999};
    char want[256];

    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        struct run r;

        run_init(&r, steps, h_reply);
        r.code = codes[i];
        r.reason = "Odd";
        run_script(&r);
        snprintf(want, sizeof(want),
                 "HTTP/1.1 %d Odd\r\n"
                 "Date: X\r\n"
                 "Content-Length: 5\r\n"
                 "Content-Type: text/html; charset=ISO-8859-1\r\n"
                 "\r\n"
                 "hello",
                 codes[i]);
        check_resp(&r, 0, want);
        run_free(&r);
    }
}
END_TEST

START_TEST(reply_204_has_no_body)
{
    /* The body the program passed must not reach the wire: the second
     * response would start with it. */
    static const struct step steps[] = {SEND(GET11), RESP, SEND(GET11), RESP,
                                        END};
    struct run r;
    const char *second;

    run_init(&r, steps, h_reply);
    r.code = 204;
    r.reason = "No Content";
    run_script(&r);
    check_resp(&r, 0,
               "HTTP/1.1 204 No Content\r\n"
               "Date: X\r\n"
               "\r\n");
    second = str_get(&r.resp[1]);
#ifdef VIGIL_ORACLE
    /* Difference: libevent 2.1.12 sends the program's body after the
     * head (a framing error); Vigil drops it. */
    if (strncmp(second, "hello", 5) == 0)
        second += 5;
#endif
    check_str(second, str_get(&r.resp[0]));
    run_free(&r);
}
END_TEST

START_TEST(reply_304_has_no_body)
{
    static const struct step steps[] = {SEND(GET11), RESP, SEND(GET11), RESP,
                                        END};
    struct run r;
    const char *second;

    run_init(&r, steps, h_reply);
    r.code = 304;
    r.reason = "Not Modified";
    run_script(&r);
    check_resp(&r, 0,
               "HTTP/1.1 304 Not Modified\r\n"
               "Date: X\r\n"
               "\r\n");
    second = str_get(&r.resp[1]);
#ifdef VIGIL_ORACLE
    /* Difference: libevent 2.1.12 sends the program's body after the
     * head (a framing error); Vigil drops it. */
    if (strncmp(second, "hello", 5) == 0)
        second += 5;
#endif
    check_str(second, str_get(&r.resp[0]));
    run_free(&r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* evhttp_send_error                                                   */
/* ------------------------------------------------------------------ */

START_TEST(error_with_reason)
{
    static const struct step steps[] = {SEND(GET11), RESP, CLOSED, END};
    struct run r;

    run_init(&r, steps, h_error);
    r.code = 404;
    r.reason = "Gone Fishing";
    run_script(&r);
    check_resp(&r, 0,
               "HTTP/1.1 404 Gone Fishing\r\n"
               "Content-Type: text/html\r\n"
               "Connection: close\r\n"
               "Date: X\r\n"
               "Content-Length: 96\r\n"
               "\r\n"
               "<HTML><HEAD>\n"
               "<TITLE>404 Gone Fishing</TITLE>\n"
               "</HEAD><BODY>\n"
               "<H1>Gone Fishing</H1>\n"
               "</BODY></HTML>\n");
    ck_assert_int_eq(r.eof, 1);
    run_free(&r);
}
END_TEST

START_TEST(error_null_reason)
{
    static const struct step steps[] = {SEND(GET11), RESP, CLOSED, END};
    struct run r;

    run_init(&r, steps, h_error);
    r.code = 404;
    r.reason = NULL;
    run_script(&r);
    check_resp(&r, 0,
               "HTTP/1.1 404 Not Found\r\n"
               "Content-Type: text/html\r\n"
               "Connection: close\r\n"
               "Date: X\r\n"
               "Content-Length: 90\r\n"
               "\r\n"
               "<HTML><HEAD>\n"
               "<TITLE>404 Not Found</TITLE>\n"
               "</HEAD><BODY>\n"
               "<H1>Not Found</H1>\n"
               "</BODY></HTML>\n");
    run_free(&r);
}
END_TEST

START_TEST(error_phrases)
{
    static const struct step steps[] = {SEND(GET11), RESP, CLOSED, END};
    static const struct {
        int code;
        const char *line;
    } cases[] = {
        {400, "HTTP/1.1 400 Bad Request\r\n"},
        {500, "HTTP/1.1 500 Internal Server Error\r\n"},
        {503, "HTTP/1.1 503 Service Unavailable\r\n"},
        {418, "HTTP/1.1 418 Client Error\r\n"},
        {599, "HTTP/1.1 599 Server Error\r\n"},
        {299, "HTTP/1.1 299 Success\r\n"},
        {399, "HTTP/1.1 399 Redirection\r\n"},
        {199, "HTTP/1.1 199 Informational\r\n"},
        {999, "HTTP/1.1 999 Unknown Status Class\r\n"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct run r;
        size_t n = strlen(cases[i].line);

        run_init(&r, steps, h_error);
        r.code = cases[i].code;
        r.reason = NULL;
        run_script(&r);
        ck_assert_uint_ge(r.resp[0].n, n);
        ck_assert_int_eq(memcmp(str_get(&r.resp[0]), cases[i].line, n), 0);
        run_free(&r);
    }
}
END_TEST

START_TEST(error_on_http10)
{
    static const struct step steps[] = {SEND(GET10), RESP, CLOSED, END};
    struct run r;

    run_init(&r, steps, h_error);
    r.code = 500;
    r.reason = "Oops";
    run_script(&r);
    check_resp(&r, 0,
               "HTTP/1.1 500 Oops\r\n"
               "Content-Type: text/html\r\n"
               "Connection: close\r\n"
               "Date: X\r\n"
               "Content-Length: 80\r\n"
               "\r\n"
               "<HTML><HEAD>\n"
               "<TITLE>500 Oops</TITLE>\n"
               "</HEAD><BODY>\n"
               "<H1>Oops</H1>\n"
               "</BODY></HTML>\n");
    ck_assert_int_eq(r.eof, 1);
    run_free(&r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Keep-alive and Connection                                           */
/* ------------------------------------------------------------------ */

START_TEST(keepalive_11_default)
{
    static const struct step steps[] = {SEND(GET11), RESP,       SEND(GET11),
                                        RESP,        QUIET(100), END};
    struct run r;

    run_init(&r, steps, h_reply);
    run_script(&r);
    ck_assert_int_eq(r.nreq, 2);
    check_resp(&r, 0,
               "HTTP/1.1 200 OK\r\n"
               "Date: X\r\n"
               "Content-Length: 5\r\n"
               "Content-Type: text/html; charset=ISO-8859-1\r\n"
               "\r\n"
               "hello");
    check_resp(&r, 1, str_get(&r.resp[0]));
    ck_assert_int_eq(r.noisy, 0);
    run_free(&r);
}
END_TEST

START_TEST(keepalive_11_client_close)
{
    static const struct step steps[] = {
        SEND("GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"), RESP,
        CLOSED, END};
    struct run r;

    run_init(&r, steps, h_reply);
    run_script(&r);
    check_resp(&r, 0,
               "HTTP/1.1 200 OK\r\n"
               "Date: X\r\n"
               "Content-Length: 5\r\n"
               "Content-Type: text/html; charset=ISO-8859-1\r\n"
               "Connection: close\r\n"
               "\r\n"
               "hello");
    ck_assert_int_eq(r.eof, 1);
    ck_assert_str_eq(str_get(&r.extra), "");
    run_free(&r);
}
END_TEST

START_TEST(keepalive_close_any_case)
{
    static const struct step steps[] = {
        SEND("GET /x HTTP/1.1\r\nHost: a\r\nconnection: CLOSE\r\n\r\n"), RESP,
        CLOSED, END};
    struct run r;

    run_init(&r, steps, h_reply);
    run_script(&r);
    check_resp(&r, 0,
               "HTTP/1.1 200 OK\r\n"
               "Date: X\r\n"
               "Content-Length: 5\r\n"
               "Content-Type: text/html; charset=ISO-8859-1\r\n"
               "Connection: close\r\n"
               "\r\n"
               "hello");
    ck_assert_int_eq(r.eof, 1);
    run_free(&r);
}
END_TEST

START_TEST(keepalive_10_closes)
{
    /* The second request is never answered. */
    static const struct step steps[] = {SEND(GET10), RESP, CLOSED, END};
    struct run r;

    run_init(&r, steps, h_reply);
    run_script(&r);
    ck_assert_int_eq(r.eof, 1);
    ck_assert_int_lt(r.eof_ms, 1000);
    ck_assert_int_eq(r.nreq, 1);
    run_free(&r);
}
END_TEST

START_TEST(keepalive_10_asked)
{
    static const struct step steps[] = {
        SEND("GET /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"),
        RESP,
        SEND("GET /y HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"),
        RESP,
        SEND(GET10),
        RESP,
        CLOSED,
        END};
    struct run r;

    run_init(&r, steps, h_reply);
    run_script(&r);
    check_resp(&r, 0,
               "HTTP/1.0 200 OK\r\n"
               "Connection: keep-alive\r\n"
               "Content-Length: 5\r\n"
               "Content-Type: text/html; charset=ISO-8859-1\r\n"
               "\r\n"
               "hello");
    check_resp(&r, 1, str_get(&r.resp[0]));
    ck_assert_str_eq(str_get(&r.log), "/x|/y|/x|");
    ck_assert_int_eq(r.eof, 1);
    run_free(&r);
}
END_TEST

START_TEST(keepalive_program_close)
{
    static const struct step steps[] = {SEND(GET11), RESP, CLOSED, END};
    static const char *const hdrs[] = {"Connection", "close", NULL};
    struct run r;

    run_init(&r, steps, h_reply);
    r.hdrs = hdrs;
    run_script(&r);
    check_resp(&r, 0,
               "HTTP/1.1 200 OK\r\n"
               "Connection: close\r\n"
               "Date: X\r\n"
               "Content-Length: 5\r\n"
               "Content-Type: text/html; charset=ISO-8859-1\r\n"
               "\r\n"
               "hello");
    ck_assert_int_eq(r.eof, 1);
    ck_assert_int_lt(r.eof_ms, 1000);
    run_free(&r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* HEAD                                                                */
/* ------------------------------------------------------------------ */

START_TEST(head_keeps_length_sends_no_body)
{
    static const struct step steps[] = {
        SEND("HEAD /x HTTP/1.1\r\nHost: a\r\n\r\n"), HEADRESP, SEND(GET11),
        RESP, END};
    struct run r;
    const char *second;

    run_init(&r, steps, h_reply);
    run_script(&r);
    /* No Content-Length and no Content-Type. */
    check_resp(&r, 0,
               "HTTP/1.1 200 OK\r\n"
               "Date: X\r\n"
               "\r\n");
    /* Kept alive, and no stray body before the next response. */
    second = str_get(&r.resp[1]);
#ifdef VIGIL_ORACLE
    /* Difference: libevent 2.1.12 sends the body after the head of a
     * HEAD response (a framing error); Vigil does not. */
    if (strncmp(second, "hello", 5) == 0)
        second += 5;
#endif
    check_str(second, "HTTP/1.1 200 OK\r\n"
                      "Date: X\r\n"
                      "Content-Length: 5\r\n"
                      "Content-Type: text/html; charset=ISO-8859-1\r\n"
                      "\r\n"
                      "hello");
    run_free(&r);
}
END_TEST

START_TEST(head_with_reply_start)
{
    static const struct step steps[] = {
        SEND("HEAD /x HTTP/1.1\r\nHost: a\r\n\r\n"), HEADRESP, SEND(GET11),
        RESP, END};
    static const char *const chunks[] = {"abc", "de", NULL};
    struct run r;

    run_init(&r, steps, h_stream);
    r.chunks = chunks;
    run_script(&r);
    check_resp(&r, 0,
               "HTTP/1.1 200 OK\r\n"
               "Date: X\r\n"
               "\r\n");
    check_resp(&r, 1,
               "HTTP/1.1 200 OK\r\n"
               "Transfer-Encoding: chunked\r\n"
               "Date: X\r\n"
               "Content-Type: text/html; charset=ISO-8859-1\r\n"
               "\r\n"
               "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
    run_free(&r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Request bodies                                                      */
/* ------------------------------------------------------------------ */

START_TEST(body_content_length)
{
    static const struct step steps[] = {
        SEND("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n"
             "hello world"),
        RESP, END};
    struct run r;

    run_init(&r, steps, h_reply);
    run_script(&r);
    ck_assert_str_eq(str_get(&r.in_body), "hello world|");
    ck_assert_str_eq(str_get(&r.log), "/x|");
    run_free(&r);
}
END_TEST

#define CHUNKED_POST \
    "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
#define CHUNKED_BODY  \
    "5\r\nhello\r\n"  \
    "6\r\n world\r\n" \
    "0\r\nX-Trailer: t\r\n\r\n"

START_TEST(body_chunked)
{
    static const struct step steps[] = {SEND(CHUNKED_POST CHUNKED_BODY), RESP,
                                        SEND(GET11), RESP, END};
    struct run r;

    run_init(&r, steps, h_reply);
    r.look = "X-Trailer";
    run_script(&r);
    ck_assert_str_eq(str_get(&r.in_body), "hello world||");
    /* Trailers are read and dropped: not added to the input headers. */
    ck_assert_str_eq(str_get(&r.seen), "-|-|");
    ck_assert_int_eq(r.nreq, 2);
    run_free(&r);
}
END_TEST

START_TEST(body_chunked_in_pieces)
{
    static const struct step steps[] = {SEND(CHUNKED_POST "5"),
                                        PAUSE(20),
                                        SEND("\r\nhel"),
                                        PAUSE(20),
                                        SEND("lo\r\n6\r"),
                                        PAUSE(20),
                                        SEND("\n world\r\n0\r\nX-Tra"),
                                        PAUSE(20),
                                        SEND("iler: t\r\n\r"),
                                        PAUSE(20),
                                        SEND("\n"),
                                        RESP,
                                        END};
    struct run r;

    run_init(&r, steps, h_reply);
    r.look = "X-Trailer";
    run_script(&r);
    ck_assert_str_eq(str_get(&r.in_body), "hello world|");
    ck_assert_str_eq(str_get(&r.seen), "-|");
    run_free(&r);
}
END_TEST

START_TEST(body_chunk_extension)
{
    static const struct step steps[] = {
        SEND(CHUNKED_POST "5;name=value\r\nhello\r\n0;x\r\n\r\n"), RESP, END};
    struct run r;

    run_init(&r, steps, h_reply);
    run_script(&r);
#ifdef VIGIL_ORACLE
    /* Difference: libevent 2.1.12 cannot parse a chunk size followed by
     * an extension and answers 413; RFC 9112 (7.1.1) says to ignore
     * extensions, as Vigil does. */
    if (r.nreq == 0) {
        check_resp(&r, 0, ERROR_413);
        run_free(&r);
        return;
    }
#endif
    ck_assert_str_eq(str_get(&r.in_body), "hello|");
    check_resp(&r, 0,
               "HTTP/1.1 200 OK\r\n"
               "Date: X\r\n"
               "Content-Length: 5\r\n"
               "Content-Type: text/html; charset=ISO-8859-1\r\n"
               "\r\n"
               "hello");
    run_free(&r);
}
END_TEST

START_TEST(body_content_length_zero)
{
    static const struct step steps[] = {
        SEND("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"), RESP,
        END};
    struct run r;

    run_init(&r, steps, h_reply);
    run_script(&r);
    ck_assert_str_eq(str_get(&r.in_body), "|");
    ck_assert_int_eq(r.nreq, 1);
    run_free(&r);
}
END_TEST

#define EXPECT_HEAD                                        \
    "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n" \
    "Expect: 100-continue\r\n\r\n"

START_TEST(expect_continue_before_body)
{
    /* The 100 arrives while the body has not been sent. */
    static const struct step steps[] = {SEND(EXPECT_HEAD), RESP, SEND("hello"),
                                        RESP, END};
    struct run r;

    run_init(&r, steps, h_reply);
    run_script(&r);
    check_resp(&r, 0, "HTTP/1.1 100 Continue\r\n\r\n");
    check_resp(&r, 1,
               "HTTP/1.1 200 OK\r\n"
               "Date: X\r\n"
               "Content-Length: 5\r\n"
               "Content-Type: text/html; charset=ISO-8859-1\r\n"
               "\r\n"
               "hello");
    ck_assert_str_eq(str_get(&r.in_body), "hello|");
    run_free(&r);
}
END_TEST

START_TEST(expect_continue_body_sent_along)
{
    /* No 100 when the body came with the head: the final response
     * only. */
    static const struct step steps[] = {SEND(EXPECT_HEAD "hello"), RESP,
                                        QUIET(100), END};
    struct run r;

    run_init(&r, steps, h_reply);
    run_script(&r);
    check_resp(&r, 0,
               "HTTP/1.1 200 OK\r\n"
               "Date: X\r\n"
               "Content-Length: 5\r\n"
               "Content-Type: text/html; charset=ISO-8859-1\r\n"
               "\r\n"
               "hello");
    ck_assert_int_eq(r.noisy, 0);
    ck_assert_str_eq(str_get(&r.in_body), "hello|");
    run_free(&r);
}
END_TEST

START_TEST(expect_other_value)
{
    static const struct step steps[] = {
        SEND("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
             "Expect: something-else\r\n\r\n"),
        RESP, CLOSED, END};
    struct run r;

    run_init(&r, steps, h_reply);
    run_script(&r);
    check_resp(&r, 0,
               "HTTP/1.1 417 Expectation Failed\r\n"
               "Content-Type: text/html\r\n"
               "Connection: close\r\n"
               "Date: X\r\n"
               "Content-Length: 108\r\n"
               "\r\n"
               "<HTML><HEAD>\n"
               "<TITLE>417 Expectation Failed</TITLE>\n"
               "</HEAD><BODY>\n"
               "<H1>Expectation Failed</H1>\n"
               "</BODY></HTML>\n");
    ck_assert_int_eq(r.nreq, 0);
    run_free(&r);
}
END_TEST

START_TEST(expect_on_http10)
{
    static const struct step steps[] = {
        SEND("POST /x HTTP/1.0\r\nContent-Length: 5\r\n"
             "Expect: 100-continue\r\n\r\n"),
        QUIET(200), SEND("hello"), RESP, END};
    struct run r;

    run_init(&r, steps, h_reply);
    run_script(&r);
    ck_assert_int_eq(r.noisy, 0);
    ck_assert_uint_ge(r.resp[0].n, 15);
    ck_assert_int_eq(memcmp(str_get(&r.resp[0]), "HTTP/1.0 200 OK\r\n", 15), 0);
    ck_assert_str_eq(str_get(&r.in_body), "hello|");
    run_free(&r);
}
END_TEST

START_TEST(expect_over_limit)
{
    static const struct step steps[] = {
        SEND("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 50\r\n"
             "Expect: 100-continue\r\n\r\n"),
        RESP, CLOSED, END};
    struct run r;

    run_init(&r, steps, h_reply);
    r.max_body = 10;
    run_script(&r);
    check_resp(&r, 0, ERROR_413);
    ck_assert_int_eq(r.nreq, 0);
    ck_assert_int_eq(r.eof, 1);
    run_free(&r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Streaming replies                                                   */
/* ------------------------------------------------------------------ */

START_TEST(stream_11_chunked)
{
    static const struct step steps[] = {SEND(GET11), RESP, SEND(GET11), RESP,
                                        END};
    static const char *const chunks[] = {"abc", "defgh", NULL};
    struct run r;

    run_init(&r, steps, h_stream);
    r.chunks = chunks;
    run_script(&r);
    check_resp(&r, 0,
               "HTTP/1.1 200 OK\r\n"
               "Transfer-Encoding: chunked\r\n"
               "Date: X\r\n"
               "Content-Type: text/html; charset=ISO-8859-1\r\n"
               "\r\n"
               "3\r\nabc\r\n5\r\ndefgh\r\n0\r\n\r\n");
    check_resp(&r, 1, str_get(&r.resp[0]));
    run_free(&r);
}
END_TEST

START_TEST(stream_10_not_chunked)
{
    static const struct step steps[] = {SEND(GET10), RESP, END};
    static const char *const chunks[] = {"abc", "defgh", NULL};
    struct run r;

    run_init(&r, steps, h_stream);
    r.chunks = chunks;
    run_script(&r);
    /* The body runs to the end of the stream. */
    check_resp(&r, 0,
               "HTTP/1.0 200 OK\r\n"
               "Content-Type: text/html; charset=ISO-8859-1\r\n"
               "\r\n"
               "abcdefgh");
    ck_assert_int_eq(r.eof, 1);
    run_free(&r);
}
END_TEST

START_TEST(stream_program_length)
{
    static const struct step steps[] = {SEND(GET11), RESP, SEND(GET11), RESP,
                                        END};
    static const char *const chunks[] = {"abc", "defgh", NULL};
    static const char *const hdrs[] = {"Content-Length", "8", NULL};
    struct run r;

    run_init(&r, steps, h_stream);
    r.chunks = chunks;
    r.hdrs = hdrs;
    run_script(&r);
    check_resp(&r, 0,
               "HTTP/1.1 200 OK\r\n"
               "Content-Length: 8\r\n"
               "Date: X\r\n"
               "Content-Type: text/html; charset=ISO-8859-1\r\n"
               "\r\n"
               "abcdefgh");
    check_resp(&r, 1, str_get(&r.resp[0]));
    run_free(&r);
}
END_TEST

START_TEST(stream_empty_chunk_skipped)
{
    /* An empty chunk must not end the body early. */
    static const struct step steps[] = {SEND(GET11), RESP, SEND(GET11), RESP,
                                        END};
    static const char *const chunks[] = {"", "abc", "", "de", "", NULL};
    struct run r;

    run_init(&r, steps, h_stream);
    r.chunks = chunks;
    run_script(&r);
    check_resp(&r, 0,
               "HTTP/1.1 200 OK\r\n"
               "Transfer-Encoding: chunked\r\n"
               "Date: X\r\n"
               "Content-Type: text/html; charset=ISO-8859-1\r\n"
               "\r\n"
               "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
    check_resp(&r, 1, str_get(&r.resp[0]));
    run_free(&r);
}
END_TEST

START_TEST(stream_no_chunks)
{
    static const struct step steps[] = {SEND(GET11), RESP, END};
    struct run r;

    run_init(&r, steps, h_stream);
    run_script(&r);
    check_resp(&r, 0,
               "HTTP/1.1 200 OK\r\n"
               "Transfer-Encoding: chunked\r\n"
               "Date: X\r\n"
               "Content-Type: text/html; charset=ISO-8859-1\r\n"
               "\r\n"
               "0\r\n\r\n");
    run_free(&r);
}
END_TEST

START_TEST(stream_hex_sizes)
{
    static const struct step steps[] = {SEND(GET11), RESP, END};
    static char big[4097], mid[301];
    const char *chunks[] = {mid, big, NULL};
    struct run r;
    const char *got;

    memset(big, 'b', sizeof(big) - 1);
    memset(mid, 'm', sizeof(mid) - 1);
    run_init(&r, steps, h_stream);
    r.chunks = chunks;
    run_script(&r);
    got = strstr(str_get(&r.resp[0]), "\r\n\r\n");
    ck_assert_ptr_nonnull(got);
    got += 4;
    ck_assert_uint_eq(strlen(got), 5 + 300 + 2 + 6 + 4096 + 2 + 5);
    ck_assert_int_eq(strncmp(got, "12c\r\nmmm", 8), 0);
    ck_assert_int_eq(strncmp(got + 5 + 300, "\r\n1000\r\nbbb", 11), 0);
    ck_assert_str_eq(got + 5 + 300 + 2 + 6 + 4096, "\r\n0\r\n\r\n");
    run_free(&r);
}
END_TEST

START_TEST(chunk_cb_runs_after_write)
{
    static const struct step steps[] = {SEND(GET11), RESP, END};
    struct run r;

    run_init(&r, steps, h_chunk_cb);
    run_script(&r);
    check_resp(&r, 0,
               "HTTP/1.1 200 OK\r\n"
               "Transfer-Encoding: chunked\r\n"
               "Date: X\r\n"
               "Content-Type: text/html; charset=ISO-8859-1\r\n"
               "\r\n"
               "3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n");
    /* Never from inside the call, and only once the output is empty. */
    ck_assert_str_eq(str_get(&r.log), "/x|returned|cb out=0|cb out=0|");
    run_free(&r);
}
END_TEST

START_TEST(chunk_cb_flow_control)
{
    static const struct step steps[] = {SEND(GET11), RESP, END};
    const size_t chunks = 128;
    struct run r;
    const char *body;
    size_t head;

    run_init(&r, steps, h_flow);
    r.stream_total = chunks * FLOW_CHUNK;
    run_script(&r);
    body = strstr(str_get(&r.resp[0]), "\r\n\r\n");
    ck_assert_ptr_nonnull(body);
    head = (size_t)(body - r.resp[0].p) + 4;
    ck_assert_uint_eq(r.resp[0].n - head, chunks * (7 + FLOW_CHUNK + 2) + 5);
    ck_assert_int_eq(strncmp(r.resp[0].p + head, "10000\r\naaaa", 11), 0);
    ck_assert_str_eq(r.resp[0].p + r.resp[0].n - 7, "\r\n0\r\n\r\n");
    ck_assert_uint_eq(r.sent, chunks * FLOW_CHUNK);
    /* At most one chunk (the first with the head) was ever queued. */
    ck_assert_uint_le(r.max_out, FLOW_CHUNK + 256);
    run_free(&r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Pipelining                                                          */
/* ------------------------------------------------------------------ */

#define ECHO(uri)                                     \
    "HTTP/1.1 200 OK\r\n"                             \
    "Date: X\r\n"                                     \
    "Content-Length: 2\r\n"                           \
    "Content-Type: text/html; charset=ISO-8859-1\r\n" \
    "\r\n" uri

START_TEST(pipeline_one_send)
{
    static const struct step steps[] = {
        SEND("GET /a HTTP/1.1\r\nHost: a\r\n\r\n"
             "GET /b HTTP/1.1\r\nHost: a\r\n\r\n"
             "GET /c HTTP/1.1\r\nHost: a\r\n\r\n"),
        RESP,
        RESP,
        RESP,
        QUIET(100),
        END};
    struct run r;

    run_init(&r, steps, h_echo);
    run_script(&r);
    check_resp(&r, 0, ECHO("/a"));
    check_resp(&r, 1, ECHO("/b"));
    check_resp(&r, 2, ECHO("/c"));
    ck_assert_str_eq(str_get(&r.log), "/a|/b|/c|");
    ck_assert_int_eq(r.noisy, 0);
    run_free(&r);
}
END_TEST

START_TEST(pipeline_with_bodies)
{
    static const struct step steps[] = {
        SEND("POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nxyz"
             "POST /b HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
             "2\r\npq\r\n0\r\n\r\n"
             "GET /c HTTP/1.1\r\nHost: a\r\n\r\n"),
        RESP, RESP, RESP, END};
    struct run r;

    run_init(&r, steps, h_echo);
    run_script(&r);
    check_resp(&r, 0, ECHO("/a"));
    check_resp(&r, 1, ECHO("/b"));
    check_resp(&r, 2, ECHO("/c"));
    ck_assert_str_eq(str_get(&r.in_body), "xyz|pq||");
    run_free(&r);
}
END_TEST

START_TEST(pipeline_close_in_the_middle)
{
    static const struct step steps[] = {
        SEND("GET /a HTTP/1.1\r\nHost: a\r\n\r\n"
             "GET /b HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
             "GET /c HTTP/1.1\r\nHost: a\r\n\r\n"),
        RESP, RESP, CLOSED, END};
    struct run r;

    run_init(&r, steps, h_echo);
    run_script(&r);
    check_resp(&r, 0, ECHO("/a"));
    check_resp(&r, 1,
               "HTTP/1.1 200 OK\r\n"
               "Date: X\r\n"
               "Content-Length: 2\r\n"
               "Content-Type: text/html; charset=ISO-8859-1\r\n"
               "Connection: close\r\n"
               "\r\n"
               "/b");
    ck_assert_int_eq(r.eof, 1);
    ck_assert_str_eq(str_get(&r.extra), "");
    ck_assert_str_eq(str_get(&r.log), "/a|/b|");
    run_free(&r);
}
END_TEST

START_TEST(pipeline_owned_first_answered_late)
{
    static const struct step steps[] = {
        SEND("GET /a HTTP/1.1\r\nHost: a\r\n\r\n"
             "GET /b HTTP/1.1\r\nHost: a\r\n\r\n"),
        RESP, RESP, END};
    struct run r;

    run_init(&r, steps, h_own);
    run_script(&r);
    check_resp(&r, 0,
               "HTTP/1.1 200 OK\r\n"
               "Date: X\r\n"
               "Content-Length: 5\r\n"
               "Content-Type: text/html; charset=ISO-8859-1\r\n"
               "\r\n"
               "first");
    check_resp(&r, 1, ECHO("/b"));
    /* The second request is read only once the first is answered. */
    ck_assert_str_eq(str_get(&r.log), "/a|own|late|/b|");
    run_free(&r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Timeouts and limits                                                 */
/* ------------------------------------------------------------------ */

START_TEST(timeout_idle_keepalive)
{
    static const struct step steps[] = {SEND(GET11), RESP, CLOSED, END};
    struct run r;

    run_init(&r, steps, h_reply);
    r.timeout = 1;
    run_script(&r);
    ck_assert_int_eq(r.eof, 1);
    ck_assert_int_ge(r.eof_ms, 700);
    ck_assert_int_le(r.eof_ms, 3000);
    ck_assert_str_eq(str_get(&r.extra), "");
    run_free(&r);
}
END_TEST

START_TEST(timeout_half_head)
{
    static const struct step steps[] = {SEND("GET /x HTTP/1.1\r\nHo"), CLOSED,
                                        END};
    struct run r;

    run_init(&r, steps, h_reply);
    r.timeout = 1;
    run_script(&r);
    ck_assert_int_eq(r.eof, 1);
    ck_assert_int_ge(r.eof_ms, 700);
    ck_assert_int_le(r.eof_ms, 3000);
    ck_assert_str_eq(str_get(&r.extra), "");
    ck_assert_int_eq(r.nreq, 0);
    run_free(&r);
}
END_TEST

START_TEST(timeout_half_body)
{
    static const struct step steps[] = {
        SEND("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc"),
        CLOSED, END};
    struct run r;

    run_init(&r, steps, h_reply);
    r.timeout = 1;
    run_script(&r);
    ck_assert_int_eq(r.eof, 1);
    ck_assert_int_ge(r.eof_ms, 700);
    ck_assert_int_le(r.eof_ms, 3000);
    ck_assert_str_eq(str_get(&r.extra), "");
    ck_assert_int_eq(r.nreq, 0);
    run_free(&r);
}
END_TEST

START_TEST(max_body_content_length)
{
    /* Refused from the head alone: the body is never sent. */
    static const struct step steps[] = {
        SEND("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n"), RESP,
        CLOSED, END};
    struct run r;

    run_init(&r, steps, h_reply);
    r.max_body = 10;
    run_script(&r);
    check_resp(&r, 0, ERROR_413);
    ck_assert_int_eq(r.eof, 1);
    ck_assert_int_eq(r.nreq, 0);
    run_free(&r);
}
END_TEST

START_TEST(max_body_at_the_limit)
{
    static const struct step steps[] = {
        SEND("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n"
             "0123456789"),
        RESP, END};
    struct run r;

    run_init(&r, steps, h_reply);
    r.max_body = 10;
    run_script(&r);
    ck_assert_str_eq(str_get(&r.in_body), "0123456789|");
    run_free(&r);
}
END_TEST

START_TEST(max_body_chunked)
{
    static const struct step steps[] = {SEND(CHUNKED_POST "6\r\nabcdef\r\n"),
                                        PAUSE(20),
                                        SEND("6\r\nghijkl\r\n"),
                                        RESP,
                                        CLOSED,
                                        END};
    struct run r;

    run_init(&r, steps, h_reply);
    r.max_body = 10;
    run_script(&r);
    check_resp(&r, 0, ERROR_413);
    ck_assert_int_eq(r.eof, 1);
    ck_assert_int_eq(r.nreq, 0);
    run_free(&r);
}
END_TEST

#define ERROR_400                      \
    "HTTP/1.1 400 Bad Request\r\n"     \
    "Content-Type: text/html\r\n"      \
    "Connection: close\r\n"            \
    "Date: X\r\n"                      \
    "Content-Length: 94\r\n"           \
    "\r\n"                             \
    "<HTML><HEAD>\n"                   \
    "<TITLE>400 Bad Request</TITLE>\n" \
    "</HEAD><BODY>\n"                  \
    "<H1>Bad Request</H1>\n"           \
    "</BODY></HTML>\n"

#define ERROR_431                                          \
    "HTTP/1.1 431 Request Header Fields Too Large\r\n"     \
    "Content-Type: text/html\r\n"                          \
    "Connection: close\r\n"                                \
    "Date: X\r\n"                                          \
    "Content-Length: 134\r\n"                              \
    "\r\n"                                                 \
    "<HTML><HEAD>\n"                                       \
    "<TITLE>431 Request Header Fields Too Large</TITLE>\n" \
    "</HEAD><BODY>\n"                                      \
    "<H1>Request Header Fields Too Large</H1>\n"           \
    "</BODY></HTML>\n"

START_TEST(max_headers)
{
    static char req[1024];
    struct step steps[] = {{OP_SEND, req, 0}, RESP, CLOSED, END};
    struct run r;

    memset(req, 0, sizeof(req));
    strcpy(req, "GET /x HTTP/1.1\r\nHost: a\r\nX-Big: ");
    memset(req + strlen(req), 'v', 500);
    strcat(req, "\r\n\r\n");
    steps[0].n = strlen(req);
    run_init(&r, steps, h_reply);
    r.max_headers = 256;
    run_script(&r);
    /* libevent 2.1.12 answers 400; Vigil answers 431 Request Header
     * Fields Too Large (RFC 6585 section 5), a deliberate difference.  The
     * oracle build, which also runs on Vigil (swap.*), accepts either. */
#ifdef VIGIL_ORACLE
    if (strncmp(str_get(&r.resp[0]), "HTTP/1.1 431 ", 13) != 0)
        check_resp(&r, 0, ERROR_400);
    else
        check_resp(&r, 0, ERROR_431);
#else
    check_resp(&r, 0, ERROR_431);
#endif
    ck_assert_int_eq(r.eof, 1);
    ck_assert_int_eq(r.nreq, 0);
    run_free(&r);
}
END_TEST

START_TEST(lingering_close_delivers_413)
{
    static const struct step steps[] = {
        SEND("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 4000000\r\n\r\n"),
        FILL(4000000), RESP, CLOSED, END};
    struct run r;

    run_init(&r, steps, h_reply);
    r.max_body = 100;
    r.flags = EVHTTP_SERVER_LINGERING_CLOSE;
    run_script(&r);
    /* The server read and dropped the whole declared body (without the
     * flag, the client's sends fail part way). */
    ck_assert_uint_eq(r.filled, 4000000);
    check_resp(&r, 0, ERROR_413);
    ck_assert_int_eq(r.eof, 1);
    ck_assert_int_eq(r.nreq, 0);
    run_free(&r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* on_complete                                                         */
/* ------------------------------------------------------------------ */

START_TEST(on_complete_after_write)
{
    static const struct step steps[] = {SEND(GET11), RESP, SEND(GET11), RESP,
                                        END};
    struct run r;

    run_init(&r, steps, h_complete);
    run_script(&r);
    ck_assert_int_eq(r.ncomplete, 2);
    ck_assert_str_eq(str_get(&r.log),
                     "/x|replied|done out=0|/x|replied|done out=0|");
    run_free(&r);
}
END_TEST

START_TEST(on_complete_after_stream)
{
    static const struct step steps[] = {SEND(GET11), RESP, END};
    static const char *const chunks[] = {"abc", NULL};
    struct run r;

    run_init(&r, steps, h_complete);
    r.chunks = chunks;
    run_script(&r);
    ck_assert_int_eq(r.ncomplete, 1);
    ck_assert_str_eq(str_get(&r.log), "/x|replied|done out=0|");
    run_free(&r);
}
END_TEST

START_TEST(on_complete_with_close)
{
    static const struct step steps[] = {SEND(GET10), RESP, CLOSED, END};
    struct run r;

    run_init(&r, steps, h_complete);
    run_script(&r);
    ck_assert_int_eq(r.ncomplete, 1);
    ck_assert_str_eq(str_get(&r.log), "/x|replied|done out=0|");
    run_free(&r);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("http_reply");
    TCase *tc;

    tc = vt_tcase("reply", 30);
    tcase_add_test(tc, reply_11_default_headers);
    tcase_add_test(tc, reply_10_echoes_version);
    tcase_add_test(tc, reply_program_headers_kept);
    tcase_add_test(tc, reply_program_date_kept);
    tcase_add_test(tc, reply_date_format);
    tcase_add_test(tc, reply_null_body);
    tcase_add_test(tc, reply_empty_body);
    tcase_add_test(tc, reply_null_reason);
    tcase_add_test(tc, reply_custom_reason);
    tcase_add_test(tc, reply_unusual_codes);
    tcase_add_test(tc, reply_204_has_no_body);
    tcase_add_test(tc, reply_304_has_no_body);
    suite_add_tcase(s, tc);

    tc = vt_tcase("keepalive", 30);
    tcase_add_test(tc, keepalive_11_default);
    tcase_add_test(tc, keepalive_11_client_close);
    tcase_add_test(tc, keepalive_close_any_case);
    tcase_add_test(tc, keepalive_10_closes);
    tcase_add_test(tc, keepalive_10_asked);
    tcase_add_test(tc, keepalive_program_close);
    tcase_add_test(tc, head_keeps_length_sends_no_body);
    tcase_add_test(tc, head_with_reply_start);
    suite_add_tcase(s, tc);

    tc = vt_tcase("body", 30);
    tcase_add_test(tc, body_content_length);
    tcase_add_test(tc, body_chunked);
    tcase_add_test(tc, body_chunked_in_pieces);
    tcase_add_test(tc, body_chunk_extension);
    tcase_add_test(tc, body_content_length_zero);
    tcase_add_test(tc, expect_continue_before_body);
    tcase_add_test(tc, expect_continue_body_sent_along);
    tcase_add_test(tc, expect_other_value);
    tcase_add_test(tc, expect_on_http10);
    tcase_add_test(tc, expect_over_limit);
    suite_add_tcase(s, tc);

    tc = vt_tcase("stream", 60);
    tcase_add_test(tc, stream_11_chunked);
    tcase_add_test(tc, stream_10_not_chunked);
    tcase_add_test(tc, stream_program_length);
    tcase_add_test(tc, stream_empty_chunk_skipped);
    tcase_add_test(tc, stream_no_chunks);
    tcase_add_test(tc, stream_hex_sizes);
    tcase_add_test(tc, chunk_cb_runs_after_write);
    tcase_add_test(tc, chunk_cb_flow_control);
    suite_add_tcase(s, tc);

    tc = vt_tcase("pipeline", 30);
    tcase_add_test(tc, pipeline_one_send);
    tcase_add_test(tc, pipeline_with_bodies);
    tcase_add_test(tc, pipeline_close_in_the_middle);
    tcase_add_test(tc, pipeline_owned_first_answered_late);
    suite_add_tcase(s, tc);

    tc = vt_tcase("limits", 30);
    tcase_add_test(tc, timeout_idle_keepalive);
    tcase_add_test(tc, timeout_half_head);
    tcase_add_test(tc, timeout_half_body);
    tcase_add_test(tc, max_body_content_length);
    tcase_add_test(tc, max_body_at_the_limit);
    tcase_add_test(tc, max_body_chunked);
    tcase_add_test(tc, max_headers);
    tcase_add_test(tc, lingering_close_delivers_413);
    suite_add_tcase(s, tc);

    tc = vt_tcase("complete", 30);
    tcase_add_test(tc, on_complete_after_write);
    tcase_add_test(tc, on_complete_after_stream);
    tcase_add_test(tc, on_complete_with_close);
    suite_add_tcase(s, tc);

    tc = vt_tcase("error", 30);
    tcase_add_test(tc, error_with_reason);
    tcase_add_test(tc, error_null_reason);
    tcase_add_test(tc, error_phrases);
    tcase_add_test(tc, error_on_http10);
    suite_add_tcase(s, tc);

    return vt_run(s);
}
