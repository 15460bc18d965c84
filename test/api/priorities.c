/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * priorities.c: event priorities: lower numbers run first, for manual
 * activation, I/O and timers; event_priority_set; a busy urgent queue
 * starves less urgent ones; and event_config_set_max_dispatch_interval
 * bounds how much less urgent work runs before the loop looks for new
 * (possibly more urgent) events.
 */
#include <event2/event.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vtest.h"

static int order[256];
static int norder;

static void
order_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    if (norder < 256)
        order[norder] = (int)(long)arg;
    norder++;
}

static void
setup(void)
{
    norder = 0;
}

static void
assert_order(const int *expect, int n)
{
    int i;

    ck_assert_int_eq(norder, n);
    for (i = 0; i < n; i++)
        ck_assert_int_eq(order[i], expect[i]);
}

START_TEST(lower_number_runs_first)
{
    static const int expect[] = {0, 1, 2, 3};
    struct event_base *base = event_base_new();
    struct event *ev[4];
    int i;

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(event_base_priority_init(base, 4), 0);
    for (i = 0; i < 4; i++) {
        ev[i] = event_new(base, -1, 0, order_cb, (void *)(long)i);
        ck_assert_ptr_nonnull(ev[i]);
        ck_assert_int_eq(event_priority_set(ev[i], i), 0);
        ck_assert_int_eq(event_get_priority(ev[i]), i);
    }
    /* Activated in the opposite order. */
    for (i = 3; i >= 0; i--)
        event_active(ev[i], 0, 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    assert_order(expect, 4);
    for (i = 0; i < 4; i++)
        event_free(ev[i]);
    event_base_free(base);
}
END_TEST

START_TEST(same_priority_runs_in_activation_order)
{
    static const int expect[] = {4, 2, 0, 3, 1};
    struct event_base *base = event_base_new();
    struct event *ev[5];
    int i;

    ck_assert_ptr_nonnull(base);
    for (i = 0; i < 5; i++) {
        ev[i] = event_new(base, -1, 0, order_cb, (void *)(long)i);
        ck_assert_ptr_nonnull(ev[i]);
    }
    for (i = 0; i < 5; i++)
        event_active(ev[expect[i]], 0, 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    assert_order(expect, 5);
    for (i = 0; i < 5; i++)
        event_free(ev[i]);
    event_base_free(base);
}
END_TEST

START_TEST(priority_set_range)
{
    struct event_base *base = event_base_new();
    struct event *ev;

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(event_base_priority_init(base, 3), 0);
    ev = event_new(base, -1, 0, order_cb, NULL);
    ck_assert_ptr_nonnull(ev);
    ck_assert_int_eq(event_get_priority(ev), 1);
    ck_assert_int_eq(event_priority_set(ev, 0), 0);
    ck_assert_int_eq(event_get_priority(ev), 0);
    ck_assert_int_eq(event_priority_set(ev, 2), 0);
    ck_assert_int_eq(event_get_priority(ev), 2);
    ck_assert_int_eq(event_priority_set(ev, 3), -1);
    ck_assert_int_eq(event_priority_set(ev, -1), -1);
    ck_assert_int_eq(event_get_priority(ev), 2);
    /* Not while active. */
    event_active(ev, 0, 0);
    ck_assert_int_eq(event_priority_set(ev, 0), -1);
    ck_assert_int_eq(event_get_priority(ev), 2);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(event_priority_set(ev, 0), 0);
    event_free(ev);
    event_base_free(base);
}
END_TEST

static struct event *busy;
static int busy_left;

static void
busy_cb(evutil_socket_t fd, short what, void *arg)
{
    order_cb(fd, what, arg);
    if (--busy_left > 0)
        event_active(busy, 0, 0);
}

START_TEST(busy_urgent_queue_starves_the_rest)
{
    static const int expect[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    struct event_base *base = event_base_new();
    struct event *low;

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(event_base_priority_init(base, 2), 0);
    busy = event_new(base, -1, 0, busy_cb, (void *)0L);
    low = event_new(base, -1, 0, order_cb, (void *)1L);
    ck_assert_ptr_nonnull(busy);
    ck_assert_ptr_nonnull(low);
    ck_assert_int_eq(event_priority_set(busy, 0), 0);
    ck_assert_int_eq(event_priority_set(low, 1), 0);
    busy_left = 10;
    event_active(low, 0, 0);
    event_active(busy, 0, 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    assert_order(expect, 11);
    event_free(busy);
    event_free(low);
    event_base_free(base);
}
END_TEST

START_TEST(io_events_by_priority)
{
    static const int expect[] = {0, 1, 2};
    struct event_base *base = event_base_new();
    struct event *ev[3];
    int sp[3][2];
    int i;

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(event_base_priority_init(base, 3), 0);
    /* Added least urgent first, all readable at once. */
    for (i = 2; i >= 0; i--) {
        ck_assert_int_eq(vt_socketpair(sp[i]), 0);
        ev[i] = event_new(base, sp[i][0], EV_READ, order_cb, (void *)(long)i);
        ck_assert_ptr_nonnull(ev[i]);
        ck_assert_int_eq(event_priority_set(ev[i], i), 0);
        ck_assert_int_eq(event_add(ev[i], NULL), 0);
        ck_assert_int_eq((int)write(sp[i][1], "x", 1), 1);
    }
    ck_assert_int_eq(event_base_dispatch(base), 1);
    assert_order(expect, 3);
    for (i = 0; i < 3; i++) {
        event_free(ev[i]);
        close(sp[i][0]);
        close(sp[i][1]);
    }
    event_base_free(base);
}
END_TEST

START_TEST(timers_by_priority)
{
    static const int expect[] = {0, 1};
    struct event_base *base = event_base_new();
    struct timeval zero = {0, 0};
    struct event *hi, *lo;

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(event_base_priority_init(base, 2), 0);
    lo = evtimer_new(base, order_cb, (void *)1L);
    hi = evtimer_new(base, order_cb, (void *)0L);
    ck_assert_ptr_nonnull(lo);
    ck_assert_ptr_nonnull(hi);
    ck_assert_int_eq(event_priority_set(lo, 1), 0);
    ck_assert_int_eq(event_priority_set(hi, 0), 0);
    ck_assert_int_eq(evtimer_add(lo, &zero), 0);
    ck_assert_int_eq(evtimer_add(hi, &zero), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    assert_order(expect, 2);
    event_free(lo);
    event_free(hi);
    event_base_free(base);
}
END_TEST

/* Five less urgent (priority 1) events are active; the first one makes
 * an urgent (priority 0) read event ready.  Where the urgent one runs
 * shows how much less urgent work ran before the loop polled again. */
static int wake_fd = -1;
static long long spin_first_us;

static long long
now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
low_cb(evutil_socket_t fd, short what, void *arg)
{
    order_cb(fd, what, arg);
    if ((long)arg == 0) {
        ck_assert_int_eq((int)write(wake_fd, "x", 1), 1);
        if (spin_first_us > 0) {
            long long end = now_us() + spin_first_us;

            while (now_us() < end) {
            }
        }
    }
}

static void
run_dispatch_case(struct event_config *cfg, long long spin, const int *expect)
{
    struct event_base *base = event_base_new_with_config(cfg);
    struct event *low[5], *urgent;
    int sp[2];
    int i;

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(event_base_priority_init(base, 2), 0);
    ck_assert_int_eq(vt_socketpair(sp), 0);
    wake_fd = sp[1];
    spin_first_us = spin;
    norder = 0;
    urgent = event_new(base, sp[0], EV_READ, order_cb, (void *)100L);
    ck_assert_ptr_nonnull(urgent);
    ck_assert_int_eq(event_priority_set(urgent, 0), 0);
    ck_assert_int_eq(event_add(urgent, NULL), 0);
    for (i = 0; i < 5; i++) {
        low[i] = event_new(base, -1, 0, low_cb, (void *)(long)i);
        ck_assert_ptr_nonnull(low[i]);
        ck_assert_int_eq(event_priority_set(low[i], 1), 0);
        event_active(low[i], 0, 0);
    }
    ck_assert_int_eq(event_base_dispatch(base), 1);
    assert_order(expect, 6);
    for (i = 0; i < 5; i++)
        event_free(low[i]);
    event_free(urgent);
    close(sp[0]);
    close(sp[1]);
    event_base_free(base);
}

static const int all_low_first[] = {0, 1, 2, 3, 4, 100};
static const int urgent_second[] = {0, 100, 1, 2, 3, 4};

START_TEST(without_limit_queue_runs_to_the_end)
{
    run_dispatch_case(NULL, 0, all_low_first);
}
END_TEST

START_TEST(max_callbacks_lets_urgent_event_in)
{
    struct event_config *cfg = event_config_new();

    ck_assert_ptr_nonnull(cfg);
    ck_assert_int_eq(event_config_set_max_dispatch_interval(cfg, NULL, 1, 0),
                     0);
    run_dispatch_case(cfg, 0, urgent_second);
    event_config_free(cfg);
}
END_TEST

START_TEST(max_interval_lets_urgent_event_in)
{
    struct event_config *cfg = event_config_new();
    struct timeval tv = {0, 1000};

    /* The first callback takes 20 ms, well past the 1 ms limit. */
    ck_assert_ptr_nonnull(cfg);
    ck_assert_int_eq(event_config_set_max_dispatch_interval(cfg, &tv, -1, 0),
                     0);
    run_dispatch_case(cfg, 20000, urgent_second);
    event_config_free(cfg);
}
END_TEST

START_TEST(min_priority_exempts_more_urgent_queues)
{
    struct event_config *cfg = event_config_new();

    /* Limits enforced from priority 2 on: the priority-1 queue is
     * exempt and runs to its end. */
    ck_assert_ptr_nonnull(cfg);
    ck_assert_int_eq(event_config_set_max_dispatch_interval(cfg, NULL, 1, 2),
                     0);
    run_dispatch_case(cfg, 0, all_low_first);
    event_config_free(cfg);

    /* From priority 1 on: enforced for it. */
    cfg = event_config_new();
    ck_assert_ptr_nonnull(cfg);
    ck_assert_int_eq(event_config_set_max_dispatch_interval(cfg, NULL, 1, 1),
                     0);
    run_dispatch_case(cfg, 0, urgent_second);
    event_config_free(cfg);
}
END_TEST

/* Issue 13: an event of a more urgent priority, activated from inside a
 * callback, runs before the remaining callbacks of the running priority
 * (libevent stops that queue after the running callback and starts again
 * from the most urgent one).  One of the running priority itself goes to
 * the end of its queue. */
static struct event *urgent_ev, *same_prio_ev;

static void
activating_cb(evutil_socket_t fd, short what, void *arg)
{
    order_cb(fd, what, arg);
    if ((long)arg == 10)
        event_active(urgent_ev, EV_TIMEOUT, 1);
    if ((long)arg == 11)
        event_active(same_prio_ev, EV_TIMEOUT, 1);
}

START_TEST(urgent_activation_preempts_running_queue)
{
    /* A = 10, B = 11, C = 12 at priority 1; D = 20 at priority 2; A
     * activates H = 0 at priority 0, B activates h = 13 at priority 1. */
    static const int expect[] = {10, 0, 11, 12, 13, 20};
    static const int tags[] = {10, 11, 12, 20};
    static const int prios[] = {1, 1, 1, 2};
    struct event_base *base = event_base_new();
    struct event *ev[4];
    int i;

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(event_base_priority_init(base, 3), 0);
    urgent_ev = event_new(base, -1, 0, order_cb, (void *)0L);
    same_prio_ev = event_new(base, -1, 0, order_cb, (void *)13L);
    ck_assert_ptr_nonnull(urgent_ev);
    ck_assert_ptr_nonnull(same_prio_ev);
    ck_assert_int_eq(event_priority_set(urgent_ev, 0), 0);
    ck_assert_int_eq(event_priority_set(same_prio_ev, 1), 0);
    for (i = 0; i < 4; i++) {
        ev[i] = event_new(base, -1, 0, activating_cb, (void *)(long)tags[i]);
        ck_assert_ptr_nonnull(ev[i]);
        ck_assert_int_eq(event_priority_set(ev[i], prios[i]), 0);
    }
    for (i = 0; i < 4; i++)
        event_active(ev[i], EV_TIMEOUT, 1);
    /* One EVLOOP_ONCE runs everything: the loop goes on while callbacks
     * are active. */
    ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE), 0);
    assert_order(expect, 6);

    for (i = 0; i < 4; i++)
        event_free(ev[i]);
    event_free(urgent_ev);
    event_free(same_prio_ev);
    event_base_free(base);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("priorities");
    TCase *tc = vt_tcase("priorities", 10);
    TCase *lim = vt_tcase("max_dispatch_interval", 10);

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_checked_fixture(lim, setup, NULL);

    tcase_add_test(tc, lower_number_runs_first);
    tcase_add_test(tc, same_priority_runs_in_activation_order);
    tcase_add_test(tc, priority_set_range);
    tcase_add_test(tc, busy_urgent_queue_starves_the_rest);
    tcase_add_test(tc, io_events_by_priority);
    tcase_add_test(tc, timers_by_priority);
    tcase_add_test(tc, urgent_activation_preempts_running_queue);
    suite_add_tcase(s, tc);

    tcase_add_test(lim, without_limit_queue_runs_to_the_end);
    tcase_add_test(lim, max_callbacks_lets_urgent_event_in);
    tcase_add_test(lim, max_interval_lets_urgent_event_in);
    tcase_add_test(lim, min_priority_exempts_more_urgent_queues);
    suite_add_tcase(s, lim);
    return vt_run(s);
}
