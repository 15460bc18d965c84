/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * bev_ratelim.c: token-bucket rate limits: configurations, a
 * bufferevent's own buckets, groups with their shares and totals, the
 * single-read and single-write maximums, and a limited transfer taking
 * the time the limit asks for.
 */
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vtest.h"

START_TEST(configurations)
{
    struct timeval zero = {0, 0};
    struct ev_token_bucket_cfg *cfg;

    ck_assert_ptr_null(ev_token_bucket_cfg_new(100, 50, 10, 10, NULL));
    ck_assert_ptr_null(ev_token_bucket_cfg_new(10, 10, 100, 50, NULL));
    ck_assert_ptr_null(ev_token_bucket_cfg_new(0, 10, 10, 10, NULL));
    ck_assert_ptr_null(ev_token_bucket_cfg_new((size_t)EV_RATE_LIMIT_MAX + 1,
                                               (size_t)EV_RATE_LIMIT_MAX + 1, 1,
                                               1, NULL));
    cfg = ev_token_bucket_cfg_new(10, 10, 10, 10, &zero);
    ck_assert_ptr_nonnull(cfg);
    ev_token_bucket_cfg_free(cfg);
    cfg = ev_token_bucket_cfg_new(EV_RATE_LIMIT_MAX, EV_RATE_LIMIT_MAX, 1, 1,
                                  NULL);
    ck_assert_ptr_nonnull(cfg);
    ev_token_bucket_cfg_free(cfg);
}
END_TEST

START_TEST(own_bucket)
{
    struct event_base *base = event_base_new();
    struct timeval tick = {86400, 0}; /* no refill while the test runs */
    struct ev_token_bucket_cfg *cfg =
        ev_token_bucket_cfg_new(100, 1000, 200, 2000, &tick);
    struct bufferevent *b = bufferevent_socket_new(base, -1, 0);

    ck_assert_int_eq(bufferevent_get_read_limit(b) == EV_SSIZE_MAX, 1);
    ck_assert_int_eq((int)bufferevent_get_max_to_read(b), 16384);
    ck_assert_ptr_null(bufferevent_get_token_bucket_cfg(b));
    ck_assert_int_eq(bufferevent_set_rate_limit(b, cfg), 0);
    ck_assert_ptr_eq(bufferevent_get_token_bucket_cfg(b), cfg);
    ck_assert_int_eq((int)bufferevent_get_read_limit(b), 100);
    ck_assert_int_eq((int)bufferevent_get_write_limit(b), 200);
    ck_assert_int_eq((int)bufferevent_get_max_to_read(b), 100);
    ck_assert_int_eq((int)bufferevent_get_max_to_write(b), 200);
    ck_assert_int_eq(bufferevent_decrement_read_limit(b, 150), 0);
    ck_assert_int_eq((int)bufferevent_get_read_limit(b), -50);
    ck_assert_int_eq((int)bufferevent_get_max_to_read(b), 0);
    ck_assert_int_eq(bufferevent_decrement_write_limit(b, -50), 0);
    ck_assert_int_eq((int)bufferevent_get_write_limit(b), 250);
    ck_assert_int_eq(bufferevent_set_max_single_write(b, 100), 0);
    ck_assert_int_eq((int)bufferevent_get_max_single_write(b), 100);
    /* An own limit replaces the single-write maximum (as libevent). */
    ck_assert_int_eq((int)bufferevent_get_max_to_write(b), 250);
    ck_assert_int_eq(bufferevent_set_max_single_write(b, 0), 0);
    ck_assert_int_eq((int)bufferevent_get_max_single_write(b), 16384);
    ck_assert_int_eq(bufferevent_set_rate_limit(b, NULL), 0);
    ck_assert_int_eq(bufferevent_get_read_limit(b) == EV_SSIZE_MAX, 1);
    ck_assert_int_eq((int)bufferevent_get_max_to_read(b), 16384);
    bufferevent_free(b);
    ev_token_bucket_cfg_free(cfg);
    event_base_free(base);
}
END_TEST

