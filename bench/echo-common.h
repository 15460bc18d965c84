/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * echo-common.h: what the echo servers (echo_server.c on libevent's API,
 * echo_server_epoll.c on raw epoll, and the libev and libuv ports) share:
 * their options, the listening socket's address and the line that tells
 * the load client (echo_client_epoll.c) which port to use.
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

#endif /* VIGIL_BENCH_ECHO_COMMON_H */
