/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * http_load: a fixed-count HTTP/1.1 load on raw epoll, for the counts
 * that need a known number of requests (system calls under strace,
 * instructions under callgrind); wrk makes the timed runs.  It opens C
 * keep-alive connections to 127.0.0.1:PORT and shares N requests for PATH
 * among them; each connection writes up to P requests at once (one
 * write()), waits for that many responses, and writes the next batch.
 * Every response must be a 200 with a Content-Length (no chunked bodies);
 * anything else, an early close or the time limit is an error.  Then it
 * closes every connection and prints
 *
 *   http_load conns=C pipeline=P requests=N body_bytes=B req_per_s=X
 *
 *   usage: http_load -p PORT [-c CONNS] [-n REQUESTS] [-P PIPELINE]
 *                    [-u PATH] [-t SECONDS]
 */
#include "bench-common.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_EVENTS 256
#define BUF_SIZE 65536

struct conn {
    int fd;
    long to_send;      /* requests not written yet */
    long in_flight;    /* requests written, responses not complete */
    size_t batch_len;  /* bytes of the current batch */
    size_t batch_sent; /* of which written */
    int want_out;      /* watching for writability */
    int in_body;       /* reading a body */
    unsigned long body_left;
    char buf[BUF_SIZE];
    size_t len;
};

static struct {
    int port;
    int conns;
    long requests;
    int pipeline;
    const char *path;
    double seconds;
    int ep;
    char *batch; /* PIPELINE requests back to back */
    size_t req_len;
    long completed;
    unsigned long long body_bytes;
} g;

static void
usage(const char *prog)
{
    fprintf(stderr,
            "usage: %s -p PORT [-c CONNS] [-n REQUESTS] [-P PIPELINE] "
            "[-u PATH] [-t SECONDS]\n"
            "  -p PORT      the server's port on 127.0.0.1\n"
            "  -c CONNS     keep-alive connections (default 50)\n"
            "  -n REQUESTS  requests in all (default 10000)\n"
            "  -P PIPELINE  requests written at once per connection "
            "(default 1)\n"
            "  -u PATH      the path asked for (default /)\n"
            "  -t SECONDS   give up after this long (default 600)\n",
            prog);
}

static void
fail(const char *what)
{
    fprintf(stderr, "http_load: %s\n", what);
    exit(1);
}

static void
watch(struct conn *c, int out)
{
    struct epoll_event ev;

    if (c->want_out == out)
        return;
    ev.events = EPOLLIN | (out ? EPOLLOUT : 0);
    ev.data.ptr = c;
    if (epoll_ctl(g.ep, EPOLL_CTL_MOD, c->fd, &ev) != 0)
        fail("epoll_ctl failed");
    c->want_out = out;
}

/* Writes what is left of the current batch. */
static void
send_batch(struct conn *c)
{
    while (c->batch_sent < c->batch_len) {
        ssize_t n =
            write(c->fd, g.batch + c->batch_sent, c->batch_len - c->batch_sent);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            fail("write failed");
        }
        c->batch_sent += (size_t)n;
    }
    watch(c, c->batch_sent < c->batch_len);
}

/* Starts the next batch, if any request is left. */
static void
next_batch(struct conn *c)
{
    long k = c->to_send < g.pipeline ? c->to_send : g.pipeline;

    if (k == 0)
        return;
    c->to_send -= k;
    c->in_flight = k;
    c->batch_len = (size_t)k * g.req_len;
    c->batch_sent = 0;
    send_batch(c);
}

/* The value of a header in a response head, or NULL. */
static const char *
header(const char *head, const char *end, const char *name)
{
    size_t nlen = strlen(name);
    const char *p = memchr(head, '\n', (size_t)(end - head));

    while (p != NULL && p + 1 < end) {
        p++;
        if ((size_t)(end - p) > nlen && strncasecmp(p, name, nlen) == 0 &&
            p[nlen] == ':') {
            p += nlen + 1;
            while (p < end && (*p == ' ' || *p == '\t'))
                p++;
            return p;
        }
        p = memchr(p, '\n', (size_t)(end - p));
    }
    return NULL;
}

