/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * http_client.c: evhttp's client, seen from a scripted raw-socket server
 * (test/helpers/vt-http-server.h) that records the exact bytes of every
 * request and counts the connections, while the test's thread runs the
 * client's loop.  Covered: the request bytes per method (request line, the
 * headers libevent adds by itself and their order, bodies); responses
 * with Content-Length, chunked and EOF-delimited bodies, HEAD, 204, 304
 * and 1xx; the chunked and header callbacks; queued requests, keep-alive
 * and reconnecting; the order and arguments of the error, completion and
 * close callbacks when the server fails, when the program cancels a
 * request or frees the connection; owned requests; free on completion;
 * the local address and port, the address family, names through an
 * evdns_base and through the system resolver; a bufferevent of the
 * program's; the accessors; the compat evhttp_connection_new.  The
 * expected values are what libevent 2.1.12 does.
 */
#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/event_compat.h>
#include <event2/http.h>
#include <event2/http_compat.h>
#include <event2/http_struct.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vt-dns.h"
#include "vt-event.h"
#include "vt-http-server.h"
#include "vtest.h"

/* ------------------------------------------------------------------ */
/* What the callbacks saw                                               */
/* ------------------------------------------------------------------ */

/* One log for the whole test: every callback appends a short entry, so
 * that a test compares the exact order in one string.
 *   H(tag,code)      the header callback
 *   K(tag,n)         the chunked callback, with the input's length
 *   E(tag,err)       the error callback
 *   D(tag,code)      the completion callback with a request
 *   D(tag,NULL)      the completion callback with NULL
 *   C                the connection's close callback
 * The test may add its own marks (log_add) between calls. */
struct record {
    char log[2048];
    int done;   /* completion callbacks */
    int errors; /* error callbacks */
    int closes; /* close callbacks */
    int heads;  /* header callbacks */
    /* The last completion callback with a request. */
    int code;
    char line[128];
    int line_null;
    char body[1024];
    size_t body_len;
    char headers[1024]; /* "Name: value|" per input header */
    int major, minor;
    int conn_null;       /* evhttp_request_get_connection was NULL */
    int server_requests; /* what the server had recorded by then */
    size_t chunk_in[16]; /* input length at each chunked call */
    int chunks;
    /* Requests for the callbacks. */
    int header_ret;               /* what the header callback returns */
    int own;                      /* evhttp_request_own in completion */
    struct evhttp_request *owned; /* the request it owned */
    struct vt_http_server *srv;   /* for server_requests */
};

static struct record rec;

static void
log_add(const char *fmt, ...)
{
    size_t n = strlen(rec.log);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(rec.log + n, sizeof(rec.log) - n, fmt, ap);
    va_end(ap);
}

static void
done_cb(struct evhttp_request *req, void *arg)
{
    struct evkeyval *kv;
    struct evbuffer *in;
    const char *line;

    rec.done++;
    if (rec.srv != NULL)
        rec.server_requests = vt_http_server_requests(rec.srv);
    if (req == NULL) {
        log_add("D(%s,NULL);", (const char *)arg);
        return;
    }
    rec.code = evhttp_request_get_response_code(req);
    log_add("D(%s,%d);", (const char *)arg, rec.code);
    line = evhttp_request_get_response_code_line(req);
    rec.line_null = line == NULL;
    snprintf(rec.line, sizeof(rec.line), "%s", line != NULL ? line : "");
    in = evhttp_request_get_input_buffer(req);
    rec.body_len = evbuffer_get_length(in);
    if (rec.body_len >= sizeof(rec.body))
        rec.body_len = sizeof(rec.body) - 1;
    ck_assert_int_ge(evbuffer_copyout(in, rec.body, rec.body_len), 0);
    rec.body[rec.body_len] = '\0';
    rec.headers[0] = '\0';
    TAILQ_FOREACH(kv, evhttp_request_get_input_headers(req), next)
    {
        size_t n = strlen(rec.headers);

        snprintf(rec.headers + n, sizeof(rec.headers) - n, "%s: %s|", kv->key,
                 kv->value);
    }
    rec.major = req->major;
    rec.minor = req->minor;
    rec.conn_null = evhttp_request_get_connection(req) == NULL;
    if (rec.own) {
        evhttp_request_own(req);
        rec.owned = req;
    }
}

static void
chunk_cb(struct evhttp_request *req, void *arg)
{
    size_t n = evbuffer_get_length(evhttp_request_get_input_buffer(req));

    log_add("K(%s,%zu);", (const char *)arg, n);
    if (rec.chunks < 16)
        rec.chunk_in[rec.chunks] = n;
    rec.chunks++;
}

static int
header_cb(struct evhttp_request *req, void *arg)
{
    rec.heads++;
    log_add("H(%s,%d);", (const char *)arg,
            evhttp_request_get_response_code(req));
    /* The body has not been read yet. */
    ck_assert_uint_eq(evbuffer_get_length(evhttp_request_get_input_buffer(req)),
                      0);
    return rec.header_ret;
}

static void
error_cb(enum evhttp_request_error err, void *arg)
{
    rec.errors++;
    log_add("E(%s,%d);", (const char *)arg, (int)err);
}

static void
close_cb(struct evhttp_connection *evcon, void *arg)
{
    (void)evcon;
    (void)arg;
    rec.closes++;
    log_add("C;");
}

/* A request whose callbacks log under tag (a string literal). */
static struct evhttp_request *
new_req(const char *tag)
{
    struct evhttp_request *req = evhttp_request_new(done_cb, (void *)tag);

    ck_assert_ptr_nonnull(req);
    evhttp_request_set_error_cb(req, error_cb);
    return req;
}

/* ------------------------------------------------------------------ */
/* A base, a scripted server and a connection to it                     */
/* ------------------------------------------------------------------ */

struct ctx {
    struct event_base *base;
    struct vt_http_server *srv;
    struct evhttp_connection *evcon;
    struct event *notify; /* on the server's notify descriptor */
    int changes;
};

static void
notify_cb(evutil_socket_t fd, short what, void *arg)
{
    struct ctx *c = arg;

    (void)fd;
    (void)what;
    vt_http_server_drain(c->srv);
    c->changes++;
}

static ev_uint16_t
port_of(struct ctx *c)
{
    return (ev_uint16_t)vt_http_server_port(c->srv);
}

/* Starts the server (scripts[i] for the i-th connection) and a base; no
 * connection yet. */
static void
open_server(struct ctx *c, const struct vt_hs_step *const *scripts, int n)
{
    memset(c, 0, sizeof(*c));
    memset(&rec, 0, sizeof(rec));
    c->srv = vt_http_server_start_scripts(scripts, n);
    ck_assert_ptr_nonnull(c->srv);
    rec.srv = c->srv;
    c->base = event_base_new();
    ck_assert_ptr_nonnull(c->base);
    c->notify = event_new(c->base, vt_http_server_notify_fd(c->srv),
                          EV_READ | EV_PERSIST, notify_cb, c);
    ck_assert_ptr_nonnull(c->notify);
    ck_assert_int_eq(event_add(c->notify, NULL), 0);
}

/* open_server with one script, and a connection to 127.0.0.1 with the
 * close callback set. */
static void
open_ctx(struct ctx *c, const struct vt_hs_step *script)
{
    const struct vt_hs_step *scripts[1] = {script};

    open_server(c, scripts, 1);
    c->evcon =
        evhttp_connection_base_new(c->base, NULL, "127.0.0.1", port_of(c));
    ck_assert_ptr_nonnull(c->evcon);
    evhttp_connection_set_closecb(c->evcon, close_cb, NULL);
}

static void
close_ctx(struct ctx *c)
{
    if (c->evcon != NULL)
        evhttp_connection_free(c->evcon);
    c->evcon = NULL;
    vt_http_server_stop(c->srv);
    c->srv = NULL;
    rec.srv = NULL;
    event_free(c->notify);
    event_base_free(c->base);
}

/* Runs the loop until the server has recorded n requests. */
static void
wait_server_requests(struct ctx *c, int n)
{
    for (int i = 0; i < 1000 && vt_http_server_requests(c->srv) < n; i++) {
        int before = c->changes;

        vt_wait_for_within(c->base, &c->changes, before + 1, 10);
    }
    ck_assert_int_ge(vt_http_server_requests(c->srv), n);
}

