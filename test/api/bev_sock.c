/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * bev_sock.c: socket bufferevents: echo over a socket pair, end of file,
 * watermarks, timeouts, connecting (success and refusal), host names,
 * freeing with CLOSE_ON_FREE, triggers and deferred callbacks.
 */
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_compat.h>
#include <event2/bufferevent_struct.h>
#include <event2/event.h>
#include <event2/event_compat.h>
#include <event2/listener.h>
#include <event2/util.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vtest.h"

struct rec {
    int reads, writes, events;
    short last_what;
    int last_errno;
    size_t got;
    struct event_base *base;
    int break_on_event;
    int echo;
};

static void
rec_read(struct bufferevent *bev, void *arg)
{
    struct rec *r = arg;
    struct evbuffer *in = bufferevent_get_input(bev);

    r->reads++;
    if (r->echo) {
        bufferevent_write_buffer(bev, in);
        return;
    }
    r->got += evbuffer_get_length(in);
    evbuffer_drain(in, evbuffer_get_length(in));
}

static void
rec_write(struct bufferevent *bev, void *arg)
{
    struct rec *r = arg;

    (void)bev;
    r->writes++;
}

static void
rec_event(struct bufferevent *bev, short what, void *arg)
{
    struct rec *r = arg;

    (void)bev;
    r->events++;
    r->last_what = what;
    r->last_errno = EVUTIL_SOCKET_ERROR();
    if (r->break_on_event)
        event_base_loopbreak(r->base);
}

START_TEST(defaults)
{
    struct event_base *base = event_base_new();
    struct bufferevent *bev = bufferevent_socket_new(base, -1, 0);
    size_t lo = 1, hi = 1;

    ck_assert_ptr_nonnull(bev);
    ck_assert_int_eq(bufferevent_get_enabled(bev), EV_WRITE);
    ck_assert_int_eq(bufferevent_getfd(bev), -1);
    ck_assert_ptr_eq(bufferevent_get_base(bev), base);
    ck_assert_ptr_null(bufferevent_get_underlying(bev));
    ck_assert_int_eq(bufferevent_getwatermark(bev, EV_READ, &lo, &hi), 0);
    ck_assert_uint_eq(lo, 0);
    ck_assert_uint_eq(hi, 0);
    ck_assert_int_eq(
        bufferevent_getwatermark(bev, EV_READ | EV_WRITE, &lo, &hi), -1);
    ck_assert_int_eq((int)bufferevent_get_max_single_read(bev), 16384);
    ck_assert_int_eq(bufferevent_get_priority(bev), 0);
    ck_assert_int_eq(bufferevent_write(bev, "abc", 3), 0);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_output(bev)), 3);
    bufferevent_free(bev);
    event_base_free(base);
}
END_TEST

static void
client_read(struct bufferevent *bev, void *arg)
{
    struct rec *r = arg;
    struct evbuffer *in = bufferevent_get_input(bev);

    r->reads++;
    r->got += evbuffer_get_length(in);
    evbuffer_drain(in, evbuffer_get_length(in));
    if (r->got >= 1000 * 100) {
        event_base_loopbreak(r->base);
        return;
    }
    if (r->got % 100 == 0) {
        char msg[100];

        memset(msg, 'x', sizeof(msg));
        bufferevent_write(bev, msg, sizeof(msg));
    }
}

