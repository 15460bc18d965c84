/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * bufferevent_ratelim.c: token-bucket rate limits.  Configurations (valid
 * and refused), a limit on one bufferevent and what it reports (its
 * buckets, what it may read or write now, the largest single read or
 * write), taking tokens away by hand, groups (limits, minimum share,
 * totals, taking tokens away), and two timed transfers that check the
 * average rate: one bufferevent, then ten in a group.
 */
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/util.h>

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "vt-event.h"
#include "vtest.h"

/* libevent's largest single read and write when none is set. */
#define DEFAULT_SINGLE 16384

/* libevent counts ticks from a fixed point of the clock, not from when a
 * bucket was made: a refill can come at any moment.  Tests that check
 * exact bucket levels use a tick of a day, so that none comes while they
 * run (with an hour, a test that runs the loop for 300 ms met a tick
 * boundary once in about 12000 runs). */
static const struct timeval a_day = {86400, 0};

static double
now_seconds(void)
{
    struct timespec ts;

    ck_assert_int_eq(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs the loop for the given time and returns how long it really ran. */
static double
run_for(struct event_base *base, int ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    double start = now_seconds();

    ck_assert_int_eq(event_base_loopexit(base, &tv), 0);
    ck_assert_int_ge(event_base_dispatch(base), 0);
    return now_seconds() - start;
}

START_TEST(cfg_new_and_free)
{
    struct timeval tick = {0, 250000};
    struct ev_token_bucket_cfg *cfg;

    cfg = ev_token_bucket_cfg_new(100, 200, 300, 400, &tick);
    ck_assert_ptr_nonnull(cfg);
    ev_token_bucket_cfg_free(cfg);
    /* A NULL tick means one second. */
    cfg = ev_token_bucket_cfg_new(1, 1, 1, 1, NULL);
    ck_assert_ptr_nonnull(cfg);
    ev_token_bucket_cfg_free(cfg);
    cfg = ev_token_bucket_cfg_new(EV_RATE_LIMIT_MAX, EV_RATE_LIMIT_MAX,
                                  EV_RATE_LIMIT_MAX, EV_RATE_LIMIT_MAX, NULL);
    ck_assert_ptr_nonnull(cfg);
    ev_token_bucket_cfg_free(cfg);
}
END_TEST

START_TEST(cfg_refuses_bad_values)
{
    /* A burst smaller than the rate. */
    ck_assert_ptr_null(ev_token_bucket_cfg_new(100, 99, 10, 10, NULL));
    ck_assert_ptr_null(ev_token_bucket_cfg_new(10, 10, 100, 99, NULL));
    /* A rate of zero. */
    ck_assert_ptr_null(ev_token_bucket_cfg_new(0, 10, 10, 10, NULL));
    ck_assert_ptr_null(ev_token_bucket_cfg_new(10, 10, 0, 10, NULL));
    /* Above the largest. */
    ck_assert_ptr_null(ev_token_bucket_cfg_new((size_t)EV_RATE_LIMIT_MAX + 1,
                                               (size_t)EV_RATE_LIMIT_MAX + 1,
                                               10, 10, NULL));
}
END_TEST

START_TEST(unlimited_defaults)
{
    struct event_base *base = event_base_new();
    struct bufferevent *bev;

    ck_assert_ptr_nonnull(base);
    bev = bufferevent_socket_new(base, -1, 0);
    ck_assert_ptr_nonnull(bev);
    ck_assert_ptr_null(bufferevent_get_token_bucket_cfg(bev));
    ck_assert_int_eq(bufferevent_get_read_limit(bev), EV_SSIZE_MAX);
    ck_assert_int_eq(bufferevent_get_write_limit(bev), EV_SSIZE_MAX);
    /* Unlimited, one read or write still takes at most the default. */
    ck_assert_int_eq(bufferevent_get_max_single_read(bev), DEFAULT_SINGLE);
    ck_assert_int_eq(bufferevent_get_max_single_write(bev), DEFAULT_SINGLE);
    ck_assert_int_eq(bufferevent_get_max_to_read(bev), DEFAULT_SINGLE);
    ck_assert_int_eq(bufferevent_get_max_to_write(bev), DEFAULT_SINGLE);
    bufferevent_free(bev);
    event_base_free(base);
}
END_TEST

START_TEST(max_single_read_and_write)
{
    struct event_base *base = event_base_new();
    struct bufferevent *bev;

    ck_assert_ptr_nonnull(base);
    bev = bufferevent_socket_new(base, -1, 0);
    ck_assert_ptr_nonnull(bev);
    ck_assert_int_eq(bufferevent_set_max_single_read(bev, 1000), 0);
    ck_assert_int_eq(bufferevent_set_max_single_write(bev, 2000), 0);
    ck_assert_int_eq(bufferevent_get_max_single_read(bev), 1000);
    ck_assert_int_eq(bufferevent_get_max_single_write(bev), 2000);
    ck_assert_int_eq(bufferevent_get_max_to_read(bev), 1000);
    ck_assert_int_eq(bufferevent_get_max_to_write(bev), 2000);
    /* Larger than the default works too. */
    ck_assert_int_eq(bufferevent_set_max_single_read(bev, 1 << 20), 0);
    ck_assert_int_eq(bufferevent_get_max_single_read(bev), 1 << 20);
    /* Zero puts the default back. */
    ck_assert_int_eq(bufferevent_set_max_single_read(bev, 0), 0);
    ck_assert_int_eq(bufferevent_set_max_single_write(bev, 0), 0);
    ck_assert_int_eq(bufferevent_get_max_single_read(bev), DEFAULT_SINGLE);
    ck_assert_int_eq(bufferevent_get_max_single_write(bev), DEFAULT_SINGLE);
    bufferevent_free(bev);
    event_base_free(base);
}
END_TEST

START_TEST(max_single_read_shapes_reads)
{
    struct event_base *base = event_base_new();
    struct bufferevent *bev;
    char data[1000];
    int fds[2];

    ck_assert_ptr_nonnull(base);
    bev = vt_socket_bev(base, fds, BEV_OPT_CLOSE_ON_FREE);
    ck_assert_int_eq(bufferevent_set_max_single_read(bev, 100), 0);
    memset(data, 'r', sizeof(data));
    ck_assert_int_eq(send(fds[1], data, sizeof(data), 0), (int)sizeof(data));
    ck_assert_int_eq(bufferevent_enable(bev, EV_READ), 0);
    /* One pass of the loop: one read of at most 100 bytes. */
    ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE), 0);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_input(bev)), 100);
    bufferevent_free(bev);
    close(fds[1]);
    event_base_free(base);
}
END_TEST

