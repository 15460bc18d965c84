/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * http_client: an HTTP load client on libevent's evhttp through the
 * public API only, written the way a user would, so that the same source
 * builds against Vigil and against Debian's libevent.  It measures the
 * client side of evhttp (issue 16): wrk against the same server is the
 * reference, and bench/run compares the CPU time each spends per request.
 *
 * It opens C evhttp_connections to 127.0.0.1:PORT and makes N keep-alive
 * GET requests for PATH over them, one request in flight per connection:
 * the completion callback of a request makes the next one on the same
 * connection.  One request per connection goes first as a warm-up (the
 * connections are made then) and is not counted.  Every response must be
 * a 200 whose body is LEN bytes long; anything else, a failed request or
 * the time limit is an error.  Then it frees everything and prints
 *
 *   http_client conns=C requests=N body_bytes=B secs=S req_per_s=X
 *   http_client conns=C requests=N cpu_us_per_req=Y
 *
 * where Y is the user and system CPU time of the process (getrusage)
 * over the timed requests, divided by N.
 *
 *   usage: http_client -p PORT [-c CONNS] [-n REQUESTS] [-u PATH]
 *                      [-b LEN] [-t SECONDS]
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "bench-common.h"

#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

struct conn {
    struct evhttp_connection *evcon;
    long left; /* timed requests this connection still has to make */
};

static struct {
    int port;
    int conns;
    long requests;
    const char *path;
    size_t body_len;
    long seconds;
    char host[32];
    struct event_base *base;
    struct conn *cs;
    int warm; /* connections whose warm-up request completed */
    int timing;
    long completed;
    unsigned long long body_bytes;
    int64_t start_ns;
    int64_t end_ns;
    struct rusage start_ru;
    struct rusage end_ru;
} g;

static void
usage(const char *prog)
{
    fprintf(stderr,
            "usage: %s -p PORT [-c CONNS] [-n REQUESTS] [-u PATH] "
            "[-b LEN] [-t SECONDS]\n"
            "  -p PORT      the server's port on 127.0.0.1\n"
            "  -c CONNS     keep-alive connections (default 50)\n"
            "  -n REQUESTS  timed requests in all (default 100000)\n"
            "  -u PATH      the path asked for (default /)\n"
            "  -b LEN       the body length every response must have "
            "(default 6,\n"
            "               \"hello\\n\")\n"
            "  -t SECONDS   give up after this long (default 600)\n",
            prog);
}

static void
fail(const char *what)
{
    fprintf(stderr, "http_client: %s\n", what);
    exit(1);
}

static void request_done(struct evhttp_request *req, void *arg);

static void
request_error(enum evhttp_request_error err, void *arg)
{
    (void)arg;
    fprintf(stderr, "http_client: a request failed (error %d)\n", (int)err);
    exit(1);
}

/* Makes the next request on a connection. */
static void
make_request(struct conn *c)
{
    struct evhttp_request *req = evhttp_request_new(request_done, c);

    if (req == NULL)
        fail("evhttp_request_new failed");
    evhttp_request_set_error_cb(req, request_error);
    if (evhttp_add_header(evhttp_request_get_output_headers(req), "Host",
                          g.host) != 0)
        fail("evhttp_add_header failed");
    /* On failure the library has freed the request. */
    if (evhttp_make_request(c->evcon, req, EVHTTP_REQ_GET, g.path) != 0)
        fail("evhttp_make_request failed");
}

static void
start_timing(void)
{
    int i;

    g.timing = 1;
    g.start_ns = bench_now_ns();
    getrusage(RUSAGE_SELF, &g.start_ru);
    for (i = 0; i < g.conns; i++) {
        if (g.cs[i].left > 0) {
            g.cs[i].left--;
            make_request(&g.cs[i]);
        }
    }
}

