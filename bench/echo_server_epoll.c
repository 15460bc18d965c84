/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * echo_server_epoll: the floor of the echo benchmark, the same TCP echo
 * server as echo_server.c written on raw epoll.  Level-triggered; a
 * connection is watched for reading only, or for writing only while some
 * of its echo is pending (echo_read in echo-common.h).  echo-common.h
 * describes the options.
 */
#include "echo-common.h"

#include <sys/epoll.h>

#define MAX_EVENTS 256

struct conn {
    int fd;
    struct echo_pending pending;
};

static struct {
    struct echo_server_opts o;
    int ep;
    int lfd;
    long closed;
    char buf[ECHO_IO_CHUNK];
} g;

static void
conn_close(struct conn *c)
{
    close(c->fd); /* Also takes it out of the epoll set. */
    free(c->pending.buf);
    free(c);
    g.closed++;
}

static int
watch(struct conn *c, uint32_t what)
{
    struct epoll_event ev;

    ev.events = what;
    ev.data.ptr = c;
    return epoll_ctl(g.ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Readable: echoes what arrived.  Returns -1 when the connection ends. */
static int
on_read(struct conn *c)
{
    int rc = echo_read(c->fd, g.buf, &c->pending);

    if (rc == 1)
        return watch(c, EPOLLOUT);
    return rc;
}

static int
on_write(struct conn *c)
{
    int rc = echo_flush(c->fd, &c->pending);

    if (rc == 1)
        return watch(c, EPOLLIN);
    return rc;
}

static void
on_accept(void)
{
    for (;;) {
        struct epoll_event ev;
        struct conn *c;
        int fd = accept4(g.lfd, NULL, NULL, SOCK_NONBLOCK);

        if (fd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                perror("accept4");
            return;
        }
        echo_nodelay(fd);
        c = calloc(1, sizeof(*c));
        if (c == NULL) {
            close(fd);
            continue;
        }
        c->fd = fd;
        ev.events = EPOLLIN;
        ev.data.ptr = c;
        if (epoll_ctl(g.ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
            perror("epoll_ctl");
            conn_close(c);
        }
    }
}

int
main(int argc, char **argv)
{
    struct epoll_event evs[MAX_EVENTS];
    struct epoll_event ev;

    echo_server_parse(argc, argv, &g.o);
    g.ep = epoll_create1(EPOLL_CLOEXEC);
    if (g.ep < 0) {
        perror("epoll_create1");
        return 1;
    }
    g.lfd = echo_server_listen(&g.o);
    if (g.lfd < 0)
        return 1;
    ev.events = EPOLLIN;
    ev.data.ptr = NULL; /* The listener. */
    if (epoll_ctl(g.ep, EPOLL_CTL_ADD, g.lfd, &ev) != 0 ||
        echo_server_announce(g.lfd) != 0)
        return 1;

    while (g.o.exit_after == 0 || g.closed < g.o.exit_after) {
        int n = epoll_wait(g.ep, evs, MAX_EVENTS, -1);
        int i;

        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("epoll_wait");
            return 1;
        }
        for (i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            int rc;

            if (c == NULL) {
                on_accept();
                continue;
            }
            if ((evs[i].events & EPOLLOUT) || c->pending.len > 0)
                rc = on_write(c);
            else
                rc = on_read(c);
            if (rc < 0)
                conn_close(c);
        }
    }
    close(g.lfd);
    close(g.ep);
    return 0;
}
