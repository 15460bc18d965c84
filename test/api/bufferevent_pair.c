/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * bufferevent_pair.c: two bufferevents joined in memory.  Bytes written to
 * one come out of the other, in both directions; the partner can be asked
 * for; freeing one end leaves the other alone; watermarks, what is enabled
 * and flushing shape the transfer; callbacks run at once or, with
 * BEV_OPT_DEFER_CALLBACKS, later from the loop.
 */
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <event2/util.h>

#include <stdlib.h>
#include <string.h>

#include "vt-event.h"
#include "vtest.h"

/* Makes a pair with callbacks on both ends and reading enabled. */
static void
make_pair(struct event_base *base, int options, struct bufferevent *p[2],
          struct vt_rec *ra, struct vt_rec *rb)
{
    ck_assert_int_eq(bufferevent_pair_new(base, options, p), 0);
    ck_assert_ptr_nonnull(p[0]);
    ck_assert_ptr_nonnull(p[1]);
    bufferevent_setcb(p[0], vt_read_cb, vt_write_cb, vt_event_cb, ra);
    bufferevent_setcb(p[1], vt_read_cb, vt_write_cb, vt_event_cb, rb);
    ck_assert_int_eq(bufferevent_enable(p[0], EV_READ), 0);
    ck_assert_int_eq(bufferevent_enable(p[1], EV_READ), 0);
}

START_TEST(new_pair_defaults)
{
    struct event_base *base = event_base_new();
    struct bufferevent *p[2] = {NULL, NULL};

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(bufferevent_pair_new(base, 0, p), 0);
    ck_assert_ptr_nonnull(p[0]);
    ck_assert_ptr_nonnull(p[1]);
    ck_assert_ptr_ne(p[0], p[1]);
    ck_assert_ptr_eq(bufferevent_pair_get_partner(p[0]), p[1]);
    ck_assert_ptr_eq(bufferevent_pair_get_partner(p[1]), p[0]);
    ck_assert_ptr_eq(bufferevent_get_base(p[0]), base);
    ck_assert_ptr_eq(bufferevent_get_base(p[1]), base);
    /* Like every bufferevent: writing on, reading off. */
    ck_assert_int_eq(bufferevent_get_enabled(p[0]), EV_WRITE);
    ck_assert_int_eq(bufferevent_get_enabled(p[1]), EV_WRITE);
    /* No socket, nothing underneath. */
    ck_assert_int_eq(bufferevent_getfd(p[0]), -1);
    ck_assert_ptr_null(bufferevent_get_underlying(p[0]));
    /* The ends do not share buffers. */
    ck_assert_ptr_ne(bufferevent_get_output(p[0]), bufferevent_get_input(p[1]));
    bufferevent_free(p[0]);
    bufferevent_free(p[1]);
    event_base_free(base);
}
END_TEST

START_TEST(bytes_cross_both_ways)
{
    struct event_base *base = event_base_new();
    struct bufferevent *p[2];
    struct vt_rec ra = {0}, rb = {0};
    char buf[16];

    ck_assert_ptr_nonnull(base);
    make_pair(base, 0, p, &ra, &rb);
    ck_assert_int_eq(bufferevent_write(p[0], "to b", 4), 0);
    ck_assert_int_eq(bufferevent_write(p[1], "to a!", 5), 0);
    vt_run_ready(base);
    ck_assert_int_ge(rb.reads, 1);
    ck_assert_int_ge(ra.reads, 1);
    ck_assert_uint_eq(bufferevent_read(p[1], buf, sizeof(buf)), 4);
    ck_assert_int_eq(memcmp(buf, "to b", 4), 0);
    ck_assert_uint_eq(bufferevent_read(p[0], buf, sizeof(buf)), 5);
    ck_assert_int_eq(memcmp(buf, "to a!", 5), 0);
    /* The writers' outputs drained: their write callbacks ran. */
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_output(p[0])), 0);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_output(p[1])), 0);
    ck_assert_int_ge(ra.writes, 1);
    ck_assert_int_ge(rb.writes, 1);
    ck_assert_int_eq(ra.events + rb.events, 0);
    bufferevent_free(p[0]);
    bufferevent_free(p[1]);
    event_base_free(base);
}
END_TEST

