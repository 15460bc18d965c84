/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * vt-event.h: loop helpers for the black-box tests.  Header-only, because
 * they call the event library: each test compiles them against the headers
 * of the library it is built for (Vigil's, or Debian's for the oracle),
 * where vtest.c stays independent of both.
 */
#ifndef VIGIL_VT_EVENT_H
#define VIGIL_VT_EVENT_H

#include <event2/event.h>

#include <check.h>

/* Sets the int arg points to: the safety net of vt_wait_for went off. */
static inline void
vt_expire_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    *(int *)arg = 1;
}

/* Runs the loop until *count reaches want, or seconds pass (a safety net
 * that only a broken implementation reaches).  Returns the final count. */
static inline int
vt_wait_for_within(struct event_base *base, const int *count, int want,
                   int seconds)
{
    struct timeval limit = {seconds, 0};
    int expired = 0;
    struct event *timer = evtimer_new(base, vt_expire_cb, &expired);

    ck_assert_ptr_nonnull(timer);
    ck_assert_int_eq(evtimer_add(timer, &limit), 0);
    while (*count < want && !expired)
        ck_assert_int_ge(event_base_loop(base, EVLOOP_ONCE), 0);
    event_free(timer);
    return *count;
}

/* vt_wait_for_within with a 20 s safety net. */
static inline int
vt_wait_for(struct event_base *base, const int *count, int want)
{
    return vt_wait_for_within(base, count, want, 20);
}

/* Runs every callback that is ready now, without waiting. */
static inline void
vt_run_ready(struct event_base *base)
{
    ck_assert_int_ge(event_base_loop(base, EVLOOP_NONBLOCK), 0);
}

#endif
