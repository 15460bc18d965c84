/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * timers.c: timeouts: firing, ordering, rescheduling by adding again,
 * event_remove_timer, persistent timers, common timeouts
 * (event_base_init_common_timeout), the cached time
 * (event_base_gettimeofday_cached, event_base_update_cache_time) and
 * event_gettime_monotonic.  Timing checks are loose on purpose: a timer
 * must not fire early and must fire well within seconds.
 */
#include <event2/event.h>

#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "vtest.h"

static long long
now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static long long
tv_diff_us(const struct timeval *a, const struct timeval *b)
{
    return (long long)(a->tv_sec - b->tv_sec) * 1000000 +
           (a->tv_usec - b->tv_usec);
}

static void
spin_us(long long us)
{
    long long end = now_us() + us;

    while (now_us() < end) {
    }
}

struct stamp {
    int calls;
    short res;
    long long at_us;
};

static void
stamp_cb(evutil_socket_t fd, short what, void *arg)
{
    struct stamp *s = arg;

    (void)fd;
    s->calls++;
    s->res = what;
    s->at_us = now_us();
}

/* Records the order in which callbacks run. */
static int order[1024];
static int norder;

static void
order_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    if (norder < 1024)
        order[norder] = (int)(long)arg;
    norder++;
}

static void
setup(void)
{
    norder = 0;
}

START_TEST(timer_fires_after_timeout)
{
    struct event_base *base = event_base_new();
    struct timeval tv = {0, 100000};
    struct stamp s = {0, 0, 0};
    struct event *t;
    long long start;

    ck_assert_ptr_nonnull(base);
    t = evtimer_new(base, stamp_cb, &s);
    ck_assert_ptr_nonnull(t);
    start = now_us();
    ck_assert_int_eq(evtimer_add(t, &tv), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(s.calls, 1);
    ck_assert_int_eq(s.res, EV_TIMEOUT);
    ck_assert_int_ge(s.at_us - start, 90000);
    ck_assert_int_lt(s.at_us - start, 5000000);
    ck_assert_int_eq(evtimer_pending(t, NULL), 0);
    event_free(t);
    event_base_free(base);
}
END_TEST

START_TEST(zero_and_null_timeouts)
{
    struct event_base *base = event_base_new();
    struct timeval zero = {0, 0};
    struct stamp s = {0, 0, 0};
    struct event *t;
    long long start;

    ck_assert_ptr_nonnull(base);
    t = evtimer_new(base, stamp_cb, &s);
    ck_assert_ptr_nonnull(t);
    /* A zero timeout fires on the next pass. */
    start = now_us();
    ck_assert_int_eq(evtimer_add(t, &zero), 0);
    ck_assert_int_eq(evtimer_pending(t, NULL), EV_TIMEOUT);
    ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE), 0);
    ck_assert_int_eq(s.calls, 1);
    ck_assert_int_lt(s.at_us - start, 2000000);
    /* A pure timer added without a timeout waits for nothing: it is not
     * pending and the loop has nothing to do. */
    ck_assert_int_eq(evtimer_add(t, NULL), 0);
    ck_assert_int_eq(evtimer_pending(t, NULL), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(s.calls, 1);
    event_free(t);
    event_base_free(base);
}
END_TEST