START_TEST(callbacks_deferred_even_without_option)
{
    struct event_base *base = event_base_new();
    struct bufferevent *p[2];
    struct vt_rec ra = {0}, rb = {0};

    ck_assert_ptr_nonnull(base);
    make_pair(base, 0, p, &ra, &rb);
    rb.in_call = ra.in_call = 1;
    rb.drain_in_read = 1;
    ck_assert_int_eq(bufferevent_write(p[0], "now", 3), 0);
    rb.in_call = ra.in_call = 0;
    /* The bytes cross inside the write call... */
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_input(p[1])), 3);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_output(p[0])), 0);
    /* ...but libevent always defers a pair's callbacks, asked or not:
     * they run from the loop. */
    ck_assert_int_eq(rb.reads + ra.writes, 0);
    vt_run_ready(base);
    ck_assert_int_eq(rb.reads, 1);
    ck_assert_uint_eq(rb.in_len_at_read, 3);
    ck_assert_int_eq(ra.writes, 1);
    ck_assert_int_eq(ra.called_inside + rb.called_inside, 0);
    bufferevent_free(p[0]);
    bufferevent_free(p[1]);
    event_base_free(base);
}
END_TEST

START_TEST(deferred_callbacks_run_from_loop)
{
    struct event_base *base = event_base_new();
    struct bufferevent *p[2];
    struct vt_rec ra = {0}, rb = {0};

    ck_assert_ptr_nonnull(base);
    make_pair(base, BEV_OPT_DEFER_CALLBACKS, p, &ra, &rb);
    rb.in_call = ra.in_call = 1;
    rb.drain_in_read = 1;
    ck_assert_int_eq(bufferevent_write(p[0], "one", 3), 0);
    ck_assert_int_eq(bufferevent_write(p[0], "two", 3), 0);
    rb.in_call = ra.in_call = 0;
    /* The bytes have moved; the callbacks wait for the loop. */
    ck_assert_int_eq(rb.reads + ra.writes, 0);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_input(p[1])), 6);
    vt_run_ready(base);
    /* Two writes before the loop ran: one call each, seeing both. */
    ck_assert_int_eq(rb.reads, 1);
    ck_assert_uint_eq(rb.in_len_at_read, 6);
    ck_assert_int_eq(ra.writes, 1);
    ck_assert_int_eq(ra.called_inside + rb.called_inside, 0);
    bufferevent_free(p[0]);
    bufferevent_free(p[1]);
    event_base_free(base);
}
END_TEST

START_TEST(reading_disabled_holds_data)
{
    struct event_base *base = event_base_new();
    struct bufferevent *p[2];
    struct vt_rec ra = {0}, rb = {0};

    ck_assert_ptr_nonnull(base);
    make_pair(base, 0, p, &ra, &rb);
    ck_assert_int_eq(bufferevent_disable(p[1], EV_READ), 0);
    ck_assert_int_eq(bufferevent_write(p[0], "wait", 4), 0);
    vt_run_ready(base);
    /* The bytes stay in the writer's output. */
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_output(p[0])), 4);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_input(p[1])), 0);
    ck_assert_int_eq(rb.reads, 0);
    /* Enabling reading moves them. */
    ck_assert_int_eq(bufferevent_enable(p[1], EV_READ), 0);
    vt_run_ready(base);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_input(p[1])), 4);
    ck_assert_int_eq(rb.reads, 1);
    /* So does writing turned off on the writer's side. */
    ck_assert_int_eq(bufferevent_disable(p[0], EV_WRITE), 0);
    ck_assert_int_eq(bufferevent_write(p[0], "more", 4), 0);
    vt_run_ready(base);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_output(p[0])), 4);
    ck_assert_int_eq(bufferevent_enable(p[0], EV_WRITE), 0);
    vt_run_ready(base);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_input(p[1])), 8);
    bufferevent_free(p[0]);
    bufferevent_free(p[1]);
    event_base_free(base);
}
END_TEST