START_TEST(set_rate_limit_and_buckets)
{
    struct event_base *base = event_base_new();
    struct bufferevent *bev;
    struct ev_token_bucket_cfg *cfg;

    ck_assert_ptr_nonnull(base);
    cfg = ev_token_bucket_cfg_new(1000, 5000, 300, 600, &a_day);
    ck_assert_ptr_nonnull(cfg);
    bev = bufferevent_socket_new(base, -1, 0);
    ck_assert_ptr_nonnull(bev);
    ck_assert_int_eq(bufferevent_set_rate_limit(bev, cfg), 0);
    ck_assert_ptr_eq(bufferevent_get_token_bucket_cfg(bev), cfg);
    /* The buckets start with one tick's worth, not the burst. */
    ck_assert_int_eq(bufferevent_get_read_limit(bev), 1000);
    ck_assert_int_eq(bufferevent_get_write_limit(bev), 300);
    /* What may go now is the bucket. */
    ck_assert_int_eq(bufferevent_get_max_to_read(bev), 1000);
    ck_assert_int_eq(bufferevent_get_max_to_write(bev), 300);
    /* libevent 2.1.12 lets a bufferevent's own bucket replace the single
     * read size rather than cap it: the answer stays 1000, not 400. */
    ck_assert_int_eq(bufferevent_set_max_single_read(bev, 400), 0);
    ck_assert_int_eq(bufferevent_get_max_to_read(bev), 1000);
    /* Taking tokens away by hand. */
    ck_assert_int_eq(bufferevent_decrement_read_limit(bev, 250), 0);
    ck_assert_int_eq(bufferevent_get_read_limit(bev), 750);
    ck_assert_int_eq(bufferevent_decrement_write_limit(bev, 100), 0);
    ck_assert_int_eq(bufferevent_get_write_limit(bev), 200);
    /* Negative amounts give tokens back. */
    ck_assert_int_eq(bufferevent_decrement_write_limit(bev, -50), 0);
    ck_assert_int_eq(bufferevent_get_write_limit(bev), 250);
    /* Below zero: nothing may go. */
    ck_assert_int_eq(bufferevent_decrement_read_limit(bev, 1000), 0);
    ck_assert_int_eq(bufferevent_get_read_limit(bev), -250);
    ck_assert_int_le(bufferevent_get_max_to_read(bev), 0);
    /* Removing the limit. */
    ck_assert_int_eq(bufferevent_set_rate_limit(bev, NULL), 0);
    ck_assert_ptr_null(bufferevent_get_token_bucket_cfg(bev));
    ck_assert_int_eq(bufferevent_get_read_limit(bev), EV_SSIZE_MAX);
    ck_assert_int_eq(bufferevent_get_max_to_read(bev), 400);
    bufferevent_free(bev);
    ev_token_bucket_cfg_free(cfg);
    event_base_free(base);
}
END_TEST