/* Runs the loop until the server has finished n connections. */
static void
wait_server_done(struct ctx *c, int n)
{
    for (int i = 0; i < 1000 && vt_http_server_done(c->srv) < n; i++) {
        int before = c->changes;

        vt_wait_for_within(c->base, &c->changes, before + 1, 10);
    }
    ck_assert_int_ge(vt_http_server_done(c->srv), n);
}

/* Makes a request of type to uri and checks that libevent took it. */
static void
make(struct ctx *c, struct evhttp_request *req, enum evhttp_cmd_type type,
     const char *uri)
{
    ck_assert_int_eq(evhttp_make_request(c->evcon, req, type, uri), 0);
}

/* Runs the loop until n completion callbacks ran in all. */
static void
wait_done(struct ctx *c, int n)
{
    ck_assert_int_eq(vt_wait_for(c->base, &rec.done, n), n);
}

/* The i-th request the server recorded is exactly want. */
static void
expect_request(struct ctx *c, int i, const char *want)
{
    struct vt_hs_request r;

    ck_assert_int_eq(vt_http_server_request(c->srv, i, &r), 0);
    ck_assert_str_eq(r.data, want);
    ck_assert_uint_eq(r.len, strlen(want));
}

/* The i-th request came on connection conn, complete or not. */
static void
expect_request_on(struct ctx *c, int i, int conn, int complete)
{
    struct vt_hs_request r;

    ck_assert_int_eq(vt_http_server_request(c->srv, i, &r), 0);
    ck_assert_int_eq(r.conn, conn);
    ck_assert_int_eq(r.complete, complete);
}

static struct vt_hs_conn
server_conn(struct ctx *c, int i)
{
    struct vt_hs_conn info;

    ck_assert_int_eq(vt_http_server_conn(c->srv, i, &info), 0);
    return info;
}

/* ------------------------------------------------------------------ */
/* Scripts                                                              */
/* ------------------------------------------------------------------ */

#define OK_HELLO "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
#define OK_EMPTY "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"

/* Keep-alive: one response per request, for ever. */
static const struct vt_hs_step keep_hello[] = {
    VT_STEP_EXPECT, VT_STEP_SEND(OK_HELLO), VT_STEP_REPEAT};
static const struct vt_hs_step keep_empty[] = {
    VT_STEP_EXPECT, VT_STEP_SEND(OK_EMPTY), VT_STEP_REPEAT};
/* Keep-alive, each response 150 ms after the request, recording what
 * else comes meanwhile. */
static const struct vt_hs_step keep_slow[] = {
    VT_STEP_EXPECT, VT_STEP_WAIT_CLOSE_MS(150), VT_STEP_SEND(OK_HELLO),
    VT_STEP_REPEAT};
/* One response, then the connection closed. */
static const struct vt_hs_step one_then_close[] = {
    VT_STEP_EXPECT, VT_STEP_SEND(OK_HELLO), VT_STEP_END};
/* Reads the request and answers nothing until the client goes. */
static const struct vt_hs_step read_silent[] = {
    VT_STEP_EXPECT, VT_STEP_WAIT_CLOSE_MS(5000), VT_STEP_END};
/* Reads nothing, answers nothing. */
static const struct vt_hs_step silent[] = {VT_STEP_WAIT_CLOSE_MS(5000),
                                           VT_STEP_END};

/* Opens a context on script, makes one request of type to uri (with the
 * header callback, and the chunked one if asked) and waits for its
 * completion; the test checks and closes the context. */
static void
run_one(struct ctx *c, const struct vt_hs_step *script,
        enum evhttp_cmd_type type, const char *uri, int chunked)
{
    struct evhttp_request *req;

    open_ctx(c, script);
    req = new_req("a");
    if (chunked)
        evhttp_request_set_chunked_cb(req, chunk_cb);
    evhttp_request_set_header_cb(req, header_cb);
    make(c, req, type, uri);
    wait_done(c, 1);
}

/* ------------------------------------------------------------------ */
/* The request on the wire                                              */
/* ------------------------------------------------------------------ */

START_TEST(get_sends_only_the_request_line)
{
    struct ctx c;

    run_one(&c, keep_hello, EVHTTP_REQ_GET, "/p?q=1", 0);
    /* No Host, no Connection, no User-Agent: nothing is added. */
    expect_request(&c, 0, "GET /p?q=1 HTTP/1.1\r\n\r\n");
    ck_assert_int_eq(vt_http_server_requests(c.srv), 1);
    ck_assert_int_eq(vt_http_server_connections(c.srv), 1);
    close_ctx(&c);
}
END_TEST

START_TEST(methods_without_body)
{
    static const struct {
        enum evhttp_cmd_type type;
        const char *uri, *want;
    } cases[] = {
        {EVHTTP_REQ_GET, "/m", "GET /m HTTP/1.1\r\n\r\n"},
        {EVHTTP_REQ_HEAD, "/m", "HEAD /m HTTP/1.1\r\n\r\n"},
        {EVHTTP_REQ_DELETE, "/m", "DELETE /m HTTP/1.1\r\n\r\n"},
        {EVHTTP_REQ_OPTIONS, "*", "OPTIONS * HTTP/1.1\r\n\r\n"},
        {EVHTTP_REQ_TRACE, "/m", "TRACE /m HTTP/1.1\r\n\r\n"},
        {EVHTTP_REQ_PATCH, "/m", "PATCH /m HTTP/1.1\r\n\r\n"},
        {EVHTTP_REQ_CONNECT, "example.com:443",
         "CONNECT example.com:443 HTTP/1.1\r\n\r\n"},
        /* POST and PUT get a Content-Length even when empty. */
        {EVHTTP_REQ_POST, "/m",
         "POST /m HTTP/1.1\r\nContent-Length: 0\r\n\r\n"},
        {EVHTTP_REQ_PUT, "/m", "PUT /m HTTP/1.1\r\nContent-Length: 0\r\n\r\n"},
    };
    struct ctx c;
    int n = (int)(sizeof(cases) / sizeof(cases[0]));

    open_ctx(&c, keep_empty);
    for (int i = 0; i < n; i++) {
        make(&c, new_req("a"), cases[i].type, cases[i].uri);
        wait_done(&c, i + 1);
        ck_assert_int_eq(rec.code, 200);
        expect_request(&c, i, cases[i].want);
    }
    /* All on one connection. */
    ck_assert_int_eq(vt_http_server_connections(c.srv), 1);
    close_ctx(&c);
}
END_TEST

START_TEST(post_and_put_add_content_length)
{
    struct ctx c;
    struct evhttp_request *req;

    open_ctx(&c, keep_hello);
    req = new_req("a");
    ck_assert_int_eq(
        evbuffer_add(evhttp_request_get_output_buffer(req), "abc", 3), 0);
    make(&c, req, EVHTTP_REQ_POST, "/p");
    wait_done(&c, 1);
    expect_request(&c, 0, "POST /p HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");

    req = new_req("b");
    ck_assert_int_eq(
        evbuffer_add(evhttp_request_get_output_buffer(req), "wxyz", 4), 0);
    make(&c, req, EVHTTP_REQ_PUT, "/q");
    wait_done(&c, 2);
    expect_request(&c, 1, "PUT /q HTTP/1.1\r\nContent-Length: 4\r\n\r\nwxyz");
    close_ctx(&c);
}
END_TEST

START_TEST(program_headers_in_order_then_content_length)
{
    struct ctx c;
    struct evhttp_request *req;
    struct evkeyvalq *h;

    open_ctx(&c, keep_hello);
    req = new_req("a");
    h = evhttp_request_get_output_headers(req);
    ck_assert_int_eq(evhttp_add_header(h, "X-A", "1"), 0);
    ck_assert_int_eq(evhttp_add_header(h, "Host", "example.org"), 0);
    ck_assert_int_eq(evhttp_add_header(h, "Connection", "keep-alive"), 0);
    ck_assert_int_eq(
        evbuffer_add(evhttp_request_get_output_buffer(req), "xyz", 3), 0);
    make(&c, req, EVHTTP_REQ_POST, "/h");
    wait_done(&c, 1);
    expect_request(&c, 0,
                   "POST /h HTTP/1.1\r\nX-A: 1\r\nHost: example.org\r\n"
                   "Connection: keep-alive\r\nContent-Length: 3\r\n\r\nxyz");
    close_ctx(&c);
}
END_TEST

