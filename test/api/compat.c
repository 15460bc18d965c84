/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * compat.c: the libevent 1.x API of event2/event_compat.h and the
 * "current base" it works on: event_init, event_set, event_base_set,
 * event_dispatch, event_loop, event_loopexit, event_loopbreak,
 * event_once, event_get_method, event_priority_init, and the old
 * evtimer_set, evsignal_set, timeout_* and signal_* macros.
 */
#include <event2/event.h>
#include <event2/event_compat.h>
#include <event2/event_struct.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vtest.h"

struct rec {
    int calls;
    short res;
    evutil_socket_t fd;
};

static struct rec rec_a, rec_b;

static void
record_cb(evutil_socket_t fd, short what, void *arg)
{
    struct rec *r = arg;

    r->calls++;
    r->res = what;
    r->fd = fd;
}

static void
setup(void)
{
    memset(&rec_a, 0, sizeof(rec_a));
    memset(&rec_b, 0, sizeof(rec_b));
}

START_TEST(event_init_makes_current_base)
{
    struct event_base *base = event_init();

    ck_assert_ptr_nonnull(base);
    ck_assert_ptr_nonnull(event_get_method());
    ck_assert_str_eq(event_get_method(), event_base_get_method(base));
    ck_assert_int_eq(event_base_get_npriorities(base), 1);
    ck_assert_int_eq(event_priority_init(3), 0);
    ck_assert_int_eq(event_base_get_npriorities(base), 3);
    ck_assert_int_eq(event_priority_init(0), -1);
    ck_assert_int_eq(event_base_get_npriorities(base), 3);
    /* Empty: the loop has nothing to do. */
    ck_assert_int_eq(event_dispatch(), 1);
    ck_assert_int_eq(event_loop(EVLOOP_NONBLOCK), 1);
    event_base_free(base);
}
END_TEST

START_TEST(event_set_uses_current_base)
{
    struct event_base *base = event_init();
    struct event ev;
    int sp[2];

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(event_priority_init(5), 0);
    ck_assert_int_eq(vt_socketpair(sp), 0);
    memset(&ev, 0, sizeof(ev));
    event_set(&ev, sp[0], EV_READ, record_cb, &rec_a);
    ck_assert_int_eq(event_initialized(&ev), 1);
    ck_assert_ptr_eq(event_get_base(&ev), base);
    ck_assert_int_eq((int)event_get_fd(&ev), sp[0]);
    ck_assert_int_eq(EVENT_FD(&ev), sp[0]);
    ck_assert_int_eq(event_get_events(&ev), EV_READ);
    ck_assert_int_eq(event_get_priority(&ev), 2);
    ck_assert_int_eq(event_add(&ev, NULL), 0);
    ck_assert_int_eq((int)write(sp[1], "x", 1), 1);
    ck_assert_int_eq(event_dispatch(), 1);
    ck_assert_int_eq(rec_a.calls, 1);
    ck_assert_int_eq(rec_a.res, EV_READ);
    close(sp[0]);
    close(sp[1]);
    event_base_free(base);
}
END_TEST

