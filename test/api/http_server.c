/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * http_server.c: evhttp's server objects, seen from a raw HTTP client on
 * loopback (test/helpers/vt-http.h: a blocking socket in a thread of its
 * own, so that the test sees the exact status lines, headers and bodies
 * while its own thread runs the server's loop).  Covered: creating,
 * binding, accepting and freeing (sockets closed, none leaked); bound
 * socket accessors and their walk; callbacks by exact path, the generic
 * callback and the built-in 404; allowed and unknown methods; the default
 * content type; header and body limits; virtual hosts and aliases; the
 * bufferevent callback; idle timeouts; the request and connection
 * accessors in a callback; owned requests answered later; completion,
 * error and close callbacks; freeing a connection from a callback; the
 * compat evhttp_start and the layout of the deprecated struct
 * evhttp_request.  The expected values are what libevent 2.1.12 does.
 */
#include <sys/queue.h>

#include <event2/event.h>
#include <event2/event_compat.h>
#include <event2/http.h>
#include <event2/http_compat.h>
#include <event2/http_struct.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/util.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vt-event.h"
#include "vt-http.h"
#include "vtest.h"

/* ------------------------------------------------------------------ */
/* A server on a free loopback port, and raw exchanges with it          */
/* ------------------------------------------------------------------ */

struct srv {
    struct event_base *base;
    struct evhttp *http;
    struct evhttp_bound_socket *bound;
    struct sockaddr_in addr;
};

static void
addr_of_fd(evutil_socket_t fd, struct sockaddr_in *addr)
{
    socklen_t len = sizeof(*addr);

    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)addr, &len), 0);
    ck_assert_int_eq(addr->sin_family, AF_INET);
    ck_assert_uint_ne(ntohs(addr->sin_port), 0);
}

/* A base, an evhttp on it and a socket bound to 127.0.0.1 with a port the
 * kernel chooses. */
static void
srv_open(struct srv *s)
{
    memset(s, 0, sizeof(*s));
    s->base = event_base_new();
    ck_assert_ptr_nonnull(s->base);
    s->http = evhttp_new(s->base);
    ck_assert_ptr_nonnull(s->http);
    s->bound = evhttp_bind_socket_with_handle(s->http, "127.0.0.1", 0);
    ck_assert_ptr_nonnull(s->bound);
    addr_of_fd(evhttp_bound_socket_get_fd(s->bound), &s->addr);
}

static void
srv_close(struct srv *s)
{
    if (s->http != NULL)
        evhttp_free(s->http);
    event_base_free(s->base);
    s->http = NULL;
    s->base = NULL;
}

static void
count_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (*(int *)arg)++;
}

/* Runs the loop until the client's job has ended, then joins it. */
static void
run_client(struct event_base *base, struct vt_http_client *c)
{
    int n = 0;
    struct event *ev = event_new(base, c->done[0], EV_READ, count_cb, &n);

    ck_assert_ptr_nonnull(ev);
    ck_assert_int_eq(event_add(ev, NULL), 0);
    ck_assert_int_eq(vt_wait_for_within(base, &n, 1, 30), 1);
    event_free(ev);
    vt_http_client_join(c);
}

/* Sends req on the client and reads per mode (one response, or to EOF),
 * with a 10 s safety net. */
static void
send_on(struct srv *s, struct vt_http_client *c, const char *req,
        enum vt_http_read mode)
{
    ck_assert_int_eq(vt_http_client_start(c, req, strlen(req), mode, 1, 10.0),
                     0);
    run_client(s->base, c);
}

/* Opens a client to the server, sends req and reads per mode. */
static void
exchange(struct srv *s, struct vt_http_client *c, const char *req,
         enum vt_http_read mode)
{
    ck_assert_int_eq(vt_http_client_open(c, &s->addr), 0);
    send_on(s, c, req, mode);
}

/* The index-th response the client got, which must be complete. */
static void
response(const struct vt_http_client *c, int index, struct vt_http_response *r)
{
    ck_assert_int_eq(vt_http_client_response(c, index, r), 1);
}

/* One GET of path with HTTP/1.1, Host and Connection: close; the status of
 * the response. */
static int
get_status(struct srv *s, const char *path, const char *host)
{
    struct vt_http_client c;
    struct vt_http_response r;
    char req[512];
    int status;

    snprintf(req, sizeof(req),
             "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path,
             host);
    exchange(s, &c, req, VT_HTTP_READ_TO_CLOSE);
    response(&c, 0, &r);
    status = r.status;
    vt_http_response_free(&r);
    vt_http_client_close(&c);
    return status;
}

/* ------------------------------------------------------------------ */
/* What a request callback saw                                          */
/* ------------------------------------------------------------------ */

struct seen {
    const char *name; /* written into the body of the reply */
    int calls;
    enum evhttp_cmd_type cmd;
    char uri[256];
    char path[256];
    char query[256];
    char host[256];     /* "(null)" when evhttp_request_get_host said NULL */
    char headers[1024]; /* "Name=value|" for each input header */
    char body[1024];
    struct evhttp_request *req;
    struct evhttp_connection *evcon;
    int own;             /* take the request and do not answer */
    int code;            /* the status to answer, 0 for 200 */
    int after_code;      /* evhttp_request_get_response_code after */
    char after_line[64]; /* and the code line */
    int before_code;     /* before answering */
};

static void
copy_str(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src != NULL ? src : "(null)");
}

static void
seen_cb(struct evhttp_request *req, void *arg)
{
    struct seen *s = arg;
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    struct evkeyval *kv;
    size_t n, o = 0;

    s->calls++;
    s->req = req;
    s->evcon = evhttp_request_get_connection(req);
    s->cmd = evhttp_request_get_command(req);
    copy_str(s->uri, sizeof(s->uri), evhttp_request_get_uri(req));
    copy_str(s->path, sizeof(s->path),
             uri != NULL ? evhttp_uri_get_path(uri) : NULL);
    copy_str(s->query, sizeof(s->query),
             uri != NULL ? evhttp_uri_get_query(uri) : NULL);
    copy_str(s->host, sizeof(s->host), evhttp_request_get_host(req));
    s->headers[0] = '\0';
    TAILQ_FOREACH(kv, evhttp_request_get_input_headers(req), next)
    {
        o += (size_t)snprintf(s->headers + o, sizeof(s->headers) - o, "%s=%s|",
                              kv->key, kv->value);
        if (o >= sizeof(s->headers))
            o = sizeof(s->headers) - 1;
    }
    n = evbuffer_get_length(in);
    if (n >= sizeof(s->body))
        n = sizeof(s->body) - 1;
    evbuffer_copyout(in, s->body, n);
    s->body[n] = '\0';
    s->before_code = evhttp_request_get_response_code(req);
    if (s->own)
        return;

    struct evbuffer *out = evbuffer_new();

    ck_assert_ptr_nonnull(out);
    evbuffer_add_printf(out, "%s", s->name != NULL ? s->name : "ok");
    evhttp_send_reply(req, s->code != 0 ? s->code : 200, "OK", out);
    evbuffer_free(out);
    s->after_code = evhttp_request_get_response_code(req);
    copy_str(s->after_line, sizeof(s->after_line),
             evhttp_request_get_response_code_line(req));
}

/* The body of a response, which named the callback that answered. */
static void
assert_served_by(const struct vt_http_client *c, int status, const char *name)
{
    struct vt_http_response r;

    response(c, 0, &r);
    ck_assert_int_eq(r.status, status);
    ck_assert_str_eq(r.body, name);
    vt_http_response_free(&r);
}

/* One GET on a new connection; the body names who answered. */
static void
get_served_by(struct srv *s, const char *request, int status, const char *name)
{
    struct vt_http_client c;

    exchange(s, &c, request, VT_HTTP_READ_TO_CLOSE);
    assert_served_by(&c, status, name);
    vt_http_client_close(&c);
}

/* The fd is closed: fcntl on it fails with EBADF. */
static void
assert_fd_closed(int fd)
{
    errno = 0;
    ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
    ck_assert_int_eq(errno, EBADF);
}

/* Connecting to addr is refused. */
static void
assert_refused(const struct sockaddr_in *addr)
{
    int fd = vt_tcp_connect(addr);

    if (fd >= 0)
        close(fd);
    ck_assert_int_eq(fd, -1);
    ck_assert_int_eq(errno, ECONNREFUSED);
}

/* Vigil's 405: the Allow line first, then the error page's headers, and
 * the connection closed. */
static void
assert_method_not_allowed(const struct vt_http_client *c, const char *allow)
{
    struct vt_http_response r;

    ck_assert_int_eq(c->eof, 1);
    response(c, 0, &r);
    ck_assert_int_eq(r.status, 405);
    ck_assert_str_eq(r.reason, "Method Not Allowed");
    ck_assert_int_ge(r.nheaders, 1);
    ck_assert_str_eq(r.names[0], "Allow");
    ck_assert_str_eq(r.values[0], allow);
    ck_assert_ptr_nonnull(strstr(r.body, "<TITLE>405 Method Not Allowed"));
    vt_http_response_free(&r);
}

/* libevent's error page (evhttp_send_error with a NULL reason) for a
 * request without Connection: close: the headers in this order, and the
 * connection closed after it. */
static void
assert_error_page(const struct vt_http_client *c, int code, const char *reason)
{
    struct vt_http_response r;
    char body[512], len[24];

    ck_assert_int_eq(c->eof, 1);
    response(c, 0, &r);
    ck_assert_int_eq(r.status, code);
    ck_assert_str_eq(r.reason, reason);
    snprintf(body, sizeof(body),
             "<HTML><HEAD>\n<TITLE>%d %s</TITLE>\n</HEAD><BODY>\n"
             "<H1>%s</H1>\n</BODY></HTML>\n",
             code, reason, reason);
    ck_assert_str_eq(r.body, body);
    snprintf(len, sizeof(len), "%zu", strlen(body));
    ck_assert_int_eq(r.nheaders, 4);
    ck_assert_str_eq(r.names[0], "Content-Type");
    ck_assert_str_eq(r.values[0], "text/html");
    ck_assert_str_eq(r.names[1], "Connection");
    ck_assert_str_eq(r.values[1], "close");
    ck_assert_str_eq(r.names[2], "Date");
    ck_assert_str_eq(r.names[3], "Content-Length");
    ck_assert_str_eq(r.values[3], len);
    vt_http_response_free(&r);
}

