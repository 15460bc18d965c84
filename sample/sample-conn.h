/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * sample-conn.h: what the listener-and-bufferevent samples share.  A
 * listener on 127.0.0.1 that says where it listens, and a list of the open
 * connections, so that a server stopping on a signal frees every
 * bufferevent before its event base.  A connection whose client stops
 * reading has its reading paused once a bounded amount of output waits,
 * and a connection whose client has finished is closed only after the
 * answer has gone out.  Header-only.
 */
#ifndef VIGIL_SAMPLE_CONN_H
#define VIGIL_SAMPLE_CONN_H

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

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

#endif
