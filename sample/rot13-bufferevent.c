/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * rot13-bufferevent: the book's ROT13 server in its last form.  A
 * connection listener accepts, and each connection is a bufferevent: the
 * library keeps the buffers and does the reads and writes; the program
 * only turns every line it is given.  Ctrl-C (SIGINT) or SIGTERM stops
 * the server through a signal event, and everything is freed.
 *
 *   usage: rot13-bufferevent PORT      (0: any free port; printed at start)
 *   then:  nc 127.0.0.1 PORT
 */
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "sample-conn.h"
#include "sample-util.h"

/* A line longer than this is turned and sent in pieces, so that a client
 * that never sends a newline cannot make the input buffer grow without
 * bound. */
#define MAX_LINE 16384

static const char *prog = "rot13-bufferevent";

/* Open connections, freed when the server stops. */
static struct sample_conn *conns;

static void
rot13_move(struct evbuffer *out, char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        p[i] = sample_rot13_char(p[i]);
    evbuffer_add(out, p, n);
}

/* Turns whatever is in the input, newline or not. */
static void
rot13_all(struct evbuffer *in, struct evbuffer *out)
{
    char buf[1024];
    int n;

    while ((n = evbuffer_remove(in, buf, sizeof(buf))) > 0)
        rot13_move(out, buf, (size_t)n);
}

static void
on_read(struct bufferevent *bev, void *arg)
{
    struct sample_conn *c = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    struct evbuffer *out = bufferevent_get_output(bev);
    char *line;
    size_t n;

    while ((line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF)) != NULL) {
        rot13_move(out, line, n);
        evbuffer_add(out, "\n", 1);
        free(line);
    }
    if (evbuffer_get_length(in) >= MAX_LINE)
        rot13_all(in, out);
    sample_conn_check_output(c);
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
    /* A last line without a newline is answered too, before the close. */
    if (what & BEV_EVENT_EOF)
        rot13_all(bufferevent_get_input(bev), bufferevent_get_output(bev));
    sample_conn_on_event(bev, what, arg);
}

static void
on_accept(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *peer,
          int peer_len, void *arg)
{
    struct sample_conn *c;

    (void)peer;
    (void)peer_len;
    (void)arg;
    c = sample_conn_accept(lev, fd, &conns, on_read, on_event);
    /* Read no more than a long line's worth before it is handled. */
    if (c != NULL)
        bufferevent_setwatermark(c->bev, EV_READ, 0, MAX_LINE);
}

int
main(int argc, char **argv)
{
    return sample_serve(prog, argc, argv, "A ROT13 server", on_accept, &conns);
}