#define GET_CLOSE(path) \
    "GET " path " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"

/* ------------------------------------------------------------------ */
/* Creating, binding, accepting, freeing                               */
/* ------------------------------------------------------------------ */

START_TEST(bind_port_zero_picks_a_port)
{
    struct srv s;
    struct seen a = {.name = "a"};
    struct evhttp_bound_socket *second;
    struct sockaddr_in addr2;

    srv_open(&s);
    /* Port 0 is allowed: the kernel picks one, get_fd shows which. */
    ck_assert_int_ge(evhttp_bound_socket_get_fd(s.bound), 0);
    ck_assert_int_eq(evhttp_bind_socket(s.http, "127.0.0.1", 0), 0);
    second = evhttp_bind_socket_with_handle(s.http, "127.0.0.1", 0);
    ck_assert_ptr_nonnull(second);
    addr_of_fd(evhttp_bound_socket_get_fd(second), &addr2);
    ck_assert_uint_ne(addr2.sin_port, s.addr.sin_port);
    /* bind_socket makes its own listener. */
    ck_assert_ptr_nonnull(evhttp_bound_socket_get_listener(second));

    ck_assert_int_eq(evhttp_set_cb(s.http, "/a", seen_cb, &a), 0);
    get_served_by(&s, GET_CLOSE("/a"), 200, "a");
    s.addr = addr2;
    get_served_by(&s, GET_CLOSE("/a"), 200, "a");
    ck_assert_int_eq(a.calls, 2);
    srv_close(&s);
}
END_TEST

START_TEST(bind_address_in_use_fails)
{
    struct srv s;
    char port[16];
    int fds;

    srv_open(&s);
    snprintf(port, sizeof(port), "%u", ntohs(s.addr.sin_port));
    fds = vt_count_fds();
    ck_assert_int_eq(
        evhttp_bind_socket(s.http, "127.0.0.1", ntohs(s.addr.sin_port)), -1);
    ck_assert_ptr_null(evhttp_bind_socket_with_handle(s.http, "127.0.0.1",
                                                      ntohs(s.addr.sin_port)));
    /* A bad address fails too. */
    ck_assert_ptr_null(
        evhttp_bind_socket_with_handle(s.http, "not an address", 80));
    ck_assert_int_eq(vt_count_fds(), fds);
    srv_close(&s);
}
END_TEST

struct walk {
    int n;
    struct evhttp_bound_socket *seen[8];
};

static void
walk_cb(struct evhttp_bound_socket *b, void *arg)
{
    struct walk *w = arg;

    if (w->n < 8)
        w->seen[w->n] = b;
    w->n++;
}

START_TEST(foreach_bound_socket_in_order)
{
    struct srv s;
    struct evhttp_bound_socket *b2, *b3;
    struct walk w = {0};

    srv_open(&s);
    b2 = evhttp_bind_socket_with_handle(s.http, "127.0.0.1", 0);
    b3 = evhttp_bind_socket_with_handle(s.http, "127.0.0.1", 0);
    ck_assert_ptr_nonnull(b2);
    ck_assert_ptr_nonnull(b3);
    evhttp_foreach_bound_socket(s.http, walk_cb, &w);
    ck_assert_int_eq(w.n, 3);
    /* In the order they were bound. */
    ck_assert_ptr_eq(w.seen[0], s.bound);
    ck_assert_ptr_eq(w.seen[1], b2);
    ck_assert_ptr_eq(w.seen[2], b3);

    evhttp_del_accept_socket(s.http, b2);
    memset(&w, 0, sizeof(w));
    evhttp_foreach_bound_socket(s.http, walk_cb, &w);
    ck_assert_int_eq(w.n, 2);
    ck_assert_ptr_eq(w.seen[0], s.bound);
    ck_assert_ptr_eq(w.seen[1], b3);
    srv_close(&s);
}
END_TEST

START_TEST(del_accept_socket_closes_it)
{
    struct srv s;
    struct evhttp_bound_socket *b2;
    struct sockaddr_in addr2;
    struct seen a = {.name = "a"};
    int fd;

    srv_open(&s);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/a", seen_cb, &a), 0);
    b2 = evhttp_bind_socket_with_handle(s.http, "127.0.0.1", 0);
    ck_assert_ptr_nonnull(b2);
    fd = evhttp_bound_socket_get_fd(s.bound);
    evhttp_del_accept_socket(s.http, s.bound);
    s.bound = NULL;
    assert_fd_closed(fd);
    assert_refused(&s.addr);
    /* The other one still serves. */
    addr_of_fd(evhttp_bound_socket_get_fd(b2), &addr2);
    s.addr = addr2;
    get_served_by(&s, GET_CLOSE("/a"), 200, "a");
    srv_close(&s);
}
END_TEST

START_TEST(bind_listener_is_used_and_freed)
{
    struct srv s;
    struct seen a = {.name = "a"};
    struct evconnlistener *lev;
    struct evhttp_bound_socket *b;
    struct sockaddr_in sin;
    int fd, fds = vt_count_fds();

    memset(&s, 0, sizeof(s));
    s.base = event_base_new();
    s.http = evhttp_new(s.base);
    ck_assert_ptr_nonnull(s.http);
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    lev = evconnlistener_new_bind(s.base, NULL, NULL,
                                  LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, -1,
                                  (struct sockaddr *)&sin, sizeof(sin));
    ck_assert_ptr_nonnull(lev);
    b = evhttp_bind_listener(s.http, lev);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_eq(evhttp_bound_socket_get_listener(b), lev);
    fd = evhttp_bound_socket_get_fd(b);
    ck_assert_int_eq(fd, evconnlistener_get_fd(lev));
    addr_of_fd(fd, &s.addr);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/a", seen_cb, &a), 0);
    get_served_by(&s, GET_CLOSE("/a"), 200, "a");
    /* evhttp_free frees the listener, which closes its socket. */
    evhttp_free(s.http);
    s.http = NULL;
    assert_fd_closed(fd);
    event_base_free(s.base);
    ck_assert_int_eq(vt_count_fds(), fds);
}
END_TEST

START_TEST(accept_socket_takes_a_listening_socket)
{
    struct srv s;
    struct seen a = {.name = "a"};
    struct evhttp_bound_socket *b;
    struct sockaddr_in addr2;
    int fd1, fd2;

    memset(&s, 0, sizeof(s));
    s.base = event_base_new();
    s.http = evhttp_new(s.base);
    ck_assert_ptr_nonnull(s.http);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/a", seen_cb, &a), 0);
    fd1 = vt_tcp_listener(&s.addr);
    fd2 = vt_tcp_listener(&addr2);
    ck_assert_int_ge(fd1, 0);
    ck_assert_int_ge(fd2, 0);
    ck_assert_int_eq(evutil_make_socket_nonblocking(fd1), 0);
    ck_assert_int_eq(evutil_make_socket_nonblocking(fd2), 0);
    ck_assert_int_eq(evhttp_accept_socket(s.http, fd1), 0);
    b = evhttp_accept_socket_with_handle(s.http, fd2);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(evhttp_bound_socket_get_fd(b), fd2);
    ck_assert_ptr_nonnull(evhttp_bound_socket_get_listener(b));
    get_served_by(&s, GET_CLOSE("/a"), 200, "a");
    s.addr = addr2;
    get_served_by(&s, GET_CLOSE("/a"), 200, "a");
    /* The sockets now belong to the evhttp: freeing it closes them. */
    srv_close(&s);
    assert_fd_closed(fd1);
    assert_fd_closed(fd2);
}
END_TEST

START_TEST(free_closes_live_connections)
{
    struct srv s;
    struct seen a = {.name = "a"};
    struct vt_http_client c1, c2;
    struct vt_http_response r;
    int fds;

    fds = vt_count_fds();
    srv_open(&s);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/a", seen_cb, &a), 0);
    /* One connection kept alive after a request, one that never sent. */
    exchange(&s, &c1, "GET /a HTTP/1.1\r\nHost: t\r\n\r\n",
             VT_HTTP_READ_RESPONSES);
    response(&c1, 0, &r);
    ck_assert_int_eq(r.status, 200);
    vt_http_response_free(&r);
    ck_assert_int_eq(c1.eof, 0);
    ck_assert_int_eq(vt_http_client_open(&c2, &s.addr), 0);
    vt_run_for(s.base, 50);

    evhttp_free(s.http);
    s.http = NULL;
    ck_assert_int_eq(
        vt_http_client_start(&c1, "", 0, VT_HTTP_READ_TO_CLOSE, 0, 10.0), 0);
    ck_assert_int_eq(
        vt_http_client_start(&c2, "", 0, VT_HTTP_READ_TO_CLOSE, 0, 10.0), 0);
    vt_http_client_join(&c1);
    vt_http_client_join(&c2);
    ck_assert_int_eq(c1.eof, 1);
    ck_assert_int_eq(c2.eof, 1);
    ck_assert_uint_eq(c2.in_len, 0);
    assert_refused(&s.addr);
    vt_http_client_close(&c1);
    vt_http_client_close(&c2);
    event_base_free(s.base);
    ck_assert_int_eq(vt_count_fds(), fds);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Callbacks by path, the generic callback, the built-in 404            */
/* ------------------------------------------------------------------ */

START_TEST(set_cb_and_del_cb_return_values)
{
    struct srv s;
    struct seen a = {.name = "a"}, b = {.name = "b"};

    srv_open(&s);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/a", seen_cb, &a), 0);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/a", seen_cb, &b), -1);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/b", seen_cb, &b), 0);
    ck_assert_int_eq(evhttp_del_cb(s.http, "/nothing"), -1);
    /* The first registration stays. */
    get_served_by(&s, GET_CLOSE("/a"), 200, "a");
    ck_assert_int_eq(evhttp_del_cb(s.http, "/a"), 0);
    ck_assert_int_eq(evhttp_del_cb(s.http, "/a"), -1);
    ck_assert_int_eq(get_status(&s, "/a", "t"), 404);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/a", seen_cb, &b), 0);
    get_served_by(&s, GET_CLOSE("/a"), 200, "b");
    srv_close(&s);
}
END_TEST

