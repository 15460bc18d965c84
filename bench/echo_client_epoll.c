/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * echo_client_epoll: the load for the echo servers, on raw epoll so that
 * it costs the same whichever server it measures.  It opens C connections
 * to 127.0.0.1:PORT; each sends a SIZE-byte message, waits until all
 * SIZE bytes came back, and sends the next: C messages in flight.  After
 * every connection's first round trip (the warm-up) it counts round trips
 * for T seconds, then closes every connection and prints
 *
 *   echo conns=C size=SIZE rt_per_s=X
 *
 * and, on standard error, the round trips counted, the seconds taken and
 * all round trips made (warm-up included: what a server under strace saw).
 *
 *   usage: echo_client_epoll -p PORT [-c CONNS] [-s SIZE] [-t SECONDS]
 */
#include "bench-common.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_EVENTS 256
#define ECHO_READ_MAX 65536

struct conn {
    int fd;
    size_t sent;     /* bytes of the current message written */
    size_t received; /* bytes of the current message read back */
    int want_out;    /* watching for writability */
    int warm;        /* finished its first round trip */
};

static struct {
    int port;
    int conns;
    size_t size;
    double seconds;
    int ep;
    char *msg;
    char *buf;
    size_t buf_size;
    long round_trips;     /* counted ones */
    long all_round_trips; /* the warm-up and the last ones too */
    int warm;
    int counting;
} g;

static void
usage(const char *prog)
{
    fprintf(stderr,
            "usage: %s -p PORT [-c CONNS] [-s SIZE] [-t SECONDS]\n"
            "  -p PORT     the echo server's port on 127.0.0.1\n"
            "  -c CONNS    connections, each with one message in flight "
            "(default 50)\n"
            "  -s SIZE     bytes per message (default 64)\n"
            "  -t SECONDS  how long to count round trips (default 2)\n",
            prog);
}

static int
watch(struct conn *c, int out)
{
    struct epoll_event ev;

    if (c->want_out == out)
        return 0;
    c->want_out = out;
    ev.events = EPOLLIN | (out ? EPOLLOUT : 0);
    ev.data.ptr = c;
    return epoll_ctl(g.ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Writes what is left of the current message; -1 on error. */
static int
send_some(struct conn *c)
{
    while (c->sent < g.size) {
        ssize_t n = write(c->fd, g.msg + c->sent, g.size - c->sent);

        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return watch(c, 1);
            if (errno == EINTR)
                continue;
            perror("write");
            return -1;
        }
        c->sent += (size_t)n;
    }
    return watch(c, 0);
}

/* Reads what came back; starts the next message when all of it has. */
static int
receive_some(struct conn *c)
{
    ssize_t n = read(c->fd, g.buf, g.buf_size);

    if (n < 0)
        return errno == EAGAIN || errno == EINTR ? 0 : -1;
    if (n == 0) {
        fprintf(stderr, "the server closed a connection\n");
        return -1;
    }
    c->received += (size_t)n;
    if (c->received > c->sent) {
        fprintf(stderr, "more bytes came back than were sent\n");
        return -1;
    }
    if (c->received < g.size)
        return 0;
    g.all_round_trips++;
    if (g.counting)
        g.round_trips++;
    if (!c->warm) {
        c->warm = 1;
        g.warm++;
    }
    c->received = 0;
    c->sent = 0;
    return send_some(c);
}

static int
open_conn(struct conn *c, const struct sockaddr_in *sin)
{
    struct epoll_event ev;
    int one = 1;

    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (c->fd < 0 ||
        connect(c->fd, (const struct sockaddr *)sin, sizeof(*sin)) != 0) {
        perror("connect");
        return -1;
    }
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK) != 0)
        return -1;
    ev.events = EPOLLIN;
    ev.data.ptr = c;
    return epoll_ctl(g.ep, EPOLL_CTL_ADD, c->fd, &ev);
}

int
main(int argc, char **argv)
{
    struct epoll_event evs[MAX_EVENTS];
    struct sockaddr_in sin;
    struct conn *conns;
    int64_t start = 0;
    int64_t end = 0;
    int64_t deadline = 0;
    char *endp;
    int ret = 1;
    int c;
    int i;

    g.port = -1;
    g.conns = 50;
    g.size = 64;
    g.seconds = 2.0;
    while ((c = getopt(argc, argv, "p:c:s:t:h")) != -1) {
        switch (c) {
        case 'p':
            g.port = (int)bench_parse_long(optarg, "-p", 1, 65535);
            break;
        case 'c':
            g.conns = (int)bench_parse_long(optarg, "-c", 1, 30000);
            break;
        case 's':
            g.size = (size_t)bench_parse_long(optarg, "-s", 1, 16 << 20);
            break;
        case 't':
            g.seconds = strtod(optarg, &endp);
            if (*endp != '\0' || !(g.seconds > 0 && g.seconds < 3600)) {
                fprintf(stderr, "bad value for -t: '%s'\n", optarg);
                return 2;
            }
            break;
        case 'h':
            usage(argv[0]);
            return 0;
        default:
            usage(argv[0]);
            return 2;
        }
    }
    if (g.port < 0 || optind != argc) {
        usage(argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    if (bench_raise_nofile((rlim_t)g.conns + 64) != 0)
        return 1;
    g.msg = bench_calloc(g.size, 1);
    memset(g.msg, 'e', g.size);
    g.buf_size = g.size < ECHO_READ_MAX ? g.size : ECHO_READ_MAX;
    g.buf = bench_calloc(g.buf_size, 1);
    conns = bench_calloc((size_t)g.conns, sizeof(*conns));
    for (i = 0; i < g.conns; i++)
        conns[i].fd = -1;
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons((unsigned short)g.port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g.ep = epoll_create1(EPOLL_CLOEXEC);
    if (g.ep < 0) {
        perror("epoll_create1");
        goto done;
    }
    for (i = 0; i < g.conns; i++) {
        if (open_conn(&conns[i], &sin) != 0)
            goto done;
    }
    for (i = 0; i < g.conns; i++) {
        if (send_some(&conns[i]) != 0)
            goto done;
    }

    for (;;) {
        int n = epoll_wait(g.ep, evs, MAX_EVENTS, 10000);
        int64_t now;

        if (n < 0 && errno != EINTR) {
            perror("epoll_wait");
            goto done;
        }
        if (n == 0) {
            fprintf(stderr, "no reply for 10 s\n");
            goto done;
        }
        for (i = 0; i < n; i++) {
            struct conn *cn = evs[i].data.ptr;

            if ((evs[i].events & EPOLLOUT) && send_some(cn) != 0)
                goto done;
            if ((evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) &&
                receive_some(cn) != 0)
                goto done;
        }
        now = bench_now_ns();
        if (!g.counting && g.warm == g.conns) {
            g.counting = 1;
            start = now;
            deadline = start + (int64_t)(g.seconds * 1e9);
        } else if (g.counting && now >= deadline) {
            end = now;
            break;
        }
    }
    printf("echo conns=%d size=%zu rt_per_s=%.1f\n", g.conns, g.size,
           (double)g.round_trips * 1e9 / (double)(end - start));
    fprintf(stderr, "round_trips=%ld seconds=%.3f all_round_trips=%ld\n",
            g.round_trips, (double)(end - start) / 1e9, g.all_round_trips);
    ret = 0;

done:
    for (i = 0; i < g.conns; i++) {
        if (conns[i].fd >= 0)
            close(conns[i].fd);
    }
    if (g.ep >= 0)
        close(g.ep);
    free(conns);
    free(g.buf);
    free(g.msg);
    return ret;
}