START_TEST(groups)
{
    struct event_base *base = event_base_new();
    struct timeval tick = {86400, 0}; /* no refill while the test runs */
    struct ev_token_bucket_cfg *cfg =
        ev_token_bucket_cfg_new(100, 1000, 200, 2000, &tick);
    struct bufferevent_rate_limit_group *g =
        bufferevent_rate_limit_group_new(base, cfg);
    struct bufferevent *b = bufferevent_socket_new(base, -1, 0);
    struct bufferevent *c = bufferevent_socket_new(base, -1, 0);
    ev_uint64_t tr = 1, tw = 1;

    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq((int)bufferevent_rate_limit_group_get_read_limit(g), 100);
    ck_assert_int_eq((int)bufferevent_rate_limit_group_get_write_limit(g), 200);
    ck_assert_int_eq(bufferevent_add_to_rate_limit_group(b, g), 0);
    ck_assert_int_eq(bufferevent_add_to_rate_limit_group(c, g), 0);
    /* 100 / 2 members, raised to the default minimum share of 64. */
    ck_assert_int_eq((int)bufferevent_get_max_to_read(c), 64);
    ck_assert_ptr_null(bufferevent_get_token_bucket_cfg(c));
    ck_assert_int_eq(bufferevent_rate_limit_group_set_min_share(g, 10), 0);
    ck_assert_int_eq((int)bufferevent_get_max_to_read(c), 50);
    ck_assert_int_eq(bufferevent_rate_limit_group_decrement_read(g, 95), 0);
    ck_assert_int_eq((int)bufferevent_rate_limit_group_get_read_limit(g), 5);
    ck_assert_int_eq((int)bufferevent_get_max_to_read(c), 10);
    ck_assert_int_eq(bufferevent_rate_limit_group_decrement_read(g, 10), 0);
    ck_assert_int_eq((int)bufferevent_get_max_to_read(c), 0);
    ck_assert_int_eq(bufferevent_rate_limit_group_set_min_share(g, (size_t)-1),
                     -1);
    bufferevent_rate_limit_group_get_totals(g, &tr, &tw);
    ck_assert_uint_eq(tr, 0);
    ck_assert_uint_eq(tw, 0);
    ck_assert_int_eq(bufferevent_remove_from_rate_limit_group(c), 0);
    ck_assert_int_eq(bufferevent_remove_from_rate_limit_group(c), 0);
    ck_assert_int_eq((int)bufferevent_get_max_to_read(c), 16384);
    ck_assert_int_eq(bufferevent_rate_limit_group_set_cfg(g, cfg), 0);
    ck_assert_int_eq(bufferevent_remove_from_rate_limit_group(b), 0);
    bufferevent_rate_limit_group_free(g);
    bufferevent_free(b);
    bufferevent_free(c);
    ev_token_bucket_cfg_free(cfg);
    event_base_free(base);
}
END_TEST

struct sink {
    size_t got;
    size_t want;
    struct event_base *base;
};

static void
sink_read(struct bufferevent *bev, void *arg)
{
    struct sink *s = arg;
    struct evbuffer *in = bufferevent_get_input(bev);

    s->got += evbuffer_get_length(in);
    evbuffer_drain(in, evbuffer_get_length(in));
    if (s->got >= s->want)
        event_base_loopbreak(s->base);
}

START_TEST(limited_transfer)
{
    struct event_base *base = event_base_new();
    struct timeval tick = {0, 100000};
    struct ev_token_bucket_cfg *cfg =
        ev_token_bucket_cfg_new(1000, 1000, 1000, 1000, &tick);
    struct bufferevent_rate_limit_group *g =
        bufferevent_rate_limit_group_new(base, cfg);
    int fds[2];
    struct bufferevent *a, *b;
    struct sink s;
    static char data[4000];
    struct timespec t0, t1;
    long ms;
    ev_uint64_t tr = 0, tw = 0;

    ck_assert_int_eq(vt_socketpair(fds), 0);
    a = bufferevent_socket_new(base, fds[0], BEV_OPT_CLOSE_ON_FREE);
    b = bufferevent_socket_new(base, fds[1], BEV_OPT_CLOSE_ON_FREE);
    memset(&s, 0, sizeof(s));
    s.want = sizeof(data);
    s.base = base;
    bufferevent_setcb(b, sink_read, NULL, NULL, &s);
    bufferevent_enable(b, EV_READ);
    ck_assert_int_eq(bufferevent_set_rate_limit(a, cfg), 0);
    ck_assert_int_eq(bufferevent_add_to_rate_limit_group(b, g), 0);
    /* Elapsed time on the monotonic clock, which a wall-clock step cannot
     * move. */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    bufferevent_write(a, data, sizeof(data));
    event_base_dispatch(base);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ms = (long)(t1.tv_sec - t0.tv_sec) * 1000 +
         (t1.tv_nsec - t0.tv_nsec) / 1000000;
    ck_assert_uint_eq(s.got, sizeof(data));
    /* 1000 bytes a tick of 100 ms: at least three more ticks. */
    ck_assert_int_ge(ms, 200);
    bufferevent_rate_limit_group_get_totals(g, &tr, &tw);
    ck_assert_uint_eq(tr, sizeof(data));
    ck_assert_uint_eq(tw, 0);
    bufferevent_rate_limit_group_reset_totals(g);
    bufferevent_rate_limit_group_get_totals(g, &tr, NULL);
    ck_assert_uint_eq(tr, 0);
    bufferevent_remove_from_rate_limit_group(b);
    bufferevent_free(a);
    bufferevent_free(b);
    bufferevent_rate_limit_group_free(g);
    ev_token_bucket_cfg_free(cfg);
    event_base_free(base);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("bev_ratelim");
    TCase *tc = vt_tcase("bev_ratelim", 20);

    tcase_add_test(tc, configurations);
    tcase_add_test(tc, own_bucket);
    tcase_add_test(tc, groups);
    tcase_add_test(tc, limited_transfer);
    suite_add_tcase(s, tc);
    return vt_run(s);
}
