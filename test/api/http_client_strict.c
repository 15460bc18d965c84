/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * http_client_strict.c: how the evhttp client copes with bad, hostile and
 * failing servers.  A scripted server in a thread of its own answers each
 * request with bytes written by hand (split, delayed, cut short, reset or
 * never sent); the client runs on the test's loop.  Each test checks which
 * of the request's callbacks ran and with what (the error callback's enum
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
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

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

/* What the server does once a reply's bytes are out. */
enum then {
    THEN_KEEP = 0, /* wait for the next request on the connection */
    THEN_CLOSE,    /* send FIN, drain what the client still sends, close */
    THEN_RESET,    /* close with SO_LINGER 0: the client sees a reset */
    THEN_SILENT    /* send nothing more; wait for the client to close */
};

/* One reply: the server reads a request (its head, and the body its
 * Content-Length announces), waits pause_ms, writes data (the first split
 * bytes, then after split_ms the rest), then does what then says. */
struct reply {
    const char *data;
    size_t len;
    int pause_ms;
    size_t split;
    int split_ms;
    int then;
    int early; /* write after the request's head, before its body */
};

#define MAX_REPLIES 4
#define MAX_ACCEPTS 16

struct server {
    int lfd;
    struct sockaddr_in addr;
    struct reply replies[MAX_REPLIES];
    int nreplies;
    int listen_at_ms; /* listen() this late; 0 at once, -1 never */
    atomic_int stop;
    double t0;

    /* Results, read once the thread is joined. */
    int accepts;
    double accept_s[MAX_ACCEPTS]; /* since t0 */
    int requests;
    int request_conn[MAX_REPLIES]; /* the connection each request came on */
    char request_head[MAX_REPLIES][1024];
    size_t body_read[MAX_REPLIES];
};

/* Waits up to ms for fd to become readable; returns 1 when it is, 0 on a
 * timeout or a stop. */
static int
wait_readable(struct server *s, int fd, int ms)
{
    double end = now_s() + ms / 1000.0;

    while (!atomic_load(&s->stop)) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        double left = end - now_s();
        int r;

        if (left <= 0)
            return 0;
        r = poll(&p, 1, left > 0.05 ? 50 : (int)(left * 1000) + 1);
        if (r > 0)
            return 1;
        if (r < 0 && errno != EINTR)
            return 0;
    }
    return 0;
}

/* Reads until EOF, an error, a stop or ms of silence. */
static void
drain(struct server *s, int fd, int ms)
{
    char buf[65536];

    while (wait_readable(s, fd, ms)) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);

        if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
            return;
    }
}

/* The value of Content-Length in a request head, or 0. */
static size_t
head_content_length(const char *head)
{
    const char *p = head;

    while ((p = strchr(p, '\n')) != NULL) {
        p++;
        if (strncasecmp(p, "Content-Length:", 15) == 0)
            return (size_t)strtoul(p + 15, NULL, 10);
    }
    return 0;
}

/* Reads one request head into s->request_head[i]; returns the number of
 * body bytes read past it, or -1 when the connection ended first. */
static long
read_head(struct server *s, int fd, int i)
{
    char buf[65536];
    size_t have = 0;

    for (;;) {
        ssize_t n;
        char *end;

        if (!wait_readable(s, fd, 3000))
            return -1;
        n = recv(fd, buf + have, sizeof(buf) - 1 - have, 0);
        if (n <= 0)
            return -1;
        have += (size_t)n;
        buf[have] = '\0';
        end = strstr(buf, "\r\n\r\n");
        if (end != NULL) {
            size_t hlen = (size_t)(end - buf) + 4;
            size_t keep = hlen < sizeof(s->request_head[i]) - 1
                              ? hlen
                              : sizeof(s->request_head[i]) - 1;

            memcpy(s->request_head[i], buf, keep);
            s->request_head[i][keep] = '\0';
            return (long)(have - hlen);
        }
        if (have == sizeof(buf) - 1)
            return -1;
    }
}

