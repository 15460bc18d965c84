/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * once_active.c: event_base_once (timeouts, I/O, refused flag
 * combinations, freed with the base when it never ran) and event_active
 * (the result flags handed to the callback, merging, activation from a
 * callback, activating pending I/O and timer events).
 */
#include <event2/event.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vtest.h"

struct rec {
    int calls;
    short res;
    evutil_socket_t fd;
    void *arg;
};

static struct rec rec_a, rec_b;

static void
record_cb(evutil_socket_t fd, short what, void *arg)
{
    struct rec *r = arg;

    r->calls++;
    r->res = what;
    r->fd = fd;
    r->arg = arg;
}

static void
setup(void)
{
    memset(&rec_a, 0, sizeof(rec_a));
    memset(&rec_b, 0, sizeof(rec_b));
}

static int
added(struct event_base *base)
{
    return event_base_get_num_events(base, EVENT_BASE_COUNT_ADDED);
}

START_TEST(once_timeout_runs_once)
{
    struct event_base *base = event_base_new();
    struct timeval tv = {0, 20000};

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(
        event_base_once(base, -1, EV_TIMEOUT, record_cb, &rec_a, &tv), 0);
    ck_assert_int_eq(added(base), 1);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(rec_a.calls, 1);
    ck_assert_int_eq(rec_a.res, EV_TIMEOUT);
    ck_assert_int_eq((int)rec_a.fd, -1);
    ck_assert_ptr_eq(rec_a.arg, &rec_a);
    ck_assert_int_eq(added(base), 0);
    /* Nothing left to run. */
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(rec_a.calls, 1);
    event_base_free(base);
}
END_TEST

START_TEST(once_null_timeout_runs_now)
{
    struct event_base *base = event_base_new();

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(
        event_base_once(base, -1, EV_TIMEOUT, record_cb, &rec_a, NULL), 0);
    ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK), 0);
    ck_assert_int_eq(rec_a.calls, 1);
    ck_assert_int_eq(rec_a.res, EV_TIMEOUT);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    event_base_free(base);
}
END_TEST

