/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * http_client_strict.c: how the evhttp client copes with bad, hostile and
 * failing servers.  A scripted server (test/helpers/vt-http-server.h)
 * answers each request with bytes written by hand (cut short, reset or
 * never sent); for connection attempts a port that starts listening late
 * runs on the client's loop.  Each test checks which of the request's
 * callbacks ran and with what (the error callback's enum
 * evhttp_request_error, the completion callback's request or NULL, the
 * status and body), whether the connection serves a second request, how
 * many connections the client opened, and that no descriptor is left.
 * Covered: field lines with NUL, bare CR, obs-fold, space before the colon
 * or a bad name; Transfer-Encoding with Content-Length, differing or
 * malformed lengths, broken chunked framing; malformed status lines; the
 * limits on the head and the body; servers that close or reset at every
 * point of a response; refused connections with retries; timeouts with a
 * silent server; a response that arrives while the request is still being
 * sent; bytes after a complete response; interim 1xx responses; trailers.
 *
 * Vigil follows libevent 2.1.13 and RFC 9110/9112 where 2.1.12 is lax.
 * Where they differ, the Debian build (VIGIL_ORACLE, which also runs on
 * Vigil's libraries) accepts either outcome and the Vigil build accepts
 * only Vigil's; each such place names the difference.
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "vt-http-server.h"
#include "vtest.h"

#define NROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* How long a test waits for a request's last callback. */
#define PHASE_S 5.0

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
tracing(void)
{
    return getenv("VT_HTTP_TRACE") != NULL;
}

/* ------------------------------------------------------------------ */
/* The scripted server                                                 */
/* ------------------------------------------------------------------ */

/* What the server does once the first reply's bytes are out. */
enum then {
    THEN_KEEP = 0, /* serve the next request on the connection */
    THEN_CLOSE,    /* send FIN, read until the client closes */
    THEN_RESET,    /* close with SO_LINGER 0: the client sees a reset */
    THEN_SILENT    /* send nothing more; wait for the client to close */
};

#define OK_REPLY "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecond"

/* The scripts of a server whose first connection reads a request,
 * answers with data (none when NULL), then does what then says; a request
 * after that, on any connection, gets OK_REPLY. */
struct scripts {
    struct vt_hs_step first[8];
    struct vt_hs_step later[4];
    const struct vt_hs_step *list[2];
};

static struct vt_http_server *
start_server(struct scripts *sc, const char *data, size_t len, int then)
{
    static const struct vt_hs_step later[] = {VT_STEP_EXPECT,
                                              VT_STEP_SEND(OK_REPLY),
                                              VT_STEP_WAIT_CLOSE, VT_STEP_END};
    struct vt_hs_step *f = sc->first;
    struct vt_http_server *srv;
    int n = 0;

    memset(sc, 0, sizeof(*sc));
    f[n++].op = VT_HS_EXPECT;
    if (data != NULL) {
        f[n].op = VT_HS_SEND;
        f[n].data = data;
        f[n++].len = len;
    }
    switch (then) {
    case THEN_KEEP:
        f[n++] = later[0];
        f[n++] = later[1];
        f[n++] = later[2];
        break;
    case THEN_CLOSE:
        f[n++].op = VT_HS_SHUT_WR;
        f[n++].op = VT_HS_WAIT_CLOSE;
        break;
    case THEN_RESET:
        f[n++].op = VT_HS_RESET;
        break;
    default:
        f[n++].op = VT_HS_WAIT_CLOSE;
        break;
    }
    f[n].op = VT_HS_END;
    memcpy(sc->later, later, sizeof(later));
    sc->list[0] = sc->first;
    sc->list[1] = sc->later;
    srv = vt_http_server_start_scripts(sc->list, 2);
    ck_assert_ptr_nonnull(srv);
    return srv;
}

/* ------------------------------------------------------------------ */
/* The client                                                          */
/* ------------------------------------------------------------------ */

/* What one request's callbacks saw. */
struct seen {
    int errors;       /* error callback calls */
    int error;        /* the last enum evhttp_request_error, or -1 */
    int completes;    /* completion callback calls */
    int complete_req; /* the completion callback had a request */
    int code;         /* its response code */
    int headers;      /* header callback calls */
    char order[8];    /* 'E' and 'C' in the order they ran */
    char body[256];
    size_t body_len;
    char x_test[64]; /* the X-Test response field */
    double error_s;  /* since the request was made */
    double complete_s;
};

struct client {
    struct event_base *base;
    struct evhttp_connection *evcon;
    struct event *guard;
    struct event *settle;
    struct seen seen[2];
    int phase;
    double t0;
    int closecbs;
};

static const char *const error_names[] = {"TIMEOUT",        "EOF",
                                          "INVALID_HEADER", "BUFFER_ERROR",
                                          "REQUEST_CANCEL", "DATA_TOO_LONG"};

static const char *
error_name(int e)
{
    if (e < 0)
        return "none";
    if (e < NROWS(error_names))
        return error_names[e];
    return "?";
}

static void
add_order(struct seen *s, char c)
{
    size_t n = strlen(s->order);

    if (n + 1 < sizeof(s->order))
        s->order[n] = c;
}

static void
on_complete(struct evhttp_request *req, void *arg)
{
    struct client *c = arg;
    struct seen *s = &c->seen[c->phase];

    s->completes++;
    s->complete_s = now_s() - c->t0;
    add_order(s, 'C');
    if (req != NULL) {
        struct evbuffer *in = evhttp_request_get_input_buffer(req);
        const char *x =
            evhttp_find_header(evhttp_request_get_input_headers(req), "X-Test");
        size_t n = evbuffer_get_length(in);

        s->complete_req = 1;
        s->code = evhttp_request_get_response_code(req);
        s->body_len = n;
        if (n >= sizeof(s->body))
            n = sizeof(s->body) - 1;
        evbuffer_copyout(in, s->body, n);
        s->body[n] = '\0';
        if (x != NULL)
            snprintf(s->x_test, sizeof(s->x_test), "%s", x);
    }
    event_base_loopbreak(c->base);
}

static void
on_error(enum evhttp_request_error e, void *arg)
{
    struct client *c = arg;
    struct seen *s = &c->seen[c->phase];
    struct timeval t = {0, 100000};

    s->errors++;
    s->error = (int)e;
    s->error_s = now_s() - c->t0;
    add_order(s, 'E');
    /* The completion callback should follow; stop soon if it does not. */
    event_add(c->settle, &t);
}

static int
on_header(struct evhttp_request *req, void *arg)
{
    struct client *c = arg;

    (void)req;
    c->seen[c->phase].headers++;
    return 0;
}

static void
on_stop(evutil_socket_t fd, short what, void *arg)
{
    struct client *c = arg;

    (void)fd;
    (void)what;
    event_base_loopbreak(c->base);
}

static void
on_close(struct evhttp_connection *evcon, void *arg)
{
    struct client *c = arg;

    (void)evcon;
    c->closecbs++;
}

static void
client_init(struct client *c, int port)
{
    memset(c, 0, sizeof(*c));
    c->base = event_base_new();
    ck_assert_ptr_nonnull(c->base);
    c->evcon = evhttp_connection_base_new(c->base, NULL, "127.0.0.1",
                                          (ev_uint16_t)port);
    ck_assert_ptr_nonnull(c->evcon);
    evhttp_connection_set_closecb(c->evcon, on_close, c);
    c->guard = evtimer_new(c->base, on_stop, c);
    c->settle = evtimer_new(c->base, on_stop, c);
    ck_assert_ptr_nonnull(c->guard);
    ck_assert_ptr_nonnull(c->settle);
    c->seen[0].error = -1;
    c->seen[1].error = -1;
}

/* Makes request number phase (a GET, or a POST of body_len bytes) and
 * runs the loop until its completion callback ran, or 100 ms after its
 * error callback, or limit_s passed. */
static void
client_run(struct client *c, int phase, size_t body_len, double limit_s)
{
    struct evhttp_request *req = evhttp_request_new(on_complete, c);
    struct timeval t;

    ck_assert_ptr_nonnull(req);
    c->phase = phase;
    evhttp_request_set_error_cb(req, on_error);
    evhttp_request_set_header_cb(req, on_header);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Host",
                      "127.0.0.1");
    if (body_len > 0) {
        char *body = malloc(body_len);

        ck_assert_ptr_nonnull(body);
        memset(body, 'b', body_len);
        evbuffer_add(evhttp_request_get_output_buffer(req), body, body_len);
        free(body);
    }
    t.tv_sec = (long)limit_s;
    t.tv_usec = (long)((limit_s - (double)t.tv_sec) * 1e6);
    ck_assert_int_eq(event_add(c->guard, &t), 0);
    c->t0 = now_s();
    ck_assert_int_eq(
        evhttp_make_request(c->evcon, req,
                            body_len > 0 ? EVHTTP_REQ_POST : EVHTTP_REQ_GET,
                            phase == 0 ? "/first" : "/second"),
        0);
    ck_assert_int_ge(event_base_dispatch(c->base), 0);
    event_del(c->guard);
    event_del(c->settle);
    if (tracing()) {
        const struct seen *s = &c->seen[phase];

        fprintf(stderr,
                "trace: request %d: order \"%s\", error %s (%d calls, "
                "%.3f s), complete %d (req %d, code %d, %.3f s), "
                "body %zu \"%.40s\", headers cb %d, x-test \"%s\"\n",
                phase, s->order, error_name(s->error), s->errors, s->error_s,
                s->completes, s->complete_req, s->code, s->complete_s,
                s->body_len, s->body, s->headers, s->x_test);
    }
}

