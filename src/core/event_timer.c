/*
 * Vigil: a clean-room libevent 2.1 for Linux.
 *
 * event_timer.c: timers.  An event with a timeout is in the min-heap
 * base->heap (O(log n)), whose inline operations are in
 * event-timer-internal.h; this file grows the heap and keeps the common
 * timeouts: a duration made by event_base_init_common_timeout() gets a
 * queue of its events in expiry order (O(1) add, since they share one
 * duration), and one internal timer per queue sits in the heap at the
 * head's expiry.  The handle given to the program encodes the queue in
 * tv_usec above the microseconds.
 */
#include "event-timer-internal.h"

#include <limits.h>

#include "mm-internal.h"

/* ------------------------------------------------------------------ */
/* The heap's growth (its operations are inline).                     */

int
vg_heap_grow(struct event_base *base, unsigned n)
{
    struct vg_heap_entry *nh;
    unsigned ncap;

    if (base->heap_cap > UINT_MAX / 4)
        return -1;
    ncap = base->heap_cap ? base->heap_cap * 2 : 32;
    if (ncap < n)
        ncap = n;
    nh = vg_mm_reallocarray(base->heap, ncap, sizeof(*nh));
    if (nh == NULL)
        return -1;
    base->heap = nh;
    base->heap_cap = ncap;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Common timeouts.                                                   */

void
vg_common_timeout_schedule(struct vg_common_timeout *ct)
{
    struct event *head = TAILQ_FIRST(&ct->events);
    struct timeval when;

    if (head == NULL)
        return;
    when.tv_sec = head->ev_timeout.tv_sec;
    when.tv_usec = head->ev_timeout.tv_usec & VG_CT_USEC_MASK;
    vg_event_add_nolock(&ct->timer, &when, 1);
}

static void
common_timeout_fire(evutil_socket_t fd, short what, void *arg)
{
    struct vg_common_timeout *ct = arg;
    struct event_base *base = ct->base;
    vg_usec_t now;
    struct event *ev;

    (void)fd;
    (void)what;
    BASE_LOCK(base);
    now = vg_base_now(base);
    while ((ev = TAILQ_FIRST(&ct->events)) != NULL) {
        if (vg_tv_plain_usec(&ev->ev_timeout) > now)
            break;
        vg_event_del_nolock(ev);
        vg_event_active_inline(ev, EV_TIMEOUT, 1);
    }
    vg_common_timeout_schedule(ct);
    BASE_UNLOCK(base);
}

static const struct timeval *
init_common_timeout(struct event_base *base, const struct timeval *duration);

const struct timeval *
event_base_init_common_timeout(struct event_base *base,
                               const struct timeval *duration)
{
    const struct timeval *result;

    if (base == NULL || duration == NULL)
        return NULL;
    BASE_LOCK(base);
    result = init_common_timeout(base, duration);
    BASE_UNLOCK(base);
    return result;
}

static const struct timeval *
init_common_timeout(struct event_base *base, const struct timeval *duration)
{
    struct vg_common_timeout *ct, **nt;
    struct timeval d;
    int i;

    d = *duration;
    if (d.tv_usec >= 1000000 || d.tv_usec < 0) {
        if (vg_is_common_timeout(&d, base))
            return &vg_common_timeout_of(base, &d)->duration;
        if (d.tv_usec < 0 || d.tv_usec / 1000000 > INT_MAX - d.tv_sec)
            return NULL;
        d.tv_sec += d.tv_usec / 1000000;
        d.tv_usec %= 1000000;
    }
    for (i = 0; i < base->n_common_timeouts; i++) {
        ct = base->common_timeouts[i];
        if (ct->duration.tv_sec == d.tv_sec &&
            (ct->duration.tv_usec & VG_CT_USEC_MASK) == d.tv_usec)
            return &ct->duration;
    }
    if (base->n_common_timeouts == VG_CT_MAX) {
        vg_log_warnx("%s: too many common timeouts already in use; at most "
                     "%d are allowed per base",
                     __func__, VG_CT_MAX);
        return NULL;
    }
    nt = vg_mm_reallocarray(base->common_timeouts,
                            (size_t)base->n_common_timeouts + 1, sizeof(*nt));
    if (nt == NULL)
        return NULL;
    base->common_timeouts = nt;
    ct = vg_mm_calloc(1, sizeof(*ct));
    if (ct == NULL)
        return NULL;
    TAILQ_INIT(&ct->events);
    ct->base = base;
    ct->duration.tv_sec = d.tv_sec;
    ct->duration.tv_usec =
        (suseconds_t)(d.tv_usec | VG_CT_MAGIC |
                      (base->n_common_timeouts << VG_CT_IDX_SHIFT));
    event_assign(&ct->timer, base, -1, 0, common_timeout_fire, ct);
    ct->timer.ev_evcallback.evcb_flags |= EVLIST_INTERNAL;
    ct->timer.ev_evcallback.evcb_pri = 0;
    base->common_timeouts[base->n_common_timeouts++] = ct;
    return &ct->duration;
}
