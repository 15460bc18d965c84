/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * rot13-events: the book's ROT13 server on libevent's low-level events:
 * one read event and one write event per connection, buffers kept by the
 * program.  The loop's cost no longer grows with idle connections.
 *
 *   usage: rot13-events PORT      (0: any free port; printed at start)
 */
#include <event2/event.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sample-util.h"

#define OUTSZ 16384

struct conn {
    struct event *read_ev;
    struct event *write_ev;
    char line[1024];
    size_t used;
    char out[OUTSZ];
    size_t out_len;
};

static void
conn_free(struct conn *c, evutil_socket_t fd)
{
    event_free(c->read_ev);
    event_free(c->write_ev);
    close(fd);
    free(c);
}

static void
on_write(evutil_socket_t fd, short what, void *arg)
{
    struct conn *c = arg;
    ssize_t n;

    (void)what;
    n = write(fd, c->out, c->out_len);
    if (n < 0) {
        if (errno == EAGAIN || errno == EINTR)
            return;
        conn_free(c, fd);
        return;
    }
    memmove(c->out, c->out + n, c->out_len - (size_t)n);
    c->out_len -= (size_t)n;
    if (c->out_len == 0)
        event_del(c->write_ev);
}

static void
on_read(evutil_socket_t fd, short what, void *arg)
{
    struct conn *c = arg;
    char buf[1024];
    ssize_t n, i;

    (void)what;
    n = read(fd, buf, sizeof(buf));
    if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        conn_free(c, fd);
        return;
    }
    for (i = 0; i < n; i++) {
        if (c->used < sizeof(c->line))
            c->line[c->used++] = sample_rot13_char(buf[i]);
        if (buf[i] == '\n' || c->used == sizeof(c->line)) {
            if (c->out_len + c->used > sizeof(c->out)) {
                conn_free(c, fd); /* the client does not read: drop it */
                return;
            }
            memcpy(c->out + c->out_len, c->line, c->used);
            c->out_len += c->used;
            c->used = 0;
        }
    }
    if (c->out_len > 0)
        event_add(c->write_ev, NULL);
}

static void
on_accept(evutil_socket_t listener, short what, void *arg)
{
    struct event_base *base = arg;
    struct conn *c;
    int fd;

    (void)what;
    fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
        return;
    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        close(fd);
        return;
    }
    c->read_ev = event_new(base, fd, EV_READ | EV_PERSIST, on_read, c);
    c->write_ev = event_new(base, fd, EV_WRITE | EV_PERSIST, on_write, c);
    if (c->read_ev == NULL || c->write_ev == NULL ||
        event_add(c->read_ev, NULL) < 0) {
        conn_free(c, fd);
        return;
    }
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
    (void)sig;
    (void)what;
    event_base_loopbreak(arg);
}

int
main(int argc, char **argv)
{
    const char *prog = "rot13-events";
    struct event_base *base;
    struct event *accept_ev, *int_ev, *term_ev;
    unsigned short port;
    int listener;

    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT   (0: any free port)\n", prog);
        return 2;
    }
    if (sample_parse_port(prog, argv[1], &port) < 0)
        return 2;
    base = event_base_new();
    if (base == NULL) {
        fprintf(stderr, "%s: cannot make an event base\n", prog);
        return 1;
    }
    listener = sample_listen(prog, SOCK_STREAM | SOCK_NONBLOCK, port);
    if (listener < 0) {
        event_base_free(base);
        return 1;
    }
    accept_ev =
        event_new(base, listener, EV_READ | EV_PERSIST, on_accept, base);
    int_ev = evsignal_new(base, SIGINT, on_signal, base);
    term_ev = evsignal_new(base, SIGTERM, on_signal, base);
    event_add(accept_ev, NULL);
    event_add(int_ev, NULL);
    event_add(term_ev, NULL);
    event_base_dispatch(base);
    /* Connections still open are dropped with the base. */
    event_free(accept_ev);
    event_free(int_ev);
    event_free(term_ev);
    close(listener);
    event_base_free(base);
    printf("%s: stopped\n", prog);
    return 0;
}