static void
client_free(struct client *c)
{
    /* A free inside the loop's callbacks is not allowed: it is done. */
    if (c->evcon != NULL)
        evhttp_connection_free(c->evcon);
    event_free(c->guard);
    event_free(c->settle);
    event_base_free(c->base);
}

/* The outcome of a first request against the scripted replies and a
 * second request on the same connection object. */
struct outcome {
    struct seen first;
    struct seen second;
    int accepts;
    int requests;
    int second_conn; /* the connection the second request came on */
    int closecbs;
};

/* Runs the loop for ms milliseconds. */
static void
client_idle(struct client *c, int ms)
{
    struct timeval t = {0, ms * 1000};

    ck_assert_int_eq(event_add(c->guard, &t), 0);
    ck_assert_int_ge(event_base_dispatch(c->base), 0);
    event_del(c->guard);
}

/* Fills the server's side of an outcome. */
static void
server_outcome(struct vt_http_server *srv, struct outcome *o)
{
    struct vt_hs_request r;
    int i, n = vt_http_server_requests(srv);

    o->accepts = vt_http_server_connections(srv);
    o->requests = n;
    o->second_conn = -1;
    for (i = 0; i < n; i++) {
        ck_assert_int_eq(vt_http_server_request(srv, i, &r), 0);
        if (r.complete && strstr(r.data, " /second ") != NULL)
            o->second_conn = r.conn;
    }
}

/* Runs two requests against a server that answers the first with
 * data/len and then, and the second with OK_REPLY.  max_headers and
 * max_body set the connection's limits when not 0. */
static void
two_requests(const char *data, size_t len, int then, ev_ssize_t max_headers,
             ev_ssize_t max_body, struct outcome *o)
{
    struct scripts sc;
    struct vt_http_server *srv = start_server(&sc, data, len, then);
    struct client c;

    client_init(&c, vt_http_server_port(srv));
    if (max_headers != 0)
        evhttp_connection_set_max_headers_size(c.evcon, max_headers);
    if (max_body != 0)
        evhttp_connection_set_max_body_size(c.evcon, max_body);
    client_run(&c, 0, 0, PHASE_S);
    /* Time for the client to see a close that came with the reply. */
    client_idle(&c, 50);
    client_run(&c, 1, 0, PHASE_S);
    client_free(&c);
    memset(o, 0, sizeof(*o));
    server_outcome(srv, o);
    vt_http_server_stop(srv);
    o->first = c.seen[0];
    o->second = c.seen[1];
    o->closecbs = c.closecbs;
    if (tracing())
        fprintf(stderr,
                "trace: %d accepts, %d requests, second on conn %d, "
                "%d close callbacks\n",
                o->accepts, o->requests, o->second_conn, o->closecbs);
}

/* ------------------------------------------------------------------ */
/* Expectations                                                        */
/* ------------------------------------------------------------------ */

#define OK_ (-1) /* no error: the request succeeded */
#define ANY (-2) /* not checked */

/* What a test expects of a first request and of a second one made on the
 * same connection object after it. */
struct expect {
    int error;               /* the first request's error, or OK_ */
    int code;                /* OK_: its status */
    const char *body;        /* OK_: its body */
    int headers;             /* header callback calls, or ANY */
    int second;              /* the second request's error, or OK_ */
    const char *second_body; /* OK_: its body; NULL for "second" */
    int reused;         /* the second request went over the first connection (1)
                           or a new one (0), or ANY */
    const char *x_test; /* the X-Test field, NULL when not checked */
};

/* A success, with a second request on the same connection or not. */
#define OK(code, body, headers, reused)                   \
    {                                                     \
        OK_, code, body, headers, OK_, NULL, reused, NULL \
    }
/* A success whose X-Test field is x. */
#define OKX(code, body, x)                  \
    {                                       \
        OK_, code, body, 1, OK_, NULL, 1, x \
    }
/* A success followed by a second request that ends with error e2 (or
 * OK_ with body b2). */
#define OK2(code, body, e2, b2, reused)          \
    {                                            \
        OK_, code, body, 1, e2, b2, reused, NULL \
    }
/* A failure; the connection is closed and the second request opens a new
 * one. */
#define FAIL(e, headers)                        \
    {                                           \
        e, 0, NULL, headers, OK_, NULL, 0, NULL \
    }

/* Describes the first difference between o and e in buf; returns 0 when
 * there is none. */
