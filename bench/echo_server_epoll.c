/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * echo_server_epoll: the floor of the echo benchmark, the same TCP echo
 * server as echo_server.c written on raw epoll.  Level-triggered; a
 * connection is watched for reading only, and a read is written straight
 * back from one shared buffer: two system calls per message when the
 * socket takes the whole write.  What the socket does not take is kept,
 * and the connection then waits for writability (not readability) until
 * it is sent, so a slow reader cannot make the server buffer without
 * bound.  echo-common.h describes the options.
 */
#include "echo-common.h"

#include <sys/epoll.h>

#define MAX_EVENTS 256

struct conn {
    int fd;
    char *pending; /* bytes the socket did not take yet */
    size_t pending_len;
    size_t pending_off;
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
    free(c->pending);
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

/* Writes what is pending; returns 1 when all is sent, 0 if not, -1. */
static int
flush_pending(struct conn *c)
{
    while (c->pending_off < c->pending_len) {
        ssize_t n = write(c->fd, c->pending + c->pending_off,
                          c->pending_len - c->pending_off);

        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            if (errno == EINTR)
                continue;
            return -1;
        }
        c->pending_off += (size_t)n;
    }
    c->pending_off = 0;
    c->pending_len = 0;
    return 1;
}

/* Keeps what write() did not take, and waits for writability. */
static int
keep_pending(struct conn *c, const char *p, size_t len)
{
    char *np = realloc(c->pending, len);

    if (np == NULL)
        return -1;
    memcpy(np, p, len);
    c->pending = np;
    c->pending_len = len;
    c->pending_off = 0;
    return watch(c, EPOLLOUT);
}

/* Readable: echoes what arrived.  Returns -1 when the connection ends. */
static int
on_read(struct conn *c)
{
    ssize_t n = read(c->fd, g.buf, sizeof(g.buf));
    ssize_t w;

    if (n <= 0)
        return n < 0 && (errno == EAGAIN || errno == EINTR) ? 0 : -1;
    w = write(c->fd, g.buf, (size_t)n);
    if (w < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            return -1;
        w = 0;
    }
    if (w < n)
        return keep_pending(c, g.buf + w, (size_t)(n - w));
    return 0;
}

static int
on_write(struct conn *c)
{
    int rc = flush_pending(c);

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
    struct sockaddr_in sin;
    int one = 1;

    echo_server_parse(argc, argv, &g.o);
    echo_server_addr(&g.o, &sin);
    g.ep = epoll_create1(EPOLL_CLOEXEC);
    g.lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (g.ep < 0 || g.lfd < 0) {
        perror("epoll_create1/socket");
        return 1;
    }
    setsockopt(g.lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(g.lfd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
        listen(g.lfd, 1024) != 0) {
        perror("bind/listen");
        return 1;
    }
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
            if ((evs[i].events & EPOLLOUT) || c->pending_len > 0)
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