/* Consumes the response bytes in the buffer. */
static void
parse(struct conn *c)
{
    size_t pos = 0;

    while (pos < c->len) {
        if (c->in_body) {
            size_t n = c->len - pos;

            if (n > c->body_left)
                n = c->body_left;
            c->body_left -= n;
            g.body_bytes += n;
            pos += n;
        } else {
            char *end = memmem(c->buf + pos, c->len - pos, "\r\n\r\n", 4);
            const char *v;

            if (end == NULL)
                break;
            if (c->len - pos < 12 || memcmp(c->buf + pos, "HTTP/1.", 7) != 0 ||
                memcmp(c->buf + pos + 8, " 200", 4) != 0) {
                fprintf(stderr, "http_load: not a 200: %.*s\n",
                        (int)(end - (c->buf + pos)), c->buf + pos);
                exit(1);
            }
            if (header(c->buf + pos, end, "Transfer-Encoding") != NULL)
                fail("chunked responses are not supported");
            v = header(c->buf + pos, end, "Content-Length");
            if (v == NULL)
                fail("a response without Content-Length");
            c->body_left = strtoul(v, NULL, 10);
            c->in_body = 1;
            pos = (size_t)(end - c->buf) + 4;
        }
        if (c->in_body && c->body_left == 0) {
            c->in_body = 0;
            if (c->in_flight == 0)
                fail("a response nobody asked for");
            c->in_flight--;
            g.completed++;
            if (c->in_flight == 0)
                next_batch(c);
        }
    }
    memmove(c->buf, c->buf + pos, c->len - pos);
    c->len -= pos;
}

static void
on_read(struct conn *c)
{
    ssize_t n;

    if (c->len == sizeof(c->buf))
        fail("a response head too long");
    n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return;
        fail("read failed");
    }
    if (n == 0)
        fail("the server closed a connection");
    c->len += (size_t)n;
    parse(c);
}

static int
connect_one(void)
{
    struct sockaddr_in sin;
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        fail("socket failed");
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin.sin_port = htons((uint16_t)g.port);
    if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
        perror("connect");
        exit(1);
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0)
        fail("fcntl failed");
    return fd;
}

int
main(int argc, char **argv)
{
    struct epoll_event evs[MAX_EVENTS];
    struct conn *conns;
    char req[1024];
    int64_t start, deadline;
    double secs;
    int opt;
    int i;

    g.conns = 50;
    g.requests = 10000;
    g.pipeline = 1;
    g.path = "/";
    g.seconds = 600;
    while ((opt = getopt(argc, argv, "p:c:n:P:u:t:h")) != -1) {
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
        case 'P':
            g.pipeline = (int)bench_parse_long(optarg, "-P", 1, 1024);
            break;
        case 'u':
            g.path = optarg;
            break;
        case 't':
            g.seconds = (double)bench_parse_long(optarg, "-t", 1, 86400);
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
    /* The request wrk sends. */
    opt = snprintf(req, sizeof(req),
                   "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n", g.path,
                   g.port);
    if (opt < 0 || (size_t)opt >= sizeof(req))
        fail("the path is too long");
    g.req_len = (size_t)opt;
    g.batch = bench_calloc((size_t)g.pipeline, g.req_len);
    for (i = 0; i < g.pipeline; i++)
        memcpy(g.batch + (size_t)i * g.req_len, req, g.req_len);

    g.ep = epoll_create1(EPOLL_CLOEXEC);
    if (g.ep < 0)
        fail("epoll_create1 failed");
    conns = bench_calloc((size_t)g.conns, sizeof(*conns));
    for (i = 0; i < g.conns; i++) {
        struct conn *c = &conns[i];
        struct epoll_event ev;

        c->fd = connect_one();
        c->to_send = g.requests / g.conns + (i < g.requests % g.conns);
        ev.events = EPOLLIN;
        ev.data.ptr = c;
        if (epoll_ctl(g.ep, EPOLL_CTL_ADD, c->fd, &ev) != 0)
            fail("epoll_ctl failed");
    }

    start = bench_now_ns();
    deadline = start + (int64_t)(g.seconds * 1e9);
    for (i = 0; i < g.conns; i++)
        next_batch(&conns[i]);
    while (g.completed < g.requests) {
        int n = epoll_wait(g.ep, evs, MAX_EVENTS, 1000);
        int k;

        if (n < 0 && errno != EINTR)
            fail("epoll_wait failed");
        for (k = 0; k < n; k++) {
            struct conn *c = evs[k].data.ptr;

            if (evs[k].events & EPOLLOUT)
                send_batch(c);
            if (evs[k].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
                on_read(c);
        }
        if (bench_now_ns() > deadline)
            fail("timed out");
    }
    secs = (double)(bench_now_ns() - start) / 1e9;
    for (i = 0; i < g.conns; i++)
        close(conns[i].fd);
    close(g.ep);
    printf("http_load conns=%d pipeline=%d requests=%ld body_bytes=%llu "
           "req_per_s=%.0f\n",
           g.conns, g.pipeline, g.requests, g.body_bytes,
           secs > 0 ? (double)g.requests / secs : 0.0);
    free(conns);
    free(g.batch);
    return 0;
}
