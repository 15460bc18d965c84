/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * sample-conn.h: what the listener-and-bufferevent samples share.  A
 * listener on 127.0.0.1 that says where it listens, and a list of the open
 * connections, so that a server stopping on a signal frees every
 * bufferevent before its event base.  A connection whose client stops
 * reading has its reading paused once a bounded amount of output waits,
 * and a connection whose client has finished is closed only after the
 * answer has gone out.  And sample_serve(), the main() of them all: the
 * arguments, the base, the listener, the signal events that stop it, and
 * freeing everything.  Header-only.
 */
#ifndef VIGIL_SAMPLE_CONN_H
#define VIGIL_SAMPLE_CONN_H

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sample-util.h"

/* Output allowed to wait for a slow client before reading pauses; reading
 * resumes when half of it has gone out. */
#define SAMPLE_OUTPUT_MAX (256 * 1024)

/* The port a listener got (host order), 0 if unknown. */
static inline unsigned
sample_listener_port(struct evconnlistener *lev)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);

    if (getsockname(evconnlistener_get_fd(lev), (struct sockaddr *)&sin, &len) <
            0 ||
        sin.sin_family != AF_INET)
        return 0;
    return ntohs(sin.sin_port);
}

/* Makes a connection listener on 127.0.0.1:port (0: any free port) and
 * prints the address it got, so that a client (or a test) knows where to
 * connect.  Returns NULL after printing why. */
static inline struct evconnlistener *
sample_listener_new(const char *prog, struct event_base *base,
                    unsigned short port, evconnlistener_cb cb, void *arg)
{
    struct evconnlistener *lev;
    struct sockaddr_in sin;

    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin.sin_port = htons(port);
    lev = evconnlistener_new_bind(base, cb, arg,
                                  LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, -1,
                                  (struct sockaddr *)&sin, (int)sizeof(sin));
    if (lev == NULL) {
        fprintf(stderr, "%s: cannot listen on 127.0.0.1:%u: %s\n", prog,
                (unsigned)port, strerror(errno));
        return NULL;
    }
    printf("%s: listening on 127.0.0.1:%u\n", prog, sample_listener_port(lev));
    fflush(stdout);
    return lev;
}

/* One open connection, on its server's list. */
struct sample_conn {
    struct bufferevent *bev;
    struct sample_conn **head; /* the list it is on */
    struct sample_conn *prev;
    struct sample_conn *next;
    int closing; /* close once the output has gone out */
    int paused;  /* reading paused until the output drains */
};

/* Puts a new bufferevent on a server's list.  Returns NULL if out of
 * memory; the caller still owns bev then. */
static inline struct sample_conn *
sample_conn_add(struct sample_conn **head, struct bufferevent *bev)
{
    struct sample_conn *c = calloc(1, sizeof(*c));

    if (c == NULL)
        return NULL;
    c->bev = bev;
    c->head = head;
    c->next = *head;
    if (*head != NULL)
        (*head)->prev = c;
    *head = c;
    return c;
}

/* Takes a connection off its list and frees its bufferevent, which closes
 * the socket. */
static inline void
sample_conn_free(struct sample_conn *c)
{
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        *c->head = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    bufferevent_free(c->bev);
    free(c);
}

/* Frees every connection still open, as a server stops. */
static inline void
sample_conn_free_all(struct sample_conn **head)
{
    while (*head != NULL)
        sample_conn_free(*head);
}

/* Closes the connection once everything queued for the client has been
 * written (at once if nothing is).  Reading is left as it is: after an end
 * of file there is nothing more to read. */
static inline void
sample_conn_close_when_written(struct sample_conn *c)
{
    c->closing = 1;
    if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0) {
        sample_conn_free(c);
        return;
    }
    /* The write callback now runs only when the output is empty. */
    bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
}

/* Call after queueing output: a client that does not read its answers
 * makes the server stop reading from it, rather than buffer without
 * bound. */
static inline void
sample_conn_check_output(struct sample_conn *c)
{
    if (c->closing || c->paused ||
        evbuffer_get_length(bufferevent_get_output(c->bev)) < SAMPLE_OUTPUT_MAX)
        return;
    c->paused = 1;
    bufferevent_disable(c->bev, EV_READ);
    bufferevent_setwatermark(c->bev, EV_WRITE, SAMPLE_OUTPUT_MAX / 2, 0);
}

/* Write callback (arg: the sample_conn): the output fell to its low
 * watermark. */
static inline void
sample_conn_on_write(struct bufferevent *bev, void *arg)
{
    struct sample_conn *c = arg;

    if (c->closing) {
        if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
            sample_conn_free(c);
        return;
    }
    if (c->paused) {
        c->paused = 0;
        bufferevent_setwatermark(bev, EV_WRITE, 0, 0);
        bufferevent_enable(bev, EV_READ);
    }
}