START_TEST(program_content_length_is_kept)
{
    struct ctx c;
    struct evhttp_request *req;
    struct evkeyvalq *h;

    open_ctx(&c, keep_hello);
    req = new_req("a");
    h = evhttp_request_get_output_headers(req);
    ck_assert_int_eq(evhttp_add_header(h, "Content-Length", "3"), 0);
    ck_assert_int_eq(evhttp_add_header(h, "X-A", "1"), 0);
    ck_assert_int_eq(
        evbuffer_add(evhttp_request_get_output_buffer(req), "xyz", 3), 0);
    make(&c, req, EVHTTP_REQ_POST, "/h");
    wait_done(&c, 1);
    expect_request(&c, 0,
                   "POST /h HTTP/1.1\r\nContent-Length: 3\r\nX-A: 1\r\n\r\n"
                   "xyz");
    close_ctx(&c);
}
END_TEST

/* A GET's output buffer goes out after the head, with no Content-Length:
 * the server sees it as the start of the next request. */
START_TEST(get_body_sent_without_length)
{
    struct ctx c;
    struct evhttp_request *req;

    open_ctx(&c, keep_hello);
    req = new_req("a");
    ck_assert_int_eq(
        evbuffer_add(evhttp_request_get_output_buffer(req), "xyz", 3), 0);
    make(&c, req, EVHTTP_REQ_GET, "/g");
    wait_done(&c, 1);
    /* libevent 2.1.12 sends the body of a GET without a Content-Length,
     * so the server reads it as the start of another request; Vigil
     * frames every body (a deliberate difference).  The oracle build,
     * which also runs on Vigil as swap.*, accepts either. */
#ifdef VIGIL_ORACLE
    {
        struct vt_hs_request r;

        ck_assert_int_eq(vt_http_server_request(c.srv, 0, &r), 0);
        if (strcmp(r.data, "GET /g HTTP/1.1\r\n\r\n") != 0) {
            expect_request(&c, 0,
                           "GET /g HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyz");
            close_ctx(&c);
            return;
        }
    }
    expect_request(&c, 0, "GET /g HTTP/1.1\r\n\r\n");
    evhttp_connection_free(c.evcon);
    c.evcon = NULL;
    wait_server_requests(&c, 2);
    expect_request(&c, 1, "xyz");
    expect_request_on(&c, 1, 0, 0);
#else
    expect_request(&c, 0, "GET /g HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyz");
#endif
    close_ctx(&c);
}
END_TEST

START_TEST(absolute_uri_sent_as_given)
{
    struct ctx c;

    run_one(&c, keep_hello, EVHTTP_REQ_GET, "http://other.example:81/abs", 0);
    expect_request(&c, 0, "GET http://other.example:81/abs HTTP/1.1\r\n\r\n");
    close_ctx(&c);
}
END_TEST