START_TEST(cb_matches_path_without_query)
{
    struct srv s;
    struct seen a = {.name = "a"};

    srv_open(&s);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/a", seen_cb, &a), 0);
    get_served_by(&s, GET_CLOSE("/a?x=1&y"), 200, "a");
    ck_assert_str_eq(a.uri, "/a?x=1&y");
    ck_assert_str_eq(a.path, "/a");
    ck_assert_str_eq(a.query, "x=1&y");
    get_served_by(&s, GET_CLOSE("/a?"), 200, "a");
    ck_assert_str_eq(a.query, "");
    get_served_by(&s, GET_CLOSE("/a#frag"), 200, "a");
    ck_assert_str_eq(a.uri, "/a#frag");
    ck_assert_int_eq(a.calls, 3);
    srv_close(&s);
}
END_TEST

START_TEST(cb_match_is_exact_not_prefix)
{
    struct srv s;
    struct seen a = {.name = "a"}, g = {.name = "gen"};

    srv_open(&s);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/a", seen_cb, &a), 0);
    evhttp_set_gencb(s.http, seen_cb, &g);
    get_served_by(&s, GET_CLOSE("/a/b"), 200, "gen");
    get_served_by(&s, GET_CLOSE("/a/"), 200, "gen");
    get_served_by(&s, GET_CLOSE("/ab"), 200, "gen");
    get_served_by(&s, GET_CLOSE("/A"), 200, "gen");
    get_served_by(&s, GET_CLOSE("/"), 200, "gen");
    get_served_by(&s, GET_CLOSE("/a"), 200, "a");
    ck_assert_int_eq(a.calls, 1);
    ck_assert_int_eq(g.calls, 5);
    srv_close(&s);
}
END_TEST

START_TEST(cb_match_decodes_the_path)
{
    struct srv s;
    struct seen a = {.name = "a"}, sp = {.name = "space"}, g = {.name = "gen"};

    srv_open(&s);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/a", seen_cb, &a), 0);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/x y", seen_cb, &sp), 0);
    evhttp_set_gencb(s.http, seen_cb, &g);
    /* The path is percent-decoded before the comparison ('+' stays). */
    get_served_by(&s, GET_CLOSE("/%61"), 200, "a");
    ck_assert_str_eq(a.uri, "/%61");
    get_served_by(&s, GET_CLOSE("/x%20y"), 200, "space");
    get_served_by(&s, GET_CLOSE("/x+y"), 200, "gen");
    srv_close(&s);
}
END_TEST

START_TEST(gencb_fallback_and_unset)
{
    struct srv s;
    struct seen a = {.name = "a"}, g = {.name = "gen"};

    srv_open(&s);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/a", seen_cb, &a), 0);
    evhttp_set_gencb(s.http, seen_cb, &g);
    get_served_by(&s, GET_CLOSE("/zzz?q"), 200, "gen");
    ck_assert_str_eq(g.uri, "/zzz?q");
    get_served_by(&s, GET_CLOSE("/a"), 200, "a");
    evhttp_set_gencb(s.http, NULL, NULL);
    ck_assert_int_eq(get_status(&s, "/zzz", "t"), 404);
    ck_assert_int_eq(g.calls, 1);
    srv_close(&s);
}
END_TEST

START_TEST(default_404_response)
{
    struct srv s;
    struct vt_http_client c;
    struct vt_http_response r;

    srv_open(&s);
    exchange(&s, &c, "GET /no/such<x>?q=1 HTTP/1.1\r\nHost: t\r\n\r\n",
             VT_HTTP_READ_RESPONSES);
    response(&c, 0, &r);
    ck_assert_int_eq(r.major, 1);
    ck_assert_int_eq(r.minor, 1);
    ck_assert_int_eq(r.status, 404);
    ck_assert_str_eq(r.reason, "Not Found");
    ck_assert_str_eq(r.body, "<html><head><title>404 Not Found</title>"
                             "</head><body><h1>Not Found</h1>"
                             "<p>The requested URL /no/such&lt;x&gt;?q=1 "
                             "was not found on this server.</p>"
                             "</body></html>\n");
    ck_assert_int_eq(r.nheaders, 4);
    ck_assert_str_eq(r.names[0], "Content-Type");
    ck_assert_str_eq(r.values[0], "text/html");
    ck_assert_str_eq(r.names[1], "Connection");
    ck_assert_str_eq(r.values[1], "close");
    ck_assert_str_eq(r.names[2], "Date");
    ck_assert_str_eq(r.names[3], "Content-Length");
    ck_assert_int_eq(atoi(r.values[3]), (int)r.body_len);
    vt_http_response_free(&r);
    /* The 404 closes the connection even though HTTP/1.1 keeps it. */
    send_on(&s, &c, "", VT_HTTP_READ_TO_CLOSE);
    ck_assert_int_eq(c.eof, 1);
    vt_http_client_close(&c);
    srv_close(&s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Methods                                                              */
/* ------------------------------------------------------------------ */

static const struct {
    const char *token;
    enum evhttp_cmd_type cmd;
} methods[] = {
    {"GET", EVHTTP_REQ_GET},       {"POST", EVHTTP_REQ_POST},
    {"HEAD", EVHTTP_REQ_HEAD},     {"PUT", EVHTTP_REQ_PUT},
    {"DELETE", EVHTTP_REQ_DELETE}, {"OPTIONS", EVHTTP_REQ_OPTIONS},
    {"TRACE", EVHTTP_REQ_TRACE},   {"CONNECT", EVHTTP_REQ_CONNECT},
    {"PATCH", EVHTTP_REQ_PATCH},
};

/* Sends "TOKEN /a HTTP/1.1" and returns the status (head: no body). */
static int
method_status(struct srv *s, const char *token, int *calls_before,
              const struct seen *a)
{
    struct vt_http_client c;
    struct vt_http_response r;
    char req[256];
    int status;

    *calls_before = a->calls;
    snprintf(req, sizeof(req),
             "%s /a HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n"
             "Connection: close\r\n\r\n",
             token);
    ck_assert_int_eq(vt_http_client_open(&c, &s->addr), 0);
    c.head = strcmp(token, "HEAD") == 0;
    send_on(s, &c, req, VT_HTTP_READ_TO_CLOSE);
    response(&c, 0, &r);
    status = r.status;
    vt_http_response_free(&r);
    vt_http_client_close(&c);
    return status;
}

START_TEST(default_allowed_methods)
{
    struct srv s;
    struct seen a = {.name = "a"};
    int before;

    srv_open(&s);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/a", seen_cb, &a), 0);
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        int status;

        /* CONNECT has a test of its own. */
        if (methods[i].cmd == EVHTTP_REQ_CONNECT)
            continue;
        status = method_status(&s, methods[i].token, &before, &a);

        if (i < 5) {
            /* GET, POST, HEAD, PUT, DELETE: allowed by default. */
            ck_assert_int_eq(status, 200);
            ck_assert_int_eq(a.calls, before + 1);
            ck_assert_int_eq(a.cmd, methods[i].cmd);
        } else {
            /* The others: 501 Not Implemented in libevent 2.1.12, 405
             * Method Not Allowed in Vigil (RFC 9110 section 15.5.6: 501
             * is for methods the server does not know); the callback
             * does not run. */
#ifdef VIGIL_ORACLE
            if (status != 501)
                ck_assert_int_eq(status, 405);
#else
            ck_assert_int_eq(status, 405);
#endif
            ck_assert_int_eq(a.calls, before);
        }
    }
    srv_close(&s);
}
END_TEST

START_TEST(disallowed_method_response)
{
    struct srv s;
    struct seen a = {.name = "a"};
    struct vt_http_client c;

    srv_open(&s);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/a", seen_cb, &a), 0);
    evhttp_set_allowed_methods(s.http, EVHTTP_REQ_POST);
    exchange(&s, &c, "GET /a HTTP/1.1\r\nHost: t\r\n\r\n",
             VT_HTTP_READ_TO_CLOSE);
    /* libevent 2.1.12: 501 (Content-Length 102).  Vigil: 405, with an
     * Allow line naming what is allowed (RFC 9110 section 15.5.6), and
     * the connection closed as well. */
#ifdef VIGIL_ORACLE
    if (strstr(c.in, "HTTP/1.1 405 ") != c.in)
        assert_error_page(&c, 501, "Not Implemented");
    else
        assert_method_not_allowed(&c, "POST");
#else
    assert_method_not_allowed(&c, "POST");
#endif
    vt_http_client_close(&c);
    ck_assert_int_eq(a.calls, 0);
    srv_close(&s);
}
END_TEST

START_TEST(every_method_reaches_the_callback)
{
    struct srv s;
    struct seen a = {.name = "a"};
    int before;

    srv_open(&s);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/a", seen_cb, &a), 0);
    evhttp_set_allowed_methods(s.http, 0xffff);
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        /* CONNECT has a test of its own. */
        if (methods[i].cmd == EVHTTP_REQ_CONNECT)
            continue;
        ck_assert_int_eq(method_status(&s, methods[i].token, &before, &a), 200);
        ck_assert_int_eq(a.calls, before + 1);
        ck_assert_int_eq(a.cmd, methods[i].cmd);
    }
    srv_close(&s);
}
END_TEST

START_TEST(unknown_method_has_its_own_bit)
{
    struct srv s;
    struct seen a = {.name = "a"};
    int before;

    srv_open(&s);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/a", seen_cb, &a), 0);
    /* Not in the default set: 501 like the other disallowed ones. */
    ck_assert_int_eq(method_status(&s, "FOO", &before, &a), 501);
    ck_assert_int_eq(a.calls, 0);
    /* An unknown token is not malformed: it has type 0x8000 (no name in
     * enum evhttp_cmd_type), which a mask with that bit allows. */
    evhttp_set_allowed_methods(s.http, 0xffff);
    ck_assert_int_eq(method_status(&s, "FOO", &before, &a), 200);
    ck_assert_int_eq(a.calls, 1);
    ck_assert_int_eq(a.cmd, 0x8000);
    /* Method names are case-sensitive: "get" is unknown too. */
    ck_assert_int_eq(method_status(&s, "get", &before, &a), 200);
    ck_assert_int_eq(a.cmd, 0x8000);
    evhttp_set_allowed_methods(s.http, 0x7fff);
    ck_assert_int_eq(method_status(&s, "get", &before, &a), 501);
    ck_assert_int_eq(a.calls, 2);
    srv_close(&s);
}
END_TEST