START_TEST(free_one_end_leaves_partner_alone)
{
    struct event_base *base = event_base_new();
    struct bufferevent *p[2];
    struct vt_rec ra = {0}, rb = {0};

    ck_assert_ptr_nonnull(base);
    make_pair(base, 0, p, &ra, &rb);
    bufferevent_free(p[0]);
    vt_run_ready(base);
    /* libevent tells the surviving end nothing: no EOF, no error.  It
     * only loses its partner. */
    ck_assert_int_eq(rb.events, 0);
    ck_assert_ptr_null(bufferevent_pair_get_partner(p[1]));
    /* Writing to it still succeeds; the bytes go nowhere. */
    ck_assert_int_eq(bufferevent_write(p[1], "orphan", 6), 0);
    vt_run_ready(base);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_output(p[1])), 6);
    ck_assert_int_eq(rb.events, 0);
    ck_assert_int_eq(rb.writes, 0);
    bufferevent_free(p[1]);
    event_base_free(base);
}
END_TEST

START_TEST(free_one_end_in_callback)
{
    struct event_base *base = event_base_new();
    struct bufferevent *p[2];
    struct vt_rec ra = {0}, rb = {0};

    ck_assert_ptr_nonnull(base);
    make_pair(base, BEV_OPT_DEFER_CALLBACKS, p, &ra, &rb);
    rb.drain_in_read = 1;
    ck_assert_int_eq(bufferevent_write(p[0], "x", 1), 0);
    /* p[0]'s write callback is pending; freeing p[0] cancels it. */
    bufferevent_free(p[0]);
    vt_run_ready(base);
    ck_assert_int_eq(ra.writes, 0);
    ck_assert_int_eq(rb.reads, 1);
    ck_assert_int_eq(rb.events, 0);
    bufferevent_free(p[1]);
    event_base_free(base);
}
END_TEST

START_TEST(read_high_water_limits_transfer)
{
    struct event_base *base = event_base_new();
    struct bufferevent *p[2];
    struct vt_rec ra = {0}, rb = {0};
    char data[25];

    ck_assert_ptr_nonnull(base);
    memset(data, 'h', sizeof(data));
    make_pair(base, 0, p, &ra, &rb);
    bufferevent_setwatermark(p[1], EV_READ, 0, 10);
    /* No read callback on b while filling: libevent repeats a read
     * callback that leaves the input at the mark. */
    bufferevent_setcb(p[1], NULL, vt_write_cb, vt_event_cb, &rb);
    ck_assert_int_eq(bufferevent_write(p[0], data, sizeof(data)), 0);
    vt_run_ready(base);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_input(p[1])), 10);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_output(p[0])), 15);
    /* Draining b lets the rest through, the mark at a time. */
    rb.drain_in_read = 1;
    bufferevent_setcb(p[1], vt_read_cb, vt_write_cb, vt_event_cb, &rb);
    ck_assert_int_eq(evbuffer_drain(bufferevent_get_input(p[1]), 10), 0);
    vt_run_ready(base);
    ck_assert_int_eq(rb.drained, 15);
    ck_assert_uint_le(rb.max_in_len, 10);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_output(p[0])), 0);
    bufferevent_free(p[0]);
    bufferevent_free(p[1]);
    event_base_free(base);
}
END_TEST