START_TEST(negative_timeout_fires_at_once)
{
    struct event_base *base = event_base_new();
    struct timeval neg_sec = {-5, 0}, neg_usec = {0, -5};
    struct stamp s = {0, 0, 0};
    struct event *t;
    long long start;

    /* libevent 2.1.12 takes a timeout in the past as "now". */
    ck_assert_ptr_nonnull(base);
    t = evtimer_new(base, stamp_cb, &s);
    ck_assert_ptr_nonnull(t);
    start = now_us();
    ck_assert_int_eq(evtimer_add(t, &neg_sec), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(s.calls, 1);
    ck_assert_int_eq(evtimer_add(t, &neg_usec), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(s.calls, 2);
    ck_assert_int_lt(s.at_us - start, 2000000);
    event_free(t);
    event_base_free(base);
}
END_TEST

#define N_TIMERS 50

START_TEST(timers_fire_in_deadline_order)
{
    struct event_base *base = event_base_new();
    struct timeval when[N_TIMERS];
    struct event *t[N_TIMERS];
    int i;

    ck_assert_ptr_nonnull(base);
    /* Timeouts 5..54 ms, added in a scrambled order.  They must fire in
     * the order of the expiry times event_pending() reports (the clock
     * may tick between two additions, so that order is the reference). */
    for (i = 0; i < N_TIMERS; i++) {
        int ms = 5 + (i * 17) % N_TIMERS;
        struct timeval tv = {0, ms * 1000};

        t[i] = evtimer_new(base, order_cb, (void *)(long)i);
        ck_assert_ptr_nonnull(t[i]);
        ck_assert_int_eq(evtimer_add(t[i], &tv), 0);
        ck_assert_int_eq(evtimer_pending(t[i], &when[i]), EV_TIMEOUT);
    }
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(norder, N_TIMERS);
    for (i = 1; i < N_TIMERS; i++)
        ck_assert_int_ge(tv_diff_us(&when[order[i]], &when[order[i - 1]]), 0);
    for (i = 0; i < N_TIMERS; i++)
        event_free(t[i]);
    event_base_free(base);
}
END_TEST

/* Adds a timer with first, re-adds it with second before the loop runs,
 * and checks that it fires once, between lo_us and hi_us after the adds. */
static void
check_readd(struct timeval first, struct timeval second, long long lo_us,
            long long hi_us)
{
    struct event_base *base = event_base_new();
    struct stamp s = {0, 0, 0};
    struct event *t;
    long long start;

    ck_assert_ptr_nonnull(base);
    t = evtimer_new(base, stamp_cb, &s);
    ck_assert_ptr_nonnull(t);
    start = now_us();
    ck_assert_int_eq(evtimer_add(t, &first), 0);
    ck_assert_int_eq(evtimer_add(t, &second), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(s.calls, 1);
    ck_assert_int_ge(s.at_us - start, lo_us);
    ck_assert_int_lt(s.at_us - start, hi_us);
    event_free(t);
    event_base_free(base);
}

START_TEST(readd_reschedules_earlier)
{
    struct timeval late = {5, 0}, soon = {0, 50000};

    check_readd(late, soon, 40000, 3000000);
}
END_TEST

START_TEST(readd_reschedules_later)
{
    struct timeval soon = {0, 20000}, later = {0, 300000};

    /* It fires once, at the later time. */
    check_readd(soon, later, 280000, 5000000);
}
END_TEST

START_TEST(add_without_timeout_keeps_timeout)
{
    struct event_base *base = event_base_new();
    struct timeval tv = {0, 50000}, first, second;
    struct stamp s = {0, 0, 0};
    struct event *t;

    ck_assert_ptr_nonnull(base);
    t = evtimer_new(base, stamp_cb, &s);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(evtimer_add(t, &tv), 0);
    ck_assert_int_eq(evtimer_pending(t, &first), EV_TIMEOUT);
    /* A NULL timeout leaves the scheduled one in place. */
    ck_assert_int_eq(evtimer_add(t, NULL), 0);
    ck_assert_int_eq(evtimer_pending(t, &second), EV_TIMEOUT);
    ck_assert_int_eq(tv_diff_us(&second, &first), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(s.calls, 1);
    event_free(t);
    event_base_free(base);
}
END_TEST

static struct event *periodic;
static int periodic_left;

static void
periodic_cb(evutil_socket_t fd, short what, void *arg)
{
    struct stamp *s = arg;

    stamp_cb(fd, what, arg);
    ck_assert_int_eq(event_pending(periodic, EV_TIMEOUT, NULL), EV_TIMEOUT);
    if (--periodic_left == 0)
        event_del(periodic);
    (void)s;
}

START_TEST(persistent_timer_repeats)
{
    struct event_base *base = event_base_new();
    struct timeval tv = {0, 20000};
    struct stamp s = {0, 0, 0};
    long long start;

    ck_assert_ptr_nonnull(base);
    periodic = event_new(base, -1, EV_PERSIST, periodic_cb, &s);
    ck_assert_ptr_nonnull(periodic);
    periodic_left = 5;
    start = now_us();
    ck_assert_int_eq(event_add(periodic, &tv), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(s.calls, 5);
    ck_assert_int_eq(s.res, EV_TIMEOUT);
    ck_assert_int_ge(s.at_us - start, 90000);
    ck_assert_int_lt(s.at_us - start, 5000000);
    event_free(periodic);
    event_base_free(base);
}
END_TEST

static struct event *rearm;
static int rearm_left;

static void
rearm_cb(evutil_socket_t fd, short what, void *arg)
{
    struct timeval tv = {0, 1000};

    stamp_cb(fd, what, arg);
    if (--rearm_left > 0)
        ck_assert_int_eq(evtimer_add(rearm, &tv), 0);
}

START_TEST(timer_readds_itself)
{
    struct event_base *base = event_base_new();
    struct timeval tv = {0, 1000};
    struct stamp s = {0, 0, 0};

    ck_assert_ptr_nonnull(base);
    rearm = evtimer_new(base, rearm_cb, &s);
    ck_assert_ptr_nonnull(rearm);
    rearm_left = 4;
    ck_assert_int_eq(evtimer_add(rearm, &tv), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(s.calls, 4);
    event_free(rearm);
    event_base_free(base);
}
END_TEST

START_TEST(remove_timer)
{
    struct event_base *base = event_base_new();
    struct timeval tv = {0, 10000};
    struct stamp io = {0, 0, 0}, tm = {0, 0, 0};
    struct event *ev, *t;
    int sp[2];

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(vt_socketpair(sp), 0);
    ev = event_new(base, sp[0], EV_READ, stamp_cb, &io);
    t = evtimer_new(base, stamp_cb, &tm);
    ck_assert_ptr_nonnull(ev);
    ck_assert_ptr_nonnull(t);

    /* An I/O event keeps waiting for I/O, without its timeout. */
    ck_assert_int_eq(event_add(ev, &tv), 0);
    ck_assert_int_eq(event_pending(ev, EV_READ | EV_TIMEOUT, NULL),
                     EV_READ | EV_TIMEOUT);
    ck_assert_int_eq(event_remove_timer(ev), 0);
    ck_assert_int_eq(event_pending(ev, EV_READ | EV_TIMEOUT, NULL), EV_READ);
    /* A pure timer stops being pending. */
    ck_assert_int_eq(evtimer_add(t, &tv), 0);
    ck_assert_int_eq(event_remove_timer(t), 0);
    ck_assert_int_eq(evtimer_pending(t, NULL), 0);
    /* Removing a timer that is not there is fine. */
    ck_assert_int_eq(event_remove_timer(t), 0);
    ck_assert_int_eq(event_remove_timer(ev), 0);

    /* Well past the old timeout, nothing has fired. */
    spin_us(30000);
    ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK), 0);
    ck_assert_int_eq(io.calls, 0);
    ck_assert_int_eq(tm.calls, 0);
    ck_assert_int_eq((int)write(sp[1], "x", 1), 1);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(io.calls, 1);
    ck_assert_int_eq(io.res, EV_READ);
    ck_assert_int_eq(tm.calls, 0);

    event_free(ev);
    event_free(t);
    close(sp[0]);
    close(sp[1]);
    event_base_free(base);
}
END_TEST

START_TEST(common_timeout_identity)
{
    struct event_base *base = event_base_new();
    struct timeval d = {0, 50000}, other = {0, 60000}, zero = {0, 0};
    const struct timeval *c1, *c2, *c3, *c4;

    ck_assert_ptr_nonnull(base);
    c1 = event_base_init_common_timeout(base, &d);
    ck_assert_ptr_nonnull(c1);
    ck_assert_ptr_ne(c1, &d);
    /* The same duration gives the same value back. */
    c2 = event_base_init_common_timeout(base, &d);
    ck_assert_ptr_eq(c2, c1);
    /* So does passing the returned value itself. */
    c3 = event_base_init_common_timeout(base, c1);
    ck_assert_ptr_eq(c3, c1);
    c4 = event_base_init_common_timeout(base, &other);
    ck_assert_ptr_nonnull(c4);
    ck_assert_ptr_ne(c4, c1);
    ck_assert_ptr_nonnull(event_base_init_common_timeout(base, &zero));
    event_base_free(base);
}
END_TEST

static void
quiet_log(int severity, const char *msg)
{
    (void)severity;
    (void)msg;
}

START_TEST(common_timeout_limit)
{
    struct event_base *base = event_base_new();
    int i;

    event_set_log_callback(quiet_log);
    /* libevent supports 256 distinct common timeouts per base. */
    ck_assert_ptr_nonnull(base);
    for (i = 0; i < 256; i++) {
        struct timeval d = {1, i};

        ck_assert_ptr_nonnull(event_base_init_common_timeout(base, &d));
    }
    {
        struct timeval d = {2, 0};

        ck_assert_ptr_null(event_base_init_common_timeout(base, &d));
    }
    event_base_free(base);
}
END_TEST

#define N_COMMON 200

START_TEST(common_timeout_events_fire_in_order)
{
    struct event_base *base = event_base_new();
    struct timeval d = {0, 50000}, short_tv = {0, 10000}, long_tv = {0, 300000},
                   when, now;
    const struct timeval *common;
    struct event *ev[N_COMMON], *early, *late;
    long long start, delta;
    int i;

    ck_assert_ptr_nonnull(base);
    common = event_base_init_common_timeout(base, &d);
    ck_assert_ptr_nonnull(common);
    /* Heap timers on either side.  The early one is added first and the
     * late one last, so that their order holds however long the process
     * is kept off the CPU between two additions. */
    early = evtimer_new(base, order_cb, (void *)(long)-1);
    late = evtimer_new(base, order_cb, (void *)(long)N_COMMON);
    ck_assert_ptr_nonnull(early);
    ck_assert_ptr_nonnull(late);
    start = now_us();
    ck_assert_int_eq(evtimer_add(early, &short_tv), 0);
    for (i = 0; i < N_COMMON; i++) {
        ev[i] = evtimer_new(base, order_cb, (void *)(long)i);
        ck_assert_ptr_nonnull(ev[i]);
        ck_assert_int_eq(evtimer_add(ev[i], common), 0);
    }
    ck_assert_int_eq(evtimer_add(late, &long_tv), 0);

    /* The reported expiry is a real time, about 50 ms from now. */
    gettimeofday(&now, NULL);
    ck_assert_int_eq(evtimer_pending(ev[0], &when), EV_TIMEOUT);
    delta = tv_diff_us(&when, &now);
    ck_assert_int_ge(delta, 0);
    ck_assert_int_le(delta, 1000000);

    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_ge(now_us() - start, 280000);
    ck_assert_int_eq(norder, N_COMMON + 2);
    ck_assert_int_eq(order[0], -1);
    for (i = 0; i < N_COMMON; i++)
        ck_assert_int_eq(order[i + 1], i);
    ck_assert_int_eq(order[N_COMMON + 1], N_COMMON);
    for (i = 0; i < N_COMMON; i++)
        event_free(ev[i]);
    event_free(early);
    event_free(late);
    event_base_free(base);
}
END_TEST

START_TEST(common_timeout_delete_and_readd)
{
    struct event_base *base = event_base_new();
    struct timeval d = {0, 30000}, long_d = {0, 200000};
    const struct timeval *c_short, *c_long;
    struct stamp a = {0, 0, 0}, b = {0, 0, 0}, c = {0, 0, 0};
    struct event *ea, *eb, *ec;
    long long start;

    ck_assert_ptr_nonnull(base);
    c_short = event_base_init_common_timeout(base, &d);
    c_long = event_base_init_common_timeout(base, &long_d);
    ck_assert_ptr_nonnull(c_short);
    ck_assert_ptr_nonnull(c_long);
    ea = evtimer_new(base, stamp_cb, &a);
    eb = evtimer_new(base, stamp_cb, &b);
    ec = evtimer_new(base, stamp_cb, &c);
    ck_assert_ptr_nonnull(ea);
    ck_assert_ptr_nonnull(eb);
    ck_assert_ptr_nonnull(ec);
    start = now_us();
    ck_assert_int_eq(evtimer_add(ea, c_short), 0);
    ck_assert_int_eq(evtimer_add(eb, c_short), 0);
    ck_assert_int_eq(evtimer_add(ec, c_short), 0);
    /* Deleted: never fires.  Moved to a longer common timeout, and to an
     * ordinary timeout: fires later. */
    ck_assert_int_eq(evtimer_del(ea), 0);
    ck_assert_int_eq(evtimer_add(eb, c_long), 0);
    ck_assert_int_eq(evtimer_add(ec, &long_d), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(a.calls, 0);
    ck_assert_int_eq(b.calls, 1);
    ck_assert_int_eq(c.calls, 1);
    ck_assert_int_ge(b.at_us - start, 180000);
    ck_assert_int_ge(c.at_us - start, 180000);
    event_free(ea);
    event_free(eb);
    event_free(ec);
    event_base_free(base);
}
END_TEST

START_TEST(common_timeout_persistent)
{
    struct event_base *base = event_base_new();
    struct timeval d = {0, 10000};
    const struct timeval *common;
    struct stamp s = {0, 0, 0};

    ck_assert_ptr_nonnull(base);
    common = event_base_init_common_timeout(base, &d);
    ck_assert_ptr_nonnull(common);
    periodic = event_new(base, -1, EV_PERSIST, periodic_cb, &s);
    ck_assert_ptr_nonnull(periodic);
    periodic_left = 4;
    ck_assert_int_eq(event_add(periodic, common), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(s.calls, 4);
    event_free(periodic);
    event_base_free(base);
}
END_TEST

/* The time cache, seen from inside a callback.  The refreshed cached time
 * c is bracketed by two real times, one taken before the refresh and one
 * after reading c: c - before and after - c are both small but for the
 * clocks' granularity, however long the process was kept off the CPU in
 * between (a single real time taken after c made a loaded machine fail
 * the check). */
static long long cached_drift_us, update_jump_us, cached_since_before_us,
    cached_to_after_us;
static int update_rv;

static void
cache_cb(evutil_socket_t fd, short what, void *arg)
{
    struct event_base *base = arg;
    struct timeval a, b, c, before, after;

    (void)fd;
    (void)what;
    ck_assert_int_eq(event_base_gettimeofday_cached(base, &a), 0);
    spin_us(20000);
    ck_assert_int_eq(event_base_gettimeofday_cached(base, &b), 0);
    cached_drift_us = tv_diff_us(&b, &a);
    gettimeofday(&before, NULL);
    update_rv = event_base_update_cache_time(base);
    ck_assert_int_eq(event_base_gettimeofday_cached(base, &c), 0);
    gettimeofday(&after, NULL);
    update_jump_us = tv_diff_us(&c, &a);
    cached_since_before_us = tv_diff_us(&c, &before);
    cached_to_after_us = tv_diff_us(&after, &c);
}

/* The refreshed cached time lies between the real times around it, give
 * or take 50 ms for the coarse clock and the wall-clock offset. */
static void
check_cached_is_real(void)
{
    ck_assert_int_ge(cached_since_before_us, -50000);
    ck_assert_int_ge(cached_to_after_us, -50000);
}

static struct event_base *
base_with_flag(int flag)
{
    struct event_config *cfg = event_config_new();
    struct event_base *base;

    ck_assert_ptr_nonnull(cfg);
    if (flag != 0)
        ck_assert_int_eq(event_config_set_flag(cfg, flag), 0);
    base = event_base_new_with_config(cfg);
    event_config_free(cfg);
    ck_assert_ptr_nonnull(base);
    return base;
}

static void
run_cache_cb(struct event_base *base)
{
    struct event *ev = event_new(base, -1, 0, cache_cb, base);

    ck_assert_ptr_nonnull(ev);
    event_active(ev, 0, 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    event_free(ev);
}

START_TEST(cached_time_in_callback)
{
    static const int flags[] = {0, EVENT_BASE_FLAG_PRECISE_TIMER};
    size_t i;

    for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        struct event_base *base = base_with_flag(flags[i]);

        run_cache_cb(base);
        /* The cached time holds still while a callback runs... */
        ck_assert_int_eq(cached_drift_us, 0);
        /* ...until it is refreshed. */
        ck_assert_int_eq(update_rv, 0);
        ck_assert_int_ge(update_jump_us, 10000);
        check_cached_is_real();
        event_base_free(base);
    }
}
END_TEST

START_TEST(no_cache_time_flag)
{
    struct event_base *base = base_with_flag(EVENT_BASE_FLAG_NO_CACHE_TIME);

    run_cache_cb(base);
    /* Every read is fresh. */
    ck_assert_int_ge(cached_drift_us, 10000);
    ck_assert_int_eq(update_rv, 0);
    check_cached_is_real();
    event_base_free(base);
}
END_TEST

START_TEST(cached_time_outside_loop)
{
    struct event_base *base = event_base_new();
    struct timeval cached, before, after;

    ck_assert_ptr_nonnull(base);
    /* Outside the loop there is no cache: the real time comes back, between
     * the real times read around it (the upper bound has 50 ms of slack but
     * is taken after the call, so a preemption cannot break it). */
    gettimeofday(&before, NULL);
    ck_assert_int_eq(event_base_gettimeofday_cached(base, &cached), 0);
    gettimeofday(&after, NULL);
    ck_assert_int_ge(tv_diff_us(&cached, &before), 0);
    ck_assert_int_le(tv_diff_us(&cached, &after), 50000);
    spin_us(20000);
    gettimeofday(&before, NULL);
    ck_assert_int_eq(event_base_gettimeofday_cached(base, &cached), 0);
    gettimeofday(&after, NULL);
    ck_assert_int_ge(tv_diff_us(&cached, &before), 0);
    ck_assert_int_le(tv_diff_us(&cached, &after), 50000);
    ck_assert_int_eq(event_base_update_cache_time(base), 0);
    event_base_free(base);
}
END_TEST

START_TEST(monotonic_time)
{
    static const int flags[] = {0, EVENT_BASE_FLAG_PRECISE_TIMER};
    size_t i;

    for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        struct event_base *base = base_with_flag(flags[i]);
        struct timeval a, b;
        struct timespec ts;
        long long mono, diff;
        int k;

        ck_assert_int_eq(event_gettime_monotonic(base, &a), 0);
        /* Never goes backwards. */
        for (k = 0; k < 1000; k++) {
            ck_assert_int_eq(event_gettime_monotonic(base, &b), 0);
            ck_assert_int_ge(tv_diff_us(&b, &a), 0);
            a = b;
        }
        spin_us(30000);
        ck_assert_int_eq(event_gettime_monotonic(base, &b), 0);
        ck_assert_int_ge(tv_diff_us(&b, &a), 10000);
        ck_assert_int_lt(tv_diff_us(&b, &a), 5000000);
        /* It is the system's monotonic clock (give or take its
         * coarseness). */
        clock_gettime(CLOCK_MONOTONIC, &ts);
        mono = (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
        diff = mono - ((long long)b.tv_sec * 1000000 + b.tv_usec);
        ck_assert_int_ge(diff, -1000000);
        ck_assert_int_le(diff, 1000000);
        event_base_free(base);
    }
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("timers");
    TCase *basic = vt_tcase("timeouts", 10);
    TCase *common = vt_tcase("common_timeouts", 10);
    TCase *clock = vt_tcase("time", 10);

    tcase_add_checked_fixture(basic, setup, NULL);
    tcase_add_checked_fixture(common, setup, NULL);

    tcase_add_test(basic, timer_fires_after_timeout);
    tcase_add_test(basic, zero_and_null_timeouts);
    tcase_add_test(basic, negative_timeout_fires_at_once);
    tcase_add_test(basic, timers_fire_in_deadline_order);
    tcase_add_test(basic, readd_reschedules_earlier);
    tcase_add_test(basic, readd_reschedules_later);
    tcase_add_test(basic, add_without_timeout_keeps_timeout);
    tcase_add_test(basic, persistent_timer_repeats);
    tcase_add_test(basic, timer_readds_itself);
    tcase_add_test(basic, remove_timer);
    suite_add_tcase(s, basic);

    tcase_add_test(common, common_timeout_identity);
    tcase_add_test(common, common_timeout_limit);
    tcase_add_test(common, common_timeout_events_fire_in_order);
    tcase_add_test(common, common_timeout_delete_and_readd);
    tcase_add_test(common, common_timeout_persistent);
    suite_add_tcase(s, common);

    tcase_add_test(clock, cached_time_in_callback);
    tcase_add_test(clock, no_cache_time_flag);
    tcase_add_test(clock, cached_time_outside_loop);
    tcase_add_test(clock, monotonic_time);
    suite_add_tcase(s, clock);
    return vt_run(s);
}