/* Reads len more body bytes; returns how many came. */
static size_t
read_body(struct server *s, int fd, size_t len)
{
    char buf[65536];
    size_t got = 0;

    while (got < len && wait_readable(s, fd, 3000)) {
        size_t want = len - got < sizeof(buf) ? len - got : sizeof(buf);
        ssize_t n = recv(fd, buf, want, 0);

        if (n <= 0)
            break;
        got += (size_t)n;
    }
    return got;
}

static void
pause_ms(struct server *s, int ms)
{
    double end = now_s() + ms / 1000.0;

    while (!atomic_load(&s->stop) && now_s() < end)
        usleep(5000);
}

static void
send_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

        if (n <= 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        p += n;
        len -= (size_t)n;
    }
}

static void
reset_close(int fd)
{
    struct linger lg = {.l_onoff = 1, .l_linger = 0};

    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    close(fd);
}

/* Serves one connection; returns 0 once it is closed. */
static void
serve_conn(struct server *s, int fd, int conn)
{
    while (s->requests < s->nreplies && !atomic_load(&s->stop)) {
        int i = s->requests;
        const struct reply *r = &s->replies[i];
        long extra = read_head(s, fd, i);
        size_t want;

        if (extra < 0) {
            close(fd);
            return;
        }
        s->requests++;
        s->request_conn[i] = conn;
        want = head_content_length(s->request_head[i]);
        s->body_read[i] = (size_t)extra;
        if (!r->early && s->body_read[i] < want)
            s->body_read[i] += read_body(s, fd, want - s->body_read[i]);
        pause_ms(s, r->pause_ms);
        if (r->split != 0 && r->split < r->len) {
            send_all(fd, r->data, r->split);
            pause_ms(s, r->split_ms);
            send_all(fd, r->data + r->split, r->len - r->split);
        } else if (r->data != NULL) {
            send_all(fd, r->data, r->len);
        }
        if (r->early && s->body_read[i] < want)
            s->body_read[i] += read_body(s, fd, want - s->body_read[i]);
        switch (r->then) {
        case THEN_CLOSE:
            shutdown(fd, SHUT_WR);
            drain(s, fd, 2000);
            close(fd);
            return;
        case THEN_RESET:
            reset_close(fd);
            return;
        case THEN_SILENT:
            drain(s, fd, 30000);
            close(fd);
            return;
        default:
            break;
        }
    }
    /* No reply left: wait for the client to go. */
    drain(s, fd, 30000);
    close(fd);
}

static void *
server_main(void *arg)
{
    struct server *s = arg;

    if (s->listen_at_ms < 0) {
        pause_ms(s, 1000000);
        return NULL;
    }
    if (s->listen_at_ms > 0) {
        pause_ms(s, s->listen_at_ms);
        if (atomic_load(&s->stop) || listen(s->lfd, 16) < 0)
            return NULL;
    }
    while (!atomic_load(&s->stop) && s->accepts < MAX_ACCEPTS) {
        int fd;

        if (!wait_readable(s, s->lfd, 1000000))
            break;
        fd = accept(s->lfd, NULL, NULL);
        if (fd < 0)
            continue;
        s->accept_s[s->accepts] = now_s() - s->t0;
        s->accepts++;
        serve_conn(s, fd, s->accepts);
    }
    return NULL;
}

/* Opens the server's socket, bound to 127.0.0.1 with a port the kernel
 * picks but not listening yet. */
static void
server_init(struct server *s)
{
    socklen_t alen = sizeof(s->addr);
    int one = 1;

    memset(s, 0, sizeof(*s));
    s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ck_assert_int_ge(s->lfd, 0);
    s->addr.sin_family = AF_INET;
    s->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(
        setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), 0);
    ck_assert_int_eq(
        bind(s->lfd, (struct sockaddr *)&s->addr, sizeof(s->addr)), 0);
    ck_assert_int_eq(
        getsockname(s->lfd, (struct sockaddr *)&s->addr, &alen), 0);
}