START_TEST(read_low_water_delays_callback)
{
    struct event_base *base = event_base_new();
    struct bufferevent *p[2];
    struct vt_rec ra = {0}, rb = {0};

    ck_assert_ptr_nonnull(base);
    make_pair(base, 0, p, &ra, &rb);
    bufferevent_setwatermark(p[1], EV_READ, 8, 0);
    ck_assert_int_eq(bufferevent_write(p[0], "1234", 4), 0);
    vt_run_ready(base);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_input(p[1])), 4);
    ck_assert_int_eq(rb.reads, 0);
    ck_assert_int_eq(bufferevent_write(p[0], "5678", 4), 0);
    vt_run_ready(base);
    ck_assert_int_eq(rb.reads, 1);
    ck_assert_uint_eq(rb.in_len_at_read, 8);
    bufferevent_free(p[0]);
    bufferevent_free(p[1]);
    event_base_free(base);
}
END_TEST

START_TEST(flush_modes)
{
    struct event_base *base = event_base_new();
    struct bufferevent *p[2];
    struct vt_rec ra = {0}, rb = {0};

    ck_assert_ptr_nonnull(base);
    make_pair(base, 0, p, &ra, &rb);
    ck_assert_int_eq(bufferevent_disable(p[1], EV_READ), 0);
    ck_assert_int_eq(bufferevent_write(p[0], "flushed", 7), 0);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_output(p[0])), 7);
    /* BEV_NORMAL does nothing for a pair. */
    ck_assert_int_eq(bufferevent_flush(p[0], EV_WRITE, BEV_NORMAL), 0);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_output(p[0])), 7);
    /* BEV_FLUSH moves the bytes even though the partner is not reading;
     * no end-of-stream event. */
    ck_assert_int_eq(bufferevent_flush(p[0], EV_WRITE, BEV_FLUSH), 0);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_output(p[0])), 0);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_input(p[1])), 7);
    ck_assert_int_eq(rb.events, 0);
    /* BEV_FINISHED moves what is left and tells the partner the stream
     * has ended: EOF in the direction it reads. */
    ck_assert_int_eq(bufferevent_write(p[0], "!", 1), 0);
    ck_assert_int_eq(bufferevent_flush(p[0], EV_WRITE, BEV_FINISHED), 0);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_input(p[1])), 8);
    vt_run_ready(base);
    ck_assert_int_eq(rb.events, 1);
    ck_assert_int_eq(rb.what, BEV_EVENT_EOF | BEV_EVENT_READING);
    ck_assert_int_eq(ra.events, 0);
    bufferevent_free(p[0]);
    bufferevent_free(p[1]);
    event_base_free(base);
}
END_TEST

START_TEST(flush_finished_reading_side)
{
    struct event_base *base = event_base_new();
    struct bufferevent *p[2];
    struct vt_rec ra = {0}, rb = {0};

    ck_assert_ptr_nonnull(base);
    make_pair(base, 0, p, &ra, &rb);
    ck_assert_int_eq(bufferevent_disable(p[0], EV_READ), 0);
    ck_assert_int_eq(bufferevent_write(p[1], "pull", 4), 0);
    /* Flushing a's read side pulls the partner's output over; the
     * partner hears that its writing has ended. */
    ck_assert_int_eq(bufferevent_flush(p[0], EV_READ, BEV_FINISHED), 0);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_input(p[0])), 4);
    vt_run_ready(base);
    ck_assert_int_eq(rb.events, 1);
    ck_assert_int_eq(rb.what, BEV_EVENT_EOF | BEV_EVENT_WRITING);
    bufferevent_free(p[0]);
    bufferevent_free(p[1]);
    event_base_free(base);
}
END_TEST