START_TEST(old_timer_and_signal_macros)
{
    struct event_base *base = event_init();
    struct timeval tv = {0, 2000};
    struct event t1, t2, s1, s2;

    ck_assert_ptr_nonnull(base);
    evtimer_set(&t1, record_cb, &rec_a);
    timeout_set(&t2, record_cb, &rec_a);
    ck_assert_int_eq(timeout_initialized(&t2), 1);
    ck_assert_int_eq(evtimer_add(&t1, &tv), 0);
    ck_assert_int_eq(timeout_add(&t2, &tv), 0);
    ck_assert_int_ne(timeout_pending(&t2, NULL), 0);
    ck_assert_int_eq(timeout_del(&t2), 0);
    ck_assert_int_eq(timeout_pending(&t2, NULL), 0);
    ck_assert_int_eq(timeout_add(&t2, &tv), 0);
    ck_assert_int_eq(event_dispatch(), 1);
    ck_assert_int_eq(rec_a.calls, 2);
    ck_assert_int_eq(rec_a.res, EV_TIMEOUT);

    evsignal_set(&s1, SIGUSR1, record_cb, &rec_b);
    signal_set(&s2, SIGUSR2, record_cb, &rec_b);
    ck_assert_int_eq(signal_initialized(&s2), 1);
    ck_assert_int_eq(EVENT_SIGNAL(&s1), SIGUSR1);
    ck_assert_int_eq(event_get_events(&s2), EV_SIGNAL | EV_PERSIST);
    ck_assert_int_eq(evsignal_add(&s1, NULL), 0);
    ck_assert_int_eq(signal_add(&s2, NULL), 0);
    ck_assert_int_eq(signal_pending(&s2, NULL), EV_SIGNAL);
    ck_assert_int_eq(raise(SIGUSR1), 0);
    ck_assert_int_eq(raise(SIGUSR2), 0);
    ck_assert_int_eq(event_loop(EVLOOP_ONCE), 0);
    ck_assert_int_eq(rec_b.calls, 2);
    ck_assert_int_eq(rec_b.res, EV_SIGNAL);
    ck_assert_int_eq(evsignal_del(&s1), 0);
    ck_assert_int_eq(signal_del(&s2), 0);
    ck_assert_int_eq(signal_pending(&s2, NULL), 0);
    event_base_free(base);
}
END_TEST

static void
break_cb(evutil_socket_t fd, short what, void *arg)
{
    record_cb(fd, what, arg);
    ck_assert_int_eq(event_loopbreak(), 0);
}

/* The ticker asks for the loop's exit, 10 ms later, on its second run:
 * a fixed exit time would let a machine that stalls the test for the
 * whole delay see a single tick. */
static void
tick_then_exit_cb(evutil_socket_t fd, short what, void *arg)
{
    struct timeval delay = {0, 10000};

    record_cb(fd, what, arg);
    if (rec_a.calls == 2)
        ck_assert_int_eq(event_loopexit(&delay), 0);
}

START_TEST(loopexit_and_loopbreak)
{
    struct event_base *base = event_init();
    struct timeval tick = {0, 5000};
    struct event ticker, a, b;

    ck_assert_ptr_nonnull(base);
    event_set(&ticker, -1, EV_PERSIST, tick_then_exit_cb, &rec_a);
    ck_assert_int_eq(event_add(&ticker, &tick), 0);
    ck_assert_int_eq(event_dispatch(), 0);
    ck_assert_int_eq(event_base_got_exit(base), 1);
    ck_assert_int_ge(rec_a.calls, 2);
    ck_assert_int_eq(event_del(&ticker), 0);

    /* loopbreak from a callback: the other active one waits. */
    event_set(&a, -1, 0, break_cb, &rec_b);
    event_set(&b, -1, 0, break_cb, &rec_b);
    event_active(&a, 0, 0);
    event_active(&b, 0, 0);
    ck_assert_int_eq(event_loop(0), 0);
    ck_assert_int_eq(rec_b.calls, 1);
    ck_assert_int_eq(event_base_got_break(base), 1);
    ck_assert_int_eq(event_loop(EVLOOP_NONBLOCK | EVLOOP_ONCE), 0);
    ck_assert_int_eq(rec_b.calls, 2);
    event_base_free(base);
}
END_TEST

START_TEST(event_once_on_current_base)
{
    struct event_base *base = event_init();
    struct timeval tv = {0, 1000};

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(event_once(-1, EV_TIMEOUT, record_cb, &rec_a, &tv), 0);
    ck_assert_int_eq(event_base_get_num_events(base, EVENT_BASE_COUNT_ADDED),
                     1);
    ck_assert_int_eq(event_dispatch(), 1);
    ck_assert_int_eq(rec_a.calls, 1);
    ck_assert_int_eq(rec_a.res, EV_TIMEOUT);
    ck_assert_int_eq(
        event_once(-1, EV_TIMEOUT | EV_PERSIST, record_cb, &rec_a, &tv), -1);
    event_base_free(base);
}
END_TEST