static void
server_add(struct server *s, const char *data, size_t len, int then)
{
    struct reply *r = &s->replies[s->nreplies++];

    ck_assert_int_le(s->nreplies, MAX_REPLIES);
    memset(r, 0, sizeof(*r));
    r->data = data;
    r->len = len;
    r->then = then;
}

#define OK_REPLY "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecond"

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

static const char *const error_names[] = {
    "TIMEOUT", "EOF", "INVALID_HEADER", "BUFFER_ERROR", "REQUEST_CANCEL",
    "DATA_TOO_LONG"};

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
        const char *x = evhttp_find_header(
            evhttp_request_get_input_headers(req), "X-Test");
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
client_init(struct client *c, const struct server *s)
{
    memset(c, 0, sizeof(*c));
    c->base = event_base_new();
    ck_assert_ptr_nonnull(c->base);
    c->evcon = evhttp_connection_base_new(c->base, NULL, "127.0.0.1",
                                          ntohs(s->addr.sin_port));
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
    ck_assert_int_eq(evhttp_make_request(c->evcon, req,
                                         body_len > 0 ? EVHTTP_REQ_POST
                                                      : EVHTTP_REQ_GET,
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
                "body %zu \"%.40s\", headers cb %d\n",
                phase, s->order, error_name(s->error), s->errors, s->error_s,
                s->completes, s->complete_req, s->code, s->complete_s,
                s->body_len, s->body, s->headers);
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

static void
server_start(struct server *s, pthread_t *th)
{
    if (s->listen_at_ms == 0)
        ck_assert_int_eq(listen(s->lfd, 16), 0);
    s->t0 = now_s();
    ck_assert_int_eq(pthread_create(th, NULL, server_main, s), 0);
}

static void
server_stop(struct server *s, pthread_t th)
{
    atomic_store(&s->stop, 1);
    ck_assert_int_eq(pthread_join(th, NULL), 0);
    close(s->lfd);
}

/* Runs two requests against a server that answers the first with
 * data/len and then, and the second with OK_REPLY.  max_headers and
 * max_body set the connection's limits when not 0. */
static void
two_requests(const char *data, size_t len, int then, ev_ssize_t max_headers,
             ev_ssize_t max_body, struct outcome *o)
{
    struct server s;
    struct client c;
    pthread_t th;

    server_init(&s);
    server_add(&s, data, len, then);
    server_add(&s, OK_REPLY, sizeof(OK_REPLY) - 1, THEN_KEEP);
    client_init(&c, &s);
    if (max_headers != 0)
        evhttp_connection_set_max_headers_size(c.evcon, max_headers);
    if (max_body != 0)
        evhttp_connection_set_max_body_size(c.evcon, max_body);
    server_start(&s, &th);
    client_run(&c, 0, 0, PHASE_S);
    client_run(&c, 1, 0, PHASE_S);
    client_free(&c);
    server_stop(&s, th);

    memset(o, 0, sizeof(*o));
    o->first = c.seen[0];
    o->second = c.seen[1];
    o->accepts = s.accepts;
    o->requests = s.requests;
    o->second_conn = s.requests >= 2 ? s.request_conn[1] : 0;
    o->closecbs = c.closecbs;
    if (tracing())
        fprintf(stderr,
                "trace: %d accepts, %d requests, second on conn %d, "
                "%d close callbacks\n",
                o->accepts, o->requests, o->second_conn, o->closecbs);
}

/* The second request on the same connection object succeeded. */
static void
assert_second_ok(const struct outcome *o)
{
    ck_assert_int_eq(o->second.errors, 0);
    ck_assert_int_eq(o->second.completes, 1);
    ck_assert_int_eq(o->second.complete_req, 1);
    ck_assert_int_eq(o->second.code, 200);
    ck_assert_str_eq(o->second.body, "second");
}

/* The first request failed with error e: the error callback ran once,
 * then the completion callback once, with a NULL request. */
static void
assert_failed(const char *what, const struct seen *s, int e)
{
    ck_assert_msg(s->errors == 1 && s->error == e,
                  "%s: error %s (%d calls), want %s", what,
                  error_name(s->error), s->errors, error_name(e));
    ck_assert_str_eq(s->order, "EC");
    ck_assert_int_eq(s->complete_req, 0);
}

/* The first request succeeded with code and body. */
static void
assert_ok(const char *what, const struct seen *s, int code, const char *body)
{
    ck_assert_msg(s->errors == 0, "%s: error %s", what, error_name(s->error));
    ck_assert_str_eq(s->order, "C");
    ck_assert_int_eq(s->complete_req, 1);
    ck_assert_int_eq(s->code, code);
    ck_assert_str_eq(s->body, body);
}

/* ------------------------------------------------------------------ */
/* Probe                                                               */
/* ------------------------------------------------------------------ */

#define S(x) x, sizeof(x) - 1


struct probe_row {
    const char *name;
    const char *data;
    size_t len;
    int then;
};

#define H11 "HTTP/1.1 200 OK\r\n"
#define CL2 "Content-Length: 2\r\n"

static const struct probe_row probes[] = {
    {"plain", S(H11 CL2 "\r\nok"), THEN_KEEP},
    {"nul in value", S(H11 "X-Test: a\0b\r\n" CL2 "\r\nok"), THEN_KEEP},
    {"bare cr in value", S(H11 "X-Test: a\rb\r\n" CL2 "\r\nok"), THEN_KEEP},
    {"bare cr line end", S(H11 "X-Test: ab\r" CL2 "\r\nok"), THEN_KEEP},
    {"obs-fold", S(H11 "X-Test: a\r\n b\r\n" CL2 "\r\nok"), THEN_KEEP},
    {"obs-fold tab", S(H11 "X-Test: a\r\n\tb\r\n" CL2 "\r\nok"), THEN_KEEP},
    {"fold first", S(H11 " X-Test: a\r\n" CL2 "\r\nok"), THEN_KEEP},
    {"space before colon", S(H11 "X-Test : a\r\n" CL2 "\r\nok"), THEN_KEEP},
    {"space in name", S(H11 "X Test: a\r\n" CL2 "\r\nok"), THEN_KEEP},
    {"no colon", S(H11 "X-Test a\r\n" CL2 "\r\nok"), THEN_KEEP},
    {"empty name", S(H11 ": a\r\n" CL2 "\r\nok"), THEN_KEEP},
    {"ctl in name", S(H11 "X-\x01Test: a\r\n" CL2 "\r\nok"), THEN_KEEP},
    {"bad char name", S(H11 "X(Test): a\r\n" CL2 "\r\nok"), THEN_KEEP},
    {"bare lf", S("HTTP/1.1 200 OK\nX-Test: a\nContent-Length: 2\n\nok"), THEN_KEEP},
    {"te+cl", S(H11 "Transfer-Encoding: chunked\r\nContent-Length: 50\r\n\r\n2\r\nok\r\n0\r\n\r\n"), THEN_KEEP},
    {"two cl differ", S(H11 "Content-Length: 2\r\nContent-Length: 3\r\n\r\nokk"), THEN_KEEP},
    {"two cl same", S(H11 "Content-Length: 2\r\nContent-Length: 2\r\n\r\nok"), THEN_KEEP},
    {"cl list", S(H11 "Content-Length: 2, 2\r\n\r\nok"), THEN_KEEP},
    {"cl negative", S(H11 "Content-Length: -1\r\n\r\nok"), THEN_CLOSE},
    {"cl overflow", S(H11 "Content-Length: 99999999999999999999999\r\n\r\nok"), THEN_CLOSE},
    {"cl 2^63", S(H11 "Content-Length: 9223372036854775808\r\n\r\nok"), THEN_CLOSE},
    {"cl non-numeric", S(H11 "Content-Length: abc\r\n\r\nok"), THEN_CLOSE},
    {"cl trailing junk", S(H11 "Content-Length: 2x\r\n\r\nok"), THEN_CLOSE},
    {"cl plus", S(H11 "Content-Length: +2\r\n\r\nok"), THEN_CLOSE},
    {"cl empty", S(H11 "Content-Length: \r\n\r\nok"), THEN_CLOSE},
    {"te gzip", S(H11 "Transfer-Encoding: gzip\r\n\r\nok"), THEN_CLOSE},
    {"te chunked,gzip", S(H11 "Transfer-Encoding: chunked, gzip\r\n\r\nok"), THEN_CLOSE},
    {"te gzip, chunked", S(H11 "Transfer-Encoding: gzip, chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"), THEN_KEEP},
    {"te CHUNKED", S(H11 "Transfer-Encoding: CHUNKED\r\n\r\n2\r\nok\r\n0\r\n\r\n"), THEN_KEEP},
    {"chunk overflow", S(H11 "Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nok\r\n0\r\n\r\n"), THEN_CLOSE},
    {"chunk 2^63", S(H11 "Transfer-Encoding: chunked\r\n\r\n8000000000000000\r\nok\r\n0\r\n\r\n"), THEN_CLOSE},
    {"chunk not hex", S(H11 "Transfer-Encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n"), THEN_CLOSE},
    {"chunk neg", S(H11 "Transfer-Encoding: chunked\r\n\r\n-2\r\nok\r\n0\r\n\r\n"), THEN_CLOSE},
    {"chunk 0x", S(H11 "Transfer-Encoding: chunked\r\n\r\n0x2\r\nok\r\n0\r\n\r\n"), THEN_CLOSE},
    {"chunk hex junk", S(H11 "Transfer-Encoding: chunked\r\n\r\n2g\r\nok\r\n0\r\n\r\n"), THEN_CLOSE},
    {"chunk ext", S(H11 "Transfer-Encoding: chunked\r\n\r\n2;a=b\r\nok\r\n0\r\n\r\n"), THEN_KEEP},
    {"chunk empty size", S(H11 "Transfer-Encoding: chunked\r\n\r\n\r\nok\r\n0\r\n\r\n"), THEN_CLOSE},
    {"chunk no crlf", S(H11 "Transfer-Encoding: chunked\r\n\r\n2\r\nokXX0\r\n\r\n"), THEN_CLOSE},
    {"chunk no crlf2", S(H11 "Transfer-Encoding: chunked\r\n\r\n2\r\nok2\r\nok\r\n0\r\n\r\n"), THEN_CLOSE},
    {"trailers", S(H11 "Transfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nX-Test: t\r\n\r\n"), THEN_KEEP},
    {"status missing code", S("HTTP/1.1 OK\r\n" CL2 "\r\nok"), THEN_CLOSE},
    {"status no reason", S("HTTP/1.1 200\r\n" CL2 "\r\nok"), THEN_KEEP},
    {"status no reason sp", S("HTTP/1.1 200 \r\n" CL2 "\r\nok"), THEN_KEEP},
    {"status 099", S("HTTP/1.1 099 X\r\n" CL2 "\r\nok"), THEN_CLOSE},
    {"status 600", S("HTTP/1.1 600 X\r\n" CL2 "\r\nok"), THEN_CLOSE},
    {"status 999", S("HTTP/1.1 999 X\r\n" CL2 "\r\nok"), THEN_CLOSE},
    {"status 1000", S("HTTP/1.1 1000 X\r\n" CL2 "\r\nok"), THEN_CLOSE},
    {"status 20", S("HTTP/1.1 20 X\r\n" CL2 "\r\nok"), THEN_CLOSE},
    {"status 2x0", S("HTTP/1.1 2x0 X\r\n" CL2 "\r\nok"), THEN_CLOSE},
    {"status -200", S("HTTP/1.1 -200 X\r\n" CL2 "\r\nok"), THEN_CLOSE},
    {"http/2.0", S("HTTP/2.0 200 OK\r\n" CL2 "\r\nok"), THEN_CLOSE},
    {"http/1.2", S("HTTP/1.2 200 OK\r\n" CL2 "\r\nok"), THEN_CLOSE},
    {"http/1.0", S("HTTP/1.0 200 OK\r\n" CL2 "\r\nok"), THEN_CLOSE},
    {"http/0.9", S("HTTP/0.9 200 OK\r\n" CL2 "\r\nok"), THEN_CLOSE},
    {"lower http", S("http/1.1 200 OK\r\n" CL2 "\r\nok"), THEN_CLOSE},
    {"garbage", S("garbage\r\n\r\n"), THEN_CLOSE},
    {"binary", S("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n"), THEN_CLOSE},
    {"leading crlf", S("\r\n" H11 CL2 "\r\nok"), THEN_KEEP},
    {"close before anything", NULL, 0, THEN_CLOSE},
    {"reset before anything", NULL, 0, THEN_RESET},
    {"close mid status", S("HTTP/1.1 20"), THEN_CLOSE},
    {"close mid head", S(H11 "X-Test: a\r\n"), THEN_CLOSE},
    {"close mid head 2", S(H11 CL2), THEN_CLOSE},
    {"close mid cl body", S(H11 "Content-Length: 10\r\n\r\nok"), THEN_CLOSE},
    {"close mid chunk", S(H11 "Transfer-Encoding: chunked\r\n\r\n5\r\nok"), THEN_CLOSE},
    {"close after chunk", S(H11 "Transfer-Encoding: chunked\r\n\r\n2\r\nok\r\n"), THEN_CLOSE},
    {"close mid trailer", S(H11 "Transfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nX-T: a\r\n"), THEN_CLOSE},
    {"close after eof body", S(H11 "\r\nok"), THEN_CLOSE},
    {"close after eof body 1.0", S("HTTP/1.0 200 OK\r\n\r\nok"), THEN_CLOSE},
    {"reset mid head", S(H11 "X-Test: a\r\n"), THEN_RESET},
    {"reset mid body", S(H11 "Content-Length: 10\r\n\r\nok"), THEN_RESET},
    {"reset after eof body", S(H11 "\r\nok"), THEN_RESET},
    {"reset after full", S(H11 CL2 "\r\nok"), THEN_RESET},
    {"close after full", S(H11 CL2 "\r\nok"), THEN_CLOSE},
    {"extra bytes", S(H11 CL2 "\r\nokJUNK"), THEN_KEEP},
    {"extra response", S(H11 CL2 "\r\nok" H11 CL2 "\r\nxx"), THEN_KEEP},
    {"100 continue", S("HTTP/1.1 100 Continue\r\n\r\n" H11 CL2 "\r\nok"), THEN_KEEP},
    {"102", S("HTTP/1.1 102 Processing\r\n\r\n" H11 CL2 "\r\nok"), THEN_KEEP},
    {"103", S("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" H11 CL2 "\r\nok"), THEN_KEEP},
    {"two 100", S("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n" H11 CL2 "\r\nok"), THEN_KEEP},
    {"101", S("HTTP/1.1 101 Switching\r\n\r\n" H11 CL2 "\r\nok"), THEN_KEEP},
    {"204 with cl", S("HTTP/1.1 204 No\r\nContent-Length: 2\r\n\r\nok"), THEN_KEEP},
    {"304 no cl", S("HTTP/1.1 304 NM\r\n\r\n"), THEN_KEEP},
    {"connection close", S(H11 "Connection: close\r\n" CL2 "\r\nok"), THEN_CLOSE},
    {"1.0 keep-alive", S("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n" CL2 "\r\nok"), THEN_KEEP},
};

START_TEST(probe)
{
    struct outcome o;
    const struct probe_row *p = &probes[_i];

    fprintf(stderr, "=== %s\n", p->name);
    two_requests(p->data, p->len, p->then, 0, 0, &o);
    (void)assert_failed;
    (void)assert_ok;
    (void)assert_second_ok;
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("http_client_strict");
    TCase *tc;

    tc = vt_tcase("probe", 60);
    tcase_add_loop_test(tc, probe, 0, NROWS(probes));
    suite_add_tcase(s, tc);
    return vt_run(s);
}