START_TEST(connect_method)
{
    struct srv s;
    struct seen a = {.name = "a"}, g = {.name = "gen"};
    struct vt_http_client c;
    const char *req = "CONNECT h.test:443 HTTP/1.1\r\nHost: t\r\n"
                      "Connection: close\r\n\r\n";

    srv_open(&s);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/a", seen_cb, &a), 0);
    evhttp_set_gencb(s.http, seen_cb, &g);
    ck_assert_int_eq(vt_http_client_open(&c, &s.addr), 0);
    ck_assert_int_eq(vt_http_client_start(&c, req, strlen(req),
                                          VT_HTTP_READ_TO_CLOSE, 0, 0.5),
                     0);
    run_client(s.base, &c);
    /* Not allowed by default.  libevent 2.1.12: the 501 error page, but
     * with no Content-Length, and the connection stays open (replies to
     * CONNECT never get a length and never close), so the client cannot
     * tell where the page ends.  Vigil (deliberately): 405, no body (a
     * reply to CONNECT has none), and the connection closes as the error
     * page says. */
    ck_assert_ptr_null(strstr(c.in, "Content-Length"));
    ck_assert_int_eq(g.calls, 0);
#ifdef VIGIL_ORACLE
    if (c.eof == 0) {
        ck_assert_int_eq(c.timed_out, 1);
        ck_assert_int_eq(strncmp(c.in,
                                 "HTTP/1.1 501 Not Implemented\r\n"
                                 "Content-Type: text/html\r\nDate: ",
                                 61),
                         0);
        ck_assert_ptr_nonnull(strstr(c.in, "GMT\r\nConnection: close\r\n\r\n"
                                           "<HTML><HEAD>\n<TITLE>501"));
    } else {
        ck_assert_int_eq(strncmp(c.in, "HTTP/1.1 405 ", 13), 0);
    }
#else
    ck_assert_int_eq(c.eof, 1);
    ck_assert_int_eq(strncmp(c.in, "HTTP/1.1 405 Method Not Allowed\r\n", 33),
                     0);
    ck_assert_ptr_nonnull(strstr(c.in, "\r\nConnection: close\r\n\r\n"));
    ck_assert_ptr_null(strstr(c.in, "<HTML>"));
#endif
    vt_http_client_close(&c);
    evhttp_set_allowed_methods(s.http, EVHTTP_REQ_CONNECT);
    ck_assert_int_eq(vt_http_client_open(&c, &s.addr), 0);
    ck_assert_int_eq(vt_http_client_start(&c, req, strlen(req),
                                          VT_HTTP_READ_TO_CLOSE, 0, 0.5),
                     0);
    run_client(s.base, &c);
    /* The authority-form target has no path: the generic callback. */
    ck_assert_int_eq(g.calls, 1);
    ck_assert_int_eq(g.cmd, EVHTTP_REQ_CONNECT);
    ck_assert_str_eq(g.uri, "h.test:443");
    ck_assert_str_eq(g.host, "h.test");
    /* The reply has neither Content-Length nor Content-Type.  libevent
     * 2.1.12 keeps the connection open despite Connection: close, and
     * sends the program's body; Vigil closes, as the header says, and
     * sends no body (a 2xx to CONNECT starts a tunnel: RFC 9110 section
     * 9.3.6). */
#ifdef VIGIL_ORACLE
    if (c.eof == 0) {
        ck_assert_int_eq(c.timed_out, 1);
        ck_assert_ptr_nonnull(strstr(c.in, "\r\nConnection: close\r\n\r\ngen"));
    } else {
        ck_assert_ptr_nonnull(strstr(c.in, "\r\nConnection: close\r\n\r\n"));
    }
#else
    ck_assert_int_eq(c.eof, 1);
    ck_assert_ptr_nonnull(strstr(c.in, "\r\nConnection: close\r\n\r\n"));
    ck_assert_ptr_null(strstr(c.in, "gen"));
#endif
    ck_assert_int_eq(strncmp(c.in, "HTTP/1.1 200 OK\r\nDate: ", 23), 0);
    ck_assert_ptr_null(strstr(c.in, "Content-"));
    vt_http_client_close(&c);
    /* A path after CONNECT does not reach the path's callback either. */
    ck_assert_int_eq(vt_http_client_open(&c, &s.addr), 0);
    req = "CONNECT /a HTTP/1.1\r\nHost: t\r\n\r\n";
    ck_assert_int_eq(vt_http_client_start(&c, req, strlen(req),
                                          VT_HTTP_READ_TO_CLOSE, 0, 0.5),
                     0);
    run_client(s.base, &c);
    ck_assert_int_eq(g.calls, 2);
    ck_assert_int_eq(a.calls, 0);
    ck_assert_str_eq(g.uri, "/a");
    ck_assert_str_eq(g.host, "");
    vt_http_client_close(&c);
    srv_close(&s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Content type, limits                                                 */
/* ------------------------------------------------------------------ */

static char *
content_type_of(struct srv *s)
{
    struct vt_http_client c;
    struct vt_http_response r;
    const char *ct;
    char *out;

    exchange(s, &c, GET_CLOSE("/a"), VT_HTTP_READ_TO_CLOSE);
    response(&c, 0, &r);
    ck_assert_int_eq(r.status, 200);
    ct = vt_http_header(&r, "Content-Type");
    out = strdup(ct != NULL ? ct : "(none)");
    vt_http_response_free(&r);
    vt_http_client_close(&c);
    return out;
}

START_TEST(default_content_type)
{
    struct srv s;
    struct seen a = {.name = "a"};
    char *ct;

    srv_open(&s);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/a", seen_cb, &a), 0);
    ct = content_type_of(&s);
    ck_assert_str_eq(ct, "text/html; charset=ISO-8859-1");
    free(ct);
    evhttp_set_default_content_type(s.http, "application/x-test");
    ct = content_type_of(&s);
    ck_assert_str_eq(ct, "application/x-test");
    free(ct);
    evhttp_set_default_content_type(s.http, NULL);
    ct = content_type_of(&s);
    ck_assert_str_eq(ct, "(none)");
    free(ct);
    srv_close(&s);
}
END_TEST

START_TEST(max_headers_size)
{
    struct srv s;
    struct seen a = {.name = "a"};
    struct vt_http_client c;
    char req[2048], pad[1025];

    srv_open(&s);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/a", seen_cb, &a), 0);
    evhttp_set_max_headers_size(s.http, 256);
    memset(pad, 'x', 1024);
    pad[1024] = '\0';
    snprintf(req, sizeof(req),
             "GET /a HTTP/1.1\r\nHost: t\r\nX-Pad: %s\r\n\r\n", pad);
    exchange(&s, &c, req, VT_HTTP_READ_TO_CLOSE);
    /* Headers over the limit: 400 in libevent 2.1.12, 431 Request Header
     * Fields Too Large in Vigil (RFC 6585 section 5). */
#ifdef VIGIL_ORACLE
    if (strstr(c.in, "HTTP/1.1 431 ") == c.in)
        assert_error_page(&c, 431, "Request Header Fields Too Large");
    else
        assert_error_page(&c, 400, "Bad Request");
#else
    assert_error_page(&c, 431, "Request Header Fields Too Large");
#endif
    vt_http_client_close(&c);
    ck_assert_int_eq(a.calls, 0);
    /* A small request still passes. */
    ck_assert_int_eq(get_status(&s, "/a", "t"), 200);
    srv_close(&s);
}
END_TEST

START_TEST(max_body_size)
{
    struct srv s;
    struct seen a = {.name = "a"};
    struct vt_http_client c;

    srv_open(&s);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/a", seen_cb, &a), 0);
    evhttp_set_max_body_size(s.http, 10);
    /* At the limit: served. */
    exchange(&s, &c,
             "POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n"
             "Connection: close\r\n\r\n0123456789",
             VT_HTTP_READ_TO_CLOSE);
    assert_served_by(&c, 200, "a");
    ck_assert_str_eq(a.body, "0123456789");
    vt_http_client_close(&c);
    /* Over it by Content-Length: refused before the body comes. */
    exchange(&s, &c,
             "POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\n",
             VT_HTTP_READ_TO_CLOSE);
    assert_error_page(&c, 413, "Request Entity Too Large");
    vt_http_client_close(&c);
    /* Over it in chunks. */
    exchange(&s, &c,
             "POST /a HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
             "\r\n6\r\n012345\r\n6\r\n678901\r\n0\r\n\r\n",
             VT_HTTP_READ_TO_CLOSE);
    assert_error_page(&c, 413, "Request Entity Too Large");
    vt_http_client_close(&c);
    ck_assert_int_eq(a.calls, 1);
    srv_close(&s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Virtual hosts and aliases                                            */
/* ------------------------------------------------------------------ */

/* Who answered a GET for host on a new connection (the callback's name,
 * copied into name of cap bytes). */
static void
host_served_by(struct srv *s, const char *host, char *name, size_t cap)
{
    struct vt_http_client c;
    struct vt_http_response r;
    char req[512];

    snprintf(req, sizeof(req),
             "GET /a HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", host);
    exchange(s, &c, req, VT_HTTP_READ_TO_CLOSE);
    response(&c, 0, &r);
    ck_assert_int_eq(r.status, 200);
    snprintf(name, cap, "%s", r.body);
    vt_http_response_free(&r);
    vt_http_client_close(&c);
}

/* Deliberate difference: libevent 2.1.12 served the request with was_name,
 * against the shell matching its documentation promises; Vigil serves it
 * with is_name.  The oracle build (which also runs on Vigil as swap.*)
 * accepts either. */
static void
host_served_by_differs(struct srv *s, const char *host, const char *was_name,
                       const char *is_name)
{
    char name[64];

    host_served_by(s, host, name, sizeof(name));
#ifdef VIGIL_ORACLE
    if (strcmp(name, was_name) != 0)
        ck_assert_str_eq(name, is_name);
#else
    (void)was_name;
    ck_assert_str_eq(name, is_name);
#endif
}

static void
get_host_served_by(struct srv *s, const char *host, const char *name)
{
    char req[512];

    snprintf(req, sizeof(req),
             "GET /a HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", host);
    get_served_by(s, req, 200, name);
}

START_TEST(virtual_host_by_exact_name)
{
    struct srv s;
    struct evhttp *vh;
    struct seen a = {.name = "main"}, v = {.name = "vhost"};

    srv_open(&s);
    vh = evhttp_new(s.base);
    ck_assert_ptr_nonnull(vh);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/a", seen_cb, &a), 0);
    ck_assert_int_eq(evhttp_set_cb(vh, "/a", seen_cb, &v), 0);
    ck_assert_int_eq(evhttp_add_virtual_host(s.http, "foo.example", vh), 0);
    get_host_served_by(&s, "foo.example", "vhost");
    /* Names compare without case; the port is not part of the name. */
    get_host_served_by(&s, "FOO.Example", "vhost");
    get_host_served_by(&s, "foo.example:8080", "vhost");
    ck_assert_str_eq(v.host, "foo.example");
    get_host_served_by(&s, "bar.example", "main");
    get_host_served_by(&s, "foo.example.org", "main");
    ck_assert_int_eq(v.calls, 3);
    srv_close(&s); /* frees the virtual host too */
}
END_TEST

START_TEST(virtual_host_wildcards)
{
    struct srv s;
    struct evhttp *vh, *vq;
    struct seen a = {.name = "main"}, v = {.name = "star"},
                q = {.name = "qmark"};

    srv_open(&s);
    vh = evhttp_new(s.base);
    vq = evhttp_new(s.base);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/a", seen_cb, &a), 0);
    ck_assert_int_eq(evhttp_set_cb(vh, "/a", seen_cb, &v), 0);
    ck_assert_int_eq(evhttp_set_cb(vq, "/a", seen_cb, &q), 0);
    ck_assert_int_eq(evhttp_add_virtual_host(s.http, "*.example.com", vh), 0);
    ck_assert_int_eq(evhttp_add_virtual_host(s.http, "h?.test", vq), 0);
    get_host_served_by(&s, "a.example.com", "star");
    get_host_served_by(&s, "a.b.example.com", "star");
    get_host_served_by(&s, "X.EXAMPLE.COM:81", "star");
    get_host_served_by(&s, "example.com", "main");
    get_host_served_by(&s, ".example.com", "star");
    /* '?' is no wildcard in libevent 2.1.12; in Vigil it stands for one
     * character, as in the shell matching the documentation describes. */
    host_served_by_differs(&s, "h1.test", "main", "qmark");
    get_host_served_by(&s, "h12.test", "main");
    srv_close(&s);
}
END_TEST

START_TEST(virtual_host_trailing_star_never_matches)
{
    struct srv s;
    struct evhttp *v1, *v2, *v3;
    struct seen a = {.name = "main"}, v = {.name = "vhost"};

    srv_open(&s);
    v1 = evhttp_new(s.base);
    v2 = evhttp_new(s.base);
    v3 = evhttp_new(s.base);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/a", seen_cb, &a), 0);
    ck_assert_int_eq(evhttp_set_cb(v1, "/a", seen_cb, &v), 0);
    ck_assert_int_eq(evhttp_set_cb(v2, "/a", seen_cb, &v), 0);
    ck_assert_int_eq(evhttp_set_cb(v3, "/a", seen_cb, &v), 0);
    /* A pattern that ends in '*' matches no name in libevent 2.1.12, not
     * even "*" alone (a deliberate difference: in Vigil it matches as in
     * the shell); a '*' elsewhere matches any run, also empty.  The
     * catch-all "*" comes last, so that the others are tried first. */
    ck_assert_int_eq(evhttp_add_virtual_host(s.http, "o*", v2), 0);
    ck_assert_int_eq(evhttp_add_virtual_host(s.http, "*other", v3), 0);
    ck_assert_int_eq(evhttp_add_virtual_host(s.http, "*", v1), 0);
    host_served_by_differs(&s, "o.test", "main", "vhost");
    host_served_by_differs(&s, "x", "main", "vhost");
    get_host_served_by(&s, "other", "vhost");
    get_host_served_by(&s, "another", "vhost");
    srv_close(&s);
}
END_TEST

START_TEST(virtual_host_add_and_remove)
{
    struct srv s;
    struct evhttp *vh, *vh2, *inner;
    struct seen a = {.name = "main"}, v = {.name = "vhost"};

    srv_open(&s);
    vh = evhttp_new(s.base);
    vh2 = evhttp_new(s.base);
    inner = evhttp_new(s.base);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/a", seen_cb, &a), 0);
    ck_assert_int_eq(evhttp_set_cb(vh, "/a", seen_cb, &v), 0);
    ck_assert_int_eq(evhttp_add_virtual_host(s.http, "v.test", vh), 0);
    /* A virtual host cannot be added twice, nor have its own. */
    ck_assert_int_eq(evhttp_add_virtual_host(s.http, "w.test", vh), -1);
    /* One with virtual hosts of its own may be added. */
    ck_assert_int_eq(evhttp_add_virtual_host(vh2, "x.test", inner), 0);
    ck_assert_int_eq(evhttp_add_virtual_host(s.http, "y.test", vh2), 0);
    get_host_served_by(&s, "v.test", "vhost");
    ck_assert_int_eq(evhttp_remove_virtual_host(s.http, vh2), 0);

    ck_assert_int_eq(evhttp_remove_virtual_host(s.http, vh), 0);
    get_host_served_by(&s, "v.test", "main");
    /* Not (any more) a virtual host of this server. */
    ck_assert_int_eq(evhttp_remove_virtual_host(s.http, vh), -1);
    ck_assert_int_eq(evhttp_remove_virtual_host(s.http, vh2), -1);
    /* Once removed it is a server of its own again, freed on its own. */
    evhttp_free(vh);
    evhttp_free(vh2); /* and its own virtual host with it */
    srv_close(&s);
}
END_TEST

START_TEST(server_aliases)
{
    struct srv s;
    struct evhttp *vh;
    struct seen a = {.name = "main"}, v = {.name = "vhost"};

    srv_open(&s);
    vh = evhttp_new(s.base);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/a", seen_cb, &a), 0);
    ck_assert_int_eq(evhttp_set_cb(vh, "/a", seen_cb, &v), 0);
    ck_assert_int_eq(evhttp_add_virtual_host(s.http, "v.test", vh), 0);
    ck_assert_int_eq(evhttp_add_server_alias(vh, "alias.test"), 0);
    get_host_served_by(&s, "alias.test", "vhost");
    get_host_served_by(&s, "ALIAS.test:1", "vhost");
    ck_assert_int_eq(evhttp_remove_server_alias(vh, "nope.test"), -1);
    ck_assert_int_eq(evhttp_remove_server_alias(vh, "alias.test"), 0);
    ck_assert_int_eq(evhttp_remove_server_alias(vh, "alias.test"), -1);
    get_host_served_by(&s, "alias.test", "main");
    /* An alias of the main server answers what it would anyway. */
    ck_assert_int_eq(evhttp_add_server_alias(s.http, "main.test"), 0);
    get_host_served_by(&s, "main.test", "main");
    srv_close(&s);
}
END_TEST

START_TEST(virtual_host_without_host_header)
{
    struct srv s;
    struct evhttp *vh;
    struct seen a = {.name = "main"}, v = {.name = "vhost"};

    srv_open(&s);
    vh = evhttp_new(s.base);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/a", seen_cb, &a), 0);
    ck_assert_int_eq(evhttp_set_cb(vh, "/a", seen_cb, &v), 0);
    ck_assert_int_eq(evhttp_add_virtual_host(s.http, "abs.test", vh), 0);
    /* HTTP/1.0 without Host: no name to match, the main server. */
    get_served_by(&s, "GET /a HTTP/1.0\r\n\r\n", 200, "main");
    ck_assert_str_eq(a.host, "(null)");
    /* HTTP/1.1 without Host is not refused either. */
    get_served_by(&s, "GET /a HTTP/1.1\r\nConnection: close\r\n\r\n", 200,
                  "main");
    ck_assert_str_eq(a.host, "(null)");
    ck_assert_int_eq(a.calls, 2);
    /* An absolute URI names the host, before any Host header. */
    get_served_by(&s,
                  "GET http://abs.test:99/a HTTP/1.1\r\nHost: other\r\n"
                  "Connection: close\r\n\r\n",
                  200, "vhost");
    ck_assert_str_eq(v.host, "abs.test");
    ck_assert_str_eq(v.uri, "http://abs.test:99/a");
    ck_assert_str_eq(v.path, "/a");
    srv_close(&s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The bufferevent callback and timeouts                                */
/* ------------------------------------------------------------------ */

struct bevcb_rec {
    int calls;
    struct event_base *base;
    struct bufferevent *made[4];
};

static struct bufferevent *
bevcb(struct event_base *base, void *arg)
{
    struct bevcb_rec *b = arg;
    struct bufferevent *bev = bufferevent_socket_new(base, -1, 0);

    ck_assert_ptr_eq(base, b->base);
    if (b->calls < 4)
        b->made[b->calls] = bev;
    b->calls++;
    return bev;
}

START_TEST(bevcb_makes_each_connections_bufferevent)
{
    struct srv s;
    struct seen a = {.name = "a"};
    struct bevcb_rec b = {0};
    struct vt_http_client c;

    srv_open(&s);
    b.base = s.base;
    ck_assert_int_eq(evhttp_set_cb(s.http, "/a", seen_cb, &a), 0);
    evhttp_set_bevcb(s.http, bevcb, &b);
    exchange(&s, &c, "GET /a HTTP/1.1\r\nHost: t\r\n\r\n",
             VT_HTTP_READ_RESPONSES);
    assert_served_by(&c, 200, "a");
    ck_assert_int_eq(b.calls, 1);
    ck_assert_ptr_eq(evhttp_connection_get_bufferevent(a.evcon), b.made[0]);
    ck_assert_int_ge(bufferevent_getfd(b.made[0]), 0);
    /* A second request on the same connection: no new bufferevent. */
    send_on(&s, &c, "GET /a HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
            VT_HTTP_READ_TO_CLOSE);
    ck_assert_int_eq(b.calls, 1);
    vt_http_client_close(&c);
    get_served_by(&s, GET_CLOSE("/a"), 200, "a");
    ck_assert_int_eq(b.calls, 2);
    srv_close(&s);
}
END_TEST

/* Opens an idle keep-alive connection after one request and measures how
 * long the server takes to close it. */
static double
idle_close_after(struct srv *s)
{
    struct seen a = {.name = "a"};
    struct vt_http_client c;
    double t;

    ck_assert_int_eq(evhttp_set_cb(s->http, "/a", seen_cb, &a), 0);
    exchange(s, &c, "GET /a HTTP/1.1\r\nHost: t\r\n\r\n",
             VT_HTTP_READ_RESPONSES);
    assert_served_by(&c, 200, "a");
    ck_assert_int_eq(c.eof, 0);
    send_on(s, &c, "", VT_HTTP_READ_TO_CLOSE);
    ck_assert_int_eq(c.eof, 1);
    ck_assert_int_eq(c.timed_out, 0);
    t = c.elapsed;
    vt_http_client_close(&c);
    return t;
}

START_TEST(timeout_closes_idle_connection)
{
    struct srv s;
    double t;

    srv_open(&s);
    evhttp_set_timeout(s.http, 1);
    t = idle_close_after(&s);
    ck_assert_double_ge(t, 0.8);
    ck_assert_double_le(t, 3.0);
    srv_close(&s);
}
END_TEST

START_TEST(timeout_tv_closes_idle_connection)
{
    struct srv s;
    struct timeval tv = {0, 400000};
    double t;

    srv_open(&s);
    evhttp_set_timeout_tv(s.http, &tv);
    t = idle_close_after(&s);
    ck_assert_double_ge(t, 0.3);
    ck_assert_double_le(t, 2.0);
    srv_close(&s);
}
END_TEST

START_TEST(timeout_on_a_half_sent_request)
{
    struct srv s;
    struct seen a = {.name = "a"};
    struct vt_http_client c;
    struct timeval tv = {0, 400000};

    srv_open(&s);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/a", seen_cb, &a), 0);
    evhttp_set_timeout_tv(s.http, &tv);
    exchange(&s, &c, "GET /a HTTP/1.1\r\nHost: t\r\n", VT_HTTP_READ_TO_CLOSE);
    ck_assert_int_eq(c.eof, 1);
    ck_assert_int_eq(c.timed_out, 0);
    /* No response: the connection is just closed. */
    ck_assert_uint_eq(c.in_len, 0);
    ck_assert_int_eq(a.calls, 0);
    vt_http_client_close(&c);
    srv_close(&s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The request in the callback                                          */
/* ------------------------------------------------------------------ */

START_TEST(request_accessors)
{
    struct srv s;
    struct seen a = {.name = "a"};
    struct vt_http_client c;

    srv_open(&s);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/p/q", seen_cb, &a), 0);
    exchange(&s, &c,
             "POST /p/q?k=v%20w HTTP/1.1\r\nHost: Example.TEST:8080\r\n"
             "x-lower: 1\r\nX-Dup: a\r\nX-DUP: b\r\nContent-Length: 5\r\n"
             "Connection: close\r\n\r\nhello",
             VT_HTTP_READ_TO_CLOSE);
    assert_served_by(&c, 200, "a");
    vt_http_client_close(&c);
    ck_assert_int_eq(a.cmd, EVHTTP_REQ_POST);
    ck_assert_str_eq(a.uri, "/p/q?k=v%20w");
    ck_assert_str_eq(a.path, "/p/q");
    ck_assert_str_eq(a.query, "k=v%20w");
    /* The host is the Host header's, port stripped, case kept. */
    ck_assert_str_eq(a.host, "Example.TEST");
    /* Input headers: in order, names as sent, duplicates kept. */
    ck_assert_str_eq(a.headers, "Host=Example.TEST:8080|x-lower=1|X-Dup=a|"
                                "X-DUP=b|Content-Length=5|"
                                "Connection=close|");
    ck_assert_str_eq(a.body, "hello");
    ck_assert_int_eq(a.before_code, 0);
    ck_assert_int_eq(a.after_code, 200);
    ck_assert_str_eq(a.after_line, "OK");
    srv_close(&s);
}
END_TEST

struct outputs {
    int calls;
    int out_headers_empty;
    int out_buffer_len;
    int major, minor;
};

static void
outputs_cb(struct evhttp_request *req, void *arg)
{
    struct outputs *o = arg;
    struct evbuffer *out = evhttp_request_get_output_buffer(req);

    o->calls++;
    o->out_headers_empty =
        TAILQ_FIRST(evhttp_request_get_output_headers(req)) == NULL;
    o->out_buffer_len = (int)evbuffer_get_length(out);
    o->major = req->major;
    o->minor = req->minor;
    /* A reply built in the request's own buffers, with NULL for the
     * body. */
    evhttp_add_header(evhttp_request_get_output_headers(req), "X-Mine", "yes");
    evbuffer_add_printf(out, "from-output-buffer");
    evhttp_send_reply(req, 201, "Made", NULL);
}

START_TEST(reply_from_output_buffer_and_headers)
{
    struct srv s;
    struct outputs o = {0};
    struct vt_http_client c;
    struct vt_http_response r;

    srv_open(&s);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/o", outputs_cb, &o), 0);
    exchange(&s, &c, GET_CLOSE("/o"), VT_HTTP_READ_TO_CLOSE);
    response(&c, 0, &r);
    ck_assert_int_eq(r.status, 201);
    ck_assert_str_eq(r.reason, "Made");
    ck_assert_str_eq(r.body, "from-output-buffer");
    ck_assert_str_eq(vt_http_header(&r, "X-Mine"), "yes");
    vt_http_response_free(&r);
    vt_http_client_close(&c);
    ck_assert_int_eq(o.calls, 1);
    ck_assert_int_eq(o.out_headers_empty, 1);
    ck_assert_int_eq(o.out_buffer_len, 0);
    ck_assert_int_eq(o.major, 1);
    ck_assert_int_eq(o.minor, 1);
    srv_close(&s);
}
END_TEST

START_TEST(reply_headers_and_keep_alive)
{
    struct srv s;
    struct seen a = {.name = "hello"};
    struct vt_http_client c;
    struct vt_http_response r;

    srv_open(&s);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/a", seen_cb, &a), 0);
    /* HTTP/1.1: two requests in one write, two responses, still open. */
    exchange(&s, &c,
             "GET /a HTTP/1.1\r\nHost: t\r\n\r\n"
             "GET /a?2 HTTP/1.1\r\nHost: t\r\n\r\n",
             VT_HTTP_READ_NOTHING);
    ck_assert_int_eq(
        vt_http_client_start(&c, "", 0, VT_HTTP_READ_RESPONSES, 2, 10.0), 0);
    run_client(s.base, &c);
    ck_assert_int_eq(c.eof, 0);
    response(&c, 0, &r);
    ck_assert_str_eq(r.reason, "OK");
    ck_assert_int_eq(r.minor, 1);
    ck_assert_str_eq(r.body, "hello");
    /* Exactly these headers, in this order. */
    ck_assert_int_eq(r.nheaders, 3);
    ck_assert_str_eq(r.names[0], "Date");
    ck_assert_str_eq(r.names[1], "Content-Length");
    ck_assert_str_eq(r.values[1], "5");
    ck_assert_str_eq(r.names[2], "Content-Type");
    vt_http_response_free(&r);
    response(&c, 1, &r);
    ck_assert_int_eq(r.status, 200);
    vt_http_response_free(&r);
    ck_assert_int_eq(a.calls, 2);
    ck_assert_str_eq(a.uri, "/a?2");
    vt_http_client_close(&c);

    /* HTTP/1.1 with Connection: close: echoed last, then closed. */
    exchange(&s, &c, GET_CLOSE("/a"), VT_HTTP_READ_TO_CLOSE);
    ck_assert_int_eq(c.eof, 1);
    response(&c, 0, &r);
    ck_assert_int_eq(r.nheaders, 4);
    ck_assert_str_eq(r.names[0], "Date");
    ck_assert_str_eq(r.names[1], "Content-Length");
    ck_assert_str_eq(r.names[2], "Content-Type");
    ck_assert_str_eq(r.values[2], "text/html; charset=ISO-8859-1");
    ck_assert_str_eq(r.names[3], "Connection");
    ck_assert_str_eq(r.values[3], "close");
    vt_http_response_free(&r);
    vt_http_client_close(&c);

    /* HTTP/1.0: answered in 1.0, and the server closes. */
    exchange(&s, &c, "GET /a HTTP/1.0\r\n\r\n", VT_HTTP_READ_TO_CLOSE);
    ck_assert_int_eq(c.eof, 1);
    response(&c, 0, &r);
    ck_assert_int_eq(r.major, 1);
    ck_assert_int_eq(r.minor, 0);
    ck_assert_int_eq(r.status, 200);
    /* Only Content-Type: no Date, no length, and the close goes
     * unannounced. */
    ck_assert_int_eq(r.nheaders, 1);
    ck_assert_str_eq(r.names[0], "Content-Type");
    ck_assert_str_eq(r.body, "hello");
    vt_http_response_free(&r);
    vt_http_client_close(&c);

    /* HTTP/1.0 with keep-alive: kept, and said so. */
    exchange(&s, &c, "GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
             VT_HTTP_READ_RESPONSES);
    ck_assert_int_eq(c.eof, 0);
    response(&c, 0, &r);
    ck_assert_int_eq(r.minor, 0);
    /* Connection, Content-Length, Content-Type; still no Date. */
    ck_assert_int_eq(r.nheaders, 3);
    ck_assert_str_eq(r.names[0], "Connection");
    ck_assert_str_eq(r.values[0], "keep-alive");
    ck_assert_str_eq(r.names[1], "Content-Length");
    ck_assert_str_eq(r.values[1], "5");
    ck_assert_str_eq(r.names[2], "Content-Type");
    vt_http_response_free(&r);
    vt_http_client_close(&c);
    srv_close(&s);
}
END_TEST

/* An owned request, answered from a timer. */
struct later {
    struct evhttp_request *req;
    int owned_before, owned_after;
    int completed;
    int complete_code; /* get_response_code in the completion callback */
    int done;
    int errors;
    enum evhttp_request_error err;
    void *error_arg;
};

static void
later_timer_cb(evutil_socket_t fd, short what, void *arg)
{
    struct later *l = arg;
    struct evbuffer *b = evbuffer_new();

    (void)fd;
    (void)what;
    evbuffer_add_printf(b, "late");
    evhttp_send_reply(l->req, 200, "OK", b);
    evbuffer_free(b);
    l->done++;
}

static void
later_complete_cb(struct evhttp_request *req, void *arg)
{
    struct later *l = arg;

    l->completed++;
    l->complete_code = evhttp_request_get_response_code(req);
}

/* The error callback gets no argument of its own: libevent passes the
 * request's callback argument, which is not the program's on a server
 * request.  It records that argument and finds its record here. */
static struct later *later_rec;

static void
later_error_cb(enum evhttp_request_error err, void *arg)
{
    struct later *l = later_rec;

    l->errors++;
    l->err = err;
    l->error_arg = arg;
}

static void
later_cb(struct evhttp_request *req, void *arg)
{
    struct later *l = arg;

    l->req = req;
    l->owned_before = evhttp_request_is_owned(req);
    evhttp_request_own(req);
    l->owned_after = evhttp_request_is_owned(req);
    evhttp_request_set_on_complete_cb(req, later_complete_cb, l);
    later_rec = l;
    evhttp_request_set_error_cb(req, later_error_cb);
}

START_TEST(owned_request_answered_later)
{
    struct srv s;
    struct later l = {0};
    struct vt_http_client c;
    struct event *timer;
    struct timeval tv = {0, 100000};

    srv_open(&s);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/l", later_cb, &l), 0);
    ck_assert_int_eq(vt_http_client_open(&c, &s.addr), 0);
    ck_assert_int_eq(vt_http_client_start(&c, GET_CLOSE("/l"),
                                          strlen(GET_CLOSE("/l")),
                                          VT_HTTP_READ_TO_CLOSE, 0, 10.0),
                     0);
    timer = evtimer_new(s.base, later_timer_cb, &l);
    /* Wait for the request, then answer 100 ms later. */
    while (l.req == NULL)
        ck_assert_int_ge(event_base_loop(s.base, EVLOOP_ONCE), 0);
    ck_assert_int_eq(l.owned_before, 0);
    ck_assert_int_eq(l.owned_after, 1);
    ck_assert_int_eq(evtimer_add(timer, &tv), 0);
    run_client(s.base, &c);
    event_free(timer);
    assert_served_by(&c, 200, "late");
    vt_http_client_close(&c);
    ck_assert_int_eq(l.done, 1);
    ck_assert_int_eq(l.completed, 1);
    ck_assert_int_eq(l.complete_code, 200);
    ck_assert_int_eq(l.errors, 0);
    /* Owned or not, libevent 2.1.12 frees a server request once its reply
     * is written: the program must not free it. */
    srv_close(&s);
}
END_TEST

/* The completion callback runs once the reply is written, in the loop. */
struct complete_order {
    int replied;
    int completed;
    int completed_during_send;
};

static void
order_complete_cb(struct evhttp_request *req, void *arg)
{
    struct complete_order *o = arg;

    (void)req;
    o->completed++;
    if (!o->replied)
        o->completed_during_send++;
}

static void
order_cb(struct evhttp_request *req, void *arg)
{
    struct complete_order *o = arg;

    evhttp_request_set_on_complete_cb(req, order_complete_cb, o);
    evhttp_send_reply(req, 200, "OK", NULL);
    o->replied = 1;
}

START_TEST(on_complete_runs_after_the_reply_is_written)
{
    struct srv s;
    struct complete_order o = {0};
    struct vt_http_client c;

    srv_open(&s);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/c", order_cb, &o), 0);
    exchange(&s, &c, "GET /c HTTP/1.1\r\nHost: t\r\n\r\n",
             VT_HTTP_READ_RESPONSES);
    assert_served_by(&c, 200, "");
    vt_http_client_close(&c);
    vt_run_for(s.base, 20);
    ck_assert_int_eq(o.completed, 1);
    ck_assert_int_eq(o.completed_during_send, 0);
    srv_close(&s);
}
END_TEST

static void
later_close_cb(struct evhttp_connection *evcon, void *arg)
{
    (void)evcon;
    (*(int *)arg)++;
}

START_TEST(client_leaving_is_seen_only_at_reply)
{
    struct srv s;
    struct later l = {0};
    struct vt_http_client c;
    int closes = 0;
    const char *req = "GET /l HTTP/1.1\r\nHost: t\r\n\r\n";

    srv_open(&s);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/l", later_cb, &l), 0);
    ck_assert_int_eq(vt_http_client_open(&c, &s.addr), 0);
    ck_assert_int_eq(vt_http_client_start(&c, req, strlen(req),
                                          VT_HTTP_READ_NOTHING, 0, 10.0),
                     0);
    run_client(s.base, &c);
    while (l.req == NULL)
        ck_assert_int_ge(event_base_loop(s.base, EVLOOP_ONCE), 0);
    evhttp_connection_set_closecb(evhttp_request_get_connection(l.req),
                                  later_close_cb, &closes);
    vt_http_client_close(&c);
    /* While a request waits for its reply, libevent 2.1.12 does not read
     * the connection: the client's close goes unseen, no error callback,
     * no close callback. */
    vt_run_for(s.base, 200);
    ck_assert_int_eq(l.errors, 0);
    ck_assert_int_eq(closes, 0);
    ck_assert_ptr_nonnull(evhttp_request_get_connection(l.req));
    /* The reply completes (into the dead socket), then the connection
     * closes; the error callback never runs on the server side. */
    evhttp_send_reply(l.req, 200, "OK", NULL);
    ck_assert_int_eq(vt_wait_for(s.base, &closes, 1), 1);
    ck_assert_int_eq(l.completed, 1);
    ck_assert_int_eq(l.errors, 0);
    srv_close(&s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The connection                                                       */
/* ------------------------------------------------------------------ */

struct conn_info {
    struct evhttp *server;
    struct event_base *base;
    struct bufferevent *bev;
    int bev_fd;
    char peer[64];
    ev_uint16_t peer_port;
    struct sockaddr_in addr;
    int addr_ok;
    int calls;
    int closes;
    int free_it;      /* evhttp_connection_free in the callback */
    int free_on_done; /* free_on_completion, then reply */
};

static void
close_cb(struct evhttp_connection *evcon, void *arg)
{
    (void)evcon;
    ((struct conn_info *)arg)->closes++;
}

static void
conn_cb(struct evhttp_request *req, void *arg)
{
    struct conn_info *ci = arg;
    struct evhttp_connection *evcon = evhttp_request_get_connection(req);
    const struct sockaddr *sa = evhttp_connection_get_addr(evcon);
    char *peer = NULL;

    ci->calls++;
    ci->server = evhttp_connection_get_server(evcon);
    ci->base = evhttp_connection_get_base(evcon);
    ci->bev = evhttp_connection_get_bufferevent(evcon);
    ci->bev_fd = ci->bev != NULL ? bufferevent_getfd(ci->bev) : -1;
    evhttp_connection_get_peer(evcon, &peer, &ci->peer_port);
    copy_str(ci->peer, sizeof(ci->peer), peer);
    if (sa != NULL && sa->sa_family == AF_INET) {
        memcpy(&ci->addr, sa, sizeof(ci->addr));
        ci->addr_ok = 1;
    }
    evhttp_connection_set_closecb(evcon, close_cb, ci);
    if (ci->free_it) {
        evhttp_connection_free(evcon);
        return;
    }
    if (ci->free_on_done)
        evhttp_connection_free_on_completion(evcon);
    evhttp_send_reply(req, 200, "OK", NULL);
}

START_TEST(connection_accessors)
{
    struct srv s;
    struct conn_info ci = {0};
    struct vt_http_client c;
    struct sockaddr_in local;
    socklen_t len = sizeof(local);

    srv_open(&s);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/c", conn_cb, &ci), 0);
    exchange(&s, &c, "GET /c HTTP/1.1\r\nHost: t\r\n\r\n",
             VT_HTTP_READ_RESPONSES);
    assert_served_by(&c, 200, "");
    ck_assert_int_eq(getsockname(c.fd, (struct sockaddr *)&local, &len), 0);
    ck_assert_ptr_eq(ci.server, s.http);
    ck_assert_ptr_eq(ci.base, s.base);
    ck_assert_ptr_nonnull(ci.bev);
    ck_assert_int_ge(ci.bev_fd, 0);
    ck_assert_str_eq(ci.peer, "127.0.0.1");
    ck_assert_uint_eq(ci.peer_port, ntohs(local.sin_port));
    ck_assert_int_eq(ci.addr_ok, 1);
    ck_assert_uint_eq(ci.addr.sin_port, local.sin_port);
    ck_assert_uint_eq(ci.addr.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
    /* The server end of the connection is the bufferevent's socket. */
    {
        struct sockaddr_in srv_end;
        socklen_t l2 = sizeof(srv_end);

        ck_assert_int_eq(
            getsockname(ci.bev_fd, (struct sockaddr *)&srv_end, &l2), 0);
        ck_assert_uint_eq(srv_end.sin_port, s.addr.sin_port);
    }
    vt_http_client_close(&c);
    srv_close(&s);
}
END_TEST

START_TEST(closecb_when_client_disconnects)
{
    struct srv s;
    struct conn_info ci = {0};
    struct vt_http_client c;

    srv_open(&s);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/c", conn_cb, &ci), 0);
    exchange(&s, &c, "GET /c HTTP/1.1\r\nHost: t\r\n\r\n",
             VT_HTTP_READ_RESPONSES);
    assert_served_by(&c, 200, "");
    ck_assert_int_eq(ci.closes, 0);
    vt_http_client_close(&c);
    ck_assert_int_eq(vt_wait_for(s.base, &ci.closes, 1), 1);
    srv_close(&s);
    ck_assert_int_eq(ci.closes, 1);
}
END_TEST

START_TEST(closecb_when_server_closes)
{
    struct srv s;
    struct conn_info ci = {0};
    struct vt_http_client c;

    srv_open(&s);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/c", conn_cb, &ci), 0);
    /* Connection: close makes the server close after the reply. */
    exchange(&s, &c, GET_CLOSE("/c"), VT_HTTP_READ_TO_CLOSE);
    assert_served_by(&c, 200, "");
    ck_assert_int_eq(c.eof, 1);
    vt_run_for(s.base, 20);
    ck_assert_int_eq(ci.closes, 1);
    vt_http_client_close(&c);
    /* And when evhttp_free closes a kept-alive one. */
    exchange(&s, &c, "GET /c HTTP/1.1\r\nHost: t\r\n\r\n",
             VT_HTTP_READ_RESPONSES);
    ck_assert_int_eq(ci.closes, 1);
    srv_close(&s);
    ck_assert_int_eq(ci.closes, 2);
    vt_http_client_close(&c);
}
END_TEST

START_TEST(free_on_completion_is_ignored_by_servers)
{
    struct srv s;
    struct conn_info ci = {.free_on_done = 1};
    struct vt_http_client c;

    srv_open(&s);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/c", conn_cb, &ci), 0);
    /* On a server connection it changes nothing in libevent 2.1.12: a
     * keep-alive request leaves the connection open after the reply. */
    exchange(&s, &c, "GET /c HTTP/1.1\r\nHost: t\r\n\r\n",
             VT_HTTP_READ_RESPONSES);
    assert_served_by(&c, 200, "");
    ck_assert_int_eq(
        vt_http_client_start(&c, "", 0, VT_HTTP_READ_TO_CLOSE, 0, 0.3), 0);
    run_client(s.base, &c);
    ck_assert_int_eq(c.timed_out, 1);
    ck_assert_int_eq(c.eof, 0);
    ck_assert_int_eq(ci.closes, 0);
    /* A second request on it is served. */
    send_on(&s, &c, GET_CLOSE("/c"), VT_HTTP_READ_TO_CLOSE);
    ck_assert_int_eq(c.eof, 1);
    ck_assert_int_eq(ci.calls, 2);
    vt_http_client_close(&c);
    vt_run_for(s.base, 20);
    ck_assert_int_eq(ci.closes, 1);
    srv_close(&s);
}
END_TEST

START_TEST(connection_free_in_callback)
{
    struct srv s;
    struct conn_info ci = {.free_it = 1};
    struct vt_http_client c;

    srv_open(&s);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/c", conn_cb, &ci), 0);
    exchange(&s, &c, "GET /c HTTP/1.1\r\nHost: t\r\n\r\n",
             VT_HTTP_READ_TO_CLOSE);
    /* Closed without a response; the close callback ran. */
    ck_assert_int_eq(c.eof, 1);
    ck_assert_uint_eq(c.in_len, 0);
    ck_assert_int_eq(ci.calls, 1);
    ck_assert_int_eq(ci.closes, 1);
    vt_http_client_close(&c);
    srv_close(&s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Compat                                                               */
/* ------------------------------------------------------------------ */

static void
compat_cb(struct evhttp_request *req, void *arg)
{
    (*(int *)arg)++;
    evhttp_send_reply(req, 200, "OK", NULL);
}

START_TEST(compat_evhttp_start)
{
    struct event_base *base = event_init();
    struct evhttp *http;
    struct vt_http_client c;
    struct sockaddr_in addr;
    int calls = 0;

    ck_assert_ptr_nonnull(base);
    vt_closed_port(&addr);
    http = evhttp_start("127.0.0.1", ntohs(addr.sin_port));
    ck_assert_ptr_nonnull(http);
    evhttp_set_gencb(http, compat_cb, &calls);
    ck_assert_int_eq(vt_http_client_open(&c, &addr), 0);
    ck_assert_int_eq(vt_http_client_start(&c, GET_CLOSE("/"),
                                          strlen(GET_CLOSE("/")),
                                          VT_HTTP_READ_TO_CLOSE, 0, 10.0),
                     0);
    /* The global base serves it. */
    run_client(base, &c);
    ck_assert_int_eq(calls, 1);
    assert_served_by(&c, 200, "");
    vt_http_client_close(&c);
    /* The port is taken now. */
    ck_assert_ptr_null(evhttp_start("127.0.0.1", ntohs(addr.sin_port)));
    evhttp_free(http);
    event_base_free(base);
}
END_TEST

struct layout {
    int checked;
};

static void
layout_cb(struct evhttp_request *req, void *arg)
{
    struct layout *l = arg;
    struct evbuffer *b = evbuffer_new();

    ck_assert_ptr_eq(req->evcon, evhttp_request_get_connection(req));
    ck_assert_ptr_eq(req->input_headers, evhttp_request_get_input_headers(req));
    ck_assert_ptr_eq(req->output_headers,
                     evhttp_request_get_output_headers(req));
    ck_assert_ptr_eq(req->input_buffer, evhttp_request_get_input_buffer(req));
    ck_assert_ptr_eq(req->output_buffer, evhttp_request_get_output_buffer(req));
    ck_assert_str_eq(req->uri, evhttp_request_get_uri(req));
    ck_assert_str_eq(req->uri, "/s?x");
    ck_assert_ptr_eq(req->uri_elems, evhttp_request_get_evhttp_uri(req));
    ck_assert_int_eq(req->type, evhttp_request_get_command(req));
    ck_assert_int_eq(req->type, EVHTTP_REQ_PUT);
    ck_assert_int_eq(req->kind, EVHTTP_REQUEST);
    ck_assert_int_eq(req->major, 1);
    ck_assert_int_eq(req->minor, 1);
    ck_assert_str_eq(req->remote_host, "127.0.0.1");
    ck_assert_uint_ne(req->remote_port, 0);
    ck_assert_int_eq(req->response_code, 0);
    ck_assert_uint_eq(evbuffer_get_length(req->input_buffer), 3);
    evbuffer_add_printf(b, "ok");
    evhttp_send_reply(req, 202, "Fine", b);
    evbuffer_free(b);
    ck_assert_int_eq(req->response_code, 202);
    ck_assert_int_eq(req->response_code, evhttp_request_get_response_code(req));
    ck_assert_str_eq(req->response_code_line, "Fine");
    l->checked++;
}

START_TEST(struct_evhttp_request_layout)
{
    struct srv s;
    struct layout l = {0};
    struct vt_http_client c;

    ck_assert_uint_eq(sizeof(struct evhttp_request), 216);
    ck_assert_uint_eq(offsetof(struct evhttp_request, evcon), 16);
    ck_assert_uint_eq(offsetof(struct evhttp_request, remote_host), 48);
    ck_assert_uint_eq(offsetof(struct evhttp_request, uri), 96);
    ck_assert_uint_eq(offsetof(struct evhttp_request, response_code), 116);
    srv_open(&s);
    ck_assert_int_eq(evhttp_set_cb(s.http, "/s", layout_cb, &l), 0);
    exchange(&s, &c,
             "PUT /s?x HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n"
             "Connection: close\r\n\r\nabc",
             VT_HTTP_READ_TO_CLOSE);
    assert_served_by(&c, 202, "ok");
    vt_http_client_close(&c);
    ck_assert_int_eq(l.checked, 1);
    srv_close(&s);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("http_server");
    TCase *tc;

    tc = vt_tcase("lifecycle", 30);
    tcase_add_test(tc, bind_port_zero_picks_a_port);
    tcase_add_test(tc, bind_address_in_use_fails);
    tcase_add_test(tc, foreach_bound_socket_in_order);
    tcase_add_test(tc, del_accept_socket_closes_it);
    tcase_add_test(tc, bind_listener_is_used_and_freed);
    tcase_add_test(tc, accept_socket_takes_a_listening_socket);
    tcase_add_test(tc, free_closes_live_connections);
    suite_add_tcase(s, tc);

    tc = vt_tcase("dispatch", 30);
    tcase_add_test(tc, set_cb_and_del_cb_return_values);
    tcase_add_test(tc, cb_matches_path_without_query);
    tcase_add_test(tc, cb_match_is_exact_not_prefix);
    tcase_add_test(tc, cb_match_decodes_the_path);
    tcase_add_test(tc, gencb_fallback_and_unset);
    tcase_add_test(tc, default_404_response);
    suite_add_tcase(s, tc);

    tc = vt_tcase("methods", 30);
    tcase_add_test(tc, default_allowed_methods);
    tcase_add_test(tc, disallowed_method_response);
    tcase_add_test(tc, every_method_reaches_the_callback);
    tcase_add_test(tc, unknown_method_has_its_own_bit);
    tcase_add_test(tc, connect_method);
    tcase_add_test(tc, default_content_type);
    tcase_add_test(tc, max_headers_size);
    tcase_add_test(tc, max_body_size);
    suite_add_tcase(s, tc);

    tc = vt_tcase("vhosts", 30);
    tcase_add_test(tc, virtual_host_by_exact_name);
    tcase_add_test(tc, virtual_host_wildcards);
    tcase_add_test(tc, virtual_host_trailing_star_never_matches);
    tcase_add_test(tc, virtual_host_add_and_remove);
    tcase_add_test(tc, server_aliases);
    tcase_add_test(tc, virtual_host_without_host_header);
    suite_add_tcase(s, tc);

    tc = vt_tcase("connections", 30);
    tcase_add_test(tc, bevcb_makes_each_connections_bufferevent);
    tcase_add_test(tc, timeout_closes_idle_connection);
    tcase_add_test(tc, timeout_tv_closes_idle_connection);
    tcase_add_test(tc, timeout_on_a_half_sent_request);
    tcase_add_test(tc, connection_accessors);
    tcase_add_test(tc, closecb_when_client_disconnects);
    tcase_add_test(tc, closecb_when_server_closes);
    tcase_add_test(tc, free_on_completion_is_ignored_by_servers);
    tcase_add_test(tc, connection_free_in_callback);
    suite_add_tcase(s, tc);

    tc = vt_tcase("requests", 30);
    tcase_add_test(tc, request_accessors);
    tcase_add_test(tc, reply_from_output_buffer_and_headers);
    tcase_add_test(tc, reply_headers_and_keep_alive);
    tcase_add_test(tc, owned_request_answered_later);
    tcase_add_test(tc, on_complete_runs_after_the_reply_is_written);
    tcase_add_test(tc, client_leaving_is_seen_only_at_reply);
    suite_add_tcase(s, tc);

    tc = vt_tcase("compat", 30);
    tcase_add_test(tc, compat_evhttp_start);
    tcase_add_test(tc, struct_evhttp_request_layout);
    suite_add_tcase(s, tc);

    return vt_run(s);
}