START_TEST(flush_without_partner)
{
    struct event_base *base = event_base_new();
    struct bufferevent *p[2];
    struct vt_rec ra = {0}, rb = {0};

    ck_assert_ptr_nonnull(base);
    make_pair(base, 0, p, &ra, &rb);
    bufferevent_free(p[0]);
    ck_assert_int_eq(bufferevent_write(p[1], "left", 4), 0);
    /* Nothing to flush to: libevent fails the call and changes
     * nothing. */
    ck_assert_int_eq(bufferevent_flush(p[1], EV_WRITE, BEV_FINISHED), -1);
    ck_assert_int_eq(bufferevent_flush(p[1], EV_WRITE, BEV_FLUSH), -1);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_output(p[1])), 4);
    vt_run_ready(base);
    ck_assert_int_eq(rb.events, 0);
    bufferevent_free(p[1]);
    event_base_free(base);
}
END_TEST

START_TEST(large_transfer)
{
    enum {
        BIG = 4 << 20,
        CHUNK = 4096
    };
    struct event_base *base = event_base_new();
    struct bufferevent *p[2];
    struct vt_rec ra = {0}, rb = {0};
    unsigned char *data = malloc(BIG);
    size_t i;

    ck_assert_ptr_nonnull(base);
    ck_assert_ptr_nonnull(data);
    for (i = 0; i < BIG; i++)
        data[i] = (unsigned char)(i * 7 + (i >> 12));
    make_pair(base, BEV_OPT_DEFER_CALLBACKS, p, &ra, &rb);
    rb.got = evbuffer_new();
    ck_assert_ptr_nonnull(rb.got);
    bufferevent_setwatermark(p[1], EV_READ, 0, 64 << 10);
    for (i = 0; i < BIG; i += CHUNK)
        ck_assert_int_eq(bufferevent_write(p[0], data + i, CHUNK), 0);
    while (rb.drained < BIG) {
        int before = rb.drained;

        vt_run_ready(base);
        ck_assert_int_gt(rb.drained, before);
    }
    ck_assert_uint_le(rb.max_in_len, 64 << 10);
    ck_assert_uint_eq(evbuffer_get_length(rb.got), BIG);
    ck_assert_int_eq(memcmp(evbuffer_pullup(rb.got, -1), data, BIG), 0);
    evbuffer_free(rb.got);
    bufferevent_free(p[0]);
    bufferevent_free(p[1]);
    free(data);
    event_base_free(base);
}
END_TEST

START_TEST(threadsafe_pair)
{
    struct event_base *base;
    struct bufferevent *p[2];
    struct vt_rec ra = {0}, rb = {0};

    ck_assert_int_eq(evthread_use_pthreads(), 0);
    base = event_base_new();
    ck_assert_ptr_nonnull(base);
    make_pair(base, BEV_OPT_THREADSAFE | BEV_OPT_DEFER_CALLBACKS, p, &ra, &rb);
    rb.drain_in_read = 1;
    bufferevent_lock(p[0]);
    ck_assert_int_eq(bufferevent_write(p[0], "locked", 6), 0);
    bufferevent_unlock(p[0]);
    vt_run_ready(base);
    ck_assert_int_eq(rb.drained, 6);
    bufferevent_free(p[0]);
    bufferevent_free(p[1]);
    event_base_free(base);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("bufferevent_pair");
    TCase *tc = vt_tcase("bufferevent_pair", 30);

    tcase_add_test(tc, new_pair_defaults);
    tcase_add_test(tc, bytes_cross_both_ways);
    tcase_add_test(tc, callbacks_deferred_even_without_option);
    tcase_add_test(tc, deferred_callbacks_run_from_loop);
    tcase_add_test(tc, reading_disabled_holds_data);
    tcase_add_test(tc, free_one_end_leaves_partner_alone);
    tcase_add_test(tc, free_one_end_in_callback);
    tcase_add_test(tc, read_high_water_limits_transfer);
    tcase_add_test(tc, read_low_water_delays_callback);
    tcase_add_test(tc, flush_modes);
    tcase_add_test(tc, flush_finished_reading_side);
    tcase_add_test(tc, flush_without_partner);
    tcase_add_test(tc, large_transfer);
    tcase_add_test(tc, threadsafe_pair);
    suite_add_tcase(s, tc);
    return vt_run(s);
}