START_TEST(echo_round_trips)
{
    struct event_base *base = event_base_new();
    int fds[2];
    struct bufferevent *a, *b;
    struct rec ra, rb;
    char msg[100];

    ck_assert_int_eq(vt_socketpair(fds), 0);
    memset(&ra, 0, sizeof(ra));
    memset(&rb, 0, sizeof(rb));
    ra.base = rb.base = base;
    rb.echo = 1;
    a = bufferevent_socket_new(base, fds[0], BEV_OPT_CLOSE_ON_FREE);
    b = bufferevent_socket_new(base, fds[1], BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(a, client_read, rec_write, rec_event, &ra);
    bufferevent_setcb(b, rec_read, rec_write, rec_event, &rb);
    bufferevent_enable(a, EV_READ | EV_WRITE);
    bufferevent_enable(b, EV_READ | EV_WRITE);
    memset(msg, 'x', sizeof(msg));
    bufferevent_write(a, msg, sizeof(msg));
    event_base_dispatch(base);
    ck_assert_uint_eq(ra.got, 1000 * 100);
    ck_assert_int_ge(ra.writes, 1);
    ck_assert_int_eq(ra.events, 0);
    bufferevent_free(a);
    event_base_dispatch(base);
    ck_assert_int_eq(rb.events, 1);
    ck_assert_int_eq(rb.last_what, BEV_EVENT_EOF | BEV_EVENT_READING);
    ck_assert_int_eq(bufferevent_get_enabled(b) & EV_READ, 0);
    bufferevent_free(b);
    event_base_free(base);
}
END_TEST

START_TEST(big_transfer_and_watermarks)
{
    struct event_base *base = event_base_new();
    int fds[2];
    struct bufferevent *a, *b;
    struct rec ra, rb;
    static char big[1 << 20];
    size_t lo, hi;

    ck_assert_int_eq(vt_socketpair(fds), 0);
    memset(&ra, 0, sizeof(ra));
    memset(&rb, 0, sizeof(rb));
    a = bufferevent_socket_new(base, fds[0], BEV_OPT_CLOSE_ON_FREE);
    b = bufferevent_socket_new(base, fds[1], BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(a, NULL, rec_write, rec_event, &ra);
    bufferevent_setcb(b, NULL, NULL, rec_event, &rb);
    bufferevent_setwatermark(b, EV_READ, 0, 50000);
    bufferevent_getwatermark(b, EV_READ, &lo, &hi);
    ck_assert_uint_eq(hi, 50000);
    bufferevent_enable(b, EV_READ);
    memset(big, 'y', sizeof(big));
    bufferevent_write(a, big, sizeof(big));
    event_base_loop(base, EVLOOP_ONCE);
    event_base_loop(base, EVLOOP_NONBLOCK);
    event_base_loop(base, EVLOOP_NONBLOCK);
    event_base_loop(base, EVLOOP_NONBLOCK);
    /* Reading stopped at the high watermark. */
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_input(b)), 50000);
    ck_assert_int_eq(ra.writes, 0);
    /* Drain the input without limit and let everything through. */
    bufferevent_setwatermark(b, EV_READ, 0, 0);
    while (ra.writes == 0) {
        evbuffer_drain(bufferevent_get_input(b), (size_t)-1);
        event_base_loop(base, EVLOOP_ONCE);
    }
    evbuffer_drain(bufferevent_get_input(b), (size_t)-1);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_output(a)), 0);
    bufferevent_free(a);
    bufferevent_free(b);
    event_base_free(base);
}
END_TEST