START_TEST(empty_bucket_stops_reading_until_refill)
{
    struct event_base *base = event_base_new();
    struct bufferevent *bev;
    struct timeval tick = {0, 200000};
    struct ev_token_bucket_cfg *cfg;
    char data[100];
    double secs;
    int fds[2];

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(vt_socketpair(fds), 0);
    cfg = ev_token_bucket_cfg_new(10, 10, 1000, 1000, &tick);
    ck_assert_ptr_nonnull(cfg);
    bev = bufferevent_socket_new(base, fds[0], BEV_OPT_CLOSE_ON_FREE);
    ck_assert_ptr_nonnull(bev);
    ck_assert_int_eq(bufferevent_set_rate_limit(bev, cfg), 0);
    memset(data, 'b', sizeof(data));
    ck_assert_int_eq(send(fds[1], data, sizeof(data), 0), (int)sizeof(data));
    ck_assert_int_eq(bufferevent_enable(bev, EV_READ), 0);
    /* 10 bytes a tick of 200 ms, and a burst of one tick: at least the
     * first tick's 10, at most one tick's worth per tick begun while the
     * loop ran (however long a loaded machine made it run). */
    secs = run_for(base, 1000);
    ck_assert_uint_ge(evbuffer_get_length(bufferevent_get_input(bev)), 10);
    ck_assert_uint_le(evbuffer_get_length(bufferevent_get_input(bev)),
                      (size_t)(10 * (2 + secs / 0.2)));
    bufferevent_free(bev);
    ev_token_bucket_cfg_free(cfg);
    close(fds[1]);
    event_base_free(base);
}
END_TEST

/* A reader and a writer that never runs dry. */
struct flow {
    struct bufferevent *reader, *writer;
    size_t total;
    double last_read; /* when the reader last got data (now_seconds) */
};

/* Drains what it reads, counts it and notes when. */
static void
count_read_cb(struct bufferevent *bev, void *arg)
{
    struct evbuffer *in = bufferevent_get_input(bev);
    struct flow *f = arg;

    f->total += evbuffer_get_length(in);
    f->last_read = now_seconds();
    ck_assert_int_eq(evbuffer_drain(in, evbuffer_get_length(in)), 0);
}

/* Keeps a writer's output topped up. */
static void
refill_write_cb(struct bufferevent *bev, void *arg)
{
    static char chunk[65536];

    (void)arg;
    ck_assert_int_eq(bufferevent_write(bev, chunk, sizeof(chunk)), 0);
}

static void
no_event_cb(struct bufferevent *bev, short what, void *arg)
{
    (void)bev;
    (void)arg;
    ck_abort_msg("unexpected event 0x%x", (unsigned)what);
}

static void
flow_open(struct event_base *base, struct flow *f)
{
    int fds[2];

    ck_assert_int_eq(vt_socketpair(fds), 0);
    f->total = 0;
    f->last_read = 0;
    f->reader = bufferevent_socket_new(base, fds[0], BEV_OPT_CLOSE_ON_FREE);
    f->writer = bufferevent_socket_new(base, fds[1], BEV_OPT_CLOSE_ON_FREE);
    ck_assert_ptr_nonnull(f->reader);
    ck_assert_ptr_nonnull(f->writer);
    bufferevent_setcb(f->reader, count_read_cb, NULL, no_event_cb, f);
    bufferevent_setcb(f->writer, NULL, refill_write_cb, no_event_cb, NULL);
    /* The write callback comes below 64 KiB: there is always plenty. */
    bufferevent_setwatermark(f->writer, EV_WRITE, 65536, 0);
    refill_write_cb(f->writer, NULL);
    refill_write_cb(f->writer, NULL);
    ck_assert_int_eq(bufferevent_enable(f->reader, EV_READ), 0);
}

