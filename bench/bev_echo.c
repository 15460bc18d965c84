/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * bev_echo.c: echo round trips between pairs of socket bufferevents in one
 * loop: each client sends a message, its server echoes it, and the client
 * sends the next when the echo is back.  Public API only, so the same
 * source builds against Vigil and Debian's libevent.
 *
 * usage: bench_bev_echo [-c CONNECTIONS] [-n ROUND_TRIPS] [-s SIZE]
 * Prints the round trips per second; `strace -c -f` on it shows the system
 * calls each round trip costs.
 */
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct conn {
    struct bufferevent *client;
    struct bufferevent *server;
    size_t got;
};

static long round_trips_left;
static size_t msg_size;
static char *msg;
static struct event_base *base;

static void
server_read(struct bufferevent *bev, void *arg)
{
    (void)arg;
    bufferevent_write_buffer(bev, bufferevent_get_input(bev));
}

static void
client_read(struct bufferevent *bev, void *arg)
{
    struct conn *c = arg;
    struct evbuffer *in = bufferevent_get_input(bev);

    c->got += evbuffer_get_length(in);
    evbuffer_drain(in, evbuffer_get_length(in));
    while (c->got >= msg_size) {
        c->got -= msg_size;
        if (--round_trips_left <= 0) {
            event_base_loopbreak(base);
            return;
        }
        bufferevent_write(bev, msg, msg_size);
    }
}

int
main(int argc, char **argv)
{
    int nconn = 1, opt, i;
    long total = 200000;
    struct conn *conns;
    struct timespec t0, t1;
    double secs;

    msg_size = 64;
    while ((opt = getopt(argc, argv, "c:n:s:")) != -1) {
        switch (opt) {
        case 'c':
            nconn = atoi(optarg);
            break;
        case 'n':
            total = atol(optarg);
            break;
        case 's':
            msg_size = (size_t)atol(optarg);
            break;
        default:
            fprintf(stderr, "usage: %s [-c N] [-n N] [-s N]\n", argv[0]);
            return 2;
        }
    }
    if (nconn < 1 || total < 1 || msg_size < 1)
        return 2;
    msg = calloc(1, msg_size);
    conns = calloc((size_t)nconn, sizeof(*conns));
    base = event_base_new();
    if (msg == NULL || conns == NULL || base == NULL)
        return 1;
    round_trips_left = total;
    for (i = 0; i < nconn; i++) {
        int fds[2];

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds) < 0)
            return 1;
        conns[i].client =
            bufferevent_socket_new(base, fds[0], BEV_OPT_CLOSE_ON_FREE);
        conns[i].server =
            bufferevent_socket_new(base, fds[1], BEV_OPT_CLOSE_ON_FREE);
        bufferevent_setcb(conns[i].client, client_read, NULL, NULL, &conns[i]);
        bufferevent_setcb(conns[i].server, server_read, NULL, NULL, NULL);
        bufferevent_enable(conns[i].client, EV_READ);
        bufferevent_enable(conns[i].server, EV_READ);
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (i = 0; i < nconn; i++)
        bufferevent_write(conns[i].client, msg, msg_size);
    event_base_dispatch(base);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    secs = (double)(t1.tv_sec - t0.tv_sec) +
           (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("%s: %d connections, %ld round trips of %zu bytes: %.3f s, "
           "%.0f round trips/s\n",
           event_get_version(), nconn, total, msg_size, secs,
           (double)total / secs);
    for (i = 0; i < nconn; i++) {
        bufferevent_free(conns[i].client);
        bufferevent_free(conns[i].server);
    }
    event_base_free(base);
    free(conns);
    free(msg);
    return 0;
}
