/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * echo_server_libev: echo_server.c on libev, for comparison.  libev has
 * no buffered streams, so this is the floor's scheme (echo_read and
 * echo_flush in echo-common.h) on ev_io watchers, switched to writability
 * while some of an echo is pending.  echo-common.h describes the options.
 */
#include <ev.h>

#include "echo-common.h"

struct conn {
    ev_io io;
    struct echo_pending pending;
};

static struct {
    struct echo_server_opts o;
    struct ev_loop *loop;
    ev_io accept_io;
    long closed;
    char buf[ECHO_IO_CHUNK];
} g;

static void
conn_close(struct conn *c)
{
    ev_io_stop(g.loop, &c->io);
    close(c->io.fd);
    free(c->pending.buf);
    free(c);
    g.closed++;
    if (g.o.exit_after > 0 && g.closed >= g.o.exit_after)
        ev_break(g.loop, EVBREAK_ALL);
}

static void
rewatch(struct conn *c, int what)
{
    ev_io_stop(g.loop, &c->io);
    ev_io_set(&c->io, c->io.fd, what);
    ev_io_start(g.loop, &c->io);
}

static void
conn_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    struct conn *c = (struct conn *)w;
    int rc;

    (void)loop;
    if ((revents & EV_WRITE) || c->pending.len > 0) {
        rc = echo_flush(c->io.fd, &c->pending);
        if (rc == 1)
            rewatch(c, EV_READ);
    } else {
        rc = echo_read(c->io.fd, g.buf, &c->pending);
        if (rc == 1)
            rewatch(c, EV_WRITE);
    }
    if (rc < 0)
        conn_close(c);
}

static void
accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)revents;
    for (;;) {
        struct conn *c;
        int fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK);

        if (fd < 0)
            return;
        echo_nodelay(fd);
        c = calloc(1, sizeof(*c));
        if (c == NULL) {
            close(fd);
            continue;
        }
        ev_io_init(&c->io, conn_cb, fd, EV_READ);
        ev_io_start(loop, &c->io);
    }
}

int
main(int argc, char **argv)
{
    int lfd;

    echo_server_parse(argc, argv, &g.o);
    g.loop = ev_default_loop(EVBACKEND_EPOLL);
    if (g.loop == NULL) {
        fprintf(stderr, "ev_default_loop failed\n");
        return 1;
    }
    lfd = echo_server_listen(&g.o);
    if (lfd < 0)
        return 1;
    if (echo_server_announce(lfd) != 0)
        return 1;
    ev_io_init(&g.accept_io, accept_cb, lfd, EV_READ);
    ev_io_start(g.loop, &g.accept_io);
    ev_run(g.loop, 0);
    close(lfd);
    return 0;
}