static void
flow_close(struct flow *f)
{
    bufferevent_free(f->reader);
    bufferevent_free(f->writer);
}

/* The measured rate must be within 10% of the configured one.
 *
 * The window is robust to a loaded machine: it starts before the limit is
 * set, so that it holds every token the buckets could gather (they gather
 * while the process waits for the CPU too), and it ends at the last read,
 * so that a wait after it does not count as time without data.  Counting
 * whole ticks is then off by at most two ticks, the first tick's worth the
 * buckets start with and a tick boundary just before the end: 5% of 2 s
 * at 50 ms a tick, 6.7% of 1.5 s.  The burst lets the buckets catch up
 * after a slow pass of the loop, so a loaded machine does not lower the
 * average either. */
static void
check_rate(size_t total, double seconds, double per_tick, double tick_s)
{
    double rate = (double)total / seconds;
    double want = per_tick / tick_s;

    ck_assert_double_ge(rate, want * 0.9);
    ck_assert_double_le(rate, want * 1.1);
}

START_TEST(one_bufferevent_average_rate)
{
    enum {
        PER_TICK = 5000
    };
    struct event_base *base = event_base_new();
    struct timeval tick = {0, 50000};
    struct ev_token_bucket_cfg *cfg;
    struct flow f;
    double start;

    ck_assert_ptr_nonnull(base);
    /* 100 kB/s for the reader; writing is not limited. */
    cfg = ev_token_bucket_cfg_new(PER_TICK, PER_TICK * 10, EV_RATE_LIMIT_MAX,
                                  EV_RATE_LIMIT_MAX, &tick);
    ck_assert_ptr_nonnull(cfg);
    flow_open(base, &f);
    start = now_seconds();
    ck_assert_int_eq(bufferevent_set_rate_limit(f.reader, cfg), 0);
    run_for(base, 2000);
    check_rate(f.total, f.last_read - start, PER_TICK, 0.05);
    flow_close(&f);
    ev_token_bucket_cfg_free(cfg);
    event_base_free(base);
}
END_TEST

START_TEST(write_limit_average_rate)
{
    enum {
        PER_TICK = 4000
    };
    struct event_base *base = event_base_new();
    struct timeval tick = {0, 50000};
    struct ev_token_bucket_cfg *cfg;
    struct flow f;
    double start;

    ck_assert_ptr_nonnull(base);
    cfg = ev_token_bucket_cfg_new(EV_RATE_LIMIT_MAX, EV_RATE_LIMIT_MAX,
                                  PER_TICK, PER_TICK * 10, &tick);
    ck_assert_ptr_nonnull(cfg);
    flow_open(base, &f);
    start = now_seconds();
    ck_assert_int_eq(bufferevent_set_rate_limit(f.writer, cfg), 0);
    run_for(base, 1500);
    check_rate(f.total, f.last_read - start, PER_TICK, 0.05);
    flow_close(&f);
    ev_token_bucket_cfg_free(cfg);
    event_base_free(base);
}
END_TEST

#define NFLOWS 10

