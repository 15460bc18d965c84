/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * echo-listener: the book's echo server on a connection listener.  Each
 * accepted connection gets a bufferevent whose read callback hands
 * everything that arrived straight to the output, without copying it.
 * Ctrl-C (SIGINT) or SIGTERM stops the server through a signal event, and
 * everything is freed.
 *
 *   usage: echo-listener PORT      (0: any free port; printed at start)
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

static const char *prog = "echo-listener";

/* Open connections, freed when the server stops. */
static struct sample_conn *conns;

static void
on_read(struct bufferevent *bev, void *arg)
{
    /* The input's chains move to the output as they are. */
    evbuffer_add_buffer(bufferevent_get_output(bev),
                        bufferevent_get_input(bev));
    sample_conn_check_output(arg);
}

static void
on_accept(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *peer,
          int peer_len, void *arg)
{
    (void)peer;
    (void)peer_len;
    (void)arg;
    sample_conn_accept(lev, fd, &conns, on_read, sample_conn_on_event);
}

int
main(int argc, char **argv)
{
    return sample_serve(prog, argc, argv, "An echo server", on_accept, &conns);
}