START_TEST(http10_request)
{
    struct ctx c;
    struct evhttp_request *req;

    open_ctx(&c, keep_hello);
    req = new_req("a");
    req->major = 1;
    req->minor = 0;
    make(&c, req, EVHTTP_REQ_GET, "/old");
    wait_done(&c, 1);
    expect_request(&c, 0, "GET /old HTTP/1.0\r\n\r\n");
    close_ctx(&c);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Responses                                                            */
/* ------------------------------------------------------------------ */

START_TEST(content_length_response)
{
    static const struct vt_hs_step script[] = {
        VT_STEP_EXPECT,
        VT_STEP_SEND("HTTP/1.1 201 Created Now\r\nContent-Length: 5\r\n"
                     "X-B:  two \r\nx-b: 3\r\n\r\nhello"),
        VT_STEP_REPEAT};
    struct ctx c;

    run_one(&c, script, EVHTTP_REQ_GET, "/", 0);
    ck_assert_str_eq(rec.log, "H(a,201);D(a,201);");
    ck_assert_int_eq(rec.code, 201);
    ck_assert_str_eq(rec.line, "Created Now");
    ck_assert_str_eq(rec.body, "hello");
    /* In arrival order, names as sent, values trimmed. */
    ck_assert_str_eq(rec.headers, "Content-Length: 5|X-B: two|x-b: 3|");
    ck_assert_int_eq(rec.major, 1);
    ck_assert_int_eq(rec.minor, 1);
    /* The request has left its connection by the time of the callback. */
    ck_assert_int_eq(rec.conn_null, 1);
    ck_assert_int_eq(rec.closes, 0);
    close_ctx(&c);
    /* Freeing a connected connection runs the close callback. */
    ck_assert_int_eq(rec.closes, 1);
}
END_TEST

START_TEST(chunked_response_is_dechunked)
{
    static const struct vt_hs_step script[] = {
        VT_STEP_EXPECT,
        VT_STEP_SEND("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "3\r\nabc\r\n4\r\ndefg\r\n0\r\nX-T: 1\r\n\r\n"),
        VT_STEP_REPEAT};
    struct ctx c;

    run_one(&c, script, EVHTTP_REQ_GET, "/", 0);
    ck_assert_str_eq(rec.log, "H(a,200);D(a,200);");
    ck_assert_str_eq(rec.body, "abcdefg");
    /* The trailer is not among the input headers. */
    ck_assert_str_eq(rec.headers, "Transfer-Encoding: chunked|");
    /* The connection stays for the next request. */
    make(&c, new_req("b"), EVHTTP_REQ_GET, "/2");
    wait_done(&c, 2);
    ck_assert_int_eq(vt_http_server_connections(c.srv), 1);
    close_ctx(&c);
}
END_TEST

/* A chunk extension (RFC 9112 7.1.1).  Deliberate difference: libevent
 * 2.1.12 fails the request with EVREQ_HTTP_DATA_TOO_LONG (its server
 * answers 413); Vigil ignores the extension, as its server does. */
START_TEST(chunk_extension)
{
    static const struct vt_hs_step script[] = {
        VT_STEP_EXPECT,
        VT_STEP_SEND("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "3;a=b\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n"),
        VT_STEP_WAIT_CLOSE_MS(5000), VT_STEP_END};
    struct ctx c;

    run_one(&c, script, EVHTTP_REQ_GET, "/", 0);
#ifdef VIGIL_ORACLE
    ck_assert_msg(strcmp(rec.log, "H(a,200);C;E(a,5);D(a,NULL);") == 0 ||
                      strcmp(rec.log, "H(a,200);D(a,200);") == 0,
                  "log %s", rec.log);
#else
    ck_assert_str_eq(rec.log, "H(a,200);D(a,200);");
    ck_assert_str_eq(rec.body, "abcdefg");
#endif
    ck_assert_int_eq(EVREQ_HTTP_DATA_TOO_LONG, 5);
    close_ctx(&c);
}
END_TEST

START_TEST(chunked_cb_once_per_chunk)
{
    static const struct vt_hs_step script[] = {
        VT_STEP_EXPECT,
        VT_STEP_SEND("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n"),
        VT_STEP_REPEAT};
    struct ctx c;

    run_one(&c, script, EVHTTP_REQ_GET, "/", 1);
    /* Each call sees one chunk: the input is drained after each. */
    ck_assert_str_eq(rec.log, "H(a,200);K(a,3);K(a,4);D(a,200);");
    ck_assert_uint_eq(rec.body_len, 0);
    close_ctx(&c);
}
END_TEST

START_TEST(chunked_cb_pieces_drained_between_calls)
{
    static const char body[] =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        "3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n";
    static const struct vt_hs_step script[] = {
        VT_STEP_EXPECT, VT_STEP_SEND_PIECES(body, 10, 30),
        VT_STEP_WAIT_CLOSE_MS(5000), VT_STEP_END};
    struct ctx c;

    run_one(&c, script, EVHTTP_REQ_GET, "/", 1);
    /* Complete chunks only, each once, whatever the pieces. */
    ck_assert_int_eq(rec.chunks, 2);
    ck_assert_uint_eq(rec.chunk_in[0], 3);
    ck_assert_uint_eq(rec.chunk_in[1], 4);
    ck_assert_uint_eq(rec.body_len, 0);
    close_ctx(&c);
}
END_TEST

START_TEST(chunked_cb_on_content_length_body)
{
    static const struct vt_hs_step script[] = {
        VT_STEP_EXPECT,
        VT_STEP_SEND("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"),
        VT_STEP_SLEEP(50),
        VT_STEP_SEND("01234"),
        VT_STEP_SLEEP(50),
        VT_STEP_SEND("56789"),
        VT_STEP_WAIT_CLOSE_MS(5000),
        VT_STEP_END};
    struct ctx c;
    size_t sum = 0;

    run_one(&c, script, EVHTTP_REQ_GET, "/", 1);
    /* A call per read, each seeing only the new bytes. */
    ck_assert_int_ge(rec.chunks, 2);
    ck_assert_int_le(rec.chunks, 10);
    for (int i = 0; i < rec.chunks && i < 16; i++) {
        ck_assert_uint_gt(rec.chunk_in[i], 0);
        sum += rec.chunk_in[i];
    }
    ck_assert_uint_eq(sum, 10);
    ck_assert_uint_eq(rec.body_len, 0);
    ck_assert_int_eq(rec.code, 200);
    close_ctx(&c);
}
END_TEST

START_TEST(eof_delimited_body)
{
    static const struct vt_hs_step script[] = {
        VT_STEP_EXPECT, VT_STEP_SEND("HTTP/1.1 200 OK\r\n\r\nuntil-eof"),
        VT_STEP_END};
    struct ctx c;

    run_one(&c, script, EVHTTP_REQ_GET, "/", 0);
    /* The completion first, then the close callback. */
    ck_assert_int_eq(vt_wait_for(c.base, &rec.closes, 1), 1);
    ck_assert_str_eq(rec.log, "H(a,200);D(a,200);C;");
    ck_assert_str_eq(rec.body, "until-eof");
    ck_assert_str_eq(rec.headers, "");
    close_ctx(&c);
    ck_assert_int_eq(rec.closes, 1);
}
END_TEST

START_TEST(eof_delimited_body_http10_chunked_cb)
{
    static const struct vt_hs_step script[] = {
        VT_STEP_EXPECT, VT_STEP_SEND("HTTP/1.0 200 OK\r\n\r\nuntil-eof"),
        VT_STEP_END};
    struct ctx c;

    run_one(&c, script, EVHTTP_REQ_GET, "/", 1);
    ck_assert_int_eq(vt_wait_for(c.base, &rec.closes, 1), 1);
    ck_assert_str_eq(rec.log, "H(a,200);K(a,9);D(a,200);C;");
    ck_assert_int_eq(rec.major, 1);
    ck_assert_int_eq(rec.minor, 0);
    close_ctx(&c);
}
END_TEST

START_TEST(head_response_has_no_body)
{
    static const struct vt_hs_step script[] = {
        VT_STEP_EXPECT,
        VT_STEP_SEND("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"),
        VT_STEP_EXPECT, VT_STEP_SEND(OK_HELLO), VT_STEP_REPEAT};
    struct ctx c;

    run_one(&c, script, EVHTTP_REQ_HEAD, "/", 1);
    ck_assert_str_eq(rec.log, "H(a,200);D(a,200);");
    ck_assert_str_eq(rec.headers, "Content-Length: 5|");
    ck_assert_uint_eq(rec.body_len, 0);
    /* The next response is read from the same connection. */
    make(&c, new_req("b"), EVHTTP_REQ_GET, "/");
    wait_done(&c, 2);
    ck_assert_str_eq(rec.body, "hello");
    ck_assert_int_eq(vt_http_server_connections(c.srv), 1);
    close_ctx(&c);
}
END_TEST

START_TEST(status_204_and_304_have_no_body)
{
    static const struct vt_hs_step script[] = {
        VT_STEP_EXPECT,
        VT_STEP_SEND("HTTP/1.1 204 No Content\r\n\r\n"),
        VT_STEP_EXPECT,
        VT_STEP_SEND("HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n"),
        VT_STEP_EXPECT,
        VT_STEP_SEND(OK_HELLO),
        VT_STEP_REPEAT};
    struct ctx c;

    run_one(&c, script, EVHTTP_REQ_GET, "/", 1);
    ck_assert_str_eq(rec.log, "H(a,204);D(a,204);");
    ck_assert_str_eq(rec.line, "No Content");
    ck_assert_uint_eq(rec.body_len, 0);
    make(&c, new_req("b"), EVHTTP_REQ_GET, "/");
    wait_done(&c, 2);
    ck_assert_int_eq(rec.code, 304);
    ck_assert_str_eq(rec.headers, "Content-Length: 5|");
    ck_assert_uint_eq(rec.body_len, 0);
    make(&c, new_req("c"), EVHTTP_REQ_GET, "/");
    wait_done(&c, 3);
    ck_assert_str_eq(rec.body, "hello");
    ck_assert_int_eq(vt_http_server_connections(c.srv), 1);
    close_ctx(&c);
}
END_TEST

START_TEST(status_100_is_skipped)
{
    static const struct vt_hs_step script[] = {
        VT_STEP_EXPECT,
        VT_STEP_SEND("HTTP/1.1 100 Continue\r\n\r\n"
                     "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
        VT_STEP_REPEAT};
    struct ctx c;

    run_one(&c, script, EVHTTP_REQ_GET, "/", 0);
    /* The header callback sees the 100 too. */
    ck_assert_str_eq(rec.log, "H(a,100);H(a,200);D(a,200);");
    ck_assert_str_eq(rec.body, "ok");
    ck_assert_str_eq(rec.headers, "Content-Length: 2|");
    close_ctx(&c);
}
END_TEST

/* libevent 2.1.12 skips only 100: any other 1xx is taken as the final
 * response.  Vigil skips every interim response but 101 (RFC 9110
 * section 15.2; 103 Early Hints precedes the real answer), a deliberate
 * difference; the oracle build accepts either. */
START_TEST(status_103_is_final)
{
    static const struct vt_hs_step script[] = {
        VT_STEP_EXPECT,
        VT_STEP_SEND("HTTP/1.1 103 Early Hints\r\nLink: </s>\r\n\r\n"
                     "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
        VT_STEP_WAIT_CLOSE_MS(5000), VT_STEP_END};
    struct ctx c;

    run_one(&c, script, EVHTTP_REQ_GET, "/", 0);
#ifdef VIGIL_ORACLE
    if (strcmp(rec.log, "H(a,103);D(a,103);") == 0) {
        ck_assert_str_eq(rec.line, "Early Hints");
        ck_assert_str_eq(rec.headers, "Link: </s>|");
        ck_assert_uint_eq(rec.body_len, 0);
        close_ctx(&c);
        return;
    }
#endif
    ck_assert_str_eq(rec.log, "H(a,103);H(a,200);D(a,200);");
    ck_assert_str_eq(rec.line, "OK");
    ck_assert_str_eq(rec.headers, "Content-Length: 2|");
    ck_assert_str_eq(rec.body, "ok");
    close_ctx(&c);
}
END_TEST

START_TEST(error_status_is_a_response)
{
    static const struct vt_hs_step script[] = {
        VT_STEP_EXPECT,
        VT_STEP_SEND("HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nnop"),
        VT_STEP_REPEAT};
    struct ctx c;

    run_one(&c, script, EVHTTP_REQ_GET, "/", 0);
    ck_assert_str_eq(rec.log, "H(a,404);D(a,404);");
    ck_assert_str_eq(rec.line, "Not Found");
    ck_assert_str_eq(rec.body, "nop");
    close_ctx(&c);
}
END_TEST

START_TEST(header_cb_minus_one_fails_the_request)
{
    static const struct vt_hs_step script[] = {
        VT_STEP_EXPECT, VT_STEP_SEND(OK_HELLO), VT_STEP_WAIT_CLOSE_MS(5000),
        VT_STEP_END};
    struct ctx c;

    open_ctx(&c, script);
    rec.header_ret = -1;
    {
        struct evhttp_request *req = new_req("a");

        evhttp_request_set_header_cb(req, header_cb);
        make(&c, req, EVHTTP_REQ_GET, "/");
    }
    wait_done(&c, 1);
    /* The connection closes, then the error (EOF) and NULL. */
    ck_assert_str_eq(rec.log, "H(a,200);C;E(a,1);D(a,NULL);");
    wait_server_done(&c, 1);
    ck_assert_int_eq(server_conn(&c, 0).client_eof, 1);
    close_ctx(&c);
    ck_assert_int_eq(rec.closes, 1);
}
END_TEST

START_TEST(connection_close_response)
{
    static const struct vt_hs_step script[] = {
        VT_STEP_EXPECT,
        VT_STEP_SEND("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
                     "Connection: close\r\n\r\nok"),
        VT_STEP_WAIT_CLOSE_MS(5000), VT_STEP_END};
    struct ctx c;

    run_one(&c, script, EVHTTP_REQ_GET, "/", 0);
    /* libevent closes first, then calls back. */
    ck_assert_str_eq(rec.log, "H(a,200);C;D(a,200);");
    ck_assert_str_eq(rec.body, "ok");
    wait_server_done(&c, 1);
    ck_assert_int_eq(server_conn(&c, 0).client_eof, 1);
    /* The next request opens a new connection. */
    make(&c, new_req("b"), EVHTTP_REQ_GET, "/b");
    wait_done(&c, 2);
    ck_assert_int_eq(vt_http_server_connections(c.srv), 2);
    expect_request_on(&c, 1, 1, 1);
    close_ctx(&c);
}
END_TEST

START_TEST(garbage_status_line)
{
    static const struct vt_hs_step script[] = {
        VT_STEP_EXPECT, VT_STEP_SEND("SMTP ready\r\n\r\n"),
        VT_STEP_WAIT_CLOSE_MS(5000), VT_STEP_END};
    struct ctx c;

    run_one(&c, script, EVHTTP_REQ_GET, "/", 0);
    ck_assert_str_eq(rec.log, "C;E(a,2);D(a,NULL);");
    ck_assert_int_eq(EVREQ_HTTP_INVALID_HEADER, 2);
    close_ctx(&c);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Several requests, keep-alive, reconnecting                           */
/* ------------------------------------------------------------------ */

START_TEST(queued_requests_one_at_a_time)
{
    struct ctx c;
    int seen[3];

    open_ctx(&c, keep_slow);
    make(&c, new_req("a"), EVHTTP_REQ_GET, "/a");
    make(&c, new_req("b"), EVHTTP_REQ_GET, "/b");
    make(&c, new_req("c"), EVHTTP_REQ_GET, "/c");
    for (int i = 0; i < 3; i++) {
        wait_done(&c, i + 1);
        seen[i] = rec.server_requests;
    }
    ck_assert_str_eq(rec.log, "D(a,200);D(b,200);D(c,200);");
    /* When each response came the server had only that many requests: no
     * pipelining, in spite of the 150 ms it waited for more. */
    ck_assert_int_eq(seen[0], 1);
    ck_assert_int_eq(seen[1], 2);
    ck_assert_int_eq(seen[2], 3);
    expect_request(&c, 0, "GET /a HTTP/1.1\r\n\r\n");
    expect_request(&c, 1, "GET /b HTTP/1.1\r\n\r\n");
    expect_request(&c, 2, "GET /c HTTP/1.1\r\n\r\n");
    ck_assert_int_eq(vt_http_server_connections(c.srv), 1);
    close_ctx(&c);
}
END_TEST

START_TEST(keep_alive_reuses_the_socket)
{
    struct ctx c;
    struct sockaddr_in local;
    socklen_t len = sizeof(local);
    struct bufferevent *bev;

    run_one(&c, keep_hello, EVHTTP_REQ_GET, "/1", 0);
    bev = evhttp_connection_get_bufferevent(c.evcon);
    ck_assert_int_eq(
        getsockname(bufferevent_getfd(bev), (struct sockaddr *)&local, &len),
        0);
    vt_run_for(c.base, 100);
    make(&c, new_req("b"), EVHTTP_REQ_GET, "/2");
    wait_done(&c, 2);
    ck_assert_int_eq(vt_http_server_connections(c.srv), 1);
    ck_assert_int_eq(server_conn(&c, 0).client_port, ntohs(local.sin_port));
    ck_assert_int_eq(server_conn(&c, 0).requests, 2);
    ck_assert_int_eq(rec.closes, 0);
    close_ctx(&c);
}
END_TEST

START_TEST(server_close_then_reconnect)
{
    struct ctx c;

    run_one(&c, one_then_close, EVHTTP_REQ_GET, "/1", 0);
    /* The idle connection notices the server's close. */
    ck_assert_int_eq(vt_wait_for(c.base, &rec.closes, 1), 1);
    ck_assert_str_eq(rec.log, "H(a,200);D(a,200);C;");
    make(&c, new_req("b"), EVHTTP_REQ_GET, "/2");
    wait_done(&c, 2);
    ck_assert_str_eq(rec.body, "hello");
    ck_assert_int_eq(vt_http_server_connections(c.srv), 2);
    expect_request_on(&c, 1, 1, 1);
    close_ctx(&c);
}
END_TEST

/* The server ends its side right after the first response: the second
 * request has gone out on that connection already and fails with EOF;
 * the third goes on a new connection. */
START_TEST(queued_behind_a_closing_server)
{
    static const struct vt_hs_step script[] = {
        VT_STEP_EXPECT, VT_STEP_SEND(OK_HELLO), VT_STEP_SHUT_WR,
        VT_STEP_WAIT_CLOSE_MS(5000), VT_STEP_END};
    struct ctx c;

    open_ctx(&c, script);
    make(&c, new_req("a"), EVHTTP_REQ_GET, "/a");
    make(&c, new_req("b"), EVHTTP_REQ_GET, "/b");
    make(&c, new_req("c"), EVHTTP_REQ_GET, "/c");
    wait_done(&c, 3);
    ck_assert_str_eq(rec.log, "D(a,200);C;E(b,1);D(b,NULL);D(c,200);");
    ck_assert_int_eq(vt_http_server_connections(c.srv), 2);
    /* Whether b's bytes reach the server before the client acts on its
     * FIN depends on timing, in libevent and in Vigil alike: the
     * callbacks above are what is certain. */
    {
        struct vt_hs_request r;

        ck_assert_int_eq(vt_http_server_request(c.srv, 1, &r), 0);
        if (strcmp(r.data, "GET /b HTTP/1.1\r\n\r\n") != 0) {
            expect_request_on(&c, 1, 1, 1);
            close_ctx(&c);
            return;
        }
    }
    expect_request(&c, 1, "GET /b HTTP/1.1\r\n\r\n");
    expect_request_on(&c, 1, 0, 1);
    expect_request_on(&c, 2, 1, 1);
    close_ctx(&c);
}
END_TEST

START_TEST(queued_with_connection_close)
{
    static const struct vt_hs_step script[] = {
        VT_STEP_EXPECT,
        VT_STEP_SEND("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
                     "Connection: close\r\n\r\nok"),
        VT_STEP_WAIT_CLOSE_MS(5000), VT_STEP_END};
    struct ctx c;

    open_ctx(&c, script);
    make(&c, new_req("a"), EVHTTP_REQ_GET, "/a");
    make(&c, new_req("b"), EVHTTP_REQ_GET, "/b");
    make(&c, new_req("c"), EVHTTP_REQ_GET, "/c");
    wait_done(&c, 3);
    /* A connection per request, each closed before its callback. */
    ck_assert_str_eq(rec.log, "C;D(a,200);C;D(b,200);C;D(c,200);");
    ck_assert_int_eq(vt_http_server_connections(c.srv), 3);
    for (int i = 0; i < 3; i++)
        expect_request_on(&c, i, i, 1);
    close_ctx(&c);
    /* Closed already: freeing it does not call back again. */
    ck_assert_int_eq(rec.closes, 3);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Failures                                                             */
/* ------------------------------------------------------------------ */

/* A refused connection: no error callback, no close callback, and the
 * completion callback gets the request with code 0 and no code line. */
START_TEST(connection_refused)
{
    struct ctx c;
    struct sockaddr_in closed;

    open_ctx(&c, silent);
    evhttp_connection_free(c.evcon);
    vt_closed_port(&closed);
    c.evcon = evhttp_connection_base_new(c.base, NULL, "127.0.0.1",
                                         ntohs(closed.sin_port));
    ck_assert_ptr_nonnull(c.evcon);
    evhttp_connection_set_closecb(c.evcon, close_cb, NULL);
    make(&c, new_req("a"), EVHTTP_REQ_GET, "/");
    wait_done(&c, 1);
    vt_run_for(c.base, 50);
    ck_assert_str_eq(rec.log, "D(a,0);");
    ck_assert_int_eq(rec.code, 0);
    ck_assert_int_eq(rec.line_null, 1);
    ck_assert_uint_eq(rec.body_len, 0);
    close_ctx(&c);
    ck_assert_int_eq(rec.closes, 0);
}
END_TEST

START_TEST(server_closes_before_responding)
{
    static const struct vt_hs_step script[] = {VT_STEP_EXPECT, VT_STEP_END};
    struct ctx c;

    run_one(&c, script, EVHTTP_REQ_GET, "/", 0);
    ck_assert_str_eq(rec.log, "C;E(a,1);D(a,NULL);");
    ck_assert_int_eq(EVREQ_HTTP_EOF, 1);
    close_ctx(&c);
    ck_assert_int_eq(rec.closes, 1);
}
END_TEST

START_TEST(server_closes_in_the_head)
{
    static const struct vt_hs_step script[] = {
        VT_STEP_EXPECT, VT_STEP_SEND("HTTP/1.1 200 OK\r\nContent-Le"),
        VT_STEP_END};
    struct ctx c;

    run_one(&c, script, EVHTTP_REQ_GET, "/", 0);
    ck_assert_str_eq(rec.log, "C;E(a,1);D(a,NULL);");
    close_ctx(&c);
}
END_TEST

START_TEST(server_closes_in_the_body)
{
    static const struct vt_hs_step script[] = {
        VT_STEP_EXPECT,
        VT_STEP_SEND("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nhello"),
        VT_STEP_END};
    struct ctx c;

    run_one(&c, script, EVHTTP_REQ_GET, "/", 0);
    ck_assert_str_eq(rec.log, "H(a,200);C;E(a,1);D(a,NULL);");
    close_ctx(&c);
}
END_TEST

/* A reset reports EOF too, not a buffer error. */
START_TEST(server_resets)
{
    static const struct vt_hs_step script[] = {VT_STEP_EXPECT, VT_STEP_RESET};
    struct ctx c;

    run_one(&c, script, EVHTTP_REQ_GET, "/", 0);
    ck_assert_str_eq(rec.log, "C;E(a,1);D(a,NULL);");
    close_ctx(&c);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Owning, cancelling, freeing                                          */
/* ------------------------------------------------------------------ */

START_TEST(owned_request_outlives_its_callback)
{
    struct ctx c;

    open_ctx(&c, keep_hello);
    rec.own = 1;
    make(&c, new_req("a"), EVHTTP_REQ_GET, "/");
    wait_done(&c, 1);
    vt_run_for(c.base, 50);
    ck_assert_ptr_nonnull(rec.owned);
    ck_assert_int_eq(evhttp_request_is_owned(rec.owned), 1);
    ck_assert_int_eq(evhttp_request_get_response_code(rec.owned), 200);
    ck_assert_str_eq(evhttp_request_get_response_code_line(rec.owned), "OK");
    ck_assert_uint_eq(
        evbuffer_get_length(evhttp_request_get_input_buffer(rec.owned)), 5);
    ck_assert_ptr_null(evhttp_request_get_connection(rec.owned));
    /* The connection goes on without it. */
    rec.own = 0;
    make(&c, new_req("b"), EVHTTP_REQ_GET, "/");
    wait_done(&c, 2);
    evhttp_request_free(rec.owned);
    close_ctx(&c);
}
END_TEST

START_TEST(cancel_a_queued_request)
{
    struct ctx c;
    struct evhttp_request *b;

    open_ctx(&c, keep_slow);
    make(&c, new_req("a"), EVHTTP_REQ_GET, "/a");
    b = new_req("b");
    make(&c, b, EVHTTP_REQ_GET, "/b");
    evhttp_cancel_request(b);
    log_add("X;");
    make(&c, new_req("c"), EVHTTP_REQ_GET, "/c");
    wait_done(&c, 2);
    /* No callback at all for the cancelled one. */
    ck_assert_str_eq(rec.log, "X;D(a,200);D(c,200);");
    ck_assert_int_eq(vt_http_server_requests(c.srv), 2);
    expect_request(&c, 1, "GET /c HTTP/1.1\r\n\r\n");
    ck_assert_int_eq(vt_http_server_connections(c.srv), 1);
    close_ctx(&c);
}
END_TEST

/* Cancelled while connecting: the error callback runs inside the call,
 * the completion callback never; the server sees a connection closed
 * with nothing sent; the next request connects anew. */
START_TEST(cancel_while_connecting)
{
    struct ctx c;
    struct evhttp_request *a;

    open_ctx(&c, keep_hello);
    a = new_req("a");
    make(&c, a, EVHTTP_REQ_GET, "/a");
    evhttp_cancel_request(a);
    log_add("X;");
    ck_assert_str_eq(rec.log, "E(a,4);X;");
    ck_assert_int_eq(EVREQ_HTTP_REQUEST_CANCEL, 4);
    make(&c, new_req("b"), EVHTTP_REQ_GET, "/b");
    wait_done(&c, 1);
    ck_assert_str_eq(rec.log, "E(a,4);X;D(b,200);");
    wait_server_done(&c, 1);
    ck_assert_int_eq(vt_http_server_connections(c.srv), 2);
    ck_assert_int_eq(server_conn(&c, 0).requests, 0);
    ck_assert_int_eq(server_conn(&c, 0).client_eof, 1);
    expect_request_on(&c, 0, 1, 1);
    close_ctx(&c);
}
END_TEST

START_TEST(cancel_after_sending)
{
    struct ctx c;
    struct evhttp_request *a;

    open_ctx(&c, read_silent);
    a = new_req("a");
    make(&c, a, EVHTTP_REQ_GET, "/a");
    wait_server_requests(&c, 1);
    evhttp_cancel_request(a);
    log_add("X;");
    /* The connection is reset (closed) inside the call. */
    ck_assert_str_eq(rec.log, "C;E(a,4);X;");
    wait_server_done(&c, 1);
    ck_assert_int_eq(server_conn(&c, 0).client_eof, 1);
    vt_run_for(c.base, 50);
    ck_assert_int_eq(rec.done, 0);
    close_ctx(&c);
    ck_assert_int_eq(rec.closes, 1);
}
END_TEST

START_TEST(cancel_while_reading_the_body)
{
    static const struct vt_hs_step script[] = {
        VT_STEP_EXPECT,
        VT_STEP_SEND("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"),
        VT_STEP_WAIT_CLOSE_MS(5000), VT_STEP_END};
    struct ctx c;
    struct evhttp_request *a;

    open_ctx(&c, script);
    a = new_req("a");
    evhttp_request_set_chunked_cb(a, chunk_cb);
    make(&c, a, EVHTTP_REQ_GET, "/a");
    ck_assert_int_eq(vt_wait_for(c.base, &rec.chunks, 1), 1);
    evhttp_cancel_request(a);
    log_add("X;");
    ck_assert_str_eq(rec.log, "K(a,3);C;E(a,4);X;");
    wait_server_done(&c, 1);
    ck_assert_int_eq(server_conn(&c, 0).client_eof, 1);
    ck_assert_int_eq(rec.done, 0);
    close_ctx(&c);
}
END_TEST

/* Freeing the connection with requests in flight and queued: only the
 * close callback runs; the requests go without a word. */
START_TEST(free_with_requests_queued)
{
    struct ctx c;

    open_ctx(&c, read_silent);
    make(&c, new_req("a"), EVHTTP_REQ_GET, "/a");
    make(&c, new_req("b"), EVHTTP_REQ_GET, "/b");
    make(&c, new_req("c"), EVHTTP_REQ_GET, "/c");
    wait_server_requests(&c, 1);
    evhttp_connection_free(c.evcon);
    c.evcon = NULL;
    log_add("X;");
    vt_run_for(c.base, 50);
    ck_assert_str_eq(rec.log, "C;X;");
    wait_server_done(&c, 1);
    ck_assert_int_eq(vt_http_server_requests(c.srv), 1);
    ck_assert_int_eq(server_conn(&c, 0).client_eof, 1);
    close_ctx(&c);
}
END_TEST

START_TEST(free_while_connecting)
{
    struct ctx c;

    open_ctx(&c, silent);
    make(&c, new_req("a"), EVHTTP_REQ_GET, "/a");
    make(&c, new_req("b"), EVHTTP_REQ_GET, "/b");
    evhttp_connection_free(c.evcon);
    c.evcon = NULL;
    vt_run_for(c.base, 50);
    /* Not connected yet: not even the close callback. */
    ck_assert_str_eq(rec.log, "");
    wait_server_done(&c, 1);
    ck_assert_int_eq(vt_http_server_requests(c.srv), 0);
    close_ctx(&c);
}
END_TEST

/* With Connection: close the connection frees itself after the last
 * callback (ASan sees it if not); the close callback runs first. */
START_TEST(free_on_completion)
{
    static const struct vt_hs_step script[] = {
        VT_STEP_EXPECT,
        VT_STEP_SEND(OK_HELLO),
        VT_STEP_EXPECT,
        VT_STEP_SEND("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
                     "Connection: close\r\n\r\nok"),
        VT_STEP_WAIT_CLOSE_MS(5000),
        VT_STEP_END};
    struct ctx c;

    open_ctx(&c, script);
    make(&c, new_req("a"), EVHTTP_REQ_GET, "/a");
    make(&c, new_req("b"), EVHTTP_REQ_GET, "/b");
    evhttp_connection_free_on_completion(c.evcon);
    c.evcon = NULL;
    wait_done(&c, 2);
    ck_assert_str_eq(rec.log, "D(a,200);C;D(b,200);");
    wait_server_done(&c, 1);
    ck_assert_int_eq(server_conn(&c, 0).client_eof, 1);
    close_ctx(&c);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Addresses, names, bufferevents, accessors, compat                    */
/* ------------------------------------------------------------------ */

START_TEST(accessors_before_and_after_connecting)
{
    struct ctx c;
    char *host = NULL;
    ev_uint16_t port = 0;
    const struct sockaddr *sa;
    const struct sockaddr_in *sin;

    open_ctx(&c, keep_hello);
    ck_assert_ptr_eq(evhttp_connection_get_base(c.evcon), c.base);
    ck_assert_ptr_nonnull(evhttp_connection_get_bufferevent(c.evcon));
    ck_assert_int_eq(
        bufferevent_getfd(evhttp_connection_get_bufferevent(c.evcon)), -1);
    ck_assert_ptr_null(evhttp_connection_get_server(c.evcon));
    evhttp_connection_get_peer(c.evcon, &host, &port);
    ck_assert_str_eq(host, "127.0.0.1");
    ck_assert_int_eq(port, port_of(&c));
    /* Not NULL before connecting, as the header says, but empty. */
    sa = evhttp_connection_get_addr(c.evcon);
    ck_assert_ptr_nonnull(sa);
    ck_assert_int_eq(sa->sa_family, AF_UNSPEC);

    make(&c, new_req("a"), EVHTTP_REQ_GET, "/");
    wait_done(&c, 1);
    sa = evhttp_connection_get_addr(c.evcon);
    ck_assert_ptr_nonnull(sa);
    ck_assert_int_eq(sa->sa_family, AF_INET);
    sin = (const struct sockaddr_in *)(const void *)sa;
    ck_assert_uint_eq(ntohl(sin->sin_addr.s_addr), INADDR_LOOPBACK);
    ck_assert_int_eq(ntohs(sin->sin_port), port_of(&c));
    evhttp_connection_get_peer(c.evcon, &host, &port);
    ck_assert_str_eq(host, "127.0.0.1");
    ck_assert_int_eq(port, port_of(&c));
    ck_assert_int_ge(
        bufferevent_getfd(evhttp_connection_get_bufferevent(c.evcon)), 0);
    close_ctx(&c);
}
END_TEST

START_TEST(local_address_and_port)
{
    struct ctx c;
    struct sockaddr_in free_port;

    open_ctx(&c, keep_hello);
    vt_closed_port(&free_port);
    evhttp_connection_set_local_address(c.evcon, "127.0.0.1");
    evhttp_connection_set_local_port(c.evcon, ntohs(free_port.sin_port));
    make(&c, new_req("a"), EVHTTP_REQ_GET, "/");
    wait_done(&c, 1);
    ck_assert_int_eq(rec.code, 200);
    ck_assert_int_eq(server_conn(&c, 0).client_port, ntohs(free_port.sin_port));
    close_ctx(&c);
}
END_TEST

START_TEST(localhost_without_dns_base)
{
    struct ctx c;
    const struct vt_hs_step *scripts[1] = {keep_hello};
    char *host = NULL;
    ev_uint16_t port = 0;

    open_server(&c, scripts, 1);
    c.evcon =
        evhttp_connection_base_new(c.base, NULL, "localhost", port_of(&c));
    ck_assert_ptr_nonnull(c.evcon);
    /* The server listens on 127.0.0.1 only. */
    evhttp_connection_set_family(c.evcon, AF_INET);
    make(&c, new_req("a"), EVHTTP_REQ_GET, "/");
    wait_done(&c, 1);
    ck_assert_int_eq(rec.code, 200);
    /* The peer is the name as given. */
    evhttp_connection_get_peer(c.evcon, &host, &port);
    ck_assert_str_eq(host, "localhost");
    ck_assert_int_eq(port, port_of(&c));
    expect_request(&c, 0, "GET / HTTP/1.1\r\n\r\n");
    close_ctx(&c);
}
END_TEST

/* A name through an evdns_base: asked of the nameserver; without a family
 * both A and AAAA, with AF_INET only A. */
START_TEST(name_through_evdns)
{
    struct ctx c;
    const struct vt_hs_step *scripts[1] = {keep_hello};
    struct vt_dns *ns = vt_dns_start();
    struct evdns_base *dns;
    char text[64], *host = NULL;
    ev_uint16_t port = 0;
    const struct sockaddr *sa;

    ck_assert_ptr_nonnull(ns);
    ck_assert_int_eq(vt_dns_add_a(ns, "web.test", "127.0.0.1", 60), 0);
    open_server(&c, scripts, 1);
    dns = evdns_base_new(c.base, 0);
    ck_assert_ptr_nonnull(dns);
    ck_assert_int_eq(evdns_base_nameserver_ip_add(
                         dns, vt_dns_addr_text(ns, text, sizeof(text))),
                     0);
    c.evcon = evhttp_connection_base_new(c.base, dns, "web.test", port_of(&c));
    ck_assert_ptr_nonnull(c.evcon);
    make(&c, new_req("a"), EVHTTP_REQ_GET, "/");
    wait_done(&c, 1);
    ck_assert_int_eq(rec.code, 200);
    evhttp_connection_get_peer(c.evcon, &host, &port);
    ck_assert_str_eq(host, "web.test");
    sa = evhttp_connection_get_addr(c.evcon);
    ck_assert_int_eq(sa->sa_family, AF_INET);
    ck_assert_int_eq(vt_dns_count_name(ns, "web.test", VT_DNS_A), 1);
    ck_assert_int_eq(vt_dns_count_name(ns, "web.test", VT_DNS_AAAA), 1);
    evhttp_connection_free(c.evcon);

    /* AF_INET: only A. */
    vt_dns_clear_log(ns);
    c.evcon = evhttp_connection_base_new(c.base, dns, "web.test", port_of(&c));
    evhttp_connection_set_family(c.evcon, AF_INET);
    make(&c, new_req("b"), EVHTTP_REQ_GET, "/");
    wait_done(&c, 2);
    ck_assert_int_eq(rec.code, 200);
    ck_assert_int_eq(vt_dns_count_name(ns, "web.test", VT_DNS_A), 1);
    ck_assert_int_eq(vt_dns_count(ns), 1);
    ck_assert_int_eq(vt_http_server_connections(c.srv), 2);
    /* The resolver goes before the base it runs on. */
    evhttp_connection_free(c.evcon);
    c.evcon = NULL;
    evdns_base_free(dns, 0);
    close_ctx(&c);
    vt_dns_stop(ns);
}
END_TEST

/* A name that does not resolve: EOF and NULL, unlike a refused
 * connection. */
START_TEST(name_that_does_not_resolve)
{
    struct ctx c;
    const struct vt_hs_step *scripts[1] = {silent};
    struct vt_dns *ns = vt_dns_start();
    struct evdns_base *dns;
    char text[64];

    ck_assert_ptr_nonnull(ns);
    open_server(&c, scripts, 1);
    dns = evdns_base_new(c.base, 0);
    ck_assert_ptr_nonnull(dns);
    ck_assert_int_eq(evdns_base_nameserver_ip_add(
                         dns, vt_dns_addr_text(ns, text, sizeof(text))),
                     0);
    c.evcon = evhttp_connection_base_new(c.base, dns, "nope.test", 80);
    ck_assert_ptr_nonnull(c.evcon);
    evhttp_connection_set_closecb(c.evcon, close_cb, NULL);
    make(&c, new_req("a"), EVHTTP_REQ_GET, "/");
    wait_done(&c, 1);
    ck_assert_str_eq(rec.log, "E(a,1);D(a,NULL);");
    ck_assert_int_ge(vt_dns_count_name(ns, "nope.test", 0), 1);
    /* The resolver goes before the base it runs on. */
    evhttp_connection_free(c.evcon);
    c.evcon = NULL;
    evdns_base_free(dns, 0);
    close_ctx(&c);
    ck_assert_int_eq(rec.closes, 0);
    vt_dns_stop(ns);
}
END_TEST

START_TEST(program_bufferevent)
{
    struct ctx c;
    const struct vt_hs_step *scripts[1] = {keep_hello};
    struct bufferevent *bev;

    open_server(&c, scripts, 1);
    bev = bufferevent_socket_new(c.base, -1, BEV_OPT_CLOSE_ON_FREE);
    ck_assert_ptr_nonnull(bev);
    c.evcon = evhttp_connection_base_bufferevent_new(c.base, NULL, bev,
                                                     "127.0.0.1", port_of(&c));
    ck_assert_ptr_nonnull(c.evcon);
    ck_assert_ptr_eq(evhttp_connection_get_bufferevent(c.evcon), bev);
    ck_assert_int_eq(bufferevent_getfd(bev), -1);
    make(&c, new_req("a"), EVHTTP_REQ_GET, "/");
    /* The socket is made inside evhttp_make_request. */
    ck_assert_int_ge(bufferevent_getfd(bev), 0);
    wait_done(&c, 1);
    ck_assert_str_eq(rec.body, "hello");
    expect_request(&c, 0, "GET / HTTP/1.1\r\n\r\n");
    /* evhttp_connection_free frees the bufferevent and its socket (the
     * descriptor check of vt_tcase sees a leak). */
    close_ctx(&c);
}
END_TEST

/* evhttp_connection_new has no base of its own (get_base is NULL) and
 * works on event_init's; evhttp_connection_set_base moves it. */
START_TEST(compat_connection_new_and_set_base)
{
    struct vt_http_server *srv = vt_http_server_start(keep_hello);
    struct event_base *global, *other;
    struct evhttp_connection *evcon;

    memset(&rec, 0, sizeof(rec));
    ck_assert_ptr_nonnull(srv);
    global = event_init();
    ck_assert_ptr_nonnull(global);
    evcon = evhttp_connection_new("127.0.0.1",
                                  (ev_uint16_t)vt_http_server_port(srv));
    ck_assert_ptr_nonnull(evcon);
    ck_assert_ptr_null(evhttp_connection_get_base(evcon));
    ck_assert_int_eq(
        evhttp_make_request(evcon, new_req("a"), EVHTTP_REQ_GET, "/a"), 0);
    ck_assert_int_eq(vt_wait_for(global, &rec.done, 1), 1);
    ck_assert_int_eq(rec.code, 200);
    evhttp_connection_free(evcon);

    other = event_base_new();
    ck_assert_ptr_nonnull(other);
    evcon = evhttp_connection_new("127.0.0.1",
                                  (ev_uint16_t)vt_http_server_port(srv));
    ck_assert_ptr_nonnull(evcon);
    evhttp_connection_set_base(evcon, other);
    ck_assert_ptr_eq(evhttp_connection_get_base(evcon), other);
    ck_assert_int_eq(
        evhttp_make_request(evcon, new_req("b"), EVHTTP_REQ_GET, "/b"), 0);
    ck_assert_int_eq(vt_wait_for(other, &rec.done, 2), 2);
    ck_assert_str_eq(rec.log, "D(a,200);D(b,200);");
    ck_assert_int_eq(vt_http_server_connections(srv), 2);
    evhttp_connection_free(evcon);
    vt_http_server_stop(srv);
    event_base_free(other);
    event_base_free(global);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("http_client");
    TCase *tc;

    tc = vt_tcase("request", 30);
    tcase_add_test(tc, get_sends_only_the_request_line);
    tcase_add_test(tc, methods_without_body);
    tcase_add_test(tc, post_and_put_add_content_length);
    tcase_add_test(tc, program_headers_in_order_then_content_length);
    tcase_add_test(tc, program_content_length_is_kept);
    tcase_add_test(tc, get_body_sent_without_length);
    tcase_add_test(tc, absolute_uri_sent_as_given);
    tcase_add_test(tc, http10_request);
    suite_add_tcase(s, tc);

    tc = vt_tcase("response", 30);
    tcase_add_test(tc, content_length_response);
    tcase_add_test(tc, chunked_response_is_dechunked);
    tcase_add_test(tc, chunk_extension);
    tcase_add_test(tc, chunked_cb_once_per_chunk);
    tcase_add_test(tc, chunked_cb_pieces_drained_between_calls);
    tcase_add_test(tc, chunked_cb_on_content_length_body);
    tcase_add_test(tc, eof_delimited_body);
    tcase_add_test(tc, eof_delimited_body_http10_chunked_cb);
    tcase_add_test(tc, head_response_has_no_body);
    tcase_add_test(tc, status_204_and_304_have_no_body);
    tcase_add_test(tc, status_100_is_skipped);
    tcase_add_test(tc, status_103_is_final);
    tcase_add_test(tc, error_status_is_a_response);
    tcase_add_test(tc, header_cb_minus_one_fails_the_request);
    tcase_add_test(tc, connection_close_response);
    tcase_add_test(tc, garbage_status_line);
    suite_add_tcase(s, tc);

    tc = vt_tcase("connection", 30);
    tcase_add_test(tc, queued_requests_one_at_a_time);
    tcase_add_test(tc, keep_alive_reuses_the_socket);
    tcase_add_test(tc, server_close_then_reconnect);
    tcase_add_test(tc, queued_behind_a_closing_server);
    tcase_add_test(tc, queued_with_connection_close);
    suite_add_tcase(s, tc);

    tc = vt_tcase("failure", 30);
    tcase_add_test(tc, connection_refused);
    tcase_add_test(tc, server_closes_before_responding);
    tcase_add_test(tc, server_closes_in_the_head);
    tcase_add_test(tc, server_closes_in_the_body);
    tcase_add_test(tc, server_resets);
    suite_add_tcase(s, tc);

    tc = vt_tcase("lifetime", 30);
    tcase_add_test(tc, owned_request_outlives_its_callback);
    tcase_add_test(tc, cancel_a_queued_request);
    tcase_add_test(tc, cancel_while_connecting);
    tcase_add_test(tc, cancel_after_sending);
    tcase_add_test(tc, cancel_while_reading_the_body);
    tcase_add_test(tc, free_with_requests_queued);
    tcase_add_test(tc, free_while_connecting);
    tcase_add_test(tc, free_on_completion);
    suite_add_tcase(s, tc);

    tc = vt_tcase("address", 30);
    tcase_add_test(tc, accessors_before_and_after_connecting);
    tcase_add_test(tc, local_address_and_port);
    tcase_add_test(tc, localhost_without_dns_base);
    tcase_add_test(tc, name_through_evdns);
    tcase_add_test(tc, name_that_does_not_resolve);
    tcase_add_test(tc, program_bufferevent);
    tcase_add_test(tc, compat_connection_new_and_set_base);
    suite_add_tcase(s, tc);

    return vt_run(s);
}