START_TEST(group_average_rate)
{
    enum {
        PER_TICK = 10000
    };
    struct event_base *base = event_base_new();
    struct timeval tick = {0, 50000};
    struct ev_token_bucket_cfg *cfg;
    struct bufferevent_rate_limit_group *g;
    struct flow f[NFLOWS];
    ev_uint64_t total_read = 0, total_written = 0;
    size_t sum = 0;
    double start, last = 0;
    int i;

    ck_assert_ptr_nonnull(base);
    /* 200 kB/s for the ten readers together. */
    cfg = ev_token_bucket_cfg_new(PER_TICK, PER_TICK * 10, EV_RATE_LIMIT_MAX,
                                  EV_RATE_LIMIT_MAX, &tick);
    ck_assert_ptr_nonnull(cfg);
    start = now_seconds();
    g = bufferevent_rate_limit_group_new(base, cfg);
    ck_assert_ptr_nonnull(g);
    for (i = 0; i < NFLOWS; i++) {
        flow_open(base, &f[i]);
        ck_assert_int_eq(bufferevent_add_to_rate_limit_group(f[i].reader, g),
                         0);
    }
    run_for(base, 2000);
    for (i = 0; i < NFLOWS; i++) {
        sum += f[i].total;
        /* Everyone got something. */
        ck_assert_uint_gt(f[i].total, 0);
        if (f[i].last_read > last)
            last = f[i].last_read;
    }
    check_rate(sum, last - start, PER_TICK, 0.05);
    /* The group counted every byte its members read. */
    bufferevent_rate_limit_group_get_totals(g, &total_read, &total_written);
    ck_assert_uint_eq(total_read, sum);
    ck_assert_uint_eq(total_written, 0);
    for (i = 0; i < NFLOWS; i++) {
        ck_assert_int_eq(bufferevent_remove_from_rate_limit_group(f[i].reader),
                         0);
        flow_close(&f[i]);
    }
    vt_run_ready(base);
    bufferevent_rate_limit_group_free(g);
    ev_token_bucket_cfg_free(cfg);
    event_base_free(base);
}
END_TEST

START_TEST(group_limits_and_totals)
{
    struct event_base *base = event_base_new();
    struct ev_token_bucket_cfg *cfg, *cfg2;
    struct bufferevent_rate_limit_group *g;
    struct bufferevent *bev;
    ev_uint64_t rd = 99, wr = 99;
    char data[300];
    int fds[2];

    ck_assert_ptr_nonnull(base);
    cfg = ev_token_bucket_cfg_new(5000, 5000, 7000, 7000, &a_day);
    ck_assert_ptr_nonnull(cfg);
    g = bufferevent_rate_limit_group_new(base, cfg);
    ck_assert_ptr_nonnull(g);
    /* The group's buckets start with one tick's worth. */
    ck_assert_int_eq(bufferevent_rate_limit_group_get_read_limit(g), 5000);
    ck_assert_int_eq(bufferevent_rate_limit_group_get_write_limit(g), 7000);
    ck_assert_int_eq(bufferevent_rate_limit_group_decrement_read(g, 1000), 0);
    ck_assert_int_eq(bufferevent_rate_limit_group_decrement_write(g, 2000), 0);
    ck_assert_int_eq(bufferevent_rate_limit_group_get_read_limit(g), 4000);
    ck_assert_int_eq(bufferevent_rate_limit_group_get_write_limit(g), 5000);
    ck_assert_int_eq(bufferevent_rate_limit_group_set_min_share(g, 100), 0);
    ck_assert_int_eq(bufferevent_rate_limit_group_set_min_share(g, 0), 0);
    bufferevent_rate_limit_group_get_totals(g, &rd, &wr);
    ck_assert_uint_eq(rd, 0);
    ck_assert_uint_eq(wr, 0);

    /* A member reads and writes; the group counts. */
    bev = vt_socket_bev(base, fds, BEV_OPT_CLOSE_ON_FREE);
    ck_assert_int_eq(bufferevent_add_to_rate_limit_group(bev, g), 0);
    /* A member's own limit is its group's share. */
    ck_assert_int_le(bufferevent_get_max_to_read(bev), 4000);
    memset(data, 'g', sizeof(data));
    ck_assert_int_eq(send(fds[1], data, sizeof(data), 0), (int)sizeof(data));
    ck_assert_int_eq(bufferevent_write(bev, data, 200), 0);
    ck_assert_int_eq(bufferevent_enable(bev, EV_READ), 0);
    while (evbuffer_get_length(bufferevent_get_input(bev)) < 300 ||
           evbuffer_get_length(bufferevent_get_output(bev)) > 0)
        ck_assert_int_ge(event_base_loop(base, EVLOOP_ONCE), 0);
    bufferevent_rate_limit_group_get_totals(g, &rd, &wr);
    ck_assert_uint_eq(rd, 300);
    ck_assert_uint_eq(wr, 200);
    ck_assert_int_eq(bufferevent_rate_limit_group_get_read_limit(g), 3700);
    ck_assert_int_eq(bufferevent_rate_limit_group_get_write_limit(g), 4800);
    bufferevent_rate_limit_group_reset_totals(g);
    bufferevent_rate_limit_group_get_totals(g, &rd, &wr);
    ck_assert_uint_eq(rd, 0);
    ck_assert_uint_eq(wr, 0);
    /* A new configuration; the buckets only shrink to fit it. */
    cfg2 = ev_token_bucket_cfg_new(1000, 1000, 9000, 9000, &a_day);
    ck_assert_ptr_nonnull(cfg2);
    ck_assert_int_eq(bufferevent_rate_limit_group_set_cfg(g, cfg2), 0);
    ck_assert_int_eq(bufferevent_rate_limit_group_get_read_limit(g), 1000);
    ck_assert_int_eq(bufferevent_rate_limit_group_get_write_limit(g), 4800);
    /* Leaving the group: its limit no longer applies. */
    ck_assert_int_eq(bufferevent_remove_from_rate_limit_group(bev), 0);
    ck_assert_int_eq(bufferevent_get_max_to_read(bev), DEFAULT_SINGLE);
    bufferevent_free(bev);
    close(fds[1]);
    vt_run_ready(base);
    bufferevent_rate_limit_group_free(g);
    ev_token_bucket_cfg_free(cfg);
    ev_token_bucket_cfg_free(cfg2);
    event_base_free(base);
}
END_TEST