static int
mismatch(const struct outcome *o, const struct expect *e, char *buf, size_t n)
{
    const struct seen *f = &o->first, *s = &o->second;
    const char *second_body = e->second_body ? e->second_body : "second";

    if (e->error == OK_ &&
        (f->errors != 0 || strcmp(f->order, "C") != 0 || !f->complete_req ||
         f->code != e->code || strcmp(f->body, e->body) != 0)) {
        snprintf(buf, n,
                 "first: order \"%s\", error %s, code %d, body \"%.40s\"; "
                 "want %d \"%.40s\"",
                 f->order, error_name(f->error), f->code, f->body, e->code,
                 e->body);
        return 1;
    }
    if (e->error != OK_ && (f->errors != 1 || f->error != e->error ||
                            strcmp(f->order, "EC") != 0 || f->complete_req)) {
        snprintf(buf, n,
                 "first: order \"%s\", error %s, request %d, code %d; "
                 "want error %s",
                 f->order, error_name(f->error), f->complete_req, f->code,
                 error_name(e->error));
        return 1;
    }
    if (e->headers != ANY && f->headers != e->headers) {
        snprintf(buf, n, "header callback ran %d times, want %d", f->headers,
                 e->headers);
        return 1;
    }
    if (e->x_test != NULL && strcmp(f->x_test, e->x_test) != 0) {
        snprintf(buf, n, "X-Test \"%s\", want \"%s\"", f->x_test, e->x_test);
        return 1;
    }
    if (e->second == OK_ &&
        (s->errors != 0 || strcmp(s->order, "C") != 0 || s->code != 200 ||
         strcmp(s->body, second_body) != 0)) {
        snprintf(buf, n,
                 "second: order \"%s\", error %s, code %d, body \"%.40s\"",
                 s->order, error_name(s->error), s->code, s->body);
        return 1;
    }
    if (e->second != OK_ && (s->errors != 1 || s->error != e->second ||
                             strcmp(s->order, "EC") != 0)) {
        snprintf(buf, n, "second: order \"%s\", error %s; want error %s",
                 s->order, error_name(s->error), error_name(e->second));
        return 1;
    }
    if (e->reused != ANY && (o->second_conn == 0) != e->reused) {
        snprintf(buf, n, "second request on connection %d of %d",
                 o->second_conn, o->accepts);
        return 1;
    }
    return 0;
}

/* One hostile reply: what 2.1.12 does with it (old) and what Vigil does
 * (vigil).  differs names the deliberate difference, NULL when there is
 * none. */
struct row {
    const char *name;
    const char *data;
    size_t len;
    int then;
    struct expect old;
    struct expect vigil;
    const char *differs;
};

#define S(x) x, sizeof(x) - 1
#define SAME(name, data, then, e)       \
    {                                   \
        name, S(data), then, e, e, NULL \
    }
#define DIFF(name, data, then, old, vigil, why) \
    {                                           \
        name, S(data), then, old, vigil, why    \
    }

/* Checks an outcome against a row: the Debian build accepts 2.1.12's
 * outcome or Vigil's where they differ (the same binary runs on Vigil's
 * libraries too), the Vigil build only Vigil's. */
static void
check_row(const struct row *r, const struct outcome *o)
{
    char why[256], old_why[256];
    int bad = mismatch(o, &r->vigil, why, sizeof(why));

    old_why[0] = '\0';
#ifdef VIGIL_ORACLE
    /* Each row's differs field names the difference. */
    if (bad && r->differs != NULL &&
        !mismatch(o, &r->old, old_why, sizeof(old_why)))
        bad = 0;
#endif
    ck_assert_msg(!bad, "%s: %s%s%s%s", r->name, why,
                  old_why[0] != '\0' ? "; as 2.1.12: " : "", old_why,
                  r->differs ? " (a deliberate difference)" : "");
}

static void
run_row(const struct row *r, ev_ssize_t max_headers, ev_ssize_t max_body)
{
    struct outcome o;

    if (tracing())
        fprintf(stderr, "=== %s\n", r->name);
    two_requests(r->data, r->len, r->then, max_headers, max_body, &o);
    check_row(r, &o);
}

#define H11 "HTTP/1.1 200 OK\r\n"
#define CL2 "Content-Length: 2\r\n"
#define TEC "Transfer-Encoding: chunked\r\n"

/* ------------------------------------------------------------------ */
/* Field lines                                                         */
/* ------------------------------------------------------------------ */

#define ST_                                                         \
    "RFC 9110/9112: a field line that is not name \":\" OWS value " \
    "OWS fails the response"

static const struct row field_rows[] = {
    DIFF("NUL in a value", H11 "X-Test: a\0b\r\n" CL2 "\r\nok", THEN_KEEP,
         OK(200, "ok", 1, 1), FAIL(EVREQ_HTTP_INVALID_HEADER, ANY),
         "RFC 9110 5.5: NUL in a field value fails the response"),
    SAME("bare CR in a value", H11 "X-Test: a\rb\r\n" CL2 "\r\nok", THEN_KEEP,
         FAIL(EVREQ_HTTP_INVALID_HEADER, 0)),
    SAME("bare CR ends a line", H11 "X-Test: ab\r" CL2 "\r\nok", THEN_KEEP,
         FAIL(EVREQ_HTTP_INVALID_HEADER, 0)),
    /* RFC 9112 5.2: a user agent replaces obs-fold with SP; both do. */
    SAME("obs-fold with SP", H11 "X-Test: a\r\n b\r\n" CL2 "\r\nok", THEN_KEEP,
         OKX(200, "ok", "a b")),
    SAME("obs-fold with HTAB", H11 "X-Test: a\r\n\tb\r\n" CL2 "\r\nok",
         THEN_KEEP, OKX(200, "ok", "a b")),
    SAME("obs-fold as the first field line", H11 " X-Test: a\r\n" CL2 "\r\nok",
         THEN_KEEP, FAIL(EVREQ_HTTP_INVALID_HEADER, 0)),
    DIFF("space before the colon", H11 "X-Test : a\r\n" CL2 "\r\nok", THEN_KEEP,
         OK(200, "ok", 1, 1), FAIL(EVREQ_HTTP_INVALID_HEADER, ANY), ST_),
    DIFF("space inside the name", H11 "X Test: a\r\n" CL2 "\r\nok", THEN_KEEP,
         OK(200, "ok", 1, 1), FAIL(EVREQ_HTTP_INVALID_HEADER, ANY), ST_),
    SAME("no colon", H11 "X-Test a\r\n" CL2 "\r\nok", THEN_KEEP,
         FAIL(EVREQ_HTTP_INVALID_HEADER, 0)),
    DIFF("empty name", H11 ": a\r\n" CL2 "\r\nok", THEN_KEEP,
         OK(200, "ok", 1, 1), FAIL(EVREQ_HTTP_INVALID_HEADER, ANY), ST_),
    DIFF("control character in the name", H11 "X-\x01Test: a\r\n" CL2 "\r\nok",
         THEN_KEEP, OK(200, "ok", 1, 1), FAIL(EVREQ_HTTP_INVALID_HEADER, ANY),
         ST_),
    DIFF("delimiter in the name", H11 "X(Test): a\r\n" CL2 "\r\nok", THEN_KEEP,
         OK(200, "ok", 1, 1), FAIL(EVREQ_HTTP_INVALID_HEADER, ANY), ST_),
    /* RFC 9112 2.2: a recipient may take a bare LF as a line end. */
    SAME("bare LF line ends",
         "HTTP/1.1 200 OK\nX-Test: a\nContent-Length: 2\n\nok", THEN_KEEP,
         OKX(200, "ok", "a")),
};

