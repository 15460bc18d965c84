/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * hello-world: a connection listener that greets.  Each client is sent
 * "Hello, World!" through a bufferevent, and the connection is closed by
 * the write callback once the greeting has gone out.  Ctrl-C (SIGINT) or
 * SIGTERM stops the server through a signal event, and everything is
 * freed.
 *
 *   usage: hello-world PORT      (0: any free port; printed at start)
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

static const char *prog = "hello-world";
static const char greeting[] = "Hello, World!\n";

/* Open connections, freed when the server stops. */
static struct sample_conn *conns;

/* The client has nothing to say, but whatever it sends is read and
 * dropped: closing a socket with unread input would reset the connection,
 * and the client could lose its greeting. */
static void
on_read(struct bufferevent *bev, void *arg)
{
    struct evbuffer *in = bufferevent_get_input(bev);

    (void)arg;
    evbuffer_drain(in, evbuffer_get_length(in));
}

static void
on_accept(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *peer,
          int peer_len, void *arg)
{
    struct sample_conn *c;

    (void)peer;
    (void)peer_len;
    (void)arg;
    c = sample_conn_accept(lev, fd, &conns, on_read, sample_conn_on_event);
    if (c == NULL)
        return;
    if (bufferevent_write(c->bev, greeting, sizeof(greeting) - 1) < 0) {
        sample_conn_free(c);
        return;
    }
    /* The write callback closes the connection once the output is empty. */
    sample_conn_close_when_written(c);
}

int
main(int argc, char **argv)
{
    return sample_serve(prog, argc, argv, "Greets every client", on_accept,
                        &conns);
}