/* Event callback (arg: the sample_conn): the client finished sending, or
 * the connection failed. */
static inline void
sample_conn_on_event(struct bufferevent *bev, short what, void *arg)
{
    struct sample_conn *c = arg;

    (void)bev;
    if (what & BEV_EVENT_ERROR) {
        /* Reset by the client, say: nothing more can be sent. */
        sample_conn_free(c);
        return;
    }
    if (what & BEV_EVENT_EOF)
        sample_conn_close_when_written(c);
}

/* ------------------------------------------------------------------ */
/* The server around the callbacks: what main() does in every sample.  */

/* Takes an accepted socket as a connection on *head: a bufferevent that
 * frees the socket with it, with the given read and event callbacks (the
 * write callback is sample_conn_on_write), enabled.  Returns NULL, with
 * the socket closed, if that fails. */
static inline struct sample_conn *
sample_conn_accept(struct evconnlistener *lev, evutil_socket_t fd,
                   struct sample_conn **head, bufferevent_data_cb on_read,
                   bufferevent_event_cb on_event)
{
    struct bufferevent *bev;
    struct sample_conn *c;

    bev = bufferevent_socket_new(evconnlistener_get_base(lev), fd,
                                 BEV_OPT_CLOSE_ON_FREE);
    if (bev == NULL) {
        evutil_closesocket(fd);
        return NULL;
    }
    c = sample_conn_add(head, bev);
    if (c == NULL) {
        bufferevent_free(bev);
        return NULL;
    }
    bufferevent_setcb(bev, on_read, sample_conn_on_write, on_event, c);
    bufferevent_enable(bev, EV_READ | EV_WRITE);
    return c;
}

/* The base to stop, and whether accept failed for good (the error
 * callback stops the server rather than spin on, say, EMFILE). */
static const char *sample_prog;
static int sample_listener_failed;

static inline void
sample_on_listener_error(struct evconnlistener *lev, void *arg)
{
    int err = EVUTIL_SOCKET_ERROR();

    (void)arg;
    fprintf(stderr, "%s: accept: %s; stopping\n", sample_prog,
            evutil_socket_error_to_string(err));
    sample_listener_failed = 1;
    event_base_loopbreak(evconnlistener_get_base(lev));
}

/* SIGINT or SIGTERM, through a signal event: leave the loop, so that
 * main frees everything. */
static inline void
sample_on_signal(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    printf("%s: caught %s, stopping\n", sample_prog,
           sig == SIGINT ? "SIGINT" : "SIGTERM");
    event_base_loopbreak(arg);
}

/*
 * Runs a server on 127.0.0.1:PORT (argv[1]; 0: any free port) whose
 * listener hands each connection to on_accept, until SIGINT or SIGTERM;
 * then frees the connections in *conns, the listener and the base.  what
 * describes the server in the usage line.  Returns the exit status: 0
 * after a clean stop, 1 on failure, 2 for bad arguments.
 */
static inline int
sample_serve(const char *prog, int argc, char **argv, const char *what,
             evconnlistener_cb on_accept, struct sample_conn **conns)
{
    struct event_base *base = NULL;
    struct evconnlistener *lev = NULL;
    struct event *int_ev = NULL, *term_ev = NULL;
    unsigned short port;
    int status = 1;

    sample_prog = prog;
    if (argc != 2) {
        fprintf(stderr,
                "usage: %s PORT   (0: any free port)\n"
                "  %s on 127.0.0.1:PORT; Ctrl-C stops it.\n",
                prog, what);
        return 2;
    }
    if (sample_parse_port(prog, argv[1], &port) < 0)
        return 2;
    /* A client that leaves while it is being answered must not kill the
     * server: a write to it fails with EPIPE instead. */
    signal(SIGPIPE, SIG_IGN);

    base = event_base_new();
    if (base == NULL) {
        fprintf(stderr, "%s: cannot make an event base\n", prog);
        goto done;
    }
    lev = sample_listener_new(prog, base, port, on_accept, NULL);
    if (lev == NULL)
        goto done;
    evconnlistener_set_error_cb(lev, sample_on_listener_error);
    int_ev = evsignal_new(base, SIGINT, sample_on_signal, base);
    term_ev = evsignal_new(base, SIGTERM, sample_on_signal, base);
    if (int_ev == NULL || term_ev == NULL || event_add(int_ev, NULL) < 0 ||
        event_add(term_ev, NULL) < 0) {
        fprintf(stderr, "%s: cannot watch for signals\n", prog);
        goto done;
    }
    printf("%s: talk to it with: nc 127.0.0.1 %u   (Ctrl-C stops it)\n", prog,
           sample_listener_port(lev));
    fflush(stdout);

    if (event_base_dispatch(base) < 0)
        fprintf(stderr, "%s: the event loop failed\n", prog);
    else if (!sample_listener_failed)
        status = 0;

done:
    sample_conn_free_all(conns);
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

#endif
