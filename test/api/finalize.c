/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * finalize.c: event_finalize and event_free_finalize: the finalizer runs
 * later, from the loop, at the event's priority, once; the event's own
 * callback no longer runs; event_base_free runs finalizers still waiting,
 * event_base_free_nofinalize does not.  Also events made with
 * EV_FINALIZE.
 */
#include <event2/event.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vtest.h"

static int cb_calls;

static void
event_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    cb_calls++;
}

struct fin_rec {
    int calls;
    struct event *ev;
    void *arg;
};

static struct fin_rec fin;
static int order[16];
static int norder;

static void
finalizer(struct event *ev, void *arg)
{
    fin.calls++;
    fin.ev = ev;
    fin.arg = arg;
    if (norder < 16)
        order[norder] = 100;
    norder++;
}

static void
order_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    if (norder < 16)
        order[norder] = (int)(long)arg;
    norder++;
}

static void
setup(void)
{
    cb_calls = 0;
    norder = 0;
    memset(&fin, 0, sizeof(fin));
}

START_TEST(finalizer_runs_from_the_loop)
{
    struct event_base *base = event_base_new();
    struct timeval tv = {0, 10000};
    struct event *ev;
    int tag = 5;

    ck_assert_ptr_nonnull(base);
    ev = event_new(base, -1, 0, event_cb, &tag);
    ck_assert_ptr_nonnull(ev);
    ck_assert_int_eq(evtimer_add(ev, &tv), 0);
    ck_assert_int_eq(event_finalize(0, ev, finalizer), 0);
    /* Not yet: it runs from the loop. */
    ck_assert_int_eq(fin.calls, 0);
    ck_assert_int_eq(evtimer_pending(ev, NULL), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(fin.calls, 1);
    ck_assert_ptr_eq(fin.ev, ev);
    /* The finalizer gets the event's callback argument. */
    ck_assert_ptr_eq(fin.arg, &tag);
    ck_assert_int_eq(cb_calls, 0);
    /* The event was not freed: its memory is ours to release. */
    free(ev);
    event_base_free(base);
}
END_TEST

START_TEST(finalized_event_cannot_be_revived)
{
    struct event_base *base = event_base_new();
    struct timeval tv = {0, 1000};
    struct event *ev;

    ck_assert_ptr_nonnull(base);
    ev = event_new(base, -1, 0, event_cb, NULL);
    ck_assert_ptr_nonnull(ev);
    ck_assert_int_eq(event_finalize(0, ev, finalizer), 0);
    ck_assert_int_eq(event_add(ev, &tv), -1);
    event_active(ev, EV_READ, 0);
    ck_assert_int_eq(event_del(ev), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(fin.calls, 1);
    ck_assert_int_eq(cb_calls, 0);
    free(ev);
    event_base_free(base);
}
END_TEST

START_TEST(finalize_twice_runs_once)
{
    struct event_base *base = event_base_new();
    struct event *ev;

    ck_assert_ptr_nonnull(base);
    ev = event_new(base, -1, 0, event_cb, NULL);
    ck_assert_ptr_nonnull(ev);
    ck_assert_int_eq(event_finalize(0, ev, finalizer), 0);
    ck_assert_int_eq(event_finalize(0, ev, finalizer), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(fin.calls, 1);
    free(ev);
    event_base_free(base);
}
END_TEST

START_TEST(free_finalize_active_and_pending)
{
    struct event_base *base = event_base_new();
    struct timeval tv = {0, 1000};
    struct event *active, *pending, *io;
    int sp[2];

    /* The sanitizer build checks the events really are freed. */
    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(vt_socketpair(sp), 0);
    ck_assert_int_eq((int)write(sp[1], "x", 1), 1);
    active = event_new(base, -1, 0, event_cb, NULL);
    pending = evtimer_new(base, event_cb, NULL);
    io = event_new(base, sp[0], EV_READ | EV_PERSIST, event_cb, NULL);
    ck_assert_ptr_nonnull(active);
    ck_assert_ptr_nonnull(pending);
    ck_assert_ptr_nonnull(io);
    event_active(active, 0, 0);
    ck_assert_int_eq(evtimer_add(pending, &tv), 0);
    ck_assert_int_eq(event_add(io, NULL), 0);
    ck_assert_int_eq(event_free_finalize(0, active, finalizer), 0);
    ck_assert_int_eq(event_free_finalize(0, pending, finalizer), 0);
    ck_assert_int_eq(event_free_finalize(0, io, finalizer), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(fin.calls, 3);
    ck_assert_int_eq(cb_calls, 0);
    close(sp[0]);
    close(sp[1]);
    event_base_free(base);
}
END_TEST

START_TEST(finalizer_runs_at_event_priority)
{
    static const int expect[] = {100, 1, 100};
    struct event_base *base = event_base_new();
    struct event *urgent, *middle, *late;
    int i;

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(event_base_priority_init(base, 3), 0);
    urgent = event_new(base, -1, 0, event_cb, NULL);
    middle = event_new(base, -1, 0, order_cb, (void *)1L);
    late = event_new(base, -1, 0, event_cb, NULL);
    ck_assert_ptr_nonnull(urgent);
    ck_assert_ptr_nonnull(middle);
    ck_assert_ptr_nonnull(late);
    ck_assert_int_eq(event_priority_set(urgent, 0), 0);
    ck_assert_int_eq(event_priority_set(middle, 1), 0);
    ck_assert_int_eq(event_priority_set(late, 2), 0);
    event_active(middle, 0, 0);
    ck_assert_int_eq(event_finalize(0, late, finalizer), 0);
    ck_assert_int_eq(event_finalize(0, urgent, finalizer), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(norder, 3);
    for (i = 0; i < 3; i++)
        ck_assert_int_eq(order[i], expect[i]);
    free(urgent);
    free(late);
    event_free(middle);
    event_base_free(base);
}
END_TEST

static void
finalize_self_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    cb_calls++;
    ck_assert_int_eq(event_free_finalize(0, arg, finalizer), 0);
}

START_TEST(free_finalize_from_own_callback)
{
    struct event_base *base = event_base_new();
    struct event *ev;

    ck_assert_ptr_nonnull(base);
    ev = event_new(base, -1, EV_PERSIST, finalize_self_cb, event_self_cbarg());
    ck_assert_ptr_nonnull(ev);
    event_active(ev, 0, 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(cb_calls, 1);
    ck_assert_int_eq(fin.calls, 1);
    ck_assert_ptr_eq(fin.ev, ev);
    event_base_free(base);
}
END_TEST

START_TEST(base_free_runs_waiting_finalizers)
{
    struct event_base *base = event_base_new();
    struct event *a, *b;

    ck_assert_ptr_nonnull(base);
    a = event_new(base, -1, 0, event_cb, NULL);
    b = event_new(base, -1, 0, event_cb, NULL);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(event_finalize(0, a, finalizer), 0);
    ck_assert_int_eq(event_free_finalize(0, b, finalizer), 0);
    event_base_free(base);
    ck_assert_int_eq(fin.calls, 2);
    ck_assert_int_eq(cb_calls, 0);
    free(a);
}
END_TEST

START_TEST(base_free_nofinalize_skips_them)
{
    struct event_base *base = event_base_new();
    struct event *ev = calloc(1, event_get_struct_event_size());

    ck_assert_ptr_nonnull(base);
    ck_assert_ptr_nonnull(ev);
    ck_assert_int_eq(event_assign(ev, base, -1, 0, event_cb, NULL), 0);
    ck_assert_int_eq(event_finalize(0, ev, finalizer), 0);
    event_base_free_nofinalize(base);
    ck_assert_int_eq(fin.calls, 0);
    ck_assert_int_eq(cb_calls, 0);
    free(ev);
}
END_TEST

START_TEST(ev_finalize_events_work_normally)
{
    struct event_base *base = event_base_new();
    struct timeval tv = {0, 1000};
    struct event *ev, *io;
    int sp[2];

    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(vt_socketpair(sp), 0);
    ev = event_new(base, -1, EV_FINALIZE, event_cb, NULL);
    io = event_new(base, sp[0], EV_READ | EV_FINALIZE, event_cb, NULL);
    ck_assert_ptr_nonnull(ev);
    ck_assert_ptr_nonnull(io);
    ck_assert_int_eq(event_get_events(ev), EV_FINALIZE);
    ck_assert_int_eq(event_get_events(io), EV_READ | EV_FINALIZE);
    ck_assert_int_eq(evtimer_add(ev, &tv), 0);
    ck_assert_int_eq(event_add(io, NULL), 0);
    ck_assert_int_eq((int)write(sp[1], "x", 1), 1);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(cb_calls, 2);
    ck_assert_int_eq(event_add(io, NULL), 0);
    ck_assert_int_eq(event_del(io), 0);
    ck_assert_int_eq(event_pending(io, EV_READ, NULL), 0);
    event_free(ev);
    ck_assert_int_eq(event_free_finalize(0, io, finalizer), 0);
    ck_assert_int_eq(event_base_dispatch(base), 1);
    ck_assert_int_eq(fin.calls, 1);
    close(sp[0]);
    close(sp[1]);
    event_base_free(base);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("finalize");
    TCase *tc = vt_tcase("finalize", 10);

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, finalizer_runs_from_the_loop);
    tcase_add_test(tc, finalized_event_cannot_be_revived);
    tcase_add_test(tc, finalize_twice_runs_once);
    tcase_add_test(tc, free_finalize_active_and_pending);
    tcase_add_test(tc, finalizer_runs_at_event_priority);
    tcase_add_test(tc, free_finalize_from_own_callback);
    tcase_add_test(tc, base_free_runs_waiting_finalizers);
    tcase_add_test(tc, base_free_nofinalize_skips_them);
    tcase_add_test(tc, ev_finalize_events_work_normally);
    suite_add_tcase(s, tc);
    return vt_run(s);
}
