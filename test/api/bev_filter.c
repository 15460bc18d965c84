/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * bev_filter.c: filtering bufferevents over a socket bufferevent: both
 * directions transformed, reading only while the filter reads, flush
 * modes reaching the filter function, BEV_ERROR stopping the data, events
 * passed up, and CLOSE_ON_FREE releasing the underlying bufferevent.
 */
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vtest.h"

struct ctx {
    int calls;
    int last_mode;
    int fail;
    int freed;
};

static enum bufferevent_filter_result
upper(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t lim,
      enum bufferevent_flush_mode mode, void *arg)
{
    struct ctx *c = arg;
    size_t n = evbuffer_get_length(src), i;
    unsigned char *p;

    (void)lim;
    c->calls++;
    c->last_mode = mode;
    if (c->fail)
        return BEV_ERROR;
    if (n == 0)
        return BEV_NEED_MORE;
    p = evbuffer_pullup(src, (ev_ssize_t)n);
    for (i = 0; i < n; i++) {
        char ch = (char)p[i];

        if (ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 32);
        evbuffer_add(dst, &ch, 1);
    }
    evbuffer_drain(src, n);
    return BEV_OK;
}

static void
free_ctx(void *arg)
{
    ((struct ctx *)arg)->freed++;
}

struct rec {
    int reads, writes, events;
    short last_what;
};

static void
rec_read(struct bufferevent *bev, void *arg)
{
    (void)bev;
    ((struct rec *)arg)->reads++;
}

static void
rec_write(struct bufferevent *bev, void *arg)
{
    (void)bev;
    ((struct rec *)arg)->writes++;
}

static void
rec_event(struct bufferevent *bev, short what, void *arg)
{
    struct rec *r = arg;

    (void)bev;
    r->events++;
    r->last_what = what;
}

START_TEST(filter_both_ways)
{
    struct event_base *base = event_base_new();
    int fds[2];
    struct bufferevent *u, *f;
    struct ctx c;
    struct rec r;
    char buf[64];
    ssize_t n;

    signal(SIGPIPE, SIG_IGN);
    memset(&c, 0, sizeof(c));
    memset(&r, 0, sizeof(r));
    ck_assert_int_eq(vt_socketpair(fds), 0);
    u = bufferevent_socket_new(base, fds[0], BEV_OPT_CLOSE_ON_FREE);
    f = bufferevent_filter_new(u, upper, upper, BEV_OPT_CLOSE_ON_FREE, free_ctx,
                               &c);
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_eq(bufferevent_get_underlying(f), u);
    ck_assert_int_eq(bufferevent_getfd(f), fds[0]);
    ck_assert_int_eq(bufferevent_get_enabled(u), EV_READ | EV_WRITE);
    ck_assert_int_eq(bufferevent_get_enabled(f), EV_WRITE);
    bufferevent_setcb(f, rec_read, rec_write, rec_event, &r);

    /* Writing goes through the filter at once. */
    bufferevent_write(f, "hello", 5);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_output(u)), 5);
    ck_assert_int_eq(r.writes, 1);
    event_base_loop(base, EVLOOP_NONBLOCK);
    n = read(fds[1], buf, sizeof(buf));
    ck_assert_int_eq((int)n, 5);
    ck_assert_int_eq(memcmp(buf, "HELLO", 5), 0);

    /* Nothing is read until the filter reads. */
    ck_assert_int_eq((int)write(fds[1], "world", 5), 5);
    event_base_loop(base, EVLOOP_NONBLOCK);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_input(f)), 0);
    bufferevent_enable(f, EV_READ);
    event_base_loop(base, EVLOOP_ONCE);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_input(f)), 5);
    ck_assert_int_eq(r.reads, 1);
    n = (ssize_t)bufferevent_read(f, buf, sizeof(buf));
    ck_assert_int_eq((int)n, 5);
    ck_assert_int_eq(memcmp(buf, "WORLD", 5), 0);

    /* Flush modes reach the filter; nothing to produce is 0. */
    ck_assert_int_eq(bufferevent_flush(f, EV_WRITE, BEV_FLUSH), 0);
    ck_assert_int_eq(c.last_mode, BEV_FLUSH);
    ck_assert_int_eq(bufferevent_flush(f, EV_WRITE, BEV_FINISHED), 0);
    ck_assert_int_eq(c.last_mode, BEV_FINISHED);

    /* A failing filter keeps the data. */
    c.fail = 1;
    bufferevent_write(f, "x", 1);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_output(u)), 0);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_output(f)), 1);
    c.fail = 0;
    ck_assert_int_eq(bufferevent_flush(f, EV_WRITE, BEV_FLUSH), 1);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_output(f)), 0);

    /* End of file comes up from the socket. */
    event_base_loop(base, EVLOOP_NONBLOCK);
    close(fds[1]);
    while (r.events == 0)
        event_base_loop(base, EVLOOP_ONCE);
    ck_assert_int_eq(r.last_what & BEV_EVENT_READING, BEV_EVENT_READING);

    bufferevent_free(f);
    event_base_loop(base, EVLOOP_NONBLOCK);
    ck_assert_int_eq(c.freed, 1);
    event_base_free(base);
}
END_TEST

START_TEST(filter_without_close_on_free)
{
    struct event_base *base = event_base_new();
    int fds[2];
    struct bufferevent *u, *f;
    bufferevent_data_cb rcb;

    ck_assert_int_eq(vt_socketpair(fds), 0);
    u = bufferevent_socket_new(base, fds[0], BEV_OPT_CLOSE_ON_FREE);
    f = bufferevent_filter_new(u, NULL, NULL, 0, NULL, NULL);
    bufferevent_write(f, "abc", 3);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_output(u)), 3);
    bufferevent_free(f);
    event_base_loop(base, EVLOOP_NONBLOCK);
    /* The underlying one lives on, without the filter's callbacks. */
    bufferevent_getcb(u, &rcb, NULL, NULL, NULL);
    ck_assert_ptr_null(rcb);
    ck_assert_int_eq(bufferevent_write(u, "d", 1), 0);
    event_base_loop(base, EVLOOP_NONBLOCK);
    bufferevent_free(u);
    close(fds[1]);
    event_base_free(base);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("bev_filter");
    TCase *tc = vt_tcase("bev_filter", 20);

    tcase_add_test(tc, filter_both_ways);
    tcase_add_test(tc, filter_without_close_on_free);
    suite_add_tcase(s, tc);
    return vt_run(s);
}