START_TEST(group_decrement_below_zero_stops_members)
{
    struct event_base *base = event_base_new();
    struct ev_token_bucket_cfg *cfg;
    struct bufferevent_rate_limit_group *g;
    struct bufferevent *bev;
    int fds[2];

    ck_assert_ptr_nonnull(base);
    cfg = ev_token_bucket_cfg_new(1000, 1000, 1000, 1000, &a_day);
    ck_assert_ptr_nonnull(cfg);
    g = bufferevent_rate_limit_group_new(base, cfg);
    ck_assert_ptr_nonnull(g);
    bev = vt_socket_bev(base, fds, BEV_OPT_CLOSE_ON_FREE);
    ck_assert_int_eq(bufferevent_add_to_rate_limit_group(bev, g), 0);
    ck_assert_int_eq(bufferevent_enable(bev, EV_READ), 0);
    ck_assert_int_eq(bufferevent_rate_limit_group_decrement_read(g, 1500), 0);
    ck_assert_int_eq(bufferevent_rate_limit_group_get_read_limit(g), -500);
    /* No refill comes while the test runs: the data waits. */
    ck_assert_int_eq(send(fds[1], "wait", 4, 0), 4);
    run_for(base, 300);
    ck_assert_uint_eq(evbuffer_get_length(bufferevent_get_input(bev)), 0);
    /* Tokens given back: reading resumes. */
    ck_assert_int_eq(bufferevent_rate_limit_group_decrement_read(g, -1500), 0);
    while (evbuffer_get_length(bufferevent_get_input(bev)) < 4)
        ck_assert_int_ge(event_base_loop(base, EVLOOP_ONCE), 0);
    ck_assert_int_eq(bufferevent_remove_from_rate_limit_group(bev), 0);
    bufferevent_free(bev);
    close(fds[1]);
    vt_run_ready(base);
    bufferevent_rate_limit_group_free(g);
    ev_token_bucket_cfg_free(cfg);
    event_base_free(base);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("bufferevent_ratelim");
    TCase *tc = vt_tcase("bufferevent_ratelim", 30);

    tcase_add_test(tc, cfg_new_and_free);
    tcase_add_test(tc, cfg_refuses_bad_values);
    tcase_add_test(tc, unlimited_defaults);
    tcase_add_test(tc, max_single_read_and_write);
    tcase_add_test(tc, max_single_read_shapes_reads);
    tcase_add_test(tc, set_rate_limit_and_buckets);
    tcase_add_test(tc, empty_bucket_stops_reading_until_refill);
    tcase_add_test(tc, one_bufferevent_average_rate);
    tcase_add_test(tc, write_limit_average_rate);
    tcase_add_test(tc, group_average_rate);
    tcase_add_test(tc, group_limits_and_totals);
    tcase_add_test(tc, group_decrement_below_zero_stops_members);
    suite_add_tcase(s, tc);
    return vt_run(s);
}