START_TEST(read_timeout)
{
    struct event_base *base = event_base_new();
    int fds[2];
    struct bufferevent *a;
    struct rec ra;
    struct timeval tv = {0, 50000};

    ck_assert_int_eq(vt_socketpair(fds), 0);
    memset(&ra, 0, sizeof(ra));
    a = bufferevent_socket_new(base, fds[0], BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(a, rec_read, rec_write, rec_event, &ra);
    bufferevent_set_timeouts(a, &tv, &tv);
    bufferevent_enable(a, EV_READ | EV_WRITE);
    event_base_dispatch(base);
    ck_assert_int_eq(ra.events, 1);
    ck_assert_int_eq(ra.last_what, BEV_EVENT_TIMEOUT | BEV_EVENT_READING);
    ck_assert_int_eq(bufferevent_get_enabled(a), EV_WRITE);
    bufferevent_free(a);
    close(fds[1]);
    event_base_free(base);
}
END_TEST

START_TEST(write_timeout)
{
    struct event_base *base = event_base_new();
    int fds[2];
    struct bufferevent *a;
    struct rec ra;
    struct timeval tv = {0, 50000};
    static char big[4 << 20];

    ck_assert_int_eq(vt_socketpair(fds), 0);
    memset(&ra, 0, sizeof(ra));
    a = bufferevent_socket_new(base, fds[0], BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(a, rec_read, rec_write, rec_event, &ra);
    bufferevent_set_timeouts(a, NULL, &tv);
    bufferevent_write(a, big, sizeof(big));
    event_base_dispatch(base);
    ck_assert_int_eq(ra.events, 1);
    ck_assert_int_eq(ra.last_what, BEV_EVENT_TIMEOUT | BEV_EVENT_WRITING);
    ck_assert_int_eq(bufferevent_get_enabled(a), 0);
    bufferevent_free(a);
    close(fds[1]);
    event_base_free(base);
}
END_TEST

static void
accept_cb(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa,
          int socklen, void *arg)
{
    int *out = arg;

    (void)lev;
    (void)sa;
    (void)socklen;
    *out = fd;
}

START_TEST(connect_ok_and_refused)
{
    struct event_base *base = event_base_new();
    struct sockaddr_in sin;
    socklen_t slen = sizeof(sin);
    struct evconnlistener *lev;
    struct bufferevent *c;
    struct rec rc;
    int accepted = -1;

    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    lev = evconnlistener_new_bind(base, accept_cb, &accepted,
                                  LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, -1,
                                  (struct sockaddr *)&sin, sizeof(sin));
    ck_assert_ptr_nonnull(lev);
    getsockname(evconnlistener_get_fd(lev), (struct sockaddr *)&sin, &slen);

    memset(&rc, 0, sizeof(rc));
    rc.base = base;
    rc.break_on_event = 1;
    c = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(c, rec_read, rec_write, rec_event, &rc);
    bufferevent_write(c, "hello", 5);
    ck_assert_int_eq(
        bufferevent_socket_connect(c, (struct sockaddr *)&sin, sizeof(sin)), 0);
    ck_assert_int_ge(bufferevent_getfd(c), 0);
    event_base_dispatch(base);
    ck_assert_int_eq(rc.last_what, BEV_EVENT_CONNECTED);
    while (accepted < 0)
        event_base_loop(base, EVLOOP_ONCE);
    {
        char buf[16];
        ssize_t n;

        event_base_loop(base, EVLOOP_NONBLOCK);
        n = read(accepted, buf, sizeof(buf));
        ck_assert_int_eq((int)n, 5);
        close(accepted);
    }
    bufferevent_free(c);
    evconnlistener_free(lev);

    /* Nobody listens there any more. */
    memset(&rc, 0, sizeof(rc));
    rc.base = base;
    rc.break_on_event = 1;
    c = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(c, rec_read, rec_write, rec_event, &rc);
    ck_assert_int_eq(
        bufferevent_socket_connect(c, (struct sockaddr *)&sin, sizeof(sin)), 0);
    event_base_dispatch(base);
    ck_assert_int_eq(rc.events, 1);
    ck_assert_int_eq(rc.last_what, BEV_EVENT_ERROR);
    ck_assert_int_eq(rc.last_errno, ECONNREFUSED);
    bufferevent_free(c);
    event_base_free(base);
}
END_TEST

START_TEST(hostname)
{
    struct event_base *base = event_base_new();
    struct bufferevent *c;
    struct rec rc;

    memset(&rc, 0, sizeof(rc));
    c = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(c, rec_read, rec_write, rec_event, &rc);
    ck_assert_int_eq(bufferevent_socket_connect_hostname(
                         c, NULL, AF_INET, "nonexistent.invalid", 80),
                     0);
    ck_assert_int_eq(rc.events, 1);
    ck_assert_int_eq(rc.last_what, BEV_EVENT_ERROR);
    ck_assert_int_ne(bufferevent_socket_get_dns_error(c), 0);
    ck_assert_int_eq(
        bufferevent_socket_connect_hostname(c, NULL, AF_INET, "127.0.0.1", 0),
        -1);
    bufferevent_free(c);
    event_base_free(base);
}
END_TEST

START_TEST(trigger_and_defer)
{
    struct event_base *base = event_base_new();
    struct bufferevent *a;
    struct rec ra;

    memset(&ra, 0, sizeof(ra));
    a = bufferevent_socket_new(base, -1, BEV_OPT_DEFER_CALLBACKS);
    bufferevent_setcb(a, rec_read, rec_write, rec_event, &ra);
    bufferevent_trigger(a, EV_READ | EV_WRITE, 0);
    ck_assert_int_eq(ra.reads, 0);
    event_base_loop(base, EVLOOP_NONBLOCK);
    ck_assert_int_eq(ra.reads, 1);
    ck_assert_int_eq(ra.writes, 1);
    bufferevent_trigger_event(a, BEV_EVENT_EOF, 0);
    ck_assert_int_eq(ra.events, 0);
    event_base_loop(base, EVLOOP_NONBLOCK);
    ck_assert_int_eq(ra.events, 1);
    bufferevent_free(a);

    memset(&ra, 0, sizeof(ra));
    a = bufferevent_socket_new(base, -1, 0);
    bufferevent_setcb(a, rec_read, rec_write, rec_event, &ra);
    bufferevent_setwatermark(a, EV_READ, 10, 0);
    bufferevent_trigger(a, EV_READ, 0);
    ck_assert_int_eq(ra.reads, 0);
    bufferevent_trigger(a, EV_READ, BEV_TRIG_IGNORE_WATERMARKS);
    ck_assert_int_eq(ra.reads, 1);
    bufferevent_trigger(a, EV_WRITE, BEV_TRIG_DEFER_CALLBACKS);
    ck_assert_int_eq(ra.writes, 0);
    event_base_loop(base, EVLOOP_NONBLOCK);
    ck_assert_int_eq(ra.writes, 1);
    bufferevent_trigger_event(a, BEV_EVENT_ERROR, 0);
    ck_assert_int_eq(ra.events, 1);
    /* Freed while a deferred callback waits: it never runs. */
    bufferevent_trigger(a, EV_WRITE, BEV_TRIG_DEFER_CALLBACKS);
    bufferevent_free(a);
    event_base_loop(base, EVLOOP_NONBLOCK);
    ck_assert_int_eq(ra.writes, 1);
    event_base_free(base);
}
END_TEST

START_TEST(refcount_and_close_on_free)
{
    struct event_base *base = event_base_new();
    int fds[2];
    struct bufferevent *a;
    char c;

    ck_assert_int_eq(vt_socketpair(fds), 0);
    a = bufferevent_socket_new(base, fds[0], BEV_OPT_CLOSE_ON_FREE);
    bufferevent_incref(a);
    bufferevent_free(a);
    /* Still referenced: the socket stays open. */
    ck_assert_int_eq((int)write(fds[0], "x", 1), 1);
    ck_assert_int_eq(bufferevent_decref(a), 1);
    /* libevent closes the socket once the loop finalizes the events. */
    event_base_loop(base, EVLOOP_NONBLOCK);
    ck_assert_int_eq((int)read(fds[1], &c, 1), 1);
    ck_assert_int_eq((int)read(fds[1], &c, 1), 0);
    close(fds[1]);
    event_base_free(base);
}
END_TEST

START_TEST(setfd_and_priority)
{
    struct event_base *base = event_base_new();
    int fds[2];
    struct bufferevent *a;
    struct rec ra;

    event_base_priority_init(base, 3);
    ck_assert_int_eq(vt_socketpair(fds), 0);
    memset(&ra, 0, sizeof(ra));
    a = bufferevent_socket_new(base, -1, 0);
    bufferevent_setcb(a, rec_read, rec_write, rec_event, &ra);
    ck_assert_int_eq(bufferevent_priority_set(a, 2), 0);
    ck_assert_int_eq(bufferevent_get_priority(a), 2);
    ck_assert_int_eq(bufferevent_priority_set(a, 3), -1);
    bufferevent_enable(a, EV_READ);
    ck_assert_int_eq(bufferevent_setfd(a, fds[0]), 0);
    ck_assert_int_eq(bufferevent_getfd(a), fds[0]);
    ck_assert_int_eq((int)write(fds[1], "hey", 3), 3);
    event_base_loop(base, EVLOOP_ONCE);
    ck_assert_int_eq(ra.reads, 1);
    ck_assert_uint_eq(ra.got, 3);
    bufferevent_free(a);
    close(fds[0]);
    close(fds[1]);
    event_base_free(base);
}
END_TEST

START_TEST(compat_new_and_base_set)
{
    /* The 1.x way: libevent needs event_init()'s base for
     * bufferevent_new(). */
    struct event_base *base = event_init();
    int fds[2];
    struct bufferevent *a;
    struct rec ra;

    ck_assert_int_eq(vt_socketpair(fds), 0);
    memset(&ra, 0, sizeof(ra));
    a = bufferevent_new(fds[0], rec_read, rec_write, rec_event, &ra);
    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq(bufferevent_base_set(base, a), 0);
    ck_assert_ptr_eq(bufferevent_get_base(a), base);
    bufferevent_settimeout(a, 5, 0);
    ck_assert_int_eq((int)a->timeout_read.tv_sec, 5);
    ck_assert_int_eq(bufferevent_enable(a, EV_READ), 0);
    ck_assert_int_eq((int)write(fds[1], "hi", 2), 2);
    event_base_loop(base, EVLOOP_ONCE);
    ck_assert_int_eq(ra.reads, 1);
    ck_assert_uint_eq(ra.got, 2);
    bufferevent_free(a);
    close(fds[0]);
    close(fds[1]);
    event_base_free(base);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("bev_sock");
    TCase *tc = vt_tcase("bev_sock", 20);

    tcase_add_test(tc, defaults);
    tcase_add_test(tc, echo_round_trips);
    tcase_add_test(tc, big_transfer_and_watermarks);
    tcase_add_test(tc, read_timeout);
    tcase_add_test(tc, write_timeout);
    tcase_add_test(tc, connect_ok_and_refused);
    tcase_add_test(tc, hostname);
    tcase_add_test(tc, trigger_and_defer);
    tcase_add_test(tc, refcount_and_close_on_free);
    tcase_add_test(tc, setfd_and_priority);
    tcase_add_test(tc, compat_new_and_base_set);
    suite_add_tcase(s, tc);
    return vt_run(s);
}
