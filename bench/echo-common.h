/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * echo-common.h: what the echo servers (echo_server.c on libevent's API,
 * echo_server_epoll.c on raw epoll, and the libev and libuv ports) share:
 * their options, the listening socket and the line that tells the load
 * client (echo_client_epoll.c) which port to use; and, for the servers
 * with no buffered streams (raw epoll, libev), the echo itself.
 *
 * A server listens on 127.0.0.1 (port 0 by default: the kernel picks one),
 * prints "port N" on standard output once it listens, echoes every byte it
 * reads on a connection back on that connection, and exits after -x
 * connections have closed (0: never), so that a runner can stop it without
 * a signal and strace -c sees a clean exit.
 *
 *   usage: echo_server [-p PORT] [-x CLOSED]
 */
#ifndef VIGIL_BENCH_ECHO_COMMON_H
#define VIGIL_BENCH_ECHO_COMMON_H

#include "bench-common.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

/* The largest read or write a server does in one call. */
#define ECHO_IO_CHUNK 65536

struct echo_server_opts {
    int port;        /* -p: 0 lets the kernel pick */
    long exit_after; /* -x: closed connections before exiting; 0: never */
};

static inline void
echo_server_usage(const char *prog)
{
    fprintf(stderr,
            "usage: %s [-p PORT] [-x CLOSED]\n"
            "  -p PORT    port on 127.0.0.1 (default 0: any free one)\n"
            "  -x CLOSED  exit after that many connections closed "
            "(default 0: never)\n",
            prog);
}

static inline void
echo_server_parse(int argc, char **argv, struct echo_server_opts *o)
{
    int c;

    o->port = 0;
    o->exit_after = 0;
    while ((c = getopt(argc, argv, "p:x:h")) != -1) {
        switch (c) {
        case 'p':
            o->port = (int)bench_parse_long(optarg, "-p", 0, 65535);
            break;
        case 'x':
            o->exit_after = bench_parse_long(optarg, "-x", 0, 100000000);
            break;
        case 'h':
            echo_server_usage(argv[0]);
            exit(0);
        default:
            echo_server_usage(argv[0]);
            exit(2);
        }
    }
    if (optind != argc) {
        echo_server_usage(argv[0]);
        exit(2);
    }
    /* A client that goes away must not kill the server. */
    signal(SIGPIPE, SIG_IGN);
    bench_raise_nofile(16384);
}

/* The address a server listens on. */
static inline void
echo_server_addr(const struct echo_server_opts *o, struct sockaddr_in *sin)
{
    memset(sin, 0, sizeof(*sin));
    sin->sin_family = AF_INET;
    sin->sin_port = htons((unsigned short)o->port);
    sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

/*
 * Turns Nagle's algorithm off on an accepted connection, as servers that
 * answer small requests do (and as the client does).
 */
static inline void
echo_nodelay(int fd)
{
    int one = 1;

    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* Prints the port a listening socket is bound to; -1 when it cannot. */
static inline int
echo_server_announce(int fd)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);

    if (getsockname(fd, (struct sockaddr *)&sin, &len) != 0) {
        perror("getsockname");
        return -1;
    }
    printf("port %d\n", ntohs(sin.sin_port));
    fflush(stdout);
    return 0;
}

/*
 * Opens the non-blocking listening socket, for the servers that have no
 * listener of their own to do it.  Returns it, or -1 with a message.
 */
static inline int
echo_server_listen(const struct echo_server_opts *o)
{
    struct sockaddr_in sin;
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

    if (fd < 0) {
        perror("socket");
        return -1;
    }
    echo_server_addr(o, &sin);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
        listen(fd, 1024) != 0) {
        perror("bind/listen");
        close(fd);
        return -1;
    }
    return fd;
}

/*
 * The echo without buffered streams: a read is written straight back from
 * one shared buffer, two system calls per message when the socket takes
 * the whole write.  What it does not take is kept here, and the connection
 * then waits for writability (not readability) until it is sent, so that
 * a slow reader cannot make the server buffer without bound.
 */
struct echo_pending {
    char *buf;
    size_t len;
    size_t off;
};

/*
 * Readable: echoes what arrived, through buf (ECHO_IO_CHUNK bytes).
 * Returns 1 when some of it is now pending (wait for writability), 0 when
 * not, -1 when the connection ends.
 */
static inline int
echo_read(int fd, char *buf, struct echo_pending *p)
{
    ssize_t n = read(fd, buf, ECHO_IO_CHUNK);
    ssize_t w;
    char *np;

    if (n <= 0)
        return n < 0 && (errno == EAGAIN || errno == EINTR) ? 0 : -1;
    w = write(fd, buf, (size_t)n);
    if (w < 0) {
        if (errno != EAGAIN && errno != EINTR)
            return -1;
        w = 0;
    }
    if (w == n)
        return 0;
    np = realloc(p->buf, (size_t)(n - w));
    if (np == NULL)
        return -1;
    memcpy(np, buf + w, (size_t)(n - w));
    p->buf = np;
    p->len = (size_t)(n - w);
    p->off = 0;
    return 1;
}

/* Writable: writes what is pending; 1 when all is sent, 0 if not, -1. */
static inline int
echo_flush(int fd, struct echo_pending *p)
{
    while (p->off < p->len) {
        ssize_t n = write(fd, p->buf + p->off, p->len - p->off);

        if (n < 0) {
            if (errno == EAGAIN)
                return 0;
            if (errno == EINTR)
                continue;
            return -1;
        }
        p->off += (size_t)n;
    }
    p->off = 0;
    p->len = 0;
    return 1;
}

#endif /* VIGIL_BENCH_ECHO_COMMON_H */
