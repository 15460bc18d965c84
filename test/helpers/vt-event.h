/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * vt-event.h: loop helpers for the black-box tests.  Header-only, because
 * they call the event library: each test compiles them against the headers
 * of the library it is built for (Vigil's, or Debian's for the oracle),
 * where vtest.c stays independent of both.
 */
#ifndef VIGIL_VT_EVENT_H
#define VIGIL_VT_EVENT_H

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/util.h>

#include <check.h>
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vtest.h"

/* Sets the int arg points to: the safety net of vt_wait_for went off. */
static inline void
vt_expire_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    *(int *)arg = 1;
}

/* Runs the loop until *count reaches want, or seconds pass (a safety net
 * that only a broken implementation reaches).  Returns the final count. */
static inline int
vt_wait_for_within(struct event_base *base, const int *count, int want,
                   int seconds)
{
    struct timeval limit = {seconds, 0};
    int expired = 0;
    struct event *timer = evtimer_new(base, vt_expire_cb, &expired);

    ck_assert_ptr_nonnull(timer);
    ck_assert_int_eq(evtimer_add(timer, &limit), 0);
    while (*count < want && !expired)
        ck_assert_int_ge(event_base_loop(base, EVLOOP_ONCE), 0);
    event_free(timer);
    return *count;
}

/* vt_wait_for_within with a 20 s safety net. */
static inline int
vt_wait_for(struct event_base *base, const int *count, int want)
{
    return vt_wait_for_within(base, count, want, 20);
}

/* Runs every callback that is ready now, without waiting. */
static inline void
vt_run_ready(struct event_base *base)
{
    ck_assert_int_ge(event_base_loop(base, EVLOOP_NONBLOCK), 0);
}

/* Runs the loop for ms milliseconds: for checking that something does
 * not happen. */
static inline void
vt_run_for(struct event_base *base, int ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};

    ck_assert_int_eq(event_base_loopexit(base, &tv), 0);
    ck_assert_int_ge(event_base_dispatch(base), 0);
}

/* Runs the loop until buf holds at least n bytes (20 s safety net).
 * Returns its length. */
static inline size_t
vt_wait_for_length(struct event_base *base, struct evbuffer *buf, size_t n)
{
    struct timeval limit = {20, 0};
    int expired = 0;
    struct event *timer = evtimer_new(base, vt_expire_cb, &expired);

    ck_assert_ptr_nonnull(timer);
    ck_assert_int_eq(evtimer_add(timer, &limit), 0);
    while (evbuffer_get_length(buf) < n && !expired)
        ck_assert_int_ge(event_base_loop(base, EVLOOP_ONCE), 0);
    event_free(timer);
    return evbuffer_get_length(buf);
}

/* Reads exactly n bytes from a non-blocking socket, running the loop in
 * steps of 10 ms while they are on their way (20 s safety net). */
static inline void
vt_recv_all(struct event_base *base, int fd, char *out, size_t n)
{
    size_t got = 0;
    int tries = 0;

    while (got < n) {
        ssize_t k = recv(fd, out + got, n - got, 0);

        if (k > 0) {
            got += (size_t)k;
            continue;
        }
        ck_assert_int_eq(k, -1);
        ck_assert_int_eq(errno, EAGAIN);
        ck_assert_int_lt(++tries, 2000);
        vt_run_for(base, 10);
    }
}

/* Stores in *addr a loopback port with nothing listening on it. */
static inline void
vt_closed_port(struct sockaddr_in *addr)
{
    int lfd = vt_tcp_listener(addr);

    ck_assert_int_ge(lfd, 0);
    close(lfd);
}

/* A socket bufferevent with the given options on fds[0] of a fresh
 * vt_socketpair; fds[1] is the test's to use and close. */
static inline struct bufferevent *
vt_socket_bev(struct event_base *base, int fds[2], int options)
{
    struct bufferevent *bev;

    ck_assert_int_eq(vt_socketpair(fds), 0);
    bev = bufferevent_socket_new(base, fds[0], options);
    ck_assert_ptr_nonnull(bev);
    return bev;
}

/* What the callbacks of one bufferevent saw, for vt_read_cb, vt_write_cb
 * and vt_event_cb.  Zero it, then set the fields that ask for something. */
struct vt_rec {
    int reads, writes, events;
    short what;              /* the last event flags */
    int err;                 /* the socket error when the event came */
    int connected;           /* events with BEV_EVENT_CONNECTED */
    size_t in_len_at_read;   /* input length when the read callback ran */
    size_t max_in_len;       /* the most it ever was */
    size_t out_len_at_write; /* output length when the write callback ran */
    struct evbuffer *got;    /* if set, the read callback moves input here */
    int got_len;             /* and records its length */
    int drain_in_read;       /* else, if set, it drains the input */
    int drained;             /* bytes moved or drained by the read callback */
    int free_in_read;        /* free the bufferevent in the read callback */
    int free_in_event;       /* free it in the event callback */
    int in_call; /* set while the test is inside a call that may call back */
    int called_inside;        /* callbacks that ran while in_call was set */
    int tag;                  /* what the read callback adds to order_log */
    int *order_log, *order_n; /* if set, a log of up to 16 reads */
};

static inline void
vt_read_cb(struct bufferevent *bev, void *arg)
{
    struct vt_rec *r = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    size_t len = evbuffer_get_length(in);

    r->reads++;
    r->in_len_at_read = len;
    if (len > r->max_in_len)
        r->max_in_len = len;
    if (r->in_call)
        r->called_inside++;
    if (r->order_log != NULL && *r->order_n < 16)
        r->order_log[(*r->order_n)++] = r->tag;
    if (r->got != NULL) {
        r->drained += (int)len;
        ck_assert_int_eq(bufferevent_read_buffer(bev, r->got), 0);
        r->got_len = (int)evbuffer_get_length(r->got);
    } else if (r->drain_in_read) {
        r->drained += (int)len;
        ck_assert_int_eq(evbuffer_drain(in, len), 0);
    }
    if (r->free_in_read)
        bufferevent_free(bev);
}

static inline void
vt_write_cb(struct bufferevent *bev, void *arg)
{
    struct vt_rec *r = arg;

    r->writes++;
    r->out_len_at_write = evbuffer_get_length(bufferevent_get_output(bev));
    if (r->in_call)
        r->called_inside++;
}

static inline void
vt_event_cb(struct bufferevent *bev, short what, void *arg)
{
    struct vt_rec *r = arg;

    r->err = EVUTIL_SOCKET_ERROR();
    r->events++;
    r->what = what;
    if (what & BEV_EVENT_CONNECTED)
        r->connected++;
    if (r->in_call)
        r->called_inside++;
    if (r->free_in_event)
        bufferevent_free(bev);
}

#endif
