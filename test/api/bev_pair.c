/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * bev_pair.c: paired bufferevents: data written to one arrives in the
 * other at once, callbacks run from the loop, watermarks hold data back,
 * flushing with BEV_FINISHED reports end of file to the partner, and
 * freeing one side unlinks the other.
 */
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/thread.h>

#include <string.h>

#include "vtest.h"

struct rec {
    int reads, writes, events;
    short last_what;
    size_t last_len;
};

static void
rec_read(struct bufferevent *bev, void *arg)
{
    struct rec *r = arg;

    r->reads++;
    r->last_len = evbuffer_get_length(bufferevent_get_input(bev));
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
}

static void
run_pair(int options)
{
    struct event_base *base = event_base_new();
    struct bufferevent *p[2];
    struct rec ra, rb;
    char buf[64];

    memset(&ra, 0, sizeof(ra));
    memset(&rb, 0, sizeof(rb));
    ck_assert_int_eq(bufferevent_pair_new(base, options, p), 0);
    ck_assert_ptr_eq(bufferevent_pair_get_partner(p[0]), p[1]);
    ck_assert_ptr_eq(bufferevent_pair_get_partner(p[1]), p[0]);
    ck_assert_int_eq(bufferevent_getfd(p[0]), -1);
    bufferevent_setcb(p[0], rec_read, rec_write, rec_event, &ra);
    bufferevent_setcb(p[1], rec_read, rec_write, rec_event, &rb);

    /* Not readable yet: the data waits in the writer's output. */
    bufferevent_write(p[0], "hello", 5);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_output(p[0])), 5);
    bufferevent_enable(p[1], EV_READ);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_input(p[1])), 5);
    ck_assert_int_eq(rb.reads, 0);
    event_base_loop(base, EVLOOP_NONBLOCK);
    ck_assert_int_eq(rb.reads, 1);
    ck_assert_uint_eq(rb.last_len, 5);
    ck_assert_int_eq(ra.writes, 1);
    ck_assert_uint_eq(bufferevent_read(p[1], buf, sizeof(buf)), 5);

    /* The reader's high watermark holds data back. */
    bufferevent_setwatermark(p[1], EV_READ, 0, 3);
    bufferevent_write(p[0], "abcdefgh", 8);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_input(p[1])), 3);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_output(p[0])), 5);
    ck_assert_uint_eq(bufferevent_read(p[1], buf, 2), 2);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_input(p[1])), 3);
    bufferevent_setwatermark(p[1], EV_READ, 0, 0);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_input(p[1])), 6);
    event_base_loop(base, EVLOOP_NONBLOCK);
    ck_assert_uint_eq(bufferevent_read(p[1], buf, sizeof(buf)), 6);

    /* Finishing the writer's side tells the partner. */
    rb.events = 0;
    ck_assert_int_eq(bufferevent_flush(p[0], EV_WRITE, BEV_FINISHED), 0);
    event_base_loop(base, EVLOOP_NONBLOCK);
    ck_assert_int_eq(rb.events, 1);
    ck_assert_int_eq(rb.last_what, BEV_EVENT_EOF | BEV_EVENT_READING);

    /* The other way round, once p[0] reads. */
    bufferevent_enable(p[0], EV_READ);
    bufferevent_write(p[1], "xy", 2);
    event_base_loop(base, EVLOOP_NONBLOCK);
    ck_assert_uint_eq(ra.last_len, 2);

    bufferevent_free(p[0]);
    ck_assert_ptr_null(bufferevent_pair_get_partner(p[1]));
    ck_assert_int_eq(bufferevent_write(p[1], "z", 1), 0);
    event_base_loop(base, EVLOOP_NONBLOCK);
    bufferevent_free(p[1]);
    event_base_free(base);
}

START_TEST(pair_basic)
{
    run_pair(0);
}
END_TEST

START_TEST(pair_threadsafe)
{
    evthread_use_pthreads();
    run_pair(BEV_OPT_THREADSAFE);
}
END_TEST

START_TEST(pair_free_with_callbacks_queued)
{
    struct event_base *base = event_base_new();
    struct bufferevent *p[2];
    struct rec ra, rb;

    memset(&ra, 0, sizeof(ra));
    memset(&rb, 0, sizeof(rb));
    ck_assert_int_eq(bufferevent_pair_new(base, 0, p), 0);
    bufferevent_setcb(p[0], rec_read, rec_write, rec_event, &ra);
    bufferevent_setcb(p[1], rec_read, rec_write, rec_event, &rb);
    bufferevent_enable(p[1], EV_READ);
    bufferevent_write(p[0], "data", 4);
    /* Free both while callbacks are queued: none of them runs. */
    bufferevent_free(p[1]);
    bufferevent_free(p[0]);
    event_base_loop(base, EVLOOP_NONBLOCK);
    ck_assert_int_eq(ra.reads + ra.writes + ra.events, 0);
    ck_assert_int_eq(rb.reads + rb.writes + rb.events, 0);
    event_base_free(base);
}
END_TEST

START_TEST(pair_read_timeout)
{
    struct event_base *base = event_base_new();
    struct bufferevent *p[2];
    struct rec rb;
    struct timeval tv = {0, 50000};

    memset(&rb, 0, sizeof(rb));
    ck_assert_int_eq(bufferevent_pair_new(base, 0, p), 0);
    bufferevent_setcb(p[1], rec_read, rec_write, rec_event, &rb);
    ck_assert_int_eq(bufferevent_set_timeouts(p[1], &tv, NULL), 0);
    bufferevent_enable(p[1], EV_READ);
    /* Data resets the timeout. */
    bufferevent_write(p[0], "a", 1);
    event_base_dispatch(base);
    ck_assert_int_eq(rb.reads, 1);
    ck_assert_int_eq(rb.events, 1);
    ck_assert_int_eq(rb.last_what, BEV_EVENT_TIMEOUT | BEV_EVENT_READING);
    ck_assert_int_eq(bufferevent_get_enabled(p[1]) & EV_READ, 0);
    bufferevent_free(p[0]);
    bufferevent_free(p[1]);
    event_base_free(base);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("bev_pair");
    TCase *tc = vt_tcase("bev_pair", 20);

    tcase_add_test(tc, pair_basic);
    tcase_add_test(tc, pair_threadsafe);
    tcase_add_test(tc, pair_free_with_callbacks_queued);
    tcase_add_test(tc, pair_read_timeout);
    suite_add_tcase(s, tc);
    return vt_run(s);
}
