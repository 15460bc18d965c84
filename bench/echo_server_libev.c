/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * echo_server_libev: echo_server.c on libev, for comparison.  libev has
 * no buffered streams, so this is the floor's scheme (echo_server_epoll.c)
 * on ev_io watchers: a read is written straight back from one shared
 * buffer; what the socket does not take is kept and the watcher switched
 * to writability until it is sent.  echo-common.h describes the options.
 */
#include <ev.h>

#include "echo-common.h"

#include <fcntl.h>

struct conn {
    ev_io io;
    char *pending;
    size_t pending_len;
    size_t pending_off;
};

static struct {
    struct echo_server_opts o;
    struct ev_loop *loop;
    ev_io accept_io;
    long closed;
    char buf[ECHO_IO_CHUNK];
} g;

static void conn_cb(struct ev_loop *loop, ev_io *w, int revents);

static void
conn_close(struct conn *c)
{
    ev_io_stop(g.loop, &c->io);
    close(c->io.fd);
    free(c->pending);
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

/* Returns -1 when the connection is to be closed. */
static int
on_write(struct conn *c)
{
    while (c->pending_off < c->pending_len) {
        ssize_t n = write(c->io.fd, c->pending + c->pending_off,
                          c->pending_len - c->pending_off);

        if (n < 0)
            return errno == EAGAIN || errno == EINTR ? 0 : -1;
        c->pending_off += (size_t)n;
    }
    c->pending_len = 0;
    c->pending_off = 0;
    rewatch(c, EV_READ);
    return 0;
}

static int
on_read(struct conn *c)
{
    ssize_t n = read(c->io.fd, g.buf, sizeof(g.buf));
    ssize_t w;
    char *np;

    if (n <= 0)
        return n < 0 && (errno == EAGAIN || errno == EINTR) ? 0 : -1;
    w = write(c->io.fd, g.buf, (size_t)n);
    if (w < 0) {
        if (errno != EAGAIN && errno != EINTR)
            return -1;
        w = 0;
    }
    if (w == n)
        return 0;
    np = realloc(c->pending, (size_t)(n - w));
    if (np == NULL)
        return -1;
    memcpy(np, g.buf + w, (size_t)(n - w));
    c->pending = np;
    c->pending_len = (size_t)(n - w);
    c->pending_off = 0;
    rewatch(c, EV_WRITE);
    return 0;
}

static void
conn_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    struct conn *c = (struct conn *)w;
    int rc;

    (void)loop;
    if ((revents & EV_WRITE) || c->pending_len > 0)
        rc = on_write(c);
    else
        rc = on_read(c);
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
    struct sockaddr_in sin;
    int one = 1;
    int lfd;

    echo_server_parse(argc, argv, &g.o);
    echo_server_addr(&g.o, &sin);
    g.loop = ev_default_loop(EVBACKEND_EPOLL);
    lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (g.loop == NULL || lfd < 0) {
        fprintf(stderr, "cannot set up\n");
        return 1;
    }
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
        listen(lfd, 1024) != 0) {
        perror("bind/listen");
        return 1;
    }
    if (echo_server_announce(lfd) != 0)
        return 1;
    ev_io_init(&g.accept_io, accept_cb, lfd, EV_READ);
    ev_io_start(g.loop, &g.accept_io);
    ev_run(g.loop, 0);
    close(lfd);
    return 0;
}