START_TEST(event_base_set_moves_event)
{
    struct event_base *one = event_base_new();
    struct event_base *two = event_base_new();
    struct timeval tv = {0, 1000};
    struct event *ev;

    ck_assert_ptr_nonnull(one);
    ck_assert_ptr_nonnull(two);
    ck_assert_int_eq(event_base_priority_init(two, 5), 0);
    ev = evtimer_new(one, record_cb, &rec_a);
    ck_assert_ptr_nonnull(ev);
    ck_assert_int_eq(event_get_priority(ev), 0);
    ck_assert_int_eq(event_base_set(two, ev), 0);
    ck_assert_ptr_eq(event_get_base(ev), two);
    /* It takes the new base's middle priority. */
    ck_assert_int_eq(event_get_priority(ev), 2);
    ck_assert_int_eq(evtimer_add(ev, &tv), 0);
    /* Not while pending. */
    ck_assert_int_eq(event_base_set(one, ev), -1);
    ck_assert_ptr_eq(event_get_base(ev), two);
    ck_assert_int_eq(event_base_dispatch(one), 1);
    ck_assert_int_eq(rec_a.calls, 0);
    ck_assert_int_eq(event_base_dispatch(two), 1);
    ck_assert_int_eq(rec_a.calls, 1);
    event_free(ev);
    event_base_free(one);
    event_base_free(two);
}
END_TEST

START_TEST(event_base_set_gives_event_a_base)
{
    struct event_base *base;
    struct event ev;

    /* Before any event_init there is no current base: event_set leaves
     * the event without one until event_base_set. */
    memset(&ev, 0, sizeof(ev));
    event_set(&ev, -1, 0, record_cb, &rec_a);
    ck_assert_ptr_null(event_get_base(&ev));
    base = event_base_new();
    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(event_base_set(base, &ev), 0);
    ck_assert_ptr_eq(event_get_base(&ev), base);
    event_active(&ev, EV_READ, 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(rec_a.calls, 1);
    event_base_free(base);
}
END_TEST

START_TEST(free_null_frees_current_base)
{
    struct event_base *base = event_init();
    struct timeval tv = {0, 1000};

    ck_assert_ptr_nonnull(base);
    /* NULL means the current base (the sanitizer build checks it really
     * is freed). */
    event_base_free(NULL);
    base = event_init();
    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(event_once(-1, EV_TIMEOUT, record_cb, &rec_a, &tv), 0);
    ck_assert_int_eq(event_dispatch(), 1);
    ck_assert_int_eq(rec_a.calls, 1);
    event_base_free(NULL);
}
END_TEST

START_TEST(second_event_init_replaces_current)
{
    struct event_base *first = event_init();
    struct event_base *second = event_init();
    struct event ev;

    ck_assert_ptr_nonnull(first);
    ck_assert_ptr_nonnull(second);
    ck_assert_ptr_ne(first, second);
    event_set(&ev, -1, 0, record_cb, &rec_a);
    ck_assert_ptr_eq(event_get_base(&ev), second);
    event_base_free(first);
    event_base_free(second);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("compat");
    TCase *tc = vt_tcase("compat", 10);

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, event_init_makes_current_base);
    tcase_add_test(tc, event_set_uses_current_base);
    tcase_add_test(tc, old_timer_and_signal_macros);
    tcase_add_test(tc, loopexit_and_loopbreak);
    tcase_add_test(tc, event_once_on_current_base);
    tcase_add_test(tc, event_base_set_moves_event);
    tcase_add_test(tc, event_base_set_gives_event_a_base);
    tcase_add_test(tc, free_null_frees_current_base);
    tcase_add_test(tc, second_event_init_replaces_current);
    suite_add_tcase(s, tc);
    return vt_run(s);
}
