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
#include <unistd.h>

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
    struct event_base *base = evconnlistener_get_base(lev);
    struct bufferevent *bev;
    struct sample_conn *c;

    (void)peer;
    (void)peer_len;
    (void)arg;
    bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (bev == NULL) {
        close(fd);
        return;
    }
    c = sample_conn_add(&conns, bev);
    if (c == NULL) {
        bufferevent_free(bev);
        return;
    }
    bufferevent_setcb(bev, on_read, sample_conn_on_write, sample_conn_on_event,
                      c);
    bufferevent_enable(bev, EV_READ | EV_WRITE);
    if (bufferevent_write(bev, greeting, sizeof(greeting) - 1) < 0) {
        sample_conn_free(c);
        return;
    }
    /* The write callback closes the connection once the output is empty. */
    sample_conn_close_when_written(c);
}

/* accept() failed for a reason other than a busy moment (out of file
 * descriptors, say): report it and stop rather than spin. */
static int listener_failed;

static void
on_listener_error(struct evconnlistener *lev, void *arg)
{
    int err = EVUTIL_SOCKET_ERROR();

    (void)arg;
    fprintf(stderr, "%s: accept: %s; stopping\n", prog,
            evutil_socket_error_to_string(err));
    listener_failed = 1;
    event_base_loopbreak(evconnlistener_get_base(lev));
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    printf("%s: caught %s, stopping\n", prog,
           sig == SIGINT ? "SIGINT" : "SIGTERM");
    event_base_loopbreak(arg);
}

int
main(int argc, char **argv)
{
    struct event_base *base = NULL;
    struct evconnlistener *lev = NULL;
    struct event *int_ev = NULL, *term_ev = NULL;
    unsigned short port;
    int status = 1;

    if (argc != 2) {
        fprintf(stderr,
                "usage: %s PORT   (0: any free port)\n"
                "  Greets every client on 127.0.0.1:PORT; Ctrl-C stops it.\n",
                prog);
        return 2;
    }
    if (sample_parse_port(prog, argv[1], &port) < 0)
        return 2;
    /* A client that leaves before its greeting is written must not kill
     * the server: the write fails with EPIPE instead. */
    signal(SIGPIPE, SIG_IGN);

    base = event_base_new();
    if (base == NULL) {
        fprintf(stderr, "%s: cannot make an event base\n", prog);
        goto done;
    }
    lev = sample_listener_new(prog, base, port, on_accept, NULL);
    if (lev == NULL)
        goto done;
    evconnlistener_set_error_cb(lev, on_listener_error);
    int_ev = evsignal_new(base, SIGINT, on_signal, base);
    term_ev = evsignal_new(base, SIGTERM, on_signal, base);
    if (int_ev == NULL || term_ev == NULL || event_add(int_ev, NULL) < 0 ||
        event_add(term_ev, NULL) < 0) {
        fprintf(stderr, "%s: cannot watch for signals\n", prog);
        goto done;
    }
    printf("%s: try it with: nc 127.0.0.1 %u   (Ctrl-C stops it)\n", prog,
           sample_listener_port(lev));
    fflush(stdout);

    if (event_base_dispatch(base) < 0)
        fprintf(stderr, "%s: the event loop failed\n", prog);
    else if (!listener_failed)
        status = 0;

done:
    sample_conn_free_all(&conns);
    if (lev != NULL)
        evconnlistener_free(lev);
    if (int_ev != NULL)
        event_free(int_ev);
    if (term_ev != NULL)
        event_free(term_ev);
    if (base != NULL)
        event_base_free(base);
    if (status == 0)
        printf("%s: stopped\n", prog);
    return status;
}