START_TEST(once_io)
{
    struct event_base *base = event_base_new();
    struct timeval tv = {0, 20000};
    int sp[2];

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(vt_socketpair(sp), 0);
    /* Writable at once. */
    ck_assert_int_eq(
        event_base_once(base, sp[0], EV_WRITE, record_cb, &rec_a, NULL), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(rec_a.calls, 1);
    ck_assert_int_eq(rec_a.res, EV_WRITE);
    ck_assert_int_eq((int)rec_a.fd, sp[0]);

    /* Nothing to read before the timeout. */
    ck_assert_int_eq(
        event_base_once(base, sp[0], EV_READ, record_cb, &rec_b, &tv), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(rec_b.calls, 1);
    ck_assert_int_eq(rec_b.res, EV_TIMEOUT);

    /* Something to read, once, though it stays readable. */
    ck_assert_int_eq((int)write(sp[1], "x", 1), 1);
    ck_assert_int_eq(
        event_base_once(base, sp[0], EV_READ, record_cb, &rec_b, &tv), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(rec_b.calls, 2);
    ck_assert_int_eq(rec_b.res, EV_READ);
    ck_assert_int_eq((int)rec_b.fd, sp[0]);
    close(sp[0]);
    close(sp[1]);
    event_base_free(base);
}
END_TEST

START_TEST(once_refuses_bad_flags)
{
    struct event_base *base = event_base_new();
    int sp[2];

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(vt_socketpair(sp), 0);
    ck_assert_int_eq(event_base_once(base, -1, EV_TIMEOUT | EV_PERSIST,
                                     record_cb, &rec_a, NULL),
                     -1);
    ck_assert_int_eq(event_base_once(base, sp[0], EV_READ | EV_PERSIST,
                                     record_cb, &rec_a, NULL),
                     -1);
    ck_assert_int_eq(
        event_base_once(base, SIGUSR1, EV_SIGNAL, record_cb, &rec_a, NULL), -1);
    /* No condition at all. */
    ck_assert_int_eq(event_base_once(base, -1, 0, record_cb, &rec_a, NULL), -1);
    ck_assert_int_eq(added(base), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(rec_a.calls, 0);
    close(sp[0]);
    close(sp[1]);
    event_base_free(base);
}
END_TEST

START_TEST(once_freed_with_base_without_running)
{
    struct event_base *base = event_base_new();
    struct timeval tv = {10, 0};
    int sp[2];

    /* A leak checker (the sanitizer build) verifies they are freed. */
    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(vt_socketpair(sp), 0);
    ck_assert_int_eq(
        event_base_once(base, -1, EV_TIMEOUT, record_cb, &rec_a, &tv), 0);
    ck_assert_int_eq(
        event_base_once(base, sp[0], EV_READ, record_cb, &rec_a, NULL), 0);
    ck_assert_int_eq(
        event_base_once(base, -1, EV_TIMEOUT, record_cb, &rec_a, NULL), 0);
    ck_assert_int_eq(added(base), 3);
    event_base_free(base);
    ck_assert_int_eq(rec_a.calls, 0);
    close(sp[0]);
    close(sp[1]);
}
END_TEST

START_TEST(many_once_events)
{
    struct event_base *base = event_base_new();
    struct timeval tv = {0, 0};
    int i;

    ck_assert_ptr_nonnull(base);
    for (i = 0; i < 500; i++)
        ck_assert_int_eq(
            event_base_once(base, -1, EV_TIMEOUT, record_cb, &rec_a, &tv), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(rec_a.calls, 500);
    event_base_free(base);
}
END_TEST

static struct event_base *cb_base;

static void
schedule_once_cb(evutil_socket_t fd, short what, void *arg)
{
    struct timeval tv = {0, 1000};

    record_cb(fd, what, arg);
    ck_assert_int_eq(
        event_base_once(cb_base, -1, EV_TIMEOUT, record_cb, &rec_b, &tv), 0);
}

START_TEST(once_from_a_callback)
{
    struct event_base *base = event_base_new();

    ck_assert_ptr_nonnull(base);
    cb_base = base;
    ck_assert_int_eq(
        event_base_once(base, -1, EV_TIMEOUT, schedule_once_cb, &rec_a, NULL),
        0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(rec_a.calls, 1);
    ck_assert_int_eq(rec_b.calls, 1);
    event_base_free(base);
}
END_TEST

START_TEST(active_passes_result_flags)
{
    static const short flags[] = {0,         EV_READ,
                                  EV_WRITE,  EV_TIMEOUT,
                                  EV_SIGNAL, EV_READ | EV_WRITE | EV_TIMEOUT,
                                  EV_CLOSED};
    struct event_base *base = event_base_new();
    struct event *ev;
    size_t i;

    ck_assert_ptr_nonnull(base);
    ev = event_new(base, -1, 0, record_cb, &rec_a);
    ck_assert_ptr_nonnull(ev);
    for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        /* The obsolete ncalls argument is ignored. */
        event_active(ev, flags[i], 5);
        ck_assert_int_eq(event_base_dispatch(base), 1);
        ck_assert_int_eq(rec_a.calls, (int)i + 1);
        ck_assert_int_eq(rec_a.res, flags[i]);
    }
    event_free(ev);
    event_base_free(base);
}
END_TEST

START_TEST(active_twice_merges)
{
    struct event_base *base = event_base_new();
    struct event *ev;

    ck_assert_ptr_nonnull(base);
    ev = event_new(base, -1, 0, record_cb, &rec_a);
    ck_assert_ptr_nonnull(ev);
    event_active(ev, EV_READ, 0);
    event_active(ev, EV_WRITE, 0);
    event_active(ev, EV_READ, 0);
    ck_assert_int_eq(event_base_get_num_events(base, EVENT_BASE_COUNT_ACTIVE),
                     1);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(rec_a.calls, 1);
    ck_assert_int_eq(rec_a.res, EV_READ | EV_WRITE);
    event_free(ev);
    event_base_free(base);
}
END_TEST

static struct event *to_activate;
static int self_left;

static void
activate_other_cb(evutil_socket_t fd, short what, void *arg)
{
    record_cb(fd, what, arg);
    event_active(to_activate, EV_WRITE, 0);
}

static void
self_cb(evutil_socket_t fd, short what, void *arg)
{
    record_cb(fd, what, &rec_b);
    if (--self_left > 0)
        event_active(arg, EV_READ, 0);
}

START_TEST(active_from_a_callback)
{
    struct event_base *base = event_base_new();
    struct event *a, *b, *self;

    ck_assert_ptr_nonnull(base);
    a = event_new(base, -1, 0, activate_other_cb, &rec_a);
    b = event_new(base, -1, 0, record_cb, &rec_b);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    to_activate = b;
    event_active(a, 0, 0);
    ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE), 0);
    ck_assert_int_eq(rec_a.calls, 1);
    ck_assert_int_eq(rec_b.calls, 1);
    ck_assert_int_eq(rec_b.res, EV_WRITE);

    /* An event activating itself runs again. */
    memset(&rec_b, 0, sizeof(rec_b));
    self = event_new(base, -1, 0, self_cb, event_self_cbarg());
    ck_assert_ptr_nonnull(self);
    self_left = 10;
    event_active(self, 0, 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(rec_b.calls, 10);
    ck_assert_int_eq(rec_b.res, EV_READ);
    event_free(a);
    event_free(b);
    event_free(self);
    event_base_free(base);
}
END_TEST

START_TEST(active_on_pending_events)
{
    struct event_base *base = event_base_new();
    struct timeval tv = {10, 0};
    struct event *once, *persist, *t;
    int sp[2];

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(vt_socketpair(sp), 0);
    once = event_new(base, sp[0], EV_READ, record_cb, &rec_a);
    persist = event_new(base, sp[0], EV_READ | EV_PERSIST, record_cb, &rec_b);
    t = evtimer_new(base, record_cb, &rec_a);
    ck_assert_ptr_nonnull(once);
    ck_assert_ptr_nonnull(persist);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(event_add(once, NULL), 0);
    ck_assert_int_eq(event_add(persist, NULL), 0);

    /* Nothing is readable; activation runs them anyway. */
    event_active(once, EV_WRITE, 0);
    event_active(persist, EV_TIMEOUT, 0);
    ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK), 0);
    ck_assert_int_eq(rec_a.calls, 1);
    ck_assert_int_eq(rec_a.res, EV_WRITE);
    ck_assert_int_eq(rec_b.calls, 1);
    ck_assert_int_eq(rec_b.res, EV_TIMEOUT);
    /* Afterwards a one-shot event is no longer pending; a persistent one
     * still is. */
    ck_assert_int_eq(event_pending(once, EV_READ, NULL), 0);
    ck_assert_int_eq(event_pending(persist, EV_READ, NULL), EV_READ);

    /* Same for a timer. */
    ck_assert_int_eq(evtimer_add(t, &tv), 0);
    event_active(t, EV_READ, 0);
    ck_assert_int_eq(event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK), 0);
    ck_assert_int_eq(rec_a.calls, 2);
    ck_assert_int_eq(rec_a.res, EV_READ);
    ck_assert_int_eq(evtimer_pending(t, NULL), 0);

    event_free(once);
    event_free(persist);
    event_free(t);
    close(sp[0]);
    close(sp[1]);
    event_base_free(base);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("once_active");
    TCase *once = vt_tcase("once", 10);
    TCase *active = vt_tcase("active", 10);

    tcase_add_checked_fixture(once, setup, NULL);
    tcase_add_checked_fixture(active, setup, NULL);

    tcase_add_test(once, once_timeout_runs_once);
    tcase_add_test(once, once_null_timeout_runs_now);
    tcase_add_test(once, once_io);
    tcase_add_test(once, once_refuses_bad_flags);
    tcase_add_test(once, once_freed_with_base_without_running);
    tcase_add_test(once, many_once_events);
    tcase_add_test(once, once_from_a_callback);
    suite_add_tcase(s, once);

    tcase_add_test(active, active_passes_result_flags);
    tcase_add_test(active, active_twice_merges);
    tcase_add_test(active, active_from_a_callback);
    tcase_add_test(active, active_on_pending_events);
    suite_add_tcase(s, active);
    return vt_run(s);
}