static void
request_done(struct evhttp_request *req, void *arg)
{
    struct conn *c = arg;
    size_t len;
    int code;

    if (req == NULL)
        fail("a request failed");
    code = evhttp_request_get_response_code(req);
    if (code != 200) {
        fprintf(stderr, "http_client: status %d, not 200\n", code);
        exit(1);
    }
    len = evbuffer_get_length(evhttp_request_get_input_buffer(req));
    if (len != g.body_len) {
        fprintf(stderr, "http_client: a body of %zu bytes, not %zu\n", len,
                g.body_len);
        exit(1);
    }
    if (!g.timing) {
        if (++g.warm == g.conns)
            start_timing();
        return;
    }
    g.body_bytes += len;
    if (++g.completed == g.requests) {
        g.end_ns = bench_now_ns();
        getrusage(RUSAGE_SELF, &g.end_ru);
        event_base_loopbreak(g.base);
        return;
    }
    if (c->left > 0) {
        c->left--;
        make_request(c);
    }
}

static void
timeout_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    fail("timed out");
}

static double
tv_us(const struct timeval *tv)
{
    return (double)tv->tv_sec * 1e6 + (double)tv->tv_usec;
}

int
main(int argc, char **argv)
{
    struct timeval limit;
    struct event *timer;
    double secs, cpu_us;
    int opt;
    int i;

    g.conns = 50;
    g.requests = 100000;
    g.path = "/";
    g.body_len = 6;
    g.seconds = 600;
    while ((opt = getopt(argc, argv, "p:c:n:u:b:t:h")) != -1) {
        switch (opt) {
        case 'p':
            g.port = (int)bench_parse_long(optarg, "-p", 1, 65535);
            break;
        case 'c':
            g.conns = (int)bench_parse_long(optarg, "-c", 1, 100000);
            break;
        case 'n':
            g.requests = bench_parse_long(optarg, "-n", 1, 1000000000);
            break;
        case 'u':
            g.path = optarg;
            break;
        case 'b':
            g.body_len = (size_t)bench_parse_long(optarg, "-b", 0, 1L << 30);
            break;
        case 't':
            g.seconds = bench_parse_long(optarg, "-t", 1, 86400);
            break;
        case 'h':
            usage(argv[0]);
            return 0;
        default:
            usage(argv[0]);
            return 2;
        }
    }
    if (g.port == 0 || optind != argc) {
        usage(argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    if (bench_raise_nofile((rlim_t)g.conns + 64) != 0)
        return 1;
    snprintf(g.host, sizeof(g.host), "127.0.0.1:%d", g.port);

    g.base = event_base_new();
    if (g.base == NULL)
        fail("event_base_new failed");
    limit.tv_sec = g.seconds;
    limit.tv_usec = 0;
    timer = evtimer_new(g.base, timeout_cb, NULL);
    if (timer == NULL || evtimer_add(timer, &limit) != 0)
        fail("cannot arm the time limit");
    g.cs = bench_calloc((size_t)g.conns, sizeof(*g.cs));
    for (i = 0; i < g.conns; i++) {
        struct conn *c = &g.cs[i];

        c->evcon = evhttp_connection_base_new(g.base, NULL, "127.0.0.1",
                                              (ev_uint16_t)g.port);
        if (c->evcon == NULL)
            fail("evhttp_connection_base_new failed");
        c->left = g.requests / g.conns + (i < g.requests % g.conns);
    }
    /* The warm-up: one request per connection, which also connects it. */
    for (i = 0; i < g.conns; i++)
        make_request(&g.cs[i]);
    if (event_base_dispatch(g.base) < 0)
        fail("event_base_dispatch failed");
    if (g.completed != g.requests)
        fail("the loop ended early");

    secs = (double)(g.end_ns - g.start_ns) / 1e9;
    cpu_us = tv_us(&g.end_ru.ru_utime) - tv_us(&g.start_ru.ru_utime) +
             tv_us(&g.end_ru.ru_stime) - tv_us(&g.start_ru.ru_stime);
    printf("http_client conns=%d requests=%ld body_bytes=%llu secs=%.3f "
           "req_per_s=%.0f\n",
           g.conns, g.requests, g.body_bytes, secs,
           secs > 0 ? (double)g.requests / secs : 0.0);
    printf("http_client conns=%d requests=%ld cpu_us_per_req=%.3f\n", g.conns,
           g.requests, cpu_us / (double)g.requests);

    for (i = 0; i < g.conns; i++)
        evhttp_connection_free(g.cs[i].evcon);
    free(g.cs);
    event_free(timer);
    event_base_free(g.base);
    return 0;
}