START_TEST(bad_field_lines)
{
    run_row(&field_rows[_i], 0, 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Message framing                                                     */
/* ------------------------------------------------------------------ */

#define CL_ "RFC 9110 8.6: Content-Length is 1*DIGIT, one value"
#define HEAD_ \
    "a head with malformed framing is refused before the program sees it"
#define CH_ "RFC 9112 7.1: chunk-size is 1*HEXDIG and chunk-data ends in CRLF"

static const struct row framing_rows[] = {
    SAME("Transfer-Encoding and Content-Length",
         H11 TEC "Content-Length: 50\r\n\r\n2\r\nok\r\n0\r\n\r\n", THEN_KEEP,
         FAIL(EVREQ_HTTP_INVALID_HEADER, 0)),
    /* 2.1.12 takes the first length and reads the rest as the start of
     * the next response. */
    DIFF("two differing Content-Lengths",
         H11 "Content-Length: 2\r\nContent-Length: 3\r\n\r\nokk", THEN_KEEP,
         OK2(200, "ok", EVREQ_HTTP_INVALID_HEADER, NULL, 1),
         FAIL(EVREQ_HTTP_INVALID_HEADER, ANY), CL_),
    SAME("two equal Content-Lengths",
         H11 "Content-Length: 2\r\nContent-Length: 2\r\n\r\nok", THEN_KEEP,
         OK(200, "ok", 1, 1)),
    /* RFC 9110 8.6 lets a recipient take a list of equal values as one. */
    DIFF("a list of lengths", H11 "Content-Length: 2, 2\r\n\r\nok", THEN_KEEP,
         FAIL(EVREQ_HTTP_INVALID_HEADER, 1), OK(200, "ok", 1, 1),
         "RFC 9110 8.6: a list of equal Content-Length values is one value"),
    /* A head whose framing is malformed is refused whole: Vigil's
     * header callback never sees it (2.1.12's does, then fails). */
    DIFF("negative Content-Length", H11 "Content-Length: -1\r\n\r\nok",
         THEN_CLOSE, FAIL(EVREQ_HTTP_INVALID_HEADER, 1),
         FAIL(EVREQ_HTTP_INVALID_HEADER, 0), HEAD_),
    /* 2.1.12 waits for a body that long, until the server closes. */
    DIFF("Content-Length over 64 bits",
         H11 "Content-Length: 99999999999999999999999\r\n\r\nok", THEN_CLOSE,
         FAIL(EVREQ_HTTP_EOF, 1), FAIL(EVREQ_HTTP_INVALID_HEADER, ANY), CL_),
    DIFF("Content-Length of 2^63",
         H11 "Content-Length: 9223372036854775808\r\n\r\nok", THEN_CLOSE,
         FAIL(EVREQ_HTTP_EOF, 1), FAIL(EVREQ_HTTP_INVALID_HEADER, ANY), CL_),
    DIFF("non-numeric Content-Length", H11 "Content-Length: abc\r\n\r\nok",
         THEN_CLOSE, FAIL(EVREQ_HTTP_INVALID_HEADER, 1),
         FAIL(EVREQ_HTTP_INVALID_HEADER, 0), HEAD_),
    DIFF("Content-Length with a suffix", H11 "Content-Length: 2x\r\n\r\nok",
         THEN_CLOSE, FAIL(EVREQ_HTTP_INVALID_HEADER, 1),
         FAIL(EVREQ_HTTP_INVALID_HEADER, 0), HEAD_),
    DIFF("empty Content-Length", H11 "Content-Length: \r\n\r\nok", THEN_CLOSE,
         FAIL(EVREQ_HTTP_INVALID_HEADER, 1), FAIL(EVREQ_HTTP_INVALID_HEADER, 0),
         HEAD_),
    DIFF("Content-Length with a plus sign", H11 "Content-Length: +2\r\n\r\nok",
         THEN_CLOSE, OK(200, "ok", 1, 0), FAIL(EVREQ_HTTP_INVALID_HEADER, ANY),
         CL_),
    /* RFC 9112 6.3: without a final chunked, the body runs to the close. */
    SAME("Transfer-Encoding gzip", H11 "Transfer-Encoding: gzip\r\n\r\nok",
         THEN_CLOSE, OK(200, "ok", 1, 0)),
    /* The same rule for a list that does not end in chunked (2.1.12
     * fails it). */
    DIFF("Transfer-Encoding chunked, gzip",
         H11 "Transfer-Encoding: chunked, gzip\r\n\r\nok", THEN_CLOSE,
         FAIL(EVREQ_HTTP_INVALID_HEADER, 0), OK(200, "ok", 1, 0),
         "RFC 9112 6.3: a response whose codings do not end in chunked runs "
         "to the close"),
    SAME("Transfer-Encoding gzip, chunked",
         H11 "Transfer-Encoding: gzip, chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
         THEN_KEEP, OK(200, "ok", 1, 1)),
    SAME("Transfer-Encoding CHUNKED",
         H11 "Transfer-Encoding: CHUNKED\r\n\r\n2\r\nok\r\n0\r\n\r\n",
         THEN_KEEP, OK(200, "ok", 1, 1)),
    /* 2.1.12 waits for a chunk that long, until the server closes. */
    DIFF("chunk size over 64 bits",
         H11 TEC "\r\nffffffffffffffffff\r\nok\r\n0\r\n\r\n", THEN_CLOSE,
         FAIL(EVREQ_HTTP_EOF, 1), FAIL(EVREQ_HTTP_DATA_TOO_LONG, 1), CH_),
    DIFF("chunk size of 2^63",
         H11 TEC "\r\n8000000000000000\r\nok\r\n0\r\n\r\n", THEN_CLOSE,
         FAIL(EVREQ_HTTP_EOF, 1), FAIL(EVREQ_HTTP_DATA_TOO_LONG, 1), CH_),
    SAME("chunk size not hex", H11 TEC "\r\nzz\r\nok\r\n0\r\n\r\n", THEN_CLOSE,
         FAIL(EVREQ_HTTP_DATA_TOO_LONG, 1)),
    SAME("negative chunk size", H11 TEC "\r\n-2\r\nok\r\n0\r\n\r\n", THEN_CLOSE,
         FAIL(EVREQ_HTTP_DATA_TOO_LONG, 1)),
    DIFF("chunk size with 0x", H11 TEC "\r\n0x2\r\nok\r\n0\r\n\r\n", THEN_CLOSE,
         OK(200, "ok", 1, 0), FAIL(EVREQ_HTTP_DATA_TOO_LONG, 1), CH_),
    SAME("chunk size with a suffix", H11 TEC "\r\n2g\r\nok\r\n0\r\n\r\n",
         THEN_CLOSE, FAIL(EVREQ_HTTP_DATA_TOO_LONG, 1)),
    SAME("empty chunk size", H11 TEC "\r\n\r\nok\r\n0\r\n\r\n", THEN_CLOSE,
         FAIL(EVREQ_HTTP_DATA_TOO_LONG, 1)),
    /* 2.1.12 fails any chunk extension. */
    DIFF("chunk extension", H11 TEC "\r\n2;a=b\r\nok\r\n0;c\r\n\r\n", THEN_KEEP,
         FAIL(EVREQ_HTTP_DATA_TOO_LONG, 1), OK(200, "ok", 1, 1),
         "RFC 9112 7.1.1: a recipient ignores chunk extensions"),
    SAME("chunk data without CRLF, then garbage",
         H11 TEC "\r\n2\r\nokXX0\r\n\r\n", THEN_CLOSE,
         FAIL(EVREQ_HTTP_DATA_TOO_LONG, 1)),
    /* 2.1.12 looks for no CRLF after chunk data: it reads the next line
     * as a chunk size, skipping empty lines. */
    DIFF("chunk data without CRLF, then a chunk",
         H11 TEC "\r\n2\r\nok2\r\nok\r\n0\r\n\r\n", THEN_CLOSE,
         OK(200, "okok", 1, 0), FAIL(EVREQ_HTTP_DATA_TOO_LONG, 1), CH_),
    /* Trailer fields are read and dropped, both. */
    SAME("trailers", H11 TEC "\r\n2\r\nok\r\n0\r\nX-Test: t\r\n\r\n", THEN_KEEP,
         OKX(200, "ok", "")),
};

START_TEST(bad_framing)
{
    run_row(&framing_rows[_i], 0, 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Status lines                                                        */
/* ------------------------------------------------------------------ */

#define SC_ "RFC 9110 15: a status code is three digits from 100 to 599"

/* 2.1.12 reads the code with atoi and accepts any number. */
#define CODE_ROW(name, line, old_code)                                         \
    DIFF(name, line "\r\n" CL2 "\r\nok", THEN_CLOSE, OK(old_code, "ok", 1, 0), \
         FAIL(EVREQ_HTTP_INVALID_HEADER, 0), SC_)

static const struct row status_rows[] = {
    SAME("no status code", "HTTP/1.1 OK\r\n" CL2 "\r\nok", THEN_CLOSE,
         FAIL(EVREQ_HTTP_INVALID_HEADER, 0)),
    SAME("no reason phrase", "HTTP/1.1 200\r\n" CL2 "\r\nok", THEN_KEEP,
         OK(200, "ok", 1, 1)),
    SAME("empty reason phrase", "HTTP/1.1 200 \r\n" CL2 "\r\nok", THEN_KEEP,
         OK(200, "ok", 1, 1)),
    CODE_ROW("status 099", "HTTP/1.1 099 X", 99),
    CODE_ROW("status 600", "HTTP/1.1 600 X", 600),
    CODE_ROW("status 999", "HTTP/1.1 999 X", 999),
    CODE_ROW("four-digit status", "HTTP/1.1 1000 X", 1000),
    CODE_ROW("two-digit status", "HTTP/1.1 20 X", 20),
    CODE_ROW("status 2x0", "HTTP/1.1 2x0 X", 2),
    CODE_ROW("negative status", "HTTP/1.1 -200 X", -200),
    SAME("HTTP/2.0", "HTTP/2.0 200 OK\r\n" CL2 "\r\nok", THEN_CLOSE,
         FAIL(EVREQ_HTTP_INVALID_HEADER, 0)),
    SAME("HTTP/1.2", "HTTP/1.2 200 OK\r\n" CL2 "\r\nok", THEN_CLOSE,
         OK(200, "ok", 1, 0)),
    SAME("HTTP/1.0", "HTTP/1.0 200 OK\r\n" CL2 "\r\nok", THEN_CLOSE,
         OK(200, "ok", 1, 0)),
    SAME("lower-case version", "http/1.1 200 OK\r\n" CL2 "\r\nok", THEN_CLOSE,
         FAIL(EVREQ_HTTP_INVALID_HEADER, 0)),
    SAME("garbage", "garbage\r\n\r\n", THEN_CLOSE,
         FAIL(EVREQ_HTTP_INVALID_HEADER, 0)),
    SAME("a TLS hello", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
         THEN_CLOSE, FAIL(EVREQ_HTTP_INVALID_HEADER, 0)),
    SAME("empty line before the status line", "\r\n" H11 CL2 "\r\nok",
         THEN_KEEP, FAIL(EVREQ_HTTP_INVALID_HEADER, 0)),
};

START_TEST(bad_status_lines)
{
    run_row(&status_rows[_i], 0, 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Servers that close or reset                                         */
/* ------------------------------------------------------------------ */

static const struct row close_rows[] = {
    {"close before a byte", NULL, 0, THEN_CLOSE, FAIL(EVREQ_HTTP_EOF, 0),
     FAIL(EVREQ_HTTP_EOF, 0), NULL},
    {"reset before a byte", NULL, 0, THEN_RESET, FAIL(EVREQ_HTTP_EOF, 0),
     FAIL(EVREQ_HTTP_EOF, 0), NULL},
    SAME("close inside the status line", "HTTP/1.1 20", THEN_CLOSE,
         FAIL(EVREQ_HTTP_EOF, 0)),
    SAME("close inside the head", H11 "X-Test: a\r\n", THEN_CLOSE,
         FAIL(EVREQ_HTTP_EOF, 0)),
    SAME("close inside a Content-Length body",
         H11 "Content-Length: 10\r\n\r\nok", THEN_CLOSE,
         FAIL(EVREQ_HTTP_EOF, 1)),
    SAME("close inside a chunk", H11 TEC "\r\n5\r\nok", THEN_CLOSE,
         FAIL(EVREQ_HTTP_EOF, 1)),
    SAME("close before the last chunk", H11 TEC "\r\n2\r\nok\r\n", THEN_CLOSE,
         FAIL(EVREQ_HTTP_EOF, 1)),
    SAME("close inside the trailers", H11 TEC "\r\n2\r\nok\r\n0\r\nX-T: a\r\n",
         THEN_CLOSE, FAIL(EVREQ_HTTP_EOF, 1)),
    SAME("close after a body that runs to the close", H11 "\r\nok", THEN_CLOSE,
         OK(200, "ok", 1, 0)),
    SAME("close after an HTTP/1.0 body", "HTTP/1.0 200 OK\r\n\r\nok",
         THEN_CLOSE, OK(200, "ok", 1, 0)),
    SAME("close after a complete response", H11 CL2 "\r\nok", THEN_CLOSE,
         OK(200, "ok", 1, 0)),
    SAME("reset inside the head", H11 "X-Test: a\r\n", THEN_RESET,
         FAIL(EVREQ_HTTP_EOF, 0)),
    SAME("reset inside a body", H11 "Content-Length: 10\r\n\r\nok", THEN_RESET,
         FAIL(EVREQ_HTTP_EOF, 1)),
    /* A reset is no end of a body that runs to the close. */
    SAME("reset after a body that runs to the close", H11 "\r\nok", THEN_RESET,
         FAIL(EVREQ_HTTP_EOF, 1)),
    SAME("reset after a complete response", H11 CL2 "\r\nok", THEN_RESET,
         OK(200, "ok", 1, 0)),
    SAME("Connection: close", H11 "Connection: close\r\n" CL2 "\r\nok",
         THEN_CLOSE, OK(200, "ok", 1, 0)),
};

START_TEST(server_closes)
{
    run_row(&close_rows[_i], 0, 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* What comes around a response                                        */
/* ------------------------------------------------------------------ */

#define EX_                                                           \
    "RFC 9112 6.3: bytes after a complete response are no response; " \
    "the connection is closed"
#define IR_ "RFC 9110 15.2: every 1xx before the final response is skipped"

static const struct row sequence_rows[] = {
    /* 2.1.12 reads the bytes as the start of the next response. */
    DIFF("bytes after a complete response", H11 CL2 "\r\nokJUNK", THEN_KEEP,
         OK2(200, "ok", EVREQ_HTTP_INVALID_HEADER, NULL, 1),
         OK(200, "ok", 1, 0), EX_),
    /* 2.1.12 gives the next request the response sent ahead. */
    DIFF("a response nobody asked for", H11 CL2 "\r\nok" H11 CL2 "\r\nxx",
         THEN_KEEP, OK2(200, "ok", OK_, "xx", ANY), OK(200, "ok", 1, 0), EX_),
    DIFF("a body after 204", "HTTP/1.1 204 No Content\r\n" CL2 "\r\nok",
         THEN_KEEP, OK2(204, "", EVREQ_HTTP_INVALID_HEADER, NULL, 1),
         OK(204, "", 1, 0), EX_),
    SAME("304 without a length", "HTTP/1.1 304 Not Modified\r\n\r\n", THEN_KEEP,
         OK(304, "", 1, 1)),
    /* The header callback runs for the interim head too. */
    SAME("100 Continue", "HTTP/1.1 100 Continue\r\n\r\n" H11 CL2 "\r\nok",
         THEN_KEEP, OK(200, "ok", 2, 1)),
    SAME("two 100 Continue",
         "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n" H11 CL2
         "\r\nok",
         THEN_KEEP, OK(200, "ok", 3, 1)),
    /* 2.1.12 takes 102 and 103 as the final response and gives the real
     * one to the next request. */
    DIFF("102 Processing", "HTTP/1.1 102 Processing\r\n\r\n" H11 CL2 "\r\nok",
         THEN_KEEP, OK2(102, "", OK_, "ok", ANY), OK(200, "ok", 2, 1), IR_),
    DIFF("103 Early Hints",
         "HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n" H11 CL2 "\r\nok",
         THEN_KEEP, OK2(103, "", OK_, "ok", ANY), OK(200, "ok", 2, 1), IR_),
    SAME("HTTP/1.0 keep-alive",
         "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n" CL2 "\r\nok",
         THEN_KEEP, OK(200, "ok", 1, 1)),
};

START_TEST(around_a_response)
{
    run_row(&sequence_rows[_i], 0, 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Limits                                                              */
/* ------------------------------------------------------------------ */

static char head_buf[512];

/* A response head whose lines, without their CRLFs, add up to len bytes:
 * 2.1.12 counts the head so for evhttp_connection_set_max_headers_size. */
static size_t
head_of(size_t len)
{
    static const char pre[] = H11 CL2 "X-Test: ";
    /* "HTTP/1.1 200 OK", "Content-Length: 2" and "X-Test: ". */
    size_t fixed = 15 + 17 + 8, k = sizeof(pre) - 1;

    ck_assert_uint_ge(len, fixed);
    ck_assert_uint_lt(len, sizeof(head_buf) - 64);
    memcpy(head_buf, pre, k);
    memset(head_buf + k, 'a', len - fixed);
    k += len - fixed;
    memcpy(head_buf + k, "\r\n\r\nok", 6);
    return k + 6;
}

START_TEST(head_over_max_headers_size)
{
    static const struct row at = {"head of 200 bytes, limit 200",
                                  NULL,
                                  0,
                                  THEN_KEEP,
                                  OK(200, "ok", 1, 1),
                                  OK(200, "ok", 1, 1),
                                  NULL};
    static const struct row over = {"head of 201 bytes, limit 200",
                                    NULL,
                                    0,
                                    THEN_KEEP,
                                    FAIL(EVREQ_HTTP_INVALID_HEADER, 0),
                                    FAIL(EVREQ_HTTP_INVALID_HEADER, 0),
                                    NULL};
    struct outcome o;
    size_t n;

    n = head_of(200);
    two_requests(head_buf, n, THEN_KEEP, 200, 0, &o);
    check_row(&at, &o);
    n = head_of(201);
    two_requests(head_buf, n, THEN_KEEP, 200, 0, &o);
    check_row(&over, &o);
}
END_TEST

/* Bodies against a max_body_size of 10: at the limit they pass, over it
 * they fail with DATA_TOO_LONG once the head is in. */
static const struct row body_rows[] = {
    SAME("Content-Length at the limit",
         H11 "Content-Length: 10\r\n\r\n0123456789", THEN_KEEP,
         OK(200, "0123456789", 1, 1)),
    SAME("Content-Length over the limit",
         H11 "Content-Length: 11\r\n\r\n0123456789a", THEN_KEEP,
         FAIL(EVREQ_HTTP_DATA_TOO_LONG, 1)),
    SAME("chunks at the limit",
         H11 TEC "\r\n5\r\n01234\r\n5\r\n56789\r\n0\r\n\r\n", THEN_KEEP,
         OK(200, "0123456789", 1, 1)),
    SAME("chunks over the limit",
         H11 TEC "\r\n5\r\n01234\r\n6\r\n56789a\r\n0\r\n\r\n", THEN_KEEP,
         FAIL(EVREQ_HTTP_DATA_TOO_LONG, 1)),
    SAME("one chunk over the limit",
         H11 TEC "\r\nb\r\n0123456789a\r\n0\r\n\r\n", THEN_KEEP,
         FAIL(EVREQ_HTTP_DATA_TOO_LONG, 1)),
    SAME("body to the close at the limit", H11 "\r\n0123456789", THEN_CLOSE,
         OK(200, "0123456789", 1, 0)),
    SAME("body to the close over the limit", H11 "\r\n0123456789a", THEN_CLOSE,
         FAIL(EVREQ_HTTP_DATA_TOO_LONG, 1)),
};

START_TEST(body_over_max_body_size)
{
    run_row(&body_rows[_i], 0, 10);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Connecting, retrying and timing out                                 */
/* ------------------------------------------------------------------ */

/* A port that refuses connections until listen_ms have passed (or for
 * good when listen_ms is negative), then answers every request with 200
 * "ok" and Connection: close.  It runs on the client's loop. */
struct late {
    int lfd;
    int port;
    struct event *listen_ev;
    struct event *accept_ev;
    int accepts;
    double accept_s[8]; /* since late_start */
    int fds[8];
    double t0;
};

static void
late_on_accept(evutil_socket_t fd, short what, void *arg)
{
    static const char reply[] =
        H11 "Content-Length: 2\r\nConnection: close\r\n\r\nok";
    struct late *l = arg;
    int c = accept(fd, NULL, NULL);

    (void)what;
    if (c < 0)
        return;
    if (l->accepts == NROWS(l->fds)) {
        close(c);
        return;
    }
    l->accept_s[l->accepts] = now_s() - l->t0;
    l->fds[l->accepts++] = c;
    /* The request is small: it is in, or the reply waits in the buffer
     * until the client reads it anyway. */
    ck_assert_int_eq(send(c, reply, sizeof(reply) - 1, MSG_NOSIGNAL),
                     (ssize_t)sizeof(reply) - 1);
    shutdown(c, SHUT_WR);
}

static void
late_listen(struct late *l)
{
    ck_assert_int_eq(listen(l->lfd, 16), 0);
    ck_assert_int_eq(event_add(l->accept_ev, NULL), 0);
}

static void
late_on_listen(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    late_listen(arg);
}

/* Binds the port, not listening yet. */
static void
late_bind(struct late *l)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof(a);

    memset(l, 0, sizeof(*l));
    memset(&a, 0, sizeof(a));
    l->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    ck_assert_int_ge(l->lfd, 0);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(l->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
    ck_assert_int_eq(getsockname(l->lfd, (struct sockaddr *)&a, &alen), 0);
    l->port = ntohs(a.sin_port);
}

/* Starts the clock; listens after listen_ms unless it is negative. */
static void
late_start(struct late *l, int listen_ms)
{
    l->t0 = now_s();
    if (listen_ms >= 0) {
        struct timeval t = {listen_ms / 1000, (listen_ms % 1000) * 1000};

        ck_assert_int_eq(event_add(l->listen_ev, &t), 0);
    }
}

static void
late_free(struct late *l)
{
    int i;

    for (i = 0; i < l->accepts; i++)
        close(l->fds[i]);
    event_free(l->listen_ev);
    event_free(l->accept_ev);
    close(l->lfd);
}

/* A client on a late port with retries and a first retry delay (ms, or
 * negative for the default). */
static void
late_client(struct client *c, struct late *l, int retries, int initial_ms)
{
    late_bind(l);
    client_init(c, l->port);
    l->listen_ev = evtimer_new(c->base, late_on_listen, l);
    l->accept_ev =
        event_new(c->base, l->lfd, EV_READ | EV_PERSIST, late_on_accept, l);
    ck_assert_ptr_nonnull(l->listen_ev);
    ck_assert_ptr_nonnull(l->accept_ev);
    if (retries != 0)
        evhttp_connection_set_retries(c->evcon, retries);
    if (initial_ms >= 0) {
        struct timeval t = {initial_ms / 1000, (initial_ms % 1000) * 1000};

        evhttp_connection_set_initial_retry_tv(c->evcon, &t);
    }
}

/* A refused connection is no error to the error callback: the completion
 * callback runs alone, with the request and response code 0 (what
 * libevent's own sample client tests for). */
static void
assert_refused(const struct seen *s)
{
    ck_assert_int_eq(s->errors, 0);
    ck_assert_str_eq(s->order, "C");
    ck_assert_int_eq(s->complete_req, 1);
    ck_assert_int_eq(s->code, 0);
    ck_assert_int_eq(s->headers, 0);
}

START_TEST(refused_without_retries)
{
    struct client c;
    struct late l;

    late_client(&c, &l, 0, -1);
    late_start(&l, -1);
    client_run(&c, 0, 0, PHASE_S);
    assert_refused(&c.seen[0]);
    ck_assert_double_lt(c.seen[0].complete_s, 0.5);
    /* The connection object stays usable: the next request tries again
     * and fails the same way. */
    client_run(&c, 1, 0, PHASE_S);
    assert_refused(&c.seen[1]);
    ck_assert_int_eq(c.closecbs, 0);
    /* The late port's events go before the base they run on. */
    late_free(&l);
    client_free(&c);
}
END_TEST

/* With retries 3 and a first delay of 100 ms the attempts go at 0, 0.1,
 * 0.3 and 0.7 s (each delay twice the one before), and the request fails
 * after the last. */
START_TEST(refused_with_retries)
{
    struct client c;
    struct late l;

    late_client(&c, &l, 3, 100);
    late_start(&l, -1);
    client_run(&c, 0, 0, PHASE_S);
    assert_refused(&c.seen[0]);
    ck_assert_double_ge(c.seen[0].complete_s, 0.68);
    ck_assert_double_lt(c.seen[0].complete_s, 1.2);
    ck_assert_int_eq(c.closecbs, 0);
    /* The late port's events go before the base they run on. */
    late_free(&l);
    client_free(&c);
}
END_TEST

/* The listener opens between two attempts: the request succeeds at the
 * next attempt, on the schedule above. */
START_TEST(retry_reaches_a_late_listener)
{
    static const struct {
        int listen_ms;
        double attempt_s;
    } cases[] = {{50, 0.1}, {150, 0.3}, {350, 0.7}};
    int i;

    for (i = 0; i < NROWS(cases); i++) {
        struct client c;
        struct late l;
        double t = cases[i].attempt_s;

        late_client(&c, &l, 3, 100);
        late_start(&l, cases[i].listen_ms);
        client_run(&c, 0, 0, PHASE_S);
        ck_assert_str_eq(c.seen[0].order, "C");
        ck_assert_int_eq(c.seen[0].code, 200);
        ck_assert_str_eq(c.seen[0].body, "ok");
        ck_assert_int_eq(l.accepts, 1);
        ck_assert_double_ge(l.accept_s[0], t - 0.02);
        ck_assert_double_lt(l.accept_s[0], t + 0.25);
        late_free(&l);
        client_free(&c);
    }
}
END_TEST

/* Without set_initial_retry_tv the first retry waits 2 s. */
START_TEST(default_first_retry_is_2s)
{
    struct client c;
    struct late l;

    late_client(&c, &l, 1, -1);
    late_start(&l, -1);
    client_run(&c, 0, 0, PHASE_S);
    assert_refused(&c.seen[0]);
    ck_assert_double_ge(c.seen[0].complete_s, 1.95);
    ck_assert_double_lt(c.seen[0].complete_s, 3.0);
    /* The late port's events go before the base they run on. */
    late_free(&l);
    client_free(&c);
}
END_TEST

/* After the retries ran out, the next request on the connection object
 * connects again. */
START_TEST(request_after_the_retries_ran_out)
{
    struct client c;
    struct late l;

    late_client(&c, &l, 1, 100);
    late_start(&l, -1);
    client_run(&c, 0, 0, PHASE_S);
    assert_refused(&c.seen[0]);
    late_listen(&l);
    client_run(&c, 1, 0, 1.5);
#ifdef VIGIL_ORACLE
    /* 2.1.12 neither connects nor calls back (its connection stays in
     * a state no request leaves); Vigil starts over. */
    if (c.seen[1].order[0] == '\0' && l.accepts == 0) {
        late_free(&l);
        client_free(&c);
        return;
    }
#endif
    ck_assert_str_eq(c.seen[1].order, "C");
    ck_assert_int_eq(c.seen[1].code, 200);
    ck_assert_str_eq(c.seen[1].body, "ok");
    ck_assert_int_eq(l.accepts, 1);
    /* The late port's events go before the base they run on. */
    late_free(&l);
    client_free(&c);
}
END_TEST

/* A server that reads the request and then sends head (or nothing) and
 * waits; connections after the first get OK_REPLY. */
static struct vt_http_server *
silent_server(struct scripts *sc, const char *head)
{
    return start_server(sc, head, head != NULL ? strlen(head) : 0, THEN_SILENT);
}

/* The timeout runs from the last byte: it fails the request with
 * TIMEOUT, closes the connection, and is not retried. */
static void
check_timeout(const char *head, int retries, int use_secs, double want_s)
{
    struct scripts sc;
    struct vt_http_server *srv = silent_server(&sc, head);
    struct client c;
    struct outcome o;

    client_init(&c, vt_http_server_port(srv));
    if (use_secs) {
        evhttp_connection_set_timeout(c.evcon, 1);
    } else {
        struct timeval t = {0, 300000};

        evhttp_connection_set_timeout_tv(c.evcon, &t);
    }
    if (retries != 0)
        evhttp_connection_set_retries(c.evcon, retries);
    client_run(&c, 0, 0, PHASE_S);
    ck_assert_str_eq(c.seen[0].order, "EC");
    ck_assert_int_eq(c.seen[0].error, EVREQ_HTTP_TIMEOUT);
    ck_assert_int_eq(c.seen[0].complete_req, 0);
    ck_assert_int_eq(c.seen[0].headers, head != NULL ? 1 : 0);
    ck_assert_double_ge(c.seen[0].error_s, want_s - 0.02);
    ck_assert_double_lt(c.seen[0].error_s, want_s + 0.5);
    ck_assert_int_eq(c.closecbs, 1);
    client_run(&c, 1, 0, PHASE_S);
    client_free(&c);
    memset(&o, 0, sizeof(o));
    server_outcome(srv, &o);
    vt_http_server_stop(srv);
    ck_assert_str_eq(c.seen[1].order, "C");
    ck_assert_str_eq(c.seen[1].body, "second");
    /* One connection for the first request, one for the second. */
    ck_assert_int_eq(o.accepts, 2);
    ck_assert_int_eq(o.second_conn, 1);
}

START_TEST(silent_server_times_out)
{
    check_timeout(NULL, 0, 0, 0.3);
}
END_TEST

START_TEST(timeout_is_not_retried)
{
    check_timeout(NULL, 2, 0, 0.3);
}
END_TEST

START_TEST(timeout_inside_a_body)
{
    check_timeout(H11 "Content-Length: 10\r\n\r\nok", 1, 0, 0.3);
}
END_TEST

START_TEST(timeout_in_seconds)
{
    check_timeout(NULL, 0, 1, 1.0);
}
END_TEST

/* A response that trickles in a piece every 150 ms outlasts a 300 ms
 * timeout: each byte read starts the timeout over. */
START_TEST(timeout_restarts_with_every_read)
{
    static const struct vt_hs_step script[] = {
        VT_STEP_EXPECT,
        VT_STEP_SEND_PIECES(H11 "Content-Length: 10\r\n\r\n0123456789", 10,
                            150),
        VT_STEP_WAIT_CLOSE, VT_STEP_END};
    struct vt_http_server *srv = vt_http_server_start(script);
    struct client c;
    struct timeval t = {0, 300000};

    ck_assert_ptr_nonnull(srv);
    client_init(&c, vt_http_server_port(srv));
    evhttp_connection_set_timeout_tv(c.evcon, &t);
    client_run(&c, 0, 0, PHASE_S);
    ck_assert_str_eq(c.seen[0].order, "C");
    ck_assert_int_eq(c.seen[0].code, 200);
    ck_assert_str_eq(c.seen[0].body, "0123456789");
    ck_assert_double_gt(c.seen[0].complete_s, 0.6);
    client_free(&c);
    vt_http_server_stop(srv);
}
END_TEST

/* ------------------------------------------------------------------ */
/* A response before the request is out                                */
/* ------------------------------------------------------------------ */

/* Big enough that the socket buffers cannot hold it. */
#define BIG_BODY ((size_t)16 << 20)

/* The server answers at once and then reads the whole request: the
 * request completes with the answer, the body goes out whole, and the
 * connection serves the next request. */
START_TEST(response_before_the_body_is_sent)
{
    static const struct vt_hs_step early[] = {
        VT_STEP_SEND(H11 CL2 "\r\nok"), VT_STEP_EXPECT,     VT_STEP_EXPECT,
        VT_STEP_SEND(OK_REPLY),         VT_STEP_WAIT_CLOSE, VT_STEP_END};
    static const struct vt_hs_step later[] = {VT_STEP_EXPECT,
                                              VT_STEP_SEND(OK_REPLY),
                                              VT_STEP_WAIT_CLOSE, VT_STEP_END};
    const struct vt_hs_step *scripts[] = {early, later};
    struct vt_http_server *srv = vt_http_server_start_scripts(scripts, 2);
    struct vt_hs_request r;
    struct client c;

    ck_assert_ptr_nonnull(srv);
    client_init(&c, vt_http_server_port(srv));
    client_run(&c, 0, BIG_BODY, PHASE_S);
    ck_assert_str_eq(c.seen[0].order, "C");
    ck_assert_int_eq(c.seen[0].code, 200);
    ck_assert_str_eq(c.seen[0].body, "ok");
    client_run(&c, 1, 0, PHASE_S);
    ck_assert_str_eq(c.seen[1].order, "C");
    ck_assert_str_eq(c.seen[1].body, "second");
    client_free(&c);
    ck_assert_int_eq(vt_http_server_request(srv, 0, &r), 0);
    ck_assert_int_eq(r.complete, 1);
    ck_assert_uint_eq(r.len - r.head_len, BIG_BODY);
    vt_http_server_stop(srv);
}
END_TEST

/* The server answers, then closes without reading the body (the kernel
 * resets the connection).  2.1.12 reads no response before the request
 * is out, so the write error fails the request with EOF; with
 * EVHTTP_CON_READ_ON_WRITE_ERROR it reads the answer instead. */
static void
check_early_close(int flags)
{
    static const struct vt_hs_step early[] = {
        VT_STEP_SLEEP(100), VT_STEP_SEND(H11 CL2 "Connection: close\r\n\r\nok"),
        VT_STEP_CLOSE, VT_STEP_END};
    static const struct vt_hs_step later[] = {VT_STEP_EXPECT,
                                              VT_STEP_SEND(OK_REPLY),
                                              VT_STEP_WAIT_CLOSE, VT_STEP_END};
    const struct vt_hs_step *scripts[] = {early, later};
    struct vt_http_server *srv = vt_http_server_start_scripts(scripts, 2);
    struct client c;

    ck_assert_ptr_nonnull(srv);
    client_init(&c, vt_http_server_port(srv));
    if (flags != 0)
        ck_assert_int_eq(evhttp_connection_set_flags(c.evcon, flags), 0);
    client_run(&c, 0, BIG_BODY, PHASE_S);
    /* Without EVHTTP_CON_READ_ON_WRITE_ERROR, 2.1.12 reads nothing
     * until the request is written, so the reset loses the response
     * that had arrived; Vigil reads a response whenever it comes, and
     * delivers it whole, flag or not (a deliberate difference).  The
     * oracle build accepts either. */
#ifdef VIGIL_ORACLE
    if (flags != 0 || strcmp(c.seen[0].order, "C") == 0) {
#else
    if (1) {
#endif
        ck_assert_str_eq(c.seen[0].order, "C");
        ck_assert_int_eq(c.seen[0].code, 200);
        ck_assert_str_eq(c.seen[0].body, "ok");
    } else {
        ck_assert_str_eq(c.seen[0].order, "EC");
        ck_assert_int_eq(c.seen[0].error, EVREQ_HTTP_EOF);
        ck_assert_int_eq(c.seen[0].complete_req, 0);
    }
    client_run(&c, 1, 0, PHASE_S);
    ck_assert_str_eq(c.seen[1].order, "C");
    ck_assert_str_eq(c.seen[1].body, "second");
    ck_assert_int_eq(vt_http_server_connections(srv), 2);
    client_free(&c);
    vt_http_server_stop(srv);
}

START_TEST(response_then_reset_while_sending)
{
    check_early_close(0);
}
END_TEST

START_TEST(response_then_reset_read_on_write_error)
{
    check_early_close(EVHTTP_CON_READ_ON_WRITE_ERROR);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("http_client_strict");
    TCase *tc;

    tc = vt_tcase("parsing", 60);
    tcase_add_loop_test(tc, bad_field_lines, 0, NROWS(field_rows));
    tcase_add_loop_test(tc, bad_framing, 0, NROWS(framing_rows));
    tcase_add_loop_test(tc, bad_status_lines, 0, NROWS(status_rows));
    suite_add_tcase(s, tc);

    tc = vt_tcase("closing", 60);
    tcase_add_loop_test(tc, server_closes, 0, NROWS(close_rows));
    tcase_add_loop_test(tc, around_a_response, 0, NROWS(sequence_rows));
    suite_add_tcase(s, tc);

    tc = vt_tcase("limits", 60);
    tcase_add_test(tc, head_over_max_headers_size);
    tcase_add_loop_test(tc, body_over_max_body_size, 0, NROWS(body_rows));
    suite_add_tcase(s, tc);

    tc = vt_tcase("connecting", 60);
    tcase_add_test(tc, refused_without_retries);
    tcase_add_test(tc, refused_with_retries);
    tcase_add_test(tc, retry_reaches_a_late_listener);
    tcase_add_test(tc, default_first_retry_is_2s);
    tcase_add_test(tc, request_after_the_retries_ran_out);
    tcase_add_test(tc, silent_server_times_out);
    tcase_add_test(tc, timeout_is_not_retried);
    tcase_add_test(tc, timeout_inside_a_body);
    tcase_add_test(tc, timeout_in_seconds);
    tcase_add_test(tc, timeout_restarts_with_every_read);
    suite_add_tcase(s, tc);

    tc = vt_tcase("early", 60);
    tcase_add_test(tc, response_before_the_body_is_sent);
    tcase_add_test(tc, response_then_reset_while_sending);
    tcase_add_test(tc, response_then_reset_read_on_write_error);
    suite_add_tcase(s, tc);
    return vt_run(s);
}
